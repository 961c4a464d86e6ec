// The local dataplane's NetworkPolicy/Service compiler: the nft text for small cases.
#include <gtest/gtest.h>

#include "runner/local/local_backend.h"
#include "runner/local/nft_compiler.h"
#include "tests/support/runner_cases.h"

namespace npf::runner::local {
namespace {

using npf::testing::clusterFromYaml;
using npf::testing::smallClusterYaml;

std::string compile(const std::string& policies, const std::string& node = "node-1",
                    const Profile& profile = {}, const std::set<std::string>& faults = {}) {
  Cluster c = clusterFromYaml(smallClusterYaml() + policies);
  return compileNodeRuleset(c, node, "npf_test", profile, faults);
}

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The body of one chain of a ruleset.
std::string chain(const std::string& text, const std::string& name) {
  size_t at = text.find("  chain " + name + " {\n");
  if (at == std::string::npos) return "";
  return text.substr(at, text.find("\n  }\n", at) - at);
}

const std::string kDenyIngressX = R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: "x"}
spec:
  podSelector: {}
)";

TEST(RunnerNftCompiler, ReplacesTheWholeTableAtomically) {
  std::string t = compile("");
  EXPECT_EQ(t.rfind("table inet npf_test\ndelete table inet npf_test\ntable inet npf_test {\n", 0),
            0u)
      << t;
  EXPECT_TRUE(has(chain(t, "filter_forward"), "ct state established,related accept"));
  EXPECT_TRUE(has(t, "type filter hook forward priority filter; policy accept;"));
}

TEST(RunnerNftCompiler, DefaultDenyIngressIsolatesOnlyLocalSelectedPods) {
  std::string n1 = compile(kDenyIngressX, "node-1");
  std::string n2 = compile(kDenyIngressX, "node-2");
  // x/a (index 0) lives on node-1, x/b (index 1) on node-2; y/c is not selected.
  EXPECT_TRUE(has(n1, "10.0.1.1 : jump in_0")) << n1;
  EXPECT_FALSE(has(n1, "jump in_1"));
  EXPECT_FALSE(has(n1, "jump in_2"));
  EXPECT_TRUE(has(n2, "10.0.1.2 : jump in_1")) << n2;
  EXPECT_TRUE(has(n1, "chain in_0 {\n    comment \"x/a ingress\"\n    counter drop\n  }")) << n1;
  EXPECT_FALSE(has(n1, "jump eg_")) << "policyTypes default to Ingress only";
  // The own-node exemption: node-originated traffic is not filtered by ingress chains.
  EXPECT_TRUE(has(chain(n1, "filter_forward"), "ip daddr vmap @ingress_local"));
  EXPECT_FALSE(has(chain(n1, "filter_output"), "@ingress_local")) << chain(n1, "filter_output");
  EXPECT_TRUE(has(chain(compile(kDenyIngressX, "node-1", {}, {"NODE_TO_POD"}), "filter_output"),
                  "ip daddr vmap @ingress_local"));
}

TEST(RunnerNftCompiler, EgressNamedPortResolvesOnEachDestinationPod) {
  std::string t = compile(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: to-http, namespace: "y"}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {ns: x}}}]
    ports: [{port: http}]
)");
  EXPECT_TRUE(has(t, "ip daddr 10.0.1.1 tcp dport 8080 return")) << t;
  EXPECT_TRUE(has(t, "ip daddr 10.0.1.2 tcp dport 8081 return")) << t;
  EXPECT_FALSE(has(t, "ip daddr 10.0.1.1 tcp dport 8081"));
}

TEST(RunnerNftCompiler, IngressNamedPortNeedsTheSameProtocol) {
  std::string policy = R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports: [{port: http, protocol: UDP}, {port: serve-80-udp, protocol: UDP}]
)";
  std::string t = compile(policy);
  EXPECT_FALSE(has(t, "dport 8080")) << "http is a TCP port on x/a";
  EXPECT_TRUE(has(t, "udp dport 80 return")) << t;
  // The fault matches the name whatever its protocol.
  EXPECT_TRUE(
      has(compile(policy, "node-1", {}, {"NAMED_PORT_RESOLUTION"}), "udp dport 8080 return"));
}

TEST(RunnerNftCompiler, PortsProtocolsRangesAndEmptyEntries) {
  std::string t = compile(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports: [{port: 80, endPort: 90}, {protocol: UDP}, {}, {protocol: SCTP, port: 81}]
)");
  EXPECT_TRUE(has(t, "tcp dport 80-90 return")) << t;
  EXPECT_TRUE(has(t, "meta l4proto udp return")) << t;
  EXPECT_TRUE(has(t, "meta l4proto tcp return")) << t;
  EXPECT_TRUE(has(t, "sctp dport 81 return")) << t;
}

TEST(RunnerNftCompiler, IpBlockExceptNarrowsOnlyItsBlock) {
  std::string policy = R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.2.0/24]}}, {ipBlock: {cidr: "fd00::/8"}}]
)";
  std::string t = compile(policy);
  EXPECT_TRUE(has(t, "ip saddr 10.0.0.0/8 ip saddr != 10.0.2.0/24 return")) << t;
  // An IPv6 block is an IPv6 match: it matches no IPv4 traffic.
  EXPECT_TRUE(has(t, "ip6 saddr fd00::/8 return")) << t;
  EXPECT_FALSE(has(t, "ip saddr fd00")) << t;
  EXPECT_FALSE(has(t, "drop comment"));
  // Cilium-like profile: ipBlocks do not match pod IPs.
  Profile noPods;
  noPods.ipblockMatchesPodIps = false;
  EXPECT_TRUE(has(compile(policy, "node-1", noPods),
                  "ip saddr != 10.0.2.0/24 ip saddr != @pod_ips return"));
  EXPECT_TRUE(
      has(compile(policy, "node-1", {}, {"IPBLOCK_EXCEPT_AS_DENY"}), "ip saddr 10.0.2.0/24 drop"));
}

// Dual stack: every address match is written per family, local pods are dispatched by both of
// their addresses to one chain, an IPv6 ClusterIP goes to the backends' IPv6 addresses, and
// IPv6 neighbour discovery is never filtered.
TEST(RunnerNftCompiler, DualStackWritesEveryMatchPerFamily) {
  Cluster c = clusterFromYaml(smallClusterYaml() + R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: "y"}}}]
  egress:
  - to: [{podSelector: {}}]
    ports: [{port: http}]
)");
  c.pods[0].podIPs = {"fd00::1", "10.0.1.1"};  // x/a, node-1
  c.pods[0].podIP = "fd00::1";
  c.pods[1].podIPs = {"10.0.1.2", "fd00::2"};  // x/b, node-2
  c.pods[2].podIPs = {"fd00::3"};              // y/c, node-1, IPv6 only
  c.pods[2].podIP = "fd00::3";
  c.services[0].clusterIP = "fd00:96::10";  // x/web: x/a and x/b
  std::string t = compileNodeRuleset(c, "node-1", "npf_test", {}, {});
  std::string in = chain(t, "in_0"), eg = chain(t, "eg_0");
  // y/c has only an IPv6 address: no IPv4 match is written for it.
  EXPECT_TRUE(has(in, "ip6 saddr fd00::3 return")) << in;
  EXPECT_FALSE(has(in, "ip saddr")) << in;
  // The named port resolves on each destination pod, at each of its addresses.
  EXPECT_TRUE(has(eg, "ip daddr 10.0.1.2 tcp dport 8081 return")) << eg;
  EXPECT_TRUE(has(eg, "ip6 daddr fd00::2 tcp dport 8081 return")) << eg;
  EXPECT_TRUE(has(eg, "ip6 daddr fd00::1 tcp dport 8080 return")) << eg;
  EXPECT_TRUE(has(t, "fd00::1 : jump in_0")) << t;
  EXPECT_TRUE(has(t, "10.0.1.1 : jump in_0")) << t;
  EXPECT_TRUE(has(t, "ip6 daddr vmap @ingress_local6")) << t;
  EXPECT_TRUE(has(t, "ip6 saddr vmap @egress_local6")) << t;
  EXPECT_TRUE(has(t, "dnat ip6 to [fd00::1]:80")) << t;
  EXPECT_TRUE(has(t, "dnat ip6 to [fd00::2]:80")) << t;
  EXPECT_FALSE(has(t, "dnat ip to")) << t;
  EXPECT_TRUE(has(chain(t, "filter_input"), "nd-neighbor-solicit")) << t;
}

TEST(RunnerNftCompiler, SelectorsUseTheImplicitNamespaceNameLabelAndAndBothSelectors) {
  std::string t = compile(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: "y"}}}]
  - from: [{namespaceSelector: {matchLabels: {ns: x}}, podSelector: {matchLabels: {pod: b}}}]
  - from: [{podSelector: {matchExpressions: [{key: pod, operator: NotIn, values: [a, b]}]}}]
)");
  EXPECT_TRUE(has(t, "ip saddr 10.0.2.1 return comment \"x/p ingress[0]")) << t;
  EXPECT_TRUE(has(t, "ip saddr 10.0.1.2 return comment \"x/p ingress[1]")) << t;
  EXPECT_FALSE(has(t, "ingress[2]")) << "no pod of x is outside {a, b}: the rule matches nothing";
}

TEST(RunnerNftCompiler, PolicyTypesDefaultingAndUnlistedTypesIgnored) {
  std::string t = compile(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: eg, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  egress: [{}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-egress, namespace: "y"}
spec:
  podSelector: {}
  policyTypes: [Egress]
  ingress: []
)");
  EXPECT_TRUE(has(t, "10.0.1.1 : jump in_0")) << "Ingress is always a default type";
  EXPECT_TRUE(has(t, "10.0.1.1 : jump eg_0")) << "Egress because the egress list is non-empty";
  EXPECT_TRUE(has(t, "10.0.2.1 : jump eg_2")) << t;
  EXPECT_FALSE(has(t, "jump in_2")) << "ingress rules under policyTypes [Egress] have no effect";
}

TEST(RunnerNftCompiler, ServiceDnatToEveryBackendWithItsOwnNamedTargetPort) {
  std::string t = compile("");
  EXPECT_TRUE(has(t, "10.96.0.10 . tcp . 8000 : goto svc_0_0")) << t;
  EXPECT_TRUE(has(t, "numgen random mod 2 vmap { 0 : goto ep_0_0_0, 1 : goto ep_0_0_1 }")) << t;
  EXPECT_TRUE(has(t, "meta l4proto tcp dnat ip to 10.0.1.1:80")) << t;
  EXPECT_TRUE(has(t, "meta l4proto tcp dnat ip to 10.0.1.1:8080")) << t;
  EXPECT_TRUE(has(t, "meta l4proto tcp dnat ip to 10.0.1.2:8081")) << t;
  EXPECT_TRUE(has(t, "ip saddr 10.0.1.2 meta mark set meta mark | 0x4000")) << "hairpin";
  EXPECT_TRUE(has(t, "meta mark & 0x4000 == 0x4000 masquerade"));
}

TEST(RunnerNftCompiler, SelectorsNeverMatchHostNetworkPods) {
  std::string hostPod = R"(---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: "x", labels: {pod: a}}
spec:
  nodeName: node-2
  hostNetwork: true
  containers: [{name: c, image: i, ports: [{containerPort: 9100}]}]
status: {podIP: 172.18.0.3}
)";
  std::string t = compile(hostPod + R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: "x"}
spec:
  podSelector: {}
  ingress: [{from: [{podSelector: {matchLabels: {pod: a}}}]}]
)");
  EXPECT_TRUE(has(t, "ip saddr 10.0.1.1 return")) << t;
  EXPECT_FALSE(has(t, "172.18.0.3 return")) << t;
  EXPECT_FALSE(has(t, "jump in_3")) << "hostNetwork pods are never isolated";
}

// Every compiler fault changes the ruleset of a case made for it.
TEST(RunnerNftCompiler, EveryCompilerFaultChangesTheRuleset) {
  std::string policies = R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: everything, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{podSelector: {matchLabels: {pod: b}}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.0.2.0/24]}}]
    ports: [{port: http}, {port: 80, endPort: 81}, {protocol: SCTP, port: 82}, {}]
  - from: [{namespaceSelector: {matchLabels: {ns: "y"}}, podSelector: {matchLabels: {pod: b}}}]
    ports: [{port: 83}]
  - from: [{podSelector: {matchExpressions: [{key: pod, operator: In, values: [zzz]}]}}]
  egress:
  - to: [{podSelector: {}}]
    ports: [{port: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: typed, namespace: "y"}
spec:
  podSelector: {}
  policyTypes: [Egress]
  ingress: []
)";
  // Cluster-scoped policies for their faults: x/a selected by two AdminNetworkPolicies of
  // different priorities (Allow before Deny, a Pass) and a baseline, x/a also under x/everything;
  // y/c's ingress only by an AdminNetworkPolicy.
  const std::string tiers = policies + R"(---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: first}
spec:
  priority: 1
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {pod: a}}}}
  ingress:
  - {action: Allow, from: [{namespaces: {matchLabels: {ns: x}}}]}
  - {action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {port: 80}}]}
  - {action: Pass, from: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: second}
spec:
  priority: 2
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {matchLabels: {ns: "y"}}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
  egress: [{action: Deny, to: [{namespaces: {}}]}]
)";
  std::string base = compile(policies), tiered = compile(tiers);
  for (const auto& f : compilerFaults())
    EXPECT_TRUE(compile(policies, "node-1", {}, {f}) != base ||
                compile(tiers, "node-1", {}, {f}) != tiered)
        << f;
  EXPECT_TRUE(
      has(compile(policies, "node-1", {}, {"SERVICE_PRE_DNAT"}), "hook prerouting priority -150"));
}

TEST(RunnerNftCompiler, SupportedFaultsCoverTheRequiredClasses) {
  const auto& all = LocalBackend::supportedFaults();
  for (const char* f :
       {"NAMED_PORT_RESOLUTION", "ENDPORT_IGNORED", "EMPTY_PORT", "PROTOCOL_CONFUSION",
        "IPBLOCK_EXCEPT_AS_DENY", "MULTI_PEER_DROPPED", "RULE_CROSS_PRODUCT", "POLICYTYPES",
        "NS_AND_POD_SELECTOR", "MATCHEXPRESSIONS", "SERVICE_PRE_DNAT", "NODE_TO_POD",
        "LABEL_UPDATE_STALE", "POD_IP_REUSE"})
    EXPECT_NE(std::find(all.begin(), all.end(), f), all.end()) << f;
}

TEST(RunnerNftCompiler, GatewayIsTheClosestFreeAddress) {
  auto ip = [](const char* s) { return *parseIp(s); };
  auto g = chooseGateway(ip("10.0.1.1"), {ip("10.0.1.1")});
  ASSERT_TRUE(g);
  EXPECT_EQ(toString(g->gateway), "10.0.1.0");
  EXPECT_EQ(g->prefixLength, 31);
  // 10.0.1.3 is taken, and is the broadcast address of the /30: a /29 it is.
  g = chooseGateway(ip("10.0.1.2"), {ip("10.0.1.1"), ip("10.0.1.2"), ip("10.0.1.3")});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->prefixLength, 29);
  EXPECT_EQ(toString(g->gateway), "10.0.1.6");
}

// A kept pod is wired again when the next case puts an address on its gateway or on its
// prefix's network or broadcast address (seed 1, cases 338 -> 339: 10.244.2.10/29, gateway .9,
// and a new pod at .15).
TEST(RunnerNftCompiler, AGatewayChoiceFitsUntilItsEndsOrGatewayAreTaken) {
  auto ip = [](const char* s) { return *parseIp(s); };
  GatewayChoice c{ip("10.244.2.9"), 29};
  const IpAddress pod = ip("10.244.2.10");
  EXPECT_TRUE(gatewayChoiceStillFits(pod, c, {pod, ip("10.244.2.11"), ip("10.244.2.14")}));
  EXPECT_FALSE(gatewayChoiceStillFits(pod, c, {pod, ip("10.244.2.15")})) << "broadcast";
  EXPECT_FALSE(gatewayChoiceStillFits(pod, c, {pod, ip("10.244.2.8")})) << "network";
  EXPECT_FALSE(gatewayChoiceStillFits(pod, c, {pod, ip("10.244.2.9")})) << "gateway";
  EXPECT_TRUE(gatewayChoiceStillFits(ip("10.0.1.1"), {ip("10.0.1.0"), 31}, {ip("10.0.1.1")}))
      << "a /31 has no network or broadcast address";
}

// A named port behind a `networks` peer resolves only on the addresses of the network's family
// that the network covers: an IPv6 network never matches the destination's IPv4 address.
TEST(RunnerNftCompiler, ClusterNamedPortBehindANetworkMatchesOnlyThatNetworksFamily) {
  Cluster c = clusterFromYaml(R"(apiVersion: v1
kind: Node
metadata: {name: node-1}
status: {addresses: [{type: InternalIP, address: 172.18.0.2}]}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x}
spec: {nodeName: node-1, containers: [{name: c, image: agnhost}]}
status: {podIP: 10.0.1.2, podIPs: [{ip: 10.0.1.2}, {ip: "fd00::2"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: q}
spec: {nodeName: node-1, containers: [{name: c, image: agnhost, ports: [{name: web, containerPort: 80}]}]}
status: {podIP: 10.0.1.3, podIPs: [{ip: 10.0.1.3}, {ip: "fd00::3"}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-web-v6}
spec:
  tier: Admin
  priority: 1
  subject: {pods: {podSelector: {}}}
  egress:
  - action: Deny
    to: [{networks: ["fd00::/64"]}]
    protocols: [{destinationNamedPort: web}]
)");
  std::string text = compileNodeRuleset(c, "node-1", "npf_test", Profile{}, {});
  EXPECT_TRUE(has(text, "ip6 daddr fd00::3 tcp dport 80 drop")) << text;
  EXPECT_FALSE(has(text, "ip daddr 10.0.1.3 tcp dport 80 drop")) << text;
}

// Pass goes to the NetworkPolicy chain, which goes on to the baseline tier when no
// NetworkPolicy isolates the pod.
TEST(RunnerNftCompiler, ClusterTiersChainAdminThenNetworkPolicyThenBaseline) {
  std::string text = compile(R"(---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass-all}
spec:
  priority: 1
  subject: {namespaces: {}}
  ingress: [{action: Pass, from: [{namespaces: {}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
)");
  std::string admin = chain(text, "in_0");
  EXPECT_TRUE(has(admin, "goto in_0_np comment \"AdminNetworkPolicy pass-all ingress[0] Pass\""))
      << text;
  EXPECT_TRUE(has(chain(text, "in_0_np"), "goto in_0_base")) << text;
  EXPECT_TRUE(has(chain(text, "in_0_base"), "drop comment \"BaselineAdminNetworkPolicy default"))
      << text;
}

}  // namespace
}  // namespace npf::runner::local
