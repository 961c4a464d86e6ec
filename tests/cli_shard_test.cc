// `fuzz --shard`, `conformance --shard`, `merge`, `status`, `diff` and `findings` through the
// CLI on the simulated backend (no root): four shards run as parallel processes and merged
// equal one run cell for cell. (On real namespaces: runner_shard_test.cc.)
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "reports/results_model.h"
#include "tests/support/results_cells.h"
#include "tests/support/run_process.h"

namespace npf {
namespace {

namespace fs = std::filesystem;
using npf::testing::cellsOf;
using npf::testing::readWhole;
using npf::testing::runProcess;

const std::string kCli = NPF_CLI;

class CliShard : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / fmt::format("npf-shard-{}", getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string at(const std::string& rel) const { return (dir_ / rel).string(); }

  // `fuzz` on the simulated backend with an injected fault (some cases fail).
  std::vector<std::string> fuzz(const std::string& out, uint64_t seed = 3,
                                const std::string& fault = "MULTI_PEER_DROPPED") const {
    std::vector<std::string> argv = {
        kCli, "fuzz",  "--backend", "simulated", "--seed", std::to_string(seed), "--cases", "16",
        "-q", "--out", at(out),     "--report",  "none"};
    if (!fault.empty()) argv.insert(argv.end(), {"--inject-fault", fault});
    return argv;
  }

  fs::path dir_;
};

TEST_F(CliShard, FourParallelShardsMergedAreTheSingleRunCellForCell) {
  auto single = runProcess(fuzz("single"));
  ASSERT_EQ(single.exitCode, 1) << single.err;  // the fault is found
  std::vector<std::thread> shards;
  std::vector<npf::testing::ProcessResult> results(4);
  for (int i = 0; i < 4; ++i)
    shards.emplace_back([&, i] {
      auto argv = fuzz(fmt::format("shards/shard-{}", i));
      argv.insert(argv.end(), {"--shard", fmt::format("{}/4", i)});
      results[i] = runProcess(argv);
    });
  for (auto& t : shards) t.join();
  for (const auto& r : results) ASSERT_LE(r.exitCode, 1) << r.err;

  auto status = runProcess({kCli, "status", at("shards")});
  EXPECT_EQ(status.exitCode, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("campaign: 16 cases of 16 (100%)"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("4 of 4 runs finished"), std::string::npos) << status.out;

  auto merge = runProcess({kCli, "merge", at("shards"), "--out", at("shards/merged")});
  ASSERT_EQ(merge.exitCode, 1) << merge.err;  // discrepancies, as the single run's exit
  const auto whole = npf::testing::loadResultsFile(at("single/results.json"));
  const auto merged = npf::testing::loadResultsFile(at("shards/merged/results.json"));
  ASSERT_EQ(merged.cases.size(), 16u);
  ASSERT_EQ(merged.cases.size(), whole.cases.size());
  for (size_t i = 0; i < whole.cases.size(); ++i)
    EXPECT_EQ(cellsOf(merged.cases[i]), cellsOf(whole.cases[i]));
  EXPECT_EQ(merged.command, whole.command);
  EXPECT_EQ(merged.totals.discrepancies, whole.totals.discrepancies);
  EXPECT_EQ(merged.totals.cells, whole.totals.cells);
  EXPECT_EQ(merged.mergedFrom.size(), 4u);
  EXPECT_FALSE(merged.isShard());
  // Every failing case was saved once, under the single run's names.
  std::set<std::string> a, b;
  for (const auto& c : whole.cases)
    if (!c.file.empty()) a.insert(c.file);
  for (const auto& c : merged.cases)
    if (!c.file.empty()) {
      b.insert(c.file);
      EXPECT_TRUE(fs::exists(at("shards/merged/" + c.file))) << c.file;
    }
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_TRUE(fs::exists(at("shards/merged/report.html")));

  // Merging again into the same place skips the previous merge and gives the same document.
  const std::string first = readWhole(at("shards/merged/results.json"));
  auto again = runProcess({kCli, "merge", at("shards"), "--out", at("shards/merged"), "-q"});
  EXPECT_EQ(again.exitCode, 1) << again.err;
  EXPECT_EQ(readWhole(at("shards/merged/results.json")), first);

  // A shard run again saves its failing cases anew: merging again replaces the copies the
  // earlier merge made, rather than taking them for a second input's.
  const std::string rel = *a.begin();
  for (int i = 0; i < 4; ++i) {
    std::string path = at(fmt::format("shards/shard-{}/{}", i, rel));
    if (fs::exists(path)) std::ofstream(path, std::ios::app) << "# run again\n";
  }
  auto rerun = runProcess({kCli, "merge", at("shards"), "--out", at("shards/merged"), "-q"});
  EXPECT_EQ(rerun.exitCode, 1) << rerun.err;
  EXPECT_NE(readWhole(at("shards/merged/" + rel)).find("# run again"), std::string::npos);

  // A missing shard: merge warns, status says so and exits 1.
  fs::rename(at("shards/shard-2"), at("elsewhere"));
  auto partial = runProcess({kCli, "merge", at("shards"), "--out", at("partial"), "-q"});
  EXPECT_NE(partial.err.find("warning: incomplete: shard 2 of 4 missing"), std::string::npos)
      << partial.err;
  auto missing = runProcess({kCli, "status", at("shards")});
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_NE(missing.out.find("2/4        missing"), std::string::npos) << missing.out;
  // Shards of another campaign do not merge.
  auto other = fuzz("other", /*seed=*/4);
  other.insert(other.end(), {"--shard", "2/4"});
  ASSERT_LE(runProcess(other).exitCode, 1);
  auto mixed = runProcess({kCli, "merge", at("shards"), at("other"), "--out", at("mixed")});
  EXPECT_EQ(mixed.exitCode, 2);
  EXPECT_NE(mixed.err.find("the seed differs"), std::string::npos) << mixed.err;
}

TEST_F(CliShard, ShardOptionsAreChecked) {
  auto noSeed =
      runProcess({kCli, "fuzz", "--backend", "simulated", "--shard", "0/2", "--out", at("x")});
  EXPECT_EQ(noSeed.exitCode, 2);
  EXPECT_NE(noSeed.err.find("--shard needs --seed"), std::string::npos) << noSeed.err;
  for (const char* bad : {"2/2", "a/2", "1/0"}) {
    auto r = runProcess({kCli, "fuzz", "--backend", "simulated", "--seed", "1", "--shard", bad});
    EXPECT_EQ(r.exitCode, 2) << bad;
    EXPECT_NE(r.err.find("--shard: "), std::string::npos) << r.err;
  }
  auto conf = runProcess({kCli, "conformance", "--list", "--shard", "5/5"});
  EXPECT_EQ(conf.exitCode, 2);
}

TEST_F(CliShard, ConformanceShardsPartitionTheSuite) {
  auto all = runProcess({kCli, "conformance", "--list"});
  ASSERT_EQ(all.exitCode, 0) << all.err;
  std::multiset<std::string> whole, joined;
  auto lines = [](const std::string& text, std::multiset<std::string>& into) {
    size_t n = 0;
    for (size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
      std::string line = text.substr(at, end - at);
      if (line.find(".yaml") != std::string::npos) into.insert(line), ++n;
    }
    return n;
  };
  const size_t total = lines(all.out, whole);
  ASSERT_GT(total, 300u);
  for (int i = 0; i < 3; ++i) {
    auto part = runProcess({kCli, "conformance", "--list", "--shard", fmt::format("{}/3", i)});
    ASSERT_EQ(part.exitCode, 0) << part.err;
    size_t n = lines(part.out, joined);
    EXPECT_NE(part.out.find(fmt::format("{} cases", n)), std::string::npos);
    EXPECT_GE(n, total / 3);
    EXPECT_LE(n, total / 3 + 1);
  }
  EXPECT_EQ(joined, whole);
}

TEST_F(CliShard, DiffExitsOneOnNewSignaturesOnly) {
  ASSERT_EQ(runProcess(fuzz("clean", 3, "")).exitCode, 0);
  ASSERT_EQ(runProcess(fuzz("faulty")).exitCode, 1);
  auto worse = runProcess({kCli, "diff", at("clean"), at("faulty")});
  EXPECT_EQ(worse.exitCode, 1) << worse.err;
  EXPECT_NE(worse.out.find("NEW DISCREPANCIES"), std::string::npos) << worse.out;
  auto better =
      runProcess({kCli, "diff", at("faulty"), at("clean/results.json"), "--format", "markdown"});
  EXPECT_EQ(better.exitCode, 0) << better.err;
  EXPECT_NE(better.out.find("### Fixed signatures"), std::string::npos) << better.out;
  auto json =
      runProcess({kCli, "diff", at("faulty"), at("faulty"), "-f", "json", "--out", at("d.json")});
  EXPECT_EQ(json.exitCode, 0);
  EXPECT_NE(readWhole(at("d.json")).find("\"persistingSignatures\""), std::string::npos);
  auto missing = runProcess({kCli, "diff", at("nowhere"), at("faulty")});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_NE(missing.err.find(at("nowhere") + ":0:0:"), std::string::npos) << missing.err;
}

TEST_F(CliShard, FindingsDatabaseIsIdempotentAndOrderIndependent) {
  ASSERT_EQ(runProcess(fuzz("night1", 3)).exitCode, 1);
  ASSERT_EQ(runProcess(fuzz("night2", 5)).exitCode, 1);
  auto add = [&](const std::string& db, std::vector<std::string> runs) {
    std::vector<std::string> argv = {kCli, "findings", "add", at(db)};
    for (auto& r : runs) argv.push_back(at(r));
    return runProcess(argv);
  };
  auto snapshot = [&](const std::string& db) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::directory_iterator(at(db)))
      files[e.path().filename().string()] = readWhole(e.path().string());
    return files;
  };
  ASSERT_EQ(add("db", {"night1"}).exitCode, 0);
  ASSERT_EQ(add("db", {"night2"}).exitCode, 0);
  const auto once = snapshot("db");
  ASSERT_FALSE(once.empty());
  auto again = add("db", {"night2", "night1"});
  ASSERT_EQ(again.exitCode, 0);
  EXPECT_NE(again.out.find("0 new findings, 0 updated"), std::string::npos) << again.out;
  EXPECT_EQ(snapshot("db"), once);
  ASSERT_EQ(add("reversed", {"night2", "night1"}).exitCode, 0);
  EXPECT_EQ(snapshot("reversed"), once);
  // Every record has its reproduction, a case file the CLI reads.
  size_t records = 0;
  for (const auto& [name, text] : once)
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
      ++records;
      std::string id = name.substr(0, name.size() - 5);
      ASSERT_TRUE(once.count(id + ".yaml")) << id;
      auto v = runProcess({kCli, "validate", at("db/" + id + ".yaml")});
      EXPECT_EQ(v.exitCode, 0) << v.out << v.err;
    }
  EXPECT_GT(records, 0u);
  auto list = runProcess({kCli, "findings", "list", at("db")});
  EXPECT_EQ(list.exitCode, 0);
  EXPECT_NE(list.out.find(fmt::format("{} findings", records)), std::string::npos) << list.out;
  // A shard is not a run of its own; a broken record stops `add` before anything is written.
  auto shard = fuzz("shard");
  shard.insert(shard.end(), {"--shard", "0/2"});
  ASSERT_LE(runProcess(shard).exitCode, 1);
  auto refused = add("db", {"shard"});
  EXPECT_EQ(refused.exitCode, 2);
  EXPECT_NE(refused.err.find("merge the shards first"), std::string::npos) << refused.err;
  const std::string victim = at("db/" + once.begin()->first);
  { std::ofstream(victim, std::ios::trunc) << "{\"schema\": 1"; }
  auto broken = add("db", {"night1"});
  EXPECT_EQ(broken.exitCode, 2);
  EXPECT_NE(broken.err.find(victim + ":1:"), std::string::npos) << broken.err;
}

}  // namespace
}  // namespace npf
