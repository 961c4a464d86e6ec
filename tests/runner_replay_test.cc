// Replay on the real local dataplane: the local backend assigning pod addresses of its own
// (LocalOptions::reassignPodIpv4); a saved failing case from an injected-fault campaign
// reproduces under the same fault and not without it on a cluster with other pod addresses
// (derived ipBlocks re-derived); the `replay` and `minimize` commands' files, output and exit
// codes. Needs root; skipped otherwise.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "model/case_file.h"
#include "model/ip.h"
#include "runner/campaign_results.h"
#include "runner/local/local_backend.h"
#include "runner/replay.h"
#include "runner/session.h"
#include "tests/support/run_process.h"
#include "tests/support/runner_cases.h"
#include "tests/support/runner_probe.h"
#include "tests/support/session_sink.h"

namespace npf::runner {
namespace {

namespace fs = std::filesystem;
using K = ProbeResult::Kind;
using local::listNamespaces;
using local::LocalBackend;

const std::string kCli = NPF_CLI;
const char* kFault = "IPBLOCK_EXCEPT_AS_DENY";
const char* kRange = "10.123.0.0/16";

CheckOptions cliChecks() {
  CheckOptions c;
  c.firstRound.timeoutMs = 200;
  c.retryTimeoutMs = 500;
  c.convergeDeadlineMs = 300;
  return c;
}

TEST(RunnerLocalAddresses, TheBackendCanAssignPodAddressesOfItsOwn) {
  NPF_REQUIRE_ROOT();
  local::LocalOptions lo;
  lo.reassignPodIpv4 = kRange;
  LocalBackend b(lo);
  Cluster c = npf::testing::clusterFromYaml(npf::testing::smallClusterYaml());
  ASSERT_EQ(b.setUp(c), "");
  Cluster a = b.actual();
  // Same host bits in the range (pods 10.0.1.1, 10.0.1.2, 10.0.2.1).
  EXPECT_EQ(a.findPod("x", "a")->podIP, "10.123.1.1");
  EXPECT_EQ(a.findPod("x", "b")->podIP, "10.123.1.2");
  EXPECT_EQ(a.findPod("y", "c")->podIP, "10.123.2.1");
  EXPECT_EQ(a.findPod("x", "a")->podIPs, std::vector<std::string>{"10.123.1.1"});
  npf::testing::expectCells(b, {{"x/a", "x/b", 80, Protocol::TCP, K::Connected},
                                {"x/a", "y/c", 80, Protocol::UDP, K::Connected},
                                {"x/b", "svc/x/web", 8000, Protocol::TCP, K::Connected},
                                {"node/node-2", "x/a", 80, Protocol::TCP, K::Connected}});
  // Stable across reconciles; a new pod whose host bits clash gets the next free address.
  Pod d = c.pods[0];
  d.meta.name = "d";
  d.podIP = "10.7.1.1";
  d.podIPs = {"10.7.1.1"};
  c.pods.push_back(d);
  ASSERT_EQ(b.reconcile(c), "");
  a = b.actual();
  EXPECT_EQ(a.findPod("x", "a")->podIP, "10.123.1.1");
  std::string dIp = a.findPod("x", "d")->podIP;
  EXPECT_TRUE(parseCidr(kRange)->contains(*parseIp(dIp))) << dIp;
  for (const char* other : {"a", "b"}) EXPECT_NE(dIp, a.findPod("x", other)->podIP);
  npf::testing::expectCells(b, {{"x/a", "x/d", 80, Protocol::TCP, K::Connected}});
  std::string run = b.runId();
  b.tearDown();
  EXPECT_TRUE(listNamespaces(run).empty());

  local::LocalOptions bad;
  bad.reassignPodIpv4 = "fd00::/64";
  LocalBackend b2(bad);
  EXPECT_NE(b2.setUp(c).find("reassignPodIpv4"), std::string::npos);
}

// One failing case of an injected-fault campaign, saved as `fuzz` saves it.
class RunnerReplay : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!local::checkPrivileges().empty()) return;
    dir = ::testing::TempDir() + "/npf-replay-" + std::to_string(getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    local::LocalOptions lo;
    lo.faults = {kFault};
    LocalBackend backend(lo);
    GeneratedCases cases(/*seed=*/1, /*firstIndex=*/0, /*count=*/200, ClusterSize::Small, {});
    SessionOptions o;
    o.maxFailingCases = 1;
    o.check = cliChecks();
    RunInfo info;
    info.faults = {kFault};
    npf::testing::OnEachCase saveFailing([&](const Case& c, const CaseResult& r) {
      if (r.discrepancies() == 0) return;
      saved = dir + "/" + c.meta.name + ".yaml";
      std::ofstream(saved) << encodeCase(runner::caseWithObservation(c, r, info));
    });
    runSession(backend, cases, saveFailing, o);
  }
  static void TearDownTestSuite() {
    if (!dir.empty()) fs::remove_all(dir);
  }
  void SetUp() override {
    NPF_REQUIRE_ROOT();
    ASSERT_FALSE(saved.empty()) << kFault << " not detected";
  }

  Case load() {
    CaseLoad l = loadCaseFiles({saved});
    EXPECT_TRUE(l.errors.empty()) << (l.errors.empty() ? "" : toString(l.errors[0]));
    return l.kase;
  }

  static std::string dir, saved;
};
std::string RunnerReplay::dir, RunnerReplay::saved;

size_t derivedEntries(const Case& c) {
  size_t n = 0;
  for (const auto& p : c.cluster.policies) n += ipBlockSources(p).size();
  return n;
}

TEST_F(RunnerReplay, ReproducesUnderTheSameFaultOnOtherPodAddressesAndNotWithout) {
  Case c = load();
  ASSERT_TRUE(c.meta.observed);
  ASSERT_GT(derivedEntries(c), 0u) << "the case has no address-derived ipBlock";
  size_t recorded = 0;
  for (const auto& cell : c.meta.observed->cells)
    recorded += cell.expected == "allow" || cell.expected == "deny";
  for (bool fault : {true, false}) {
    SCOPED_TRACE(fault ? "with the fault" : "without the fault");
    local::LocalOptions lo;
    lo.reassignPodIpv4 = kRange;
    LocalBackend backend(lo);
    Replayer replayer(backend, cliChecks());
    ReplayResult r = replayer.replay(c, fault ? recordedSettings(c) : RunSettings{});
    replayer.tearDown();
    ASSERT_EQ(r.run.backendError, "");
    EXPECT_GT(r.reassignedPods, 0u);
    EXPECT_GT(r.rederivedIpBlocks, 0u);
    ASSERT_EQ(r.recorded.size(), c.meta.observed->cells.size());
    std::string detail;
    for (const auto& cell : r.recorded)
      detail += fmt::format("{} step {} {} -> {}: {}\n", toString(cell.outcome), cell.recorded.step,
                            cell.recorded.from, cell.recorded.to, cell.now);
    for (const auto& n : r.fresh)
      detail += fmt::format("new: {} -> {}: {}\n", toString(n.cell.probe.from),
                            toString(n.cell.probe.target), n.cell.signature);
    if (fault) {
      size_t discrepancies = 0;
      for (const auto& cell : r.recorded) discrepancies += cell.wasDiscrepancy;
      EXPECT_GT(r.reproduced(), 0u) << detail;
      EXPECT_EQ(r.reproduced(), discrepancies) << detail;
    } else {
      EXPECT_EQ(r.reproduced(), 0u) << detail;
      for (const auto& cell : r.recorded)
        EXPECT_EQ(cell.outcome, RecordedCellReplay::Outcome::Agrees) << detail;
    }
    EXPECT_TRUE(r.fresh.empty()) << detail;
    std::printf(
        "%s fault: %zu of %zu recorded cells reproduce, %zu pods moved, %zu ipBlock entries "
        "re-derived\n",
        fault ? "with" : "without", r.reproduced(), r.recorded.size(), r.reassignedPods,
        r.rederivedIpBlocks);
    EXPECT_TRUE(listNamespaces(backend.runId()).empty());
  }
}

TEST_F(RunnerReplay, ReplayCommandExitCodesAndOutput) {
  auto with = npf::testing::runProcess(
      {kCli, "replay", saved, "--inject-fault", kFault, "--pod-ip-range", kRange});
  EXPECT_EQ(with.exitCode, 1) << with.out << with.err;
  EXPECT_NE(with.out.find("REPRODUCED"), std::string::npos) << with.out;
  EXPECT_NE(with.out.find("ipBlock entries re-derived"), std::string::npos) << with.out;
  // The case records its fault: no option needed to reproduce; `none` replays without it.
  auto recorded = npf::testing::runProcess({kCli, "replay", saved, "--pod-ip-range", kRange});
  EXPECT_EQ(recorded.exitCode, 1) << recorded.out << recorded.err;
  EXPECT_NE(recorded.out.find("REPRODUCED"), std::string::npos) << recorded.out;
  EXPECT_NE(recorded.out.find(std::string("recorded on local with fault ") + kFault),
            std::string::npos)
      << recorded.out;
  auto without = npf::testing::runProcess(
      {kCli, "replay", dir, "--pod-ip-range", kRange, "--inject-fault", "none"});
  EXPECT_EQ(without.exitCode, 0) << without.out << without.err;
  EXPECT_NE(without.out.find("NOT REPRODUCED"), std::string::npos) << without.out;
  EXPECT_NE(without.out.find("replayed with the default profile and no fault"), std::string::npos)
      << without.out;
  EXPECT_EQ(npf::testing::runProcess(
                {kCli, "replay", saved, "--inject-fault", "none", "--inject-fault", kFault})
                .exitCode,
            2);

  // Bad input: a missing file, a broken one (file:line:col), a bad range or fault.
  EXPECT_EQ(npf::testing::runProcess({kCli, "replay", dir + "/nope.yaml"}).exitCode, 2);
  std::string broken = dir + "/broken.yml";
  std::ofstream(broken)
      << "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: 3}\n";
  auto b = npf::testing::runProcess({kCli, "replay", broken});
  EXPECT_EQ(b.exitCode, 2);
  EXPECT_NE(b.err.find(broken + ":"), std::string::npos) << b.err;
  fs::remove(broken);
  EXPECT_EQ(
      npf::testing::runProcess({kCli, "replay", saved, "--pod-ip-range", "fd00::/64"}).exitCode, 2);
  EXPECT_EQ(npf::testing::runProcess({kCli, "replay", saved, "--inject-fault", "NOPE"}).exitCode,
            2);
  auto help = npf::testing::runProcess({kCli, "replay", "--help"});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("Examples"), std::string::npos);
}

TEST_F(RunnerReplay, MinimizeCommandWritesAReplayableReproduction) {
  std::string out = dir + "/regressions/";
  auto m = npf::testing::runProcess(
      {kCli, "minimize", saved, "--inject-fault", kFault, "--out", out, "--max-trials", "12"});
  ASSERT_EQ(m.exitCode, 0) << m.out << m.err;
  EXPECT_NE(m.out.find("minimized in "), std::string::npos) << m.out;
  EXPECT_NE(m.err.find("trial"), std::string::npos) << "no progress lines: " << m.err;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(out)) files.push_back(e.path().string());
  ASSERT_EQ(files.size(), 1u);
  CaseLoad l = loadCaseFiles({files[0]});
  ASSERT_TRUE(l.errors.empty()) << toString(l.errors[0]);
  EXPECT_EQ(fs::path(files[0]).stem().string(), caseContentHash(l.kase));
  EXPECT_EQ(l.kase.meta.name, caseContentHash(l.kase));
  ASSERT_TRUE(l.kase.meta.observed);
  EXPECT_EQ(l.kase.meta.observed->faults, std::vector<std::string>{kFault});
  EXPECT_FALSE(l.kase.meta.observed->cells.empty());
  EXPECT_TRUE(l.kase.meta.seed.has_value());
  EXPECT_NE(m.out.find("minimized case: " + files[0]), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("replay: netpolfuzz replay " + files[0] + "\n"), std::string::npos) << m.out;
  EXPECT_EQ(npf::testing::runProcess({kCli, "replay", files[0]}).exitCode, 1);
  EXPECT_EQ(npf::testing::runProcess({kCli, "replay", files[0], "--inject-fault", "none"}).exitCode,
            0);

  // Default output next to the input; a case without that discrepancy: exit 1, nothing written.
  std::string copy = dir + "/copy.yaml";
  fs::copy_file(saved, copy);
  auto d = npf::testing::runProcess({kCli, "minimize", copy, "--max-trials", "4", "-q"});
  EXPECT_EQ(d.exitCode, 0) << d.out << d.err;
  EXPECT_TRUE(fs::exists(dir + "/copy.min.yaml"));
  auto none = npf::testing::runProcess(
      {kCli, "minimize", copy, "--inject-fault", "none", "--out", dir + "/none.yaml"});
  EXPECT_EQ(none.exitCode, 1) << none.out << none.err;
  EXPECT_NE(none.out.find("nothing to minimize"), std::string::npos) << none.out;
  EXPECT_FALSE(fs::exists(dir + "/none.yaml"));
  fs::remove(copy);
  fs::remove(dir + "/copy.min.yaml");
  fs::remove_all(out);
  EXPECT_EQ(npf::testing::runProcess({kCli, "minimize", dir + "/nope.yaml"}).exitCode, 2);
}

TEST_F(RunnerReplay, BothCommandsRefuseWithoutRootPrivileges) {
  for (const char* cmd : {"replay", "minimize"}) {
    auto r = npf::testing::runProcess({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                       "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                                       kCli, cmd, saved});
    EXPECT_EQ(r.exitCode, 3) << cmd << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("needs root"), std::string::npos) << cmd << ": " << r.err;
  }
}

// A case saved under a profile and a fault replays under both with no option (issue 12). x/b
// admits only the ipBlock of x/a's pod IP, which the recorded profile does not match against pod
// IPs: the oracle expects deny and the local enforcer, configured with the same profile, drops.
// x/a admits 8000-8090, which ENDPORT_IGNORED narrows to 8000: the recorded discrepancy.
TEST(RunnerReplayUnderRecordedSettings, ACaseReplaysUnderItsProfileAndFaultWithoutOptions) {
  NPF_REQUIRE_ROOT();
  std::string file = ::testing::TempDir() + "/npf-profile-" + std::to_string(getpid()) + ".yaml";
  std::ofstream(file) << npf::testing::smallClusterYaml() << R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.1.1/32}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: range, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports:
    - {port: 8000, endPort: 8090}
---
apiVersion: netpolfuzz.io/v1alpha1
kind: Case
metadata: {name: profile-and-fault}
spec:
  profile: ["ipblock-matches-pod-ips=false"]
  probes:
  - from: [x/a]
    to: [x/b:80/TCP]
  - from: [y/c]
    to: [x/a:8080/TCP]
  observed:
    backend: local
    faults: [ENDPORT_IGNORED]
    cells:
    - {step: 0, from: "x/a", to: "x/b:80/TCP", expected: "deny", observed: [connected, connected]}
    - {step: 0, from: "y/c", to: "x/a:8080/TCP", expected: "allow", observed: [timeout, timeout]}
)";
  auto plain = npf::testing::runProcess({kCli, "replay", file});
  EXPECT_EQ(plain.exitCode, 1) << plain.out << plain.err;
  EXPECT_NE(plain.out.find("(recorded on local with fault ENDPORT_IGNORED, profile "
                           "ipblock-matches-pod-ips=false): REPRODUCED (1 of 2 recorded cells)"),
            std::string::npos)
      << plain.out;
  EXPECT_NE(plain.out.find("agrees              step 0: x/a -> x/b:80/TCP"), std::string::npos)
      << "the profile did not reach the oracle and the dataplane: " << plain.out;
  EXPECT_NE(plain.out.find("reproduced          step 0: y/c -> x/a:8080/TCP"), std::string::npos)
      << plain.out;

  // Options replace what the case records.
  auto otherProfile =
      npf::testing::runProcess({kCli, "replay", file, "--profile", "ipblock-matches-pod-ips=true"});
  EXPECT_EQ(otherProfile.exitCode, 1) << otherProfile.out << otherProfile.err;
  EXPECT_NE(otherProfile.out.find("replayed with fault ENDPORT_IGNORED): REPRODUCED (1 of 2"),
            std::string::npos)
      << otherProfile.out;
  EXPECT_NE(otherProfile.out.find("expectation changed step 0: x/a -> x/b:80/TCP"),
            std::string::npos)
      << otherProfile.out;
  EXPECT_NE(otherProfile.out.find("on the local backend (run "), std::string::npos);
  EXPECT_NE(otherProfile.out.find("), default profile, the faults each case records"),
            std::string::npos)
      << otherProfile.out;
  auto noFault = npf::testing::runProcess({kCli, "replay", file, "--inject-fault", "none"});
  EXPECT_EQ(noFault.exitCode, 0) << noFault.out << noFault.err;
  EXPECT_NE(
      noFault.out.find("replayed with profile ipblock-matches-pod-ips=false): NOT REPRODUCED"),
      std::string::npos)
      << noFault.out;
  EXPECT_NE(noFault.out.find("agrees              step 0: y/c -> x/a:8080/TCP"), std::string::npos)
      << noFault.out;
  fs::remove(file);
}

// Every file of corpus/regressions/ reproduces under the fault it records, and not without it.
TEST(RunnerRegressionCorpus, EveryFileReproducesUnderItsFaultOnly) {
  NPF_REQUIRE_ROOT();
  size_t files = 0;
  for (const auto& e :
       fs::directory_iterator(fs::path(NPF_SOURCE_DIR) / "corpus" / "regressions")) {
    if (e.path().extension() != ".yaml") continue;
    ++files;
    SCOPED_TRACE(e.path().string());
    CaseLoad l = loadCaseFiles({e.path().string()});
    ASSERT_TRUE(l.errors.empty());
    ASSERT_TRUE(l.kase.meta.observed);
    for (bool fault : {true, false}) {
      LocalBackend backend;
      Replayer replayer(backend, cliChecks());
      RunSettings settings = recordedSettings(l.kase);
      if (!fault) settings.faults.clear();
      ReplayResult r = replayer.replay(l.kase, settings);
      replayer.tearDown();
      ASSERT_EQ(r.run.backendError, "");
      EXPECT_EQ(r.reproduced(), fault ? r.recorded.size() : 0u)
          << (fault ? "with" : "without") << " the fault";
      EXPECT_TRUE(r.fresh.empty());
    }
  }
  EXPECT_GE(files, 3u);
}

}  // namespace
}  // namespace npf::runner
