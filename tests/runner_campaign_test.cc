// Campaigns on the real local dataplane: random cases agree with the oracle, every injected
// fault class is found, and the `fuzz` command's files, exit codes, SIGINT and SIGKILL
// behaviour. Needs root; skipped otherwise.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "model/case_file.h"
#include "runner/local/local_backend.h"
#include "runner/session.h"
#include "tests/support/run_process.h"
#include "tests/support/runner_cases.h"
#include "tests/support/session_sink.h"

namespace npf::runner {
namespace {

namespace fs = std::filesystem;
using local::listNamespaces;
using local::LocalBackend;

const std::string kCli = NPF_CLI;

std::string describeFailures(const SessionResult& r) {
  std::string out;
  for (const auto& c : r.cases)
    for (const auto& s : c.states)
      for (const auto& o : s.notable)
        if (o.status == CellStatus::Fail) {
          out += c.name + " step " + std::to_string(s.step) + ": " + toString(o.probe.from) +
                 " -> " + toString(o.probe.target) + " expected " +
                 (o.expected ? toString(*o.expected) : "skip") + " observed";
          for (const auto& a : o.attempts) out += std::string(" ") + toString(a.kind);
          out += "\n" + o.explanation + "\n";
        }
  return out;
}

TEST(RunnerCampaign, FiftyRandomCasesAgreeWithTheOracle) {
  NPF_REQUIRE_ROOT();
  LocalBackend backend;
  GeneratedCases cases(/*seed=*/20261128, /*firstIndex=*/0, /*count=*/50, ClusterSize::Small, {});
  npf::testing::OnEachCase ignore;
  SessionResult r = runSession(backend, cases, ignore, SessionOptions{});
  EXPECT_EQ(r.backendError, "");
  ASSERT_EQ(r.cases.size(), 50u);
  EXPECT_EQ(r.discrepancies(), 0u) << describeFailures(r);
  size_t reused = 0, steps = 0;
  for (const auto& c : r.cases) {
    reused += c.clusterReused;
    steps += c.states.size() - 1;
  }
  EXPECT_GT(reused, 0u) << "the cluster is never reused between cases";
  EXPECT_GT(steps, 0u) << "no case had steps";
  EXPECT_GT(r.cells(), 50u * 200);
  std::printf(
      "50 cases: %zu cells, %zu flaky, %zu errors, %zu reused clusters, %zu steps, %.1f s\n",
      r.cells(), r.flaky(), r.errors(), reused, steps, r.seconds);
  EXPECT_TRUE(listNamespaces(backend.runId()).empty());
}

class RunnerCampaignFault : public ::testing::TestWithParam<std::string> {};

TEST_P(RunnerCampaignFault, DetectedWithin200Cases) {
  NPF_REQUIRE_ROOT();
  local::LocalOptions lo;
  lo.faults = {GetParam()};
  LocalBackend backend(lo);
  GeneratedCases cases(/*seed=*/1, /*firstIndex=*/0, /*count=*/200, ClusterSize::Small, {});
  SessionOptions o;
  o.maxFailingCases = 1;
  npf::testing::OnEachCase ignore;
  SessionResult r = runSession(backend, cases, ignore, o);
  EXPECT_EQ(r.backendError, "");
  ASSERT_EQ(r.failingCases(), 1u) << GetParam() << " not detected in " << r.cases.size()
                                  << " cases";
  std::printf("%s detected by case %zu of seed 1 after %.1f s\n", GetParam().c_str(),
              r.cases.size(), r.seconds);
  RecordProperty("casesToDetect", int(r.cases.size()));
}

INSTANTIATE_TEST_SUITE_P(EveryFault, RunnerCampaignFault,
                         ::testing::ValuesIn(LocalBackend::supportedFaults()),
                         [](const auto& info) { return info.param; });

// The `fuzz` command as a user runs it.
class RunnerFuzzCli : public ::testing::Test {
 protected:
  void SetUp() override {
    NPF_REQUIRE_ROOT();
    dir = ::testing::TempDir() + "/npf-fuzz-cli-" + std::to_string(getpid());
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  // Starts the CLI in the background, stdout and stderr to `log`.
  pid_t start(const std::vector<std::string>& args, const std::string& log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<std::string> argv{kCli};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> p;
    for (auto& a : argv) p.push_back(a.data());
    p.push_back(nullptr);
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, kCli.c_str(), &fa, nullptr, p.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
  }

  // The run id the campaign printed, waiting until its cluster exists.
  std::string waitForRun(const std::string& log) {
    static const std::regex re("run (npf-[0-9a-f]{6})");
    for (int i = 0; i < 200; ++i) {
      std::smatch m;
      std::string text = npf::testing::readWhole(log);
      if (std::regex_search(text, m, re) && !listNamespaces(m[1].str()).empty()) return m[1].str();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "campaign did not start:\n" << npf::testing::readWhole(log);
    return "npf-000000";
  }

  std::string dir;
};

TEST_F(RunnerFuzzCli, CleanCampaignExitsZeroAndWritesResults) {
  auto r =
      npf::testing::runProcess({kCli, "fuzz", "--seed", "5", "--cases", "3", "--out", dir, "-q"});
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS: no discrepancies"), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find("reproduce: netpolfuzz fuzz --backend local --seed 5 --size small --cases 3"),
      std::string::npos)
      << r.out;
  std::string results = npf::testing::readWhole(dir + "/results.json");
  EXPECT_NE(results.find("\"schema\": \"netpolfuzz.results/v1\""), std::string::npos);
  EXPECT_NE(results.find("\"name\": \"small-s5-0002\""), std::string::npos);
  EXPECT_TRUE(fs::is_empty(dir + "/failures"));
}

TEST_F(RunnerFuzzCli, InjectedFaultExitsOneAndSavesALoadableFailingCase) {
  auto r =
      npf::testing::runProcess({kCli, "fuzz", "--seed", "1", "--cases", "50", "--max-failures", "1",
                                "--inject-fault", "IPBLOCK_EXCEPT_AS_DENY", "--out", dir, "-q"});
  EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL: "), std::string::npos) << r.out;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir + "/failures")) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  CaseLoad saved = loadCaseFiles({files[0]});
  ASSERT_TRUE(saved.errors.empty()) << saved.errors[0].message;
  ASSERT_TRUE(saved.kase.meta.observed);
  EXPECT_EQ(saved.kase.meta.observed->faults, std::vector<std::string>{"IPBLOCK_EXCEPT_AS_DENY"});
  EXPECT_FALSE(saved.kase.meta.observed->cells.empty());
  EXPECT_TRUE(saved.kase.meta.seed.has_value());
  // The saved case's expected verdicts are the oracle's: `expect` agrees with what was recorded.
  const ObservedCell& cell = saved.kase.meta.observed->cells[0];
  auto e = npf::testing::runProcess({kCli, "expect", files[0], "--output", "json"});
  EXPECT_EQ(e.exitCode, 0) << e.err;
  auto target = parseTarget(cell.to);
  ASSERT_TRUE(target) << cell.to;
  std::string line = "{\"from\":\"" + cell.from + "\",\"to\":\"" + toString(target->to) +
                     "\",\"port\":" + std::to_string(target->port) + ",\"protocol\":\"" +
                     toString(target->protocol) + "\",\"verdict\":\"" + cell.expected + "\"";
  if (!saved.kase.meta.steps.empty()) line += ",\"step\":" + std::to_string(cell.step);
  EXPECT_NE(e.out.find(line), std::string::npos) << line << "\n" << e.out.substr(0, 400);
}

// `--minimize` shrinks the finding with the backend in the loop and saves it under a content
// hash; `--report` writes the other formats from the same results.json.
TEST_F(RunnerFuzzCli, MinimizeAndReportsAfterAFailingCampaign) {
  auto r = npf::testing::runProcess({kCli, "fuzz", "--seed", "1", "--cases", "20", "--max-failures",
                                     "1", "--inject-fault", "ENDPORT_IGNORED", "--minimize",
                                     "--report", "junit,html,markdown,text", "--out", dir, "-q"});
  EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir + "/minimized")) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u) << r.out;
  EXPECT_TRUE(
      std::regex_match(fs::path(files[0]).filename().string(), std::regex("[0-9a-f]{12}\\.yaml")))
      << files[0];
  CaseLoad saved = loadCaseFiles({files[0]});
  ASSERT_TRUE(saved.errors.empty()) << saved.errors[0].message;
  EXPECT_LE(saved.kase.cluster.policies.size(), 2u);
  EXPECT_LE(saved.kase.cluster.pods.size(), 4u);
  ASSERT_TRUE(saved.kase.meta.observed);
  EXPECT_FALSE(saved.kase.meta.observed->cells.empty());

  std::string junit = npf::testing::readWhole(dir + "/junit.xml");
  EXPECT_NE(junit.find("<testsuites"), std::string::npos);
  EXPECT_NE(junit.find("<failure"), std::string::npos) << junit.substr(0, 2000);
  std::string html = npf::testing::readWhole(dir + "/report.html");
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_NE(npf::testing::readWhole(dir + "/report.md").find("small-s1-0002"), std::string::npos);
  EXPECT_NE(npf::testing::readWhole(dir + "/report.txt").find("small-s1-0002"), std::string::npos);
}

TEST_F(RunnerFuzzCli, DurationBoundsTheCampaign) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = npf::testing::runProcess(
      {kCli, "fuzz", "--seed", "4", "--duration", "3s", "--out", dir, "-q"});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_LT(seconds, 20.0);  // 3 s plus the case in progress and teardown
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("\n([0-9]+) cases in ([0-9.]+) s"))) << r.out;
  EXPECT_GT(std::stoi(m[1]), 0);
  EXPECT_GE(std::stod(m[2]), 3.0);
}

TEST_F(RunnerFuzzCli, BadUsageExitsTwo) {
  EXPECT_EQ(npf::testing::runProcess({kCli, "fuzz", "--inject-fault", "NOT_A_CLASS", "--out", dir})
                .exitCode,
            2);
  EXPECT_EQ(npf::testing::runProcess({kCli, "fuzz", "--duration", "5x", "--out", dir}).exitCode, 2);
  EXPECT_EQ(npf::testing::runProcess({kCli, "fuzz", "--profile", "loopback=maybe", "--out", dir})
                .exitCode,
            2);
  auto list = npf::testing::runProcess({kCli, "fuzz", "--list-faults"});
  EXPECT_EQ(list.exitCode, 0);
  for (const auto& f : LocalBackend::supportedFaults())
    EXPECT_NE(list.out.find(f), std::string::npos) << f;
}

TEST_F(RunnerFuzzCli, TwoConcurrentCampaignsDoNotDisturbEachOther) {
  fs::create_directories(dir);
  pid_t a =
      start({"fuzz", "--seed", "11", "--cases", "8", "--out", dir + "/a", "-q"}, dir + "/a.log");
  pid_t b =
      start({"fuzz", "--seed", "12", "--cases", "8", "--out", dir + "/b", "-q"}, dir + "/b.log");
  for (auto [pid, log] : {std::pair{a, dir + "/a.log"}, std::pair{b, dir + "/b.log"}}) {
    int st = 0;
    waitpid(pid, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << npf::testing::readWhole(log);
  }
  EXPECT_NE(npf::testing::readWhole(dir + "/a/results.json").find("\"failingCases\": 0"),
            std::string::npos);
  EXPECT_NE(npf::testing::readWhole(dir + "/b/results.json").find("\"failingCases\": 0"),
            std::string::npos);
}

TEST_F(RunnerFuzzCli, SigintEndsTheCaseInProgressWritesResultsAndTearsDown) {
  fs::create_directories(dir);
  std::string log = dir + "/log";
  pid_t pid = start({"fuzz", "--seed", "9", "--cases", "100000", "--out", dir + "/out"}, log);
  std::string run = waitForRun(log);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(pid, SIGINT);
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st)) << npf::testing::readWhole(log);
  EXPECT_EQ(WEXITSTATUS(st), 130) << npf::testing::readWhole(log);
  std::string results = npf::testing::readWhole(dir + "/out/results.json");
  EXPECT_NE(results.find("\"interrupted\": true"), std::string::npos) << results.substr(0, 600);
  EXPECT_NE(npf::testing::readWhole(log).find("interrupted"), std::string::npos);
  EXPECT_TRUE(listNamespaces(run).empty()) << run << " left namespaces behind";
  EXPECT_FALSE(fs::exists(std::string(local::kDefaultStateRoot) + "/" + run));
}

TEST_F(RunnerFuzzCli, SigkillLeavesLeftoversThatTheNextRunRemoves) {
  fs::create_directories(dir);
  std::string log = dir + "/log";
  pid_t pid = start({"fuzz", "--seed", "9", "--cases", "100000", "--out", dir + "/out"}, log);
  std::string run = waitForRun(log);
  kill(pid, SIGKILL);
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_FALSE(listNamespaces(run).empty()) << "a killed run cannot clean up; expected leftovers";
  auto next = npf::testing::runProcess(
      {kCli, "fuzz", "--seed", "5", "--cases", "1", "--out", dir + "/next", "-q"});
  EXPECT_EQ(next.exitCode, 0) << next.out << next.err;
  EXPECT_TRUE(listNamespaces(run).empty())
      << "the next run did not remove " << run << "'s namespaces";
  EXPECT_FALSE(fs::exists(std::string(local::kDefaultStateRoot) + "/" + run));
}

}  // namespace
}  // namespace npf::runner
