// Steps that create, update and delete cluster-scoped policies: how a case file spells them,
// the states they make (judged by the oracle), how they are written back, and the located
// errors of steps that do not apply.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "model/case_file.h"
#include "oracle/reference.h"

namespace npf {
namespace {

const char* const kCluster = R"(apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {ns: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {nodeName: n0, containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b}}
spec: {nodeName: n0, containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.1.2}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: guard-b}
spec:
  priority: 10
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: b}}}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}]}
---
apiVersion: netpolfuzz.io/v1alpha1
kind: Case
metadata: {name: steps}
spec:
)";

const char* const kSteps = R"(  steps:
  - action: update-cluster-policy
    clusterPolicy:
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata: {name: guard-b}
      spec:
        priority: 10
        subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: b}}}}
        ingress:
        - {action: Allow, from: [{namespaces: {}}]}
  - action: create-cluster-policy
    clusterPolicy:
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: BaselineAdminNetworkPolicy
      metadata: {name: default}
      spec:
        subject: {namespaces: {}}
        ingress:
        - {action: Deny, from: [{namespaces: {}}]}
  - action: delete-cluster-policy
    kind: AdminNetworkPolicy
    name: guard-b
)";

std::string writeCase(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/npf-cp-steps-" + name + ".yaml";
  std::ofstream(path) << text;
  return path;
}

std::string verdict(const Cluster& c, const char* from, const char* to) {
  Probe p{*parseEndpoint(from), Target{*parseEndpoint(to), 80, Protocol::TCP}};
  auto v = evaluateProbe(c, p, Profile{});
  return v ? toString(*v) : "skip";
}

TEST(ClusterPolicySteps, EachStepChangesTheStateTheOracleJudges) {
  CaseLoad l = loadCaseFiles({writeCase("ok", std::string(kCluster) + kSteps)});
  for (const auto& e : l.errors) ADD_FAILURE() << e.line << ":" << e.col << ": " << e.message;
  ASSERT_EQ(l.kase.meta.steps.size(), 3u);
  // a -> b, b -> a in each state: the ANP denies b's ingress, then allows it; the BANP denies
  // every ingress not decided before it; without the ANP it decides b's ingress too.
  const std::vector<std::pair<std::string, std::string>> want = {
      {"deny", "allow"}, {"allow", "allow"}, {"allow", "deny"}, {"deny", "deny"}};
  Cluster state = l.kase.cluster;
  for (size_t i = 0; i < want.size(); ++i) {
    if (i > 0) ASSERT_EQ(applyStep(state, l.kase.meta.steps[i - 1]), "");
    EXPECT_EQ(verdict(state, "x/a", "x/b"), want[i].first) << "state " << i;
    EXPECT_EQ(verdict(state, "x/b", "x/a"), want[i].second) << "state " << i;
  }
  EXPECT_TRUE(state.clusterPolicies.size() == 1 &&
              state.clusterPolicies[0].kind == ClusterPolicyKind::BaselineAdminNetworkPolicy);
}

TEST(ClusterPolicySteps, AreWrittenBackAsTheyWereRead) {
  CaseLoad l = loadCaseFiles({writeCase("ok", std::string(kCluster) + kSteps)});
  ASSERT_TRUE(l.errors.empty());
  std::string text = encodeCase(l.kase);
  EXPECT_NE(text.find("action: delete-cluster-policy"), std::string::npos) << text;
  EXPECT_NE(text.find("kind: AdminNetworkPolicy\n    name: guard-b"), std::string::npos) << text;
  CaseLoad again = loadCaseFiles({writeCase("again", text)});
  for (const auto& e : again.errors) ADD_FAILURE() << e.line << ": " << e.message << "\n" << text;
  EXPECT_EQ(again.kase.meta.steps, l.kase.meta.steps);
  EXPECT_EQ(again.kase.cluster.clusterPolicies, l.kase.cluster.clusterPolicies);
}

struct BadStep {
  const char* what;
  const char* step;
  int line;             // of the error in the file (kCluster has 29 lines, `steps:` is line 30)
  const char* message;  // a part of it
};

const BadStep kBadSteps[] = {
    {"create what exists",
     R"(  - action: create-cluster-policy
    clusterPolicy:
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata: {name: guard-b}
      spec: {priority: 1, subject: {namespaces: {}}}
)",
     31, "AdminNetworkPolicy guard-b already exists"},
    {"update what does not exist (same name, other kind)",
     R"(  - action: update-cluster-policy
    clusterPolicy:
      apiVersion: policy.networking.k8s.io/v1alpha2
      kind: ClusterNetworkPolicy
      metadata: {name: guard-b}
      spec: {tier: Admin, priority: 1, subject: {namespaces: {}}}
)",
     31, "no ClusterNetworkPolicy guard-b to update"},
    {"delete what does not exist",
     "  - {action: delete-cluster-policy, kind: AdminNetworkPolicy, "
     "name: nope}\n",
     31, "no AdminNetworkPolicy nope to delete"},
    {"delete an unknown kind",
     "  - {action: delete-cluster-policy, kind: NetworkPolicy, name: x}\n", 31,
     "kind: expected AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy"},
    {"delete without a kind", "  - {action: delete-cluster-policy, name: guard-b}\n", 31,
     "delete-cluster-policy needs `kind`"},
    {"create a NetworkPolicy as a cluster policy",
     R"(  - action: create-cluster-policy
    clusterPolicy:
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: p, namespace: x}
      spec: {podSelector: {}}
)",
     33, "expected exactly one object of the right kind"},
    {"a state the step makes is invalid",
     R"(  - action: create-cluster-policy
    clusterPolicy:
      apiVersion: policy.networking.k8s.io/v1alpha1
      kind: BaselineAdminNetworkPolicy
      metadata: {name: other}
      spec: {subject: {namespaces: {}}}
)",
     31, "default"},
};

class ClusterPolicyStepRejects : public testing::TestWithParam<BadStep> {};

TEST_P(ClusterPolicyStepRejects, WithALocatedError) {
  const BadStep& b = GetParam();
  CaseLoad l = loadCaseFiles({writeCase("bad", std::string(kCluster) + "  steps:\n" + b.step)});
  ASSERT_FALSE(l.errors.empty()) << b.what;
  std::string all;
  for (const auto& e : l.errors) all += std::to_string(e.line) + ": " + e.message + "\n";
  EXPECT_NE(all.find(b.message), std::string::npos) << b.what << ":\n" << all;
  EXPECT_EQ(l.errors.front().line, b.line) << b.what << ":\n" << all;
}

INSTANTIATE_TEST_SUITE_P(Table, ClusterPolicyStepRejects, testing::ValuesIn(kBadSteps));

}  // namespace
}  // namespace npf
