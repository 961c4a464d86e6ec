// Verdicts do not depend on the machine's load: with `stress-ng --cpu 4 --io 2` saturating this
// (2-core) machine, a third of the conformance suite has no discrepancy and no flaky cell, and
// every injected fault is still found. Needs root and stress-ng (scripts/install-deps.sh).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "runner/local/local_backend.h"
#include "runner/local/netns_ops.h"
#include "tests/support/run_process.h"
#include "tests/support/runner_cases.h"

extern char** environ;

namespace npf {
namespace {

namespace fs = std::filesystem;
const std::string kCli = NPF_CLI;
const std::string kSuite = std::string(NPF_SOURCE_DIR) + "/corpus/conformance";
const char* const kStressNg = "/usr/bin/stress-ng";

// stress-ng for the life of the object: 4 CPU hogs and 2 I/O (sync) hogs, twice the cores
// with CPU alone. Its own --timeout ends it should this process die without a destructor.
class Saturation {
 public:
  Saturation() {
    std::vector<std::string> argv{kStressNg, "--cpu",     "4",     "--io",
                                  "2",       "--timeout", "1800s", "--quiet"};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawn(&pid_, kStressNg, nullptr, nullptr, args.data(), environ) != 0) pid_ = -1;
    // Let the hogs start before anything is measured.
    if (pid_ > 0) sleep(2);
  }
  ~Saturation() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  Saturation(const Saturation&) = delete;
  Saturation& operator=(const Saturation&) = delete;
  bool running() const { return pid_ > 0 && kill(pid_, 0) == 0; }

 private:
  pid_t pid_ = -1;
};

// "total: N cases, P passed, F failed; C cells, D discrepancies, K flaky"
struct Totals {
  int cases = -1, failed = -1, discrepancies = -1, flaky = -1;
};
Totals totals(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m,
                         std::regex("total: ([0-9]+) cases, [0-9]+ passed, ([0-9]+) failed; [0-9]+ "
                                    "cells, ([0-9]+) discrepancies, ([0-9]+) flaky")))
    return {};
  return {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4])};
}

class RunnerLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    NPF_REQUIRE_ROOT();
    ASSERT_EQ(access(kStressNg, X_OK), 0)
        << kStressNg << " is missing: scripts/install-deps.sh installs stress-ng";
    out = ::testing::TempDir() + "/npf-load-" + std::to_string(getpid());
    fs::remove_all(out);
  }
  void TearDown() override { fs::remove_all(out); }
  std::string out;
};

TEST_F(RunnerLoad, AThirdOfTheSuiteUnderSaturationHasNoDiscrepancyAndNoFlakyCell) {
  Saturation load;
  ASSERT_TRUE(load.running());
  auto r = testing::runProcess(
      {kCli, "conformance", kSuite, "--shard", "0/3", "--out", out, "--report", "none", "-q"});
  EXPECT_TRUE(load.running()) << "stress-ng ended early: the run was not under load";
  EXPECT_EQ(r.exitCode, 0) << r.out.substr(r.out.size() > 4000 ? r.out.size() - 4000 : 0) << r.err;
  Totals t = totals(r.out);
  EXPECT_EQ(t.cases, 151) << r.out;
  EXPECT_EQ(t.failed, 0);
  EXPECT_EQ(t.discrepancies, 0);
  EXPECT_EQ(t.flaky, 0);
}

// Faults whose cases the conformance suite tags with the fault's class; each run under load
// must find it. Classes with 20 or more tagged cases run a shard of about 10 of them.
TEST_F(RunnerLoad, EveryInjectedFaultIsStillFoundUnderSaturation) {
  Saturation load;
  ASSERT_TRUE(load.running());
  for (const auto& fault : runner::local::LocalBackend::supportedFaults()) {
    if (fault == "PROTOCOL_CONFUSION" && !runner::local::kernelHasSctp()) {
      // Only SCTP tells it apart from TCP here, and this kernel has no SCTP sockets.
      std::printf("%s: not checked (no SCTP in this kernel)\n", fault.c_str());
      continue;
    }
    SCOPED_TRACE(fault);
    auto listed = testing::runProcess({kCli, "conformance", kSuite, "--list", "--include", fault});
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    size_t tagged = size_t(std::count(listed.out.begin(), listed.out.end(), '\n'));
    std::vector<std::string> argv{kCli,  "conformance",    kSuite, "--include",
                                  fault, "--inject-fault", fault,  "--out",
                                  out,   "--report",       "none", "-q"};
    if (tagged >= 20) argv.insert(argv.end(), {"--shard", "0/" + std::to_string(tagged / 10)});
    auto r = testing::runProcess(argv);
    EXPECT_EQ(r.exitCode, 1) << r.out.substr(r.out.size() > 3000 ? r.out.size() - 3000 : 0)
                             << r.err;
    Totals t = totals(r.out);
    EXPECT_GT(t.discrepancies, 0) << r.out;
    std::printf("%-24s %d of %d cases failed, %d discrepancies\n", fault.c_str(), t.failed, t.cases,
                t.discrepancies);
    fs::remove_all(out);
  }
  EXPECT_TRUE(load.running()) << "stress-ng ended early: the runs were not under load";
}

}  // namespace
}  // namespace npf
