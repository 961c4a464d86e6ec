// Cluster-scoped policy (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy):
// decoding, writing back, validation and the reference evaluator's verdicts and explanations.
// Expectations are hand-checked against the network-policy-api docs and its conformance tests
// (docs/cluster-policy.md).
#include <gtest/gtest.h>

#include <string>

#include "model/codec.h"
#include "model/validate.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"

namespace npf {
namespace {

// Four houses (namespaces labelled house=<name>), one pod each, a node and a host-network pod.
const char* const kBase = R"(
apiVersion: v1
kind: Namespace
metadata: {name: gryffindor, labels: {house: gryffindor}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ravenclaw, labels: {house: ravenclaw}}
---
apiVersion: v1
kind: Namespace
metadata: {name: slytherin, labels: {house: slytherin}}
---
apiVersion: v1
kind: Namespace
metadata: {name: hufflepuff, labels: {house: hufflepuff}}
---
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {kubernetes.io/os: linux}}
status: {addresses: [{type: InternalIP, address: 10.9.0.1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: harry, namespace: gryffindor, labels: {app: harry}}
spec:
  nodeName: n1
  containers:
  - name: c
    image: agnhost
    ports: [{name: web, containerPort: 80}, {name: dns, containerPort: 53, protocol: UDP}]
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: luna, namespace: ravenclaw, labels: {app: luna}}
spec: {nodeName: n1, containers: [{name: c, image: agnhost, ports: [{name: web, containerPort: 80}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: draco, namespace: slytherin, labels: {app: draco}}
spec: {nodeName: n1, containers: [{name: c, image: agnhost, ports: [{name: web, containerPort: 8080}]}]}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: cedric, namespace: hufflepuff, labels: {app: cedric}}
spec: {nodeName: n1, containers: [{name: c, image: agnhost}]}
status: {podIP: 10.0.0.4}
---
apiVersion: v1
kind: Pod
metadata: {name: centaur, namespace: hufflepuff, labels: {app: centaur}}
spec: {nodeName: n1, hostNetwork: true, containers: [{name: c, image: agnhost}]}
status: {podIP: 10.9.0.1}
---
apiVersion: v1
kind: Service
metadata: {name: harry, namespace: gryffindor}
spec:
  clusterIP: 10.96.0.10
  selector: {app: harry}
  ports: [{port: 80}]
)";

Cluster load(const std::string& policies) {
  DecodeResult r = decodeManifests(std::string(kBase) + "---\n" + policies, "case.yaml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.file << ":" << e.line << ": " << e.message;
  for (const auto& e : validate(r.cluster))
    ADD_FAILURE() << e.file << ":" << e.line << ": " << e.message;
  return r.cluster;
}

std::string verdictOf(const Cluster& c, const std::string& from, const std::string& to,
                      int32_t port, Protocol proto = Protocol::TCP, Profile prof = {}) {
  auto f = parseEndpoint(from), t = parseEndpoint(to);
  EXPECT_TRUE(f && t) << from << " " << to;
  Probe p{*f, Target{*t, port, proto}};
  auto v = evaluateProbe(c, p, prof);
  // The matrix engine answers the same for the same cell.
  ProbeSet set;
  set.blocks.push_back(ProbeBlock{{p.from}, {p.target}});
  EXPECT_EQ(computeMatrix(c, set, prof).verdict(0), v) << from << " -> " << to;
  return v ? toString(*v) : "skip";
}

// AdminNetworkPolicyIngressTCP of the upstream conformance suite, its rules in order.
const char* const kIngressTcp = R"(
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ingress-tcp}
spec:
  priority: 3
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: gryffindor}}}
  ingress:
  - name: allow-from-ravenclaw-everything
    action: Allow
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: ravenclaw}}}]
  - name: deny-from-ravenclaw-everything
    action: Deny
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: ravenclaw}}}]
  - name: deny-from-slytherin-at-port-80
    action: Deny
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: slytherin}}}]
    ports: [{portNumber: {protocol: TCP, port: 80}}]
  - name: allow-from-hufflepuff-at-port-80
    action: Allow
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: hufflepuff}}}]
    ports: [{portNumber: {protocol: TCP, port: 80}}]
  - name: deny-from-hufflepuff-everything-else
    action: Deny
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: hufflepuff}}}]
)";

TEST(ClusterPolicyOracle, AdminRulesApplyInTheOrderWritten) {
  Cluster c = load(kIngressTcp);
  EXPECT_EQ(verdictOf(c, "ravenclaw/luna", "gryffindor/harry", 80), "allow");
  EXPECT_EQ(verdictOf(c, "ravenclaw/luna", "gryffindor/harry", 8080), "allow");
  EXPECT_EQ(verdictOf(c, "hufflepuff/cedric", "gryffindor/harry", 80), "allow");
  EXPECT_EQ(verdictOf(c, "hufflepuff/cedric", "gryffindor/harry", 8080), "deny");
  EXPECT_EQ(verdictOf(c, "slytherin/draco", "gryffindor/harry", 80), "deny");
  EXPECT_EQ(verdictOf(c, "slytherin/draco", "gryffindor/harry", 8080), "allow");  // no match
  // The subject's own traffic out is not touched: no implicit isolation.
  EXPECT_EQ(verdictOf(c, "gryffindor/harry", "slytherin/draco", 8080), "allow");
  // A node is no namespaces peer; ingress from it is decided further down (allow).
  EXPECT_EQ(verdictOf(c, "node/n1", "gryffindor/harry", 8080), "allow");

  // Swapping the first two rules: Deny comes first.
  std::swap((*c.clusterPolicies[0].ingress)[0], (*c.clusterPolicies[0].ingress)[1]);
  EXPECT_EQ(verdictOf(c, "ravenclaw/luna", "gryffindor/harry", 80), "deny");
}

// AdminNetworkPolicyIntegration: ANP Pass, then NetworkPolicy, then the BANP.
TEST(ClusterPolicyOracle, PassHandsOverToNetworkPolicyThenToTheBaseline) {
  const std::string anp = R"(
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass-ravenclaw}
spec:
  priority: 10
  subject: {pods: {namespaceSelector: {matchLabels: {house: gryffindor}}, podSelector: {}}}
  ingress:
  - {action: Pass, from: [{namespaces: {matchLabels: {house: ravenclaw}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {matchLabels: {house: gryffindor}}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}]}
)";
  const std::string np = R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-ravenclaw, namespace: gryffindor}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {house: ravenclaw}}}]}]
)";
  Cluster withNp = load(anp + np);
  EXPECT_EQ(verdictOf(withNp, "ravenclaw/luna", "gryffindor/harry", 80), "allow");
  // NetworkPolicy isolates harry: its decision is final, the BANP is not consulted.
  EXPECT_EQ(verdictOf(withNp, "slytherin/draco", "gryffindor/harry", 80), "deny");
  Cluster withoutNp = load(anp);
  EXPECT_EQ(verdictOf(withoutNp, "ravenclaw/luna", "gryffindor/harry", 80), "deny");  // BANP
  EXPECT_EQ(verdictOf(withoutNp, "gryffindor/harry", "ravenclaw/luna", 80), "allow");

  Explanation why;
  Probe p{Endpoint::pod("ravenclaw", "luna"),
          Target{Endpoint::pod("gryffindor", "harry"), 80, Protocol::TCP}};
  evaluateProbe(withoutNp, p, Profile{}, &why);
  std::string text;
  for (const auto& l : why.ingress) text += l + "\n";
  EXPECT_NE(text.find("admin tier: decided by AdminNetworkPolicy pass-ravenclaw (Admin tier, "
                      "priority 10) ingress rule 0: Pass"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("baseline tier: decided by BaselineAdminNetworkPolicy default ingress rule "
                      "0: Deny"),
            std::string::npos)
      << text;
}

const char* const kTie = R"(
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: b-deny}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {}}
  egress: [{action: Deny, to: [{pods: {podSelector: {matchLabels: {app: luna}}}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: a-accept}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {}}
  egress:
  - action: Accept
    to: [{namespaces: {matchLabels: {house: ravenclaw}}}]
    protocols: [{tcp: {destinationPort: {number: 80}}}]
)";

TEST(ClusterPolicyOracle, EqualPrioritiesThatDisagreeAreUndefinedUnlessTheProfileOrdersThem) {
  Cluster c = load(kTie);
  EXPECT_EQ(verdictOf(c, "gryffindor/harry", "ravenclaw/luna", 80), "undefined");
  EXPECT_EQ(verdictOf(c, "gryffindor/harry", "ravenclaw/luna", 81), "deny");  // only b matches
  Profile byName;
  byName.clusterPolicyTies = Profile::ClusterPolicyTies::Name;
  EXPECT_EQ(verdictOf(c, "gryffindor/harry", "ravenclaw/luna", 80, Protocol::TCP, byName), "allow");
  // A lower priority number goes first, whatever the names.
  c.clusterPolicies[0].priority = 4;
  EXPECT_EQ(verdictOf(c, "gryffindor/harry", "ravenclaw/luna", 80), "deny");
}

TEST(ClusterPolicyOracle, NodesNetworksAndNamedPorts) {
  Cluster c = load(R"(
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: egress}
spec:
  priority: 1
  subject: {namespaces: {matchLabels: {house: ravenclaw}}}
  egress:
  - {action: Allow, to: [{networks: [10.0.0.1/32]}]}
  - {action: Deny, to: [{nodes: {matchLabels: {kubernetes.io/os: linux}}}]}
  - action: Deny
    to: [{namespaces: {}}]
    ports: [{namedPort: web}]
)");
  // networks match pod IPs too.
  EXPECT_EQ(verdictOf(c, "ravenclaw/luna", "gryffindor/harry", 8080), "allow");
  // nodes: the node's address, and a host-network pod on it.
  EXPECT_EQ(verdictOf(c, "ravenclaw/luna", "node/n1", 22), "deny");
  EXPECT_EQ(verdictOf(c, "ravenclaw/luna", "hufflepuff/centaur", 22), "deny");
  // The named port resolves on the destination: web is 8080 on draco, 80 on luna.
  EXPECT_EQ(verdictOf(c, "ravenclaw/luna", "slytherin/draco", 8080), "deny");
  EXPECT_EQ(verdictOf(c, "ravenclaw/luna", "slytherin/draco", 80), "allow");
  EXPECT_EQ(verdictOf(c, "ravenclaw/luna", "hufflepuff/cedric", 80), "allow");  // no web there
}

TEST(ClusterPolicyOracle, OwnIpIsExemptButAHairpinThroughAServiceIsNot) {
  Cluster c = load(R"(
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-all}
spec:
  tier: Admin
  priority: 0
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
)");
  Profile policy;
  policy.loopback = Profile::Loopback::Policy;
  EXPECT_EQ(verdictOf(c, "gryffindor/harry", "gryffindor/harry", 80, Protocol::TCP, policy),
            "allow");
  EXPECT_EQ(verdictOf(c, "gryffindor/harry", "svc/gryffindor/harry", 80, Protocol::TCP, policy),
            "deny");
  EXPECT_EQ(verdictOf(c, "ravenclaw/luna", "svc/gryffindor/harry", 80), "deny");
  // Host-network pods are no subjects, and sources not matched by namespaces peers.
  EXPECT_EQ(verdictOf(c, "hufflepuff/centaur", "gryffindor/harry", 80), "allow");
}

TEST(ClusterPolicyCodec, EachKindIsWrittenBackAsItWasRead) {
  Cluster c = load(std::string(kIngressTcp) + "---\n" + R"(
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: harry}}}}
  egress:
  - action: Deny
    to: [{networks: [10.0.0.0/8, "fd00::/8"]}, {nodes: {}}]
    ports: [{portRange: {start: 1000, end: 2000}}, {namedPort: dns}, {portNumber: {port: 53, protocol: UDP}}]
)");
  ASSERT_EQ(c.clusterPolicies.size(), 2u);
  Cluster again = decodeManifests(encodeYaml(c), "again.yaml").cluster;
  EXPECT_EQ(again, c);
  EXPECT_EQ(decodeManifests(encodeJson(c), "again.json").cluster, c);

  Cluster v2 = load(kTie);
  std::string yaml = encodeYaml(v2);
  EXPECT_NE(yaml.find("apiVersion: policy.networking.k8s.io/v1alpha2"), std::string::npos);
  EXPECT_NE(yaml.find("action: Accept"), std::string::npos);
  EXPECT_NE(yaml.find("tcp:"), std::string::npos) << yaml;
  EXPECT_EQ(decodeManifests(yaml, "again.yaml").cluster, v2);
}

struct BadCase {
  const char* what;
  const char* yaml;
  const char* message;  // a part of the one error
};

class ClusterPolicyRejects : public testing::TestWithParam<BadCase> {};

TEST_P(ClusterPolicyRejects, WithALocatedError) {
  const BadCase& b = GetParam();
  DecodeResult r = decodeManifests(b.yaml, "bad.yaml");
  std::vector<Diagnostic> all = r.errors;
  for (const auto& w : r.warnings)
    if (w.rejectedByStrictValidation) all.push_back(w);  // unknown fields: `validate` fails
  if (all.empty()) all = validate(r.cluster);
  ASSERT_FALSE(all.empty()) << b.what;
  std::string text;
  for (const auto& d : all) text += d.message + "\n";
  EXPECT_NE(text.find(b.message), std::string::npos) << b.what << ":\n" << text;
  EXPECT_EQ(all.front().file, "bad.yaml");
  EXPECT_GT(all.front().line, 0) << b.what;
}

const BadCase kBad[] = {
    {"priority above 1000",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
     "a}\nspec: {priority: 1001, subject: {namespaces: {}}}\n",
     "spec.priority: must be between 0 and 1000"},
    {"BANP not named default",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: "
     "{name: b}\nspec: {subject: {namespaces: {}}}\n",
     "Only one baseline admin network policy"},
    {"BANP Pass",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: "
     "{name: default}\nspec:\n  subject: {namespaces: {}}\n  ingress: [{action: Pass, from: "
     "[{namespaces: {}}]}]\n",
     "expected Allow or Deny"},
    {"CNP Allow (it is Accept)",
     "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: "
     "a}\nspec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: "
     "Allow, from: [{namespaces: {}}]}]\n",
     "expected Accept, Deny or Pass"},
    {"subject with both",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
     "a}\nspec: {priority: 1, subject: {namespaces: {}, pods: {namespaceSelector: {}, "
     "podSelector: {}}}}\n",
     "exactly one of namespaces, pods must be set"},
    {"port entry with two kinds",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
     "a}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    "
     "from: [{namespaces: {}}]\n    ports: [{namedPort: web, portNumber: {port: 80}}]\n",
     "exactly one of portNumber, portRange, namedPort"},
    {"CNP protocol without a port",
     "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: "
     "a}\nspec:\n  tier: Baseline\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - "
     "action: Deny\n    to: [{namespaces: {}}]\n    protocols: [{tcp: {}}]\n",
     "destinationPort: required"},
    {"CNP range not increasing",
     "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: "
     "a}\nspec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - "
     "action: Deny\n    to: [{namespaces: {}}]\n    protocols: [{udp: {destinationPort: {range: "
     "{start: 9, end: 9}}}}]\n",
     "Start port must be less than End port"},
    {"ingress peer nodes",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
     "a}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: "
     "[{nodes: {}}]}]\n",
     "spec.ingress[0].from[0].nodes"},
    {"bad network",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
     "a}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Deny, to: "
     "[{networks: [10.0.0.300/8]}]}]\n",
     "Invalid CIDR format provided"},
    {"no peers",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
     "a}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Deny, to: []}]\n",
     "must have at least 1 item"},
    {"domain names",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
     "a}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Allow, to: "
     "[{domainNames: [example.com]}]}]\n",
     "netpolfuzz's dataplanes resolve no DNS names"},
    {"missing action",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
     "a}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  egress: [{to: [{namespaces: "
     "{}}]}]\n",
     "action: required"},
    {"v1alpha1 and v1alpha2 mixed",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
     "a}\nspec: {priority: 1, subject: {namespaces: {}}}\n---\napiVersion: "
     "policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: b}\nspec: "
     "{tier: Admin, priority: 1, subject: {namespaces: {}}}\n",
     "may not mix v1alpha1"},
    {"v1alpha1 pods without namespaceSelector",
     "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
     "a}\nspec: {priority: 1, subject: {pods: {podSelector: {}}}}\n",
     "spec.subject.pods.namespaceSelector: required"},
};

INSTANTIATE_TEST_SUITE_P(Table, ClusterPolicyRejects, testing::ValuesIn(kBad));

// "Exactly one of" counts a repeated key once (kubectl keeps the last) and only known fields.
TEST(ClusterPolicyCodec, ARepeatedPortKeyIsOneField) {
  DecodeResult r = decodeManifests(
      "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: "
      "a}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    "
      "from: [{namespaces: {}}]\n    ports: [{portNumber: {port: 80}, portNumber: {port: 81}}]\n",
      "dup.yaml");
  EXPECT_TRUE(r.errors.empty()) << r.errors.front().message;
  ASSERT_EQ(r.cluster.clusterPolicies.size(), 1u);
  EXPECT_EQ((*(*r.cluster.clusterPolicies[0].ingress)[0].ports)[0].port, 81);
}

}  // namespace
}  // namespace npf
