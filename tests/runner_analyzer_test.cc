// The analyzer backend with the real Cyclonus v0.5.6 (scripts/install-deps.sh --with-analyzers):
// what it answers on cells whose verdict Kubernetes fixes, the findings written down in
// corpus/findings/cyclonus-v0.5.6/, and the failures of the program itself. Skipped without the
// binary; failed instead when NPF_REQUIRE_ANALYZERS=1 (CI, scripts/test.sh).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "runner/analyzer/analyzer_backend.h"
#include "runner/campaign.h"
#include "runner/tool_cache.h"
#include "tests/support/analyzer_required.h"
#include "tests/support/run_process.h"
#include "tests/support/runner_cases.h"

namespace npf::runner::analyzer {
namespace {

using K = ProbeResult::Kind;
using npf::testing::clusterFromYaml;
using npf::testing::smallClusterYaml;

Probe cell(Endpoint from, Endpoint to, int port, Protocol proto = Protocol::TCP) {
  return Probe{std::move(from), Target{std::move(to), port, proto}};
}

std::vector<K> kinds(const std::vector<ProbeResult>& rs) {
  std::vector<K> out;
  for (const auto& r : rs) out.push_back(r.kind);
  return out;
}

const std::string kPolicyHeader =
    "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: "
    "\"y\"}\n";

TEST(AnalyzerBackend, CyclonusAgreesWhereKubernetesIsPlain) {
  NPF_REQUIRE_CYCLONUS();
  AnalyzerBackend b({});
  // y/c admits TCP 80 from namespace x only.
  Cluster c = clusterFromYaml(smallClusterYaml() + kPolicyHeader + R"(spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: x}}}]
    ports: [{port: 80}]
)");
  ASSERT_EQ(b.setUp(c), "");
  auto got = b.probe({cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80),
                      cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80, Protocol::UDP),
                      cell(Endpoint::pod("y", "c"), Endpoint::pod("x", "b"), 80),
                      cell(Endpoint::pod("y", "c"), Endpoint::pod("x", "b"), 81),
                      cell(Endpoint::pod("x", "a"), Endpoint::service("x", "web"), 8000)},
                     {});
  EXPECT_EQ(kinds(got), (std::vector<K>{K::Connected, K::Timeout, K::Connected,
                                        K::Refused,  // allowed, but nothing serves 81
                                        K::Skipped}));
  EXPECT_EQ(b.counters().queries, 1u);
  EXPECT_EQ(b.counters().asked, 4u);
  // A re-probe in the same state is answered from the first answer; a change asks again.
  b.probe({cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80)}, {});
  EXPECT_EQ(b.counters().queries, 1u);
  c.policies.clear();
  ASSERT_EQ(b.reconcile(c), "");
  EXPECT_EQ(kinds(b.probe(
                {cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80, Protocol::UDP)}, {})),
            (std::vector<K>{K::Connected}));
  EXPECT_EQ(b.counters().queries, 2u);
}

// Findings (corpus/findings/cyclonus-v0.5.6/README.md), pinned: each must change on purpose.
TEST(AnalyzerBackend, CyclonusV056FindingsArePinned) {
  NPF_REQUIRE_CYCLONUS();
  AnalyzerBackend b({});
  // 1: NotIn does not match a namespace without the key (Kubernetes: it does).
  Cluster notIn = clusterFromYaml(smallClusterYaml() + kPolicyHeader + R"(spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - from: [{namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}}]
)");
  ASSERT_EQ(b.setUp(notIn), "");
  EXPECT_EQ(kinds(b.probe({cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80)}, {})),
            (std::vector<K>{K::Timeout}));
  // 2: matchLabels `env: ""` selects y/c, which has no env label (Kubernetes: it does not).
  Cluster emptyValue = clusterFromYaml(smallClusterYaml() + kPolicyHeader + R"(spec:
  podSelector: {matchLabels: {env: ""}}
  policyTypes: [Ingress]
)");
  ASSERT_EQ(b.reconcile(emptyValue), "");
  EXPECT_EQ(kinds(b.probe({cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80)}, {})),
            (std::vector<K>{K::Timeout}));
  // 3: an IPv4-mapped IPv6 CIDR admits IPv4 traffic (Kubernetes: an IPv6 CIDR never does).
  Cluster mapped = clusterFromYaml(smallClusterYaml() + kPolicyHeader + R"(spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - from: [{ipBlock: {cidr: "::ffff:10.0.1.0/120"}}]
)");
  ASSERT_EQ(b.reconcile(mapped), "");
  EXPECT_EQ(kinds(b.probe({cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80)}, {})),
            (std::vector<K>{K::Connected}));
}

TEST(AnalyzerBackend, AFailingAnalyzerGivesErrorsNeverVerdicts) {
  std::string dir = std::filesystem::temp_directory_path() / "npf-analyzer-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  struct Script {
    const char* body;
    const char* detail;
  } scripts[] = {
      {"#!/bin/sh\necho 'panic: runtime error: index out of range' >&2\nexit 2\n",
       "cyclonus exited 2: panic: runtime error"},
      {"#!/bin/sh\necho 'query traffic:'\n", "0 `IS ALLOWED?` verdicts for 1 traffic objects"},
  };
  for (const auto& s : scripts) {
    const std::string bin = dir + "/cyclonus-v0.5.6";
    {
      std::ofstream f(bin, std::ios::trunc);
      f << s.body;
    }
    chmod(bin.c_str(), 0755);
    AnalyzerOptions o;
    o.binDir = dir;
    AnalyzerBackend b(o);
    ASSERT_EQ(b.setUp(clusterFromYaml(smallClusterYaml())), "");
    auto got = b.probe({cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80),
                        cell(Endpoint::node("node-1"), Endpoint::pod("y", "c"), 80)},
                       {});
    EXPECT_EQ(kinds(got), (std::vector<K>{K::Error, K::Skipped}));
    EXPECT_NE(got[0].detail.find(s.detail), std::string::npos) << got[0].detail;
    // Errors are asked again: they are not the analyzer's answer.
    b.probe({cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80)}, {});
    EXPECT_EQ(b.counters().queries, 2u);
  }
  std::filesystem::remove_all(dir);
}

// The query files of a run killed without cleaning up are removed by the next run; those of a
// live process stay.
TEST(AnalyzerBackend, LeftoverWorkDirectoriesOfDeadRunsAreRemoved) {
  NPF_REQUIRE_CYCLONUS();
  std::string tmp = std::filesystem::temp_directory_path() / "npf-analyzer-tmp-XXXXXX";
  ASSERT_NE(mkdtemp(tmp.data()), nullptr);
  const std::string dead = tmp + "/netpolfuzz-analyzer-999999999-abcdef";  // beyond pid_max
  const std::string alive = tmp + "/netpolfuzz-analyzer-" + std::to_string(getppid()) + "-abcdef";
  const std::string other = tmp + "/netpolfuzz-analyzer-notes";
  for (const auto& d : {dead, alive, other}) std::filesystem::create_directories(d + "/policies");
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  setenv("TMPDIR", tmp.c_str(), 1);
  {
    AnalyzerBackend b({});
    ASSERT_EQ(b.setUp(clusterFromYaml(smallClusterYaml())), "");
    auto got = b.probe({cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80)}, {});
    EXPECT_EQ(kinds(got), (std::vector<K>{K::Connected}));
    EXPECT_FALSE(std::filesystem::exists(dead));
    EXPECT_TRUE(std::filesystem::exists(alive));
    EXPECT_TRUE(std::filesystem::exists(other));
    size_t mine = 0;
    for (const auto& e : std::filesystem::directory_iterator(tmp))
      mine += e.path().filename().string().rfind(
                  "netpolfuzz-analyzer-" + std::to_string(getpid()) + "-", 0) == 0;
    EXPECT_EQ(mine, 1u);
  }
  // The backend removes its own when it goes.
  size_t left = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp)) left += e.is_directory();
  EXPECT_EQ(left, 2u);
  if (old)
    setenv("TMPDIR", saved.c_str(), 1);
  else
    unsetenv("TMPDIR");
  std::filesystem::remove_all(tmp);
}

const std::string kCli = NPF_CLI;

TEST(AnalyzerCli, MissingAnalyzerIsExit3WithTheInstallStep) {
  auto r = npf::testing::runProcess(
      {kCli, "fuzz", "--backend", "analyzer", "--bin-dir", "/nonexistent", "--cases", "1"});
  EXPECT_EQ(r.exitCode, 3) << r.err;
  EXPECT_NE(r.err.find("scripts/install-deps.sh --with-analyzers"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/cyclonus-v0.5.6"), std::string::npos) << r.err;
  r = npf::testing::runProcess({kCli, "fuzz", "--bin-dir", "/x", "--cases", "1"});
  EXPECT_EQ(r.exitCode, 2) << r.err;
  r = npf::testing::runProcess(
      {kCli, "fuzz", "--backend", "analyzer", "--analyzer", "no-such", "--cases", "1"});
  EXPECT_EQ(r.exitCode, 2) << r.err;
}

// fuzz finds Cyclonus's NotIn finding, saves failing cases that minimize and replay on the
// analyzer; everything else of the pipeline is the dataplanes'.
TEST(AnalyzerCli, FuzzMinimizeReplayOnCyclonus) {
  NPF_REQUIRE_CYCLONUS();
  const std::string out = ::testing::TempDir() + "npf-analyzer-cli-" + std::to_string(getpid());
  std::filesystem::remove_all(out);
  auto r = npf::testing::runProcess({kCli, "fuzz", "--backend", "analyzer", "--seed", "1",
                                     "--cases", "20", "-q", "--report", "none", "-o", out});
  ASSERT_EQ(r.exitCode, 1) << r.out << r.err;  // small-s1-0001, -0003 and -0017 fail
  auto results = nlohmann::json::parse(npf::testing::readWhole(out + "/results.json"));
  EXPECT_EQ(results["backend"], "analyzer");
  EXPECT_EQ(results["enforcer"], "cyclonus v0.5.6");
  EXPECT_EQ(results["totals"]["errors"], 0);
  EXPECT_GT(results["totals"]["discrepancies"], 0);
  // On the analyzer, fuzz minimizes its findings by default.
  size_t minimizedFiles = 0;
  for (const auto& e : std::filesystem::directory_iterator(out + "/minimized"))
    minimizedFiles += e.path().extension() == ".yaml";
  EXPECT_EQ(minimizedFiles, 3u) << r.out;
  const std::string failing = out + "/failures/small-s1-0003.yaml";
  ASSERT_TRUE(std::filesystem::exists(failing)) << r.out;
  const std::string minimized = out + "/min.yaml";
  r = npf::testing::runProcess(
      {kCli, "minimize", failing, "--backend", "analyzer", "-q", "-o", minimized});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  const std::string text = npf::testing::readWhole(minimized);
  EXPECT_NE(text.find("NotIn"), std::string::npos) << text;
  EXPECT_EQ(npf::testing::runProcess({kCli, "replay", minimized, "--backend", "analyzer"}).exitCode,
            1);
  // The oracle's own simulation does not reproduce it: the discrepancy is Cyclonus's.
  EXPECT_EQ(
      npf::testing::runProcess({kCli, "replay", minimized, "--backend", "simulated"}).exitCode, 0);
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace npf::runner::analyzer
