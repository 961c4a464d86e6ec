// Sharded campaigns on real backends: four `fuzz --shard I/4` processes at once on the local
// dataplane (each its own run of namespaces), merged, equal one `fuzz` run on the same cases
// cell for cell, with an injected fault so that there are discrepancies to agree on; shards on
// Cyclonus minimize per shard and the merge keeps one reproduction per signature.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <thread>

#include "tests/support/analyzer_required.h"
#include "tests/support/results_cells.h"
#include "tests/support/run_process.h"
#include "tests/support/runner_cases.h"

namespace npf::runner {
namespace {

namespace fs = std::filesystem;
using npf::testing::cellsOf;
using npf::testing::loadResultsFile;
using npf::testing::runProcess;

const std::string kCli = NPF_CLI;

class RunnerShards : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/npf-shards-" + std::to_string(getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `argv` once whole (into DIR/single) and as `shards` shards at once (DIR/shards/I),
  // then merges them into DIR/merged; returns the merge's exit code.
  int runShardedAndWhole(std::vector<std::string> argv, int shards, int wantExit) {
    auto with = [&](const std::string& out) {
      auto a = argv;
      a.insert(a.end(), {"--out", dir_ + "/" + out, "-q", "--report", "none"});
      return a;
    };
    auto single = runProcess(with("single"));
    EXPECT_EQ(single.exitCode, wantExit) << single.out << single.err;
    std::vector<npf::testing::ProcessResult> parts(shards);
    std::vector<std::thread> threads;
    for (int i = 0; i < shards; ++i)
      threads.emplace_back([&, i] {
        auto a = with(fmt::format("shards/{}", i));
        a.insert(a.end(), {"--shard", fmt::format("{}/{}", i, shards)});
        parts[i] = runProcess(a);
      });
    for (auto& t : threads) t.join();
    for (const auto& p : parts) EXPECT_LE(p.exitCode, 1) << p.out << p.err;
    auto merge = runProcess(
        {kCli, "merge", dir_ + "/shards", "--out", dir_ + "/merged", "-q", "--report", "none"});
    EXPECT_TRUE(merge.err.empty()) << merge.err;
    return merge.exitCode;
  }

  void expectSameCells() {
    const auto whole = loadResultsFile(dir_ + "/single/results.json");
    const auto merged = loadResultsFile(dir_ + "/merged/results.json");
    ASSERT_EQ(merged.cases.size(), whole.cases.size());
    for (size_t i = 0; i < whole.cases.size(); ++i)
      EXPECT_EQ(cellsOf(merged.cases[i]), cellsOf(whole.cases[i]));
    EXPECT_EQ(merged.totals.discrepancies, whole.totals.discrepancies);
    EXPECT_EQ(merged.totals.flaky, whole.totals.flaky);
    EXPECT_EQ(merged.command, whole.command);
  }

  std::string dir_;
};

TEST_F(RunnerShards, FourLocalShardsAtOnceMergedEqualOneRunCellForCell) {
  NPF_REQUIRE_ROOT();
  // Seed 2's first 8 cases: MULTI_PEER_DROPPED turns cells in some of them, not in others.
  const std::vector<std::string> argv = {
      kCli, "fuzz",    "--backend", "local",          "--seed",
      "2",  "--cases", "8",         "--inject-fault", "MULTI_PEER_DROPPED"};
  EXPECT_EQ(runShardedAndWhole(argv, 4, 1), 1);
  expectSameCells();
  const auto whole = loadResultsFile(dir_ + "/single/results.json");
  EXPECT_GT(whole.totals.discrepancies, 0u);
  EXPECT_LT(whole.totals.failingCases, whole.totals.cases);  // and passing cases to agree on
}

TEST_F(RunnerShards, CyclonusShardsKeepOneMinimizedReproductionPerSignature) {
  NPF_REQUIRE_CYCLONUS();
  const std::vector<std::string> argv = {kCli,         "fuzz",     "--backend", "analyzer",
                                         "--analyzer", "cyclonus", "--seed",    "1",
                                         "--cases",    "40"};
  EXPECT_EQ(runShardedAndWhole(argv, 2, 1), 1);
  expectSameCells();
  const auto whole = loadResultsFile(dir_ + "/single/results.json");
  const auto merged = loadResultsFile(dir_ + "/merged/results.json");
  std::set<std::string> a, b;
  for (const auto& m : whole.minimized) a.insert(m.signature);
  for (const auto& m : merged.minimized) {
    EXPECT_TRUE(b.insert(m.signature).second) << "two reproductions of " << m.signature;
    EXPECT_TRUE(fs::exists(dir_ + "/merged/" + m.file)) << m.file;
  }
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  // Each kept reproduction still shows its discrepancy on Cyclonus.
  for (const auto& m : merged.minimized) {
    auto replay = runProcess({kCli, "replay", dir_ + "/merged/" + m.file, "--backend", "analyzer",
                              "--analyzer", "cyclonus"});
    EXPECT_EQ(replay.exitCode, 1) << m.file << "\n" << replay.out << replay.err;
  }
}

}  // namespace
}  // namespace npf::runner
