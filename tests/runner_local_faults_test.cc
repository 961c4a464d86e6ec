// Fault injection: every fault class the local backend supports changes at least one observed
// cell of a case crafted for it, and the correct dataplane gives the hand-written outcome.
// Needs root; skipped otherwise.
#include <gtest/gtest.h>

#include "model/case.h"
#include "runner/local/local_backend.h"
#include "tests/support/runner_cases.h"
#include "tests/support/runner_probe.h"

namespace npf::runner::local {
namespace {

using npf::testing::Cell;
using npf::testing::clusterFromYaml;
using npf::testing::expectCells;
using npf::testing::smallClusterYaml;
using K = ProbeResult::Kind;
constexpr Protocol TCP = Protocol::TCP;

struct FaultCase {
  std::string fault;
  std::string policies;     // appended to the small cluster
  std::vector<Step> steps;  // applied (and reconciled) before probing
  Cell cell;                // expected outcome without the fault
  K withFault;              // ... and with it
};

// Test names and failure messages show the fault, not the struct's bytes.
void PrintTo(const FaultCase& f, std::ostream* os) { *os << f.fault; }

std::string policy(const std::string& ns, const std::string& name, const std::string& spec) {
  return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name +
         ", namespace: \"" + ns + "\"}\nspec:\n" + spec;
}

std::string anp(const std::string& name, int priority, const std::string& spec) {
  return "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n"
         "metadata: {name: " +
         name + "}\nspec:\n  priority: " + std::to_string(priority) + "\n" + spec;
}

std::string banp(const std::string& spec) {
  return "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n"
         "metadata: {name: default}\nspec:\n" +
         spec;
}

// Subject x/b (in an AdminNetworkPolicy's or the baseline's spelling).
const char* const kSubjectB =
    "  subject: {pods: {namespaceSelector: {matchLabels: {ns: x}}, podSelector: {matchLabels: "
    "{pod: b}}}}\n";

Step relabelC() {
  return Step{Step::Action::RelabelPod, {}, {}, "y", "c", {{"pod", "c"}, {"role", "client"}}};
}

std::vector<FaultCase> faultCases() {
  Pod d;
  d.meta.namespace_ = "y";
  d.meta.name = "d";
  d.meta.labels = {{"pod", "d"}};
  d.nodeName = "node-1";
  d.containers = {Container{"c", "i", {ContainerPort{"serve-80-tcp", 80, Protocol::TCP}}}};
  d.podIP = "10.0.1.1";
  d.podIPs = {"10.0.1.1"};
  return {
      {"NAMED_PORT_RESOLUTION",
       policy("y", "p",
              "  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: http}]}]\n"),
       {},
       {"y/c", "x/a", 8080, TCP, K::Connected},  // resolved on y/c, which has no "http"
       K::Timeout},
      {"ENDPORT_IGNORED",
       policy("x", "p",
              "  podSelector: {matchLabels: {pod: b}}\n  ingress: [{ports: [{port: 80, endPort: "
              "8081}]}]\n"),
       {},
       {"x/a", "x/b", 8081, TCP, K::Connected},
       K::Timeout},
      {"EMPTY_PORT",
       policy("x", "p", "  podSelector: {matchLabels: {pod: b}}\n  ingress: [{ports: [{}]}]\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Connected},
       K::Timeout},
      {"PROTOCOL_CONFUSION",
       policy("x", "p",
              "  podSelector: {matchLabels: {pod: b}}\n  ingress: [{ports: [{protocol: SCTP, port: "
              "80}]}]\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Timeout},
       K::Connected},
      {"IPBLOCK_EXCEPT_AS_DENY",
       policy("x", "p",
              "  podSelector: {matchLabels: {pod: b}}\n  ingress:\n  - from:\n"
              "    - {ipBlock: {cidr: 10.0.0.0/8, except: [10.0.1.0/24]}}\n"
              "    - {podSelector: {matchLabels: {pod: a}}}\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Connected},
       K::Timeout},
      {"MULTI_PEER_DROPPED",
       policy("x", "p",
              "  podSelector: {matchLabels: {pod: b}}\n  ingress:\n  - from:\n"
              "    - {podSelector: {matchLabels: {pod: nobody}}}\n"
              "    - {podSelector: {matchLabels: {pod: a}}}\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Connected},
       K::Timeout},
      {"RULE_CROSS_PRODUCT",
       policy("x", "p",
              "  podSelector: {matchLabels: {pod: b}}\n  ingress:\n"
              "  - {from: [{podSelector: {matchLabels: {pod: a}}}], ports: [{port: 80}]}\n"
              "  - {from: [{namespaceSelector: {matchLabels: {ns: \"y\"}}}], ports: [{port: "
              "8081}]}\n"),
       {},
       {"x/a", "x/b", 8081, TCP, K::Timeout},
       K::Connected},
      {"POLICYTYPES",
       policy("x", "p",
              "  podSelector: {matchLabels: {pod: b}}\n  policyTypes: [Egress]\n  ingress: []\n  "
              "egress: [{}]\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Connected},
       K::Timeout},
      {"NS_AND_POD_SELECTOR",
       policy("x", "p",
              "  podSelector: {matchLabels: {pod: b}}\n  ingress:\n  - from:\n"
              "    - {namespaceSelector: {matchLabels: {ns: \"y\"}}, podSelector: {matchLabels: "
              "{pod: a}}}\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Timeout},
       K::Connected},
      {"MATCHEXPRESSIONS",
       policy(
           "x", "p",
           "  podSelector: {matchLabels: {pod: b}}\n  ingress:\n  - from:\n"
           "    - podSelector: {matchExpressions: [{key: pod, operator: NotIn, values: [a]}]}\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Timeout},
       K::Connected},
      {"SERVICE_PRE_DNAT",
       policy("y", "p",
              "  podSelector: {}\n  policyTypes: [Egress]\n"
              "  egress: [{to: [{namespaceSelector: {}}], ports: [{port: 80}]}]\n"),
       {},
       {"y/c", "svc/x/web", 8000, TCP, K::Connected},  // judged on the ClusterIP and 8000
       K::Timeout},
      {"NODE_TO_POD",
       policy("x", "p", "  podSelector: {}\n"),
       {},
       {"node/node-1", "x/a", 80, TCP, K::Connected},
       K::Timeout},
      {"LABEL_UPDATE_STALE",
       policy("x", "p",
              "  podSelector: {matchLabels: {pod: b}}\n"
              "  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: "
              "client}}}]}]\n"),
       {relabelC()},
       {"y/c", "x/b", 80, TCP, K::Connected},
       K::Timeout},
      {"PASS_AS_ALLOW",  // Pass hands y/c -> x/b to the NetworkPolicy, which denies it
       anp("pass-y", 10,
           std::string(kSubjectB) +
               "  ingress: [{action: Pass, from: [{namespaces: {matchLabels: {ns: \"y\"}}}]}]\n") +
           policy("x", "p", "  podSelector: {matchLabels: {pod: b}}\n  ingress: []\n"),
       {},
       {"y/c", "x/b", 80, TCP, K::Timeout},
       K::Connected},
      {"PRIORITY_INVERTED",  // priority 1 (Deny) goes before priority 2 (Allow)
       anp("deny-first", 1,
           std::string(kSubjectB) + "  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n") +
           anp("allow-later", 2,
               std::string(kSubjectB) + "  ingress: [{action: Allow, from: [{namespaces: {}}]}]\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Timeout},
       K::Connected},
      {"BANP_OVER_NP",  // the NetworkPolicy allows x/a; the baseline would deny it
       banp(std::string(kSubjectB) + "  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n") +
           policy("x", "p",
                  "  podSelector: {matchLabels: {pod: b}}\n"
                  "  ingress: [{from: [{podSelector: {matchLabels: {pod: a}}}]}]\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Connected},
       K::Timeout},
      {"RULE_ORDER_IGNORED",  // Allow is written before Deny
       anp("ordered", 5,
           std::string(kSubjectB) +
               "  ingress:\n  - {action: Allow, from: [{namespaces: {matchLabels: {ns: x}}}]}\n"
               "  - {action: Deny, from: [{namespaces: {}}]}\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Connected},
       K::Timeout},
      {"ANP_IMPLICIT_ISOLATION",  // an ANP about y says nothing about x/a -> x/b
       anp("deny-y", 5,
           std::string(kSubjectB) +
               "  ingress: [{action: Deny, from: [{namespaces: {matchLabels: {ns: \"y\"}}}]}]\n"),
       {},
       {"x/a", "x/b", 80, TCP, K::Connected},
       K::Timeout},
      {"POD_IP_REUSE",
       policy("x", "p",
              "  podSelector: {matchLabels: {pod: b}}\n  ingress: [{from: [{podSelector: "
              "{matchLabels: {app: web}}}]}]\n"),
       {Step{Step::Action::DeletePod, {}, {}, "x", "a", {}},
        Step{Step::Action::CreatePod, {}, d, "", "", {}}},
       {"y/d", "x/b", 80, TCP, K::Timeout},  // y/d is no web pod of x; x/a was
       K::Connected},
  };
}

class RunnerLocalFaults : public ::testing::TestWithParam<FaultCase> {
 protected:
  void SetUp() override { NPF_REQUIRE_ROOT(); }
};

TEST_P(RunnerLocalFaults, FaultChangesTheObservedCell) {
  const FaultCase& fc = GetParam();
  Cluster c = clusterFromYaml(smallClusterYaml() + fc.policies);
  LocalBackend b;
  ASSERT_EQ(b.setUp(c), "");
  for (const auto& s : fc.steps) {
    ASSERT_EQ(applyStep(c, s), "");
    ASSERT_EQ(b.reconcile(c), "");
  }
  expectCells(b, {fc.cell}, "without " + fc.fault);
  // Switch the fault in (history faults replay what the dataplane remembers) and reload.
  ASSERT_EQ(b.configure({Profile{}, {fc.fault}}), "");
  ASSERT_EQ(b.reconcile(c), "");
  Cell faulted = fc.cell;
  faulted.expected = fc.withFault;
  expectCells(b, {faulted}, "with " + fc.fault);
  // And out again.
  ASSERT_EQ(b.configure({}), "");
  ASSERT_EQ(b.reconcile(c), "");
  expectCells(b, {fc.cell}, "after removing " + fc.fault);
  b.tearDown();
}

INSTANTIATE_TEST_SUITE_P(RunnerFaults, RunnerLocalFaults, ::testing::ValuesIn(faultCases()),
                         [](const ::testing::TestParamInfo<FaultCase>& info) {
                           return info.param.fault;
                         });

TEST(RunnerLocalFaultsCoverage, EverySupportedFaultHasACase) {
  std::set<std::string> covered;
  for (const auto& fc : faultCases()) covered.insert(fc.fault);
  for (const auto& f : LocalBackend::supportedFaults()) EXPECT_TRUE(covered.count(f)) << f;
}

}  // namespace
}  // namespace npf::runner::local
