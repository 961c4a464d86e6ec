// The simulated backend: each fault it simulates turns one hand-picked cell, the pipeline runs
// through it without root, and it stands in for a dataplane only as the oracle does.
#include "runner/simulated/simulated_backend.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "model/case.h"
#include "model/codec.h"
#include "tests/support/run_process.h"
#include "tests/support/runner_cases.h"
#include "tests/support/runner_probe.h"

namespace npf::runner {
namespace {

namespace fs = std::filesystem;
using K = ProbeResult::Kind;
using npf::testing::Cell;
using npf::testing::clusterFromYaml;
using npf::testing::smallClusterYaml;

struct FaultCell {
  std::string fault;
  std::string policy;  // on x/b
  std::vector<Step> steps;
  Cell cell;    // expected without the fault
  K withFault;  // observed with it
};

std::string policyOnB(const std::string& ingress) {
  return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, "
         "namespace: x}\n"
         "spec:\n  podSelector: {matchLabels: {pod: b}}\n  ingress:\n" +
         ingress;
}

Step relabelC() {
  Step s;
  s.action = Step::Action::RelabelPod;
  s.namespace_ = "y";
  s.name = "c";
  s.labels = {{"pod", "c"}, {"role", "client"}};
  return s;
}

class SimulatedFaults : public ::testing::TestWithParam<FaultCell> {};

TEST_P(SimulatedFaults, FaultTurnsTheCellAndOnlyWhenInjected) {
  const FaultCell& fc = GetParam();
  Cluster c = clusterFromYaml(smallClusterYaml() + policyOnB(fc.policy));
  for (bool injected : {false, true}) {
    SCOPED_TRACE(injected ? "with " + fc.fault : "without " + fc.fault);
    SimulatedBackend b;
    ASSERT_EQ(b.configure({Profile{}, injected ? std::vector<std::string>{fc.fault}
                                               : std::vector<std::string>{}}),
              "");
    Cluster state = c;
    ASSERT_EQ(b.setUp(state), "");
    for (const auto& s : fc.steps) {
      ASSERT_EQ(applyStep(state, s), "");
      ASSERT_EQ(b.reconcile(state), "");
    }
    Cell cell = fc.cell;
    if (injected) cell.expected = fc.withFault;
    npf::testing::expectCells(b, {cell});
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryFault, SimulatedFaults,
    ::testing::Values(
        FaultCell{"ENDPORT_IGNORED",
                  "  - ports: [{port: 8000, endPort: 8090}]\n",
                  {},
                  {"y/c", "x/b", 8081, Protocol::TCP, K::Connected},
                  K::Timeout},
        FaultCell{"MULTI_PEER_DROPPED",
                  "  - from: [{podSelector: {matchLabels: {pod: a}}}, {namespaceSelector: "
                  "{matchLabels: {ns: \"y\"}}}]\n",
                  {},
                  {"y/c", "x/b", 80, Protocol::TCP, K::Connected},
                  K::Timeout},
        FaultCell{"MATCHEXPRESSIONS",
                  "  - from: [{namespaceSelector: {}, podSelector: {matchExpressions: [{key: pod, "
                  "operator: In, "
                  "values: [a]}]}}]\n",
                  {},
                  {"y/c", "x/b", 80, Protocol::TCP, K::Timeout},
                  K::Connected},
        FaultCell{"NS_AND_POD_SELECTOR",
                  "  - from: [{namespaceSelector: {matchLabels: {ns: \"y\"}}, podSelector: "
                  "{matchLabels: {pod: zzz}}}]\n",
                  {},
                  {"y/c", "x/b", 80, Protocol::TCP, K::Timeout},
                  K::Connected},
        FaultCell{
            "LABEL_UPDATE_STALE",
            "  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}]\n",
            {relabelC()},
            {"y/c", "x/b", 80, Protocol::TCP, K::Connected},
            K::Timeout}),
    [](const auto& info) { return info.param.fault; });

TEST(SimulatedBackend, AnswersLikeADataplaneRefusedWhereNothingServesAndRefusesUnknownFaults) {
  SimulatedBackend b;
  Cluster c = clusterFromYaml(smallClusterYaml());
  ASSERT_EQ(b.setUp(c), "");
  npf::testing::expectCells(b, {{"x/a", "x/b", 80, Protocol::TCP, K::Connected},
                                {"x/a", "x/b", 81, Protocol::TCP, K::Refused},
                                {"x/a", "svc/x/web", 8000, Protocol::TCP, K::Connected}});
  EXPECT_NE(b.configure({Profile{}, {"SERVICE_PRE_DNAT"}}).find("cannot inject SERVICE_PRE_DNAT"),
            std::string::npos);
  Cluster moreNodes = c;
  moreNodes.nodes.push_back(Node{ObjectMeta{"node-3", "", {}, {}}, {"172.18.0.9"}, {}});
  EXPECT_NE(b.reconcile(moreNodes), "");
}

TEST(SimulatedBackend, GivesPodsAddressesOfItsOwnWhenAskedAndKeepsThem) {
  SimulatedOptions o;
  o.reassignPodIpv4 = "10.123.0.0/16";
  SimulatedBackend b(o);
  Cluster c = clusterFromYaml(smallClusterYaml());
  ASSERT_EQ(b.setUp(c), "");
  EXPECT_EQ(b.actual().findPod("x", "a")->podIP, "10.123.1.1");
  EXPECT_EQ(b.actual().findPod("y", "c")->podIPs, std::vector<std::string>{"10.123.2.1"});
  ASSERT_EQ(b.reconcile(c), "");
  EXPECT_EQ(b.actual().findPod("x", "a")->podIP, "10.123.1.1");
  SimulatedBackend bad(SimulatedOptions{"fd00::/64", {}, {}, ""});
  EXPECT_NE(bad.setUp(c).find("reassignPodIpv4"), std::string::npos);
}

// fuzz, replay and minimize as an unprivileged user: the whole pipeline without root.
TEST(SimulatedBackend, ThePipelineRunsWithoutRoot) {
  const std::string cli = NPF_CLI;
  std::string dir = ::testing::TempDir() + "/npf-simulated-" + std::to_string(getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::all);
  auto asNobody = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"/usr/bin/setpriv",
                                  "--reuid=65534",
                                  "--regid=65534",
                                  "--clear-groups",
                                  "--inh-caps=-all",
                                  "--bounding-set=-all",
                                  cli};
    argv.insert(argv.end(), args.begin(), args.end());
    return npf::testing::runProcess(argv);
  };
  auto fuzz = asNobody({"fuzz", "--backend", "simulated", "--inject-fault", "ENDPORT_IGNORED",
                        "--seed", "1", "--cases", "20", "--converge-ms", "0", "--max-failures", "1",
                        "--out", dir + "/out", "-q"});
  ASSERT_EQ(fuzz.exitCode, 1) << fuzz.out << fuzz.err;
  std::vector<std::string> saved;
  for (const auto& e : fs::directory_iterator(dir + "/out/failures"))
    saved.push_back(e.path().string());
  ASSERT_FALSE(saved.empty());
  auto replay = asNobody({"replay", "--backend", "simulated", saved[0]});
  EXPECT_EQ(replay.exitCode, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("(recorded on simulated with fault ENDPORT_IGNORED): REPRODUCED"),
            std::string::npos)
      << replay.out;
  auto fixed = asNobody({"replay", "--backend", "simulated", "--inject-fault", "none", saved[0]});
  EXPECT_EQ(fixed.exitCode, 0) << fixed.out << fixed.err;
  auto minimized =
      asNobody({"minimize", "--backend", "simulated", saved[0], "--out", dir + "/min.yaml", "-q"});
  EXPECT_EQ(minimized.exitCode, 0) << minimized.out << minimized.err;
  EXPECT_EQ(asNobody({"replay", "--backend", "simulated", dir + "/min.yaml"}).exitCode, 1);
  fs::remove_all(dir);
}

// A conformance case that records its profile runs under it, and a failure is saved with it
// (replay and minimize judge the saved case by that profile).
TEST(SimulatedCli, ConformanceSavesAFailingCaseWithTheProfileItRanUnder) {
  const std::string dir = ::testing::TempDir() + "/npf-sim-profile-" + std::to_string(getpid());
  fs::remove_all(dir);
  fs::create_directories(dir + "/cases");
  std::ofstream(dir + "/cases/endport.yaml")
      << smallClusterYaml() + policyOnB("  - ports: [{port: 8000, endPort: 8090}]\n") +
             "---\napiVersion: netpolfuzz.io/v1alpha1\nkind: Case\nmetadata: {name: endport}\n"
             "spec:\n  profile: [loopback=allow]\n";
  auto r = npf::testing::runProcess({NPF_CLI, "conformance", dir + "/cases", "--backend",
                                     "simulated", "--inject-fault", "ENDPORT_IGNORED",
                                     "--converge-ms", "0", "--out", dir + "/out", "-q"});
  ASSERT_EQ(r.exitCode, 1) << r.out << r.err;
  std::vector<std::string> saved;
  for (const auto& e : fs::directory_iterator(dir + "/out/failures"))
    saved.push_back(e.path().string());
  ASSERT_EQ(saved.size(), 1u);
  std::ifstream in(saved[0]);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("loopback=allow"), std::string::npos) << text;
  EXPECT_NE(text.find("faults: [ENDPORT_IGNORED]"), std::string::npos) << text;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace npf::runner
