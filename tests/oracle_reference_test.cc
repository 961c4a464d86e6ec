// Focused tests of the reference evaluator: special cases of SEMANTICS.md and the text of
// explanations. Clusters are built in code.
#include <gtest/gtest.h>

#include <algorithm>

#include "oracle/matrix.h"
#include "oracle/reference.h"

namespace npf {
namespace {

// ---------------------------------------------------------------- building clusters

Namespace ns(const std::string& name, Labels labels = {}) {
  Namespace n;
  n.meta.name = name;
  n.meta.labels = std::move(labels);
  return n;
}

Node node(const std::string& name, std::vector<std::string> ips) {
  Node n;
  n.meta.name = name;
  n.internalIPs = std::move(ips);
  return n;
}

ContainerPort cport(int32_t port, const std::string& name = "",
                    std::optional<Protocol> proto = std::nullopt) {
  ContainerPort p;
  p.containerPort = port;
  p.name = name;
  p.protocol = proto;
  return p;
}

Pod pod(const std::string& n, const std::string& name, Labels labels, const std::string& ip,
        std::vector<ContainerPort> ports = {cport(80)}, const std::string& nodeName = "node-1") {
  Pod p;
  p.meta.namespace_ = n;
  p.meta.name = name;
  p.meta.labels = std::move(labels);
  p.nodeName = nodeName;
  p.podIP = ip;
  p.podIPs = {ip};
  Container c;
  c.name = "c";
  c.ports = std::move(ports);
  p.containers.push_back(c);
  return p;
}

LabelSelector sel(Labels l) {
  LabelSelector s;
  s.matchLabels = std::move(l);
  return s;
}

NetworkPolicyPeer podPeer(Labels l) {
  NetworkPolicyPeer p;
  p.podSelector = sel(std::move(l));
  return p;
}
NetworkPolicyPeer nsPeer(Labels l) {
  NetworkPolicyPeer p;
  p.namespaceSelector = sel(std::move(l));
  return p;
}
NetworkPolicyPeer blockPeer(const std::string& cidr, std::vector<std::string> except = {}) {
  NetworkPolicyPeer p;
  p.ipBlock = IPBlock{cidr, std::move(except)};
  return p;
}

NetworkPolicyPort numPort(int32_t n, std::optional<Protocol> proto = std::nullopt,
                          std::optional<int32_t> end = std::nullopt) {
  NetworkPolicyPort p;
  p.protocol = proto;
  p.port = PortRef{n};
  p.endPort = end;
  return p;
}
NetworkPolicyPort namedPort(const std::string& name, std::optional<Protocol> proto = std::nullopt) {
  NetworkPolicyPort p;
  p.protocol = proto;
  p.port = PortRef{name};
  return p;
}

NetworkPolicyRule rule(std::optional<std::vector<NetworkPolicyPeer>> peers,
                       std::optional<std::vector<NetworkPolicyPort>> ports = std::nullopt) {
  NetworkPolicyRule r;
  r.peers = std::move(peers);
  r.ports = std::move(ports);
  return r;
}

NetworkPolicy policy(const std::string& n, const std::string& name, LabelSelector podSelector,
                     std::optional<std::vector<NetworkPolicyRule>> ingress,
                     std::optional<std::vector<NetworkPolicyRule>> egress = std::nullopt,
                     std::optional<std::vector<PolicyType>> types = std::nullopt) {
  NetworkPolicy p;
  p.meta.namespace_ = n;
  p.meta.name = name;
  p.podSelector = std::move(podSelector);
  p.ingress = std::move(ingress);
  p.egress = std::move(egress);
  p.policyTypes = std::move(types);
  return p;
}

// x/a (app=db, 10.0.1.1) and y/b (app=web, 10.0.1.2), both on node-1; node-2 elsewhere.
Cluster twoPods() {
  Cluster c;
  c.namespaces = {ns("x", {{"ns", "x"}}), ns("y", {{"ns", "y"}})};
  c.nodes = {node("node-1", {"192.168.0.1"}), node("node-2", {"192.168.0.2"})};
  c.pods = {pod("x", "a", {{"app", "db"}}, "10.0.1.1", {cport(80, "http"), cport(81)}),
            pod("y", "b", {{"app", "web"}}, "10.0.1.2", {cport(80), cport(8080, "http")})};
  return c;
}

Probe probe(Endpoint from, Endpoint to, int32_t port, Protocol proto = Protocol::TCP) {
  return Probe{std::move(from), Target{std::move(to), port, proto}};
}

bool contains(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

std::string all(const Explanation& e) {
  std::string s;
  for (const auto* v : {&e.egress, &e.ingress, &e.notes})
    for (const auto& l : *v) s += l + "\n";
  return s;
}

// Every cell of the default probe set, engine against reference.
void expectEngineAgrees(const Cluster& c, const Profile& prof = {}) {
  ProbeSet ps = defaultProbeSet(c);
  Matrix m = computeMatrix(c, ps, prof);
  size_t i = 0;
  ps.forEach([&](const Probe& p) {
    EXPECT_EQ(m.verdict(i), evaluateProbe(c, p, prof))
        << "cell " << i << " " << toString(p.from) << " -> " << toString(p.target.to) << ":"
        << p.target.port;
    ++i;
  });
}

const Endpoint A = Endpoint::pod("x", "a");
const Endpoint B = Endpoint::pod("y", "b");

// ---------------------------------------------------------------- explanations

TEST(OracleReferenceExplanation, PodSelectorMismatchNamesTheLabels) {
  Cluster c = twoPods();
  c.policies = {
      policy("y", "allow-web", {}, std::vector{rule(std::vector{podPeer({{"app", "web"}})})})};
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}, &why), Verdict::Deny);
  EXPECT_TRUE(contains(why.ingress, "destination y/b is isolated for ingress by y/allow-web"))
      << all(why);
  EXPECT_TRUE(contains(why.ingress,
                       "y/allow-web ingress rule 0: peer 0 podSelector app=web does not match x/a"))
      << all(why);
  // podSelector alone is scoped to the policy's namespace.
  EXPECT_TRUE(contains(why.ingress, "podSelector alone selects in namespace y only")) << all(why);
  EXPECT_TRUE(contains(why.egress, "source x/a is not isolated for egress")) << all(why);
}

TEST(OracleReferenceExplanation, LabelMismatchInsideTheNamespace) {
  Cluster c = twoPods();
  c.pods.push_back(pod("y", "c", {{"app", "db"}}, "10.0.1.3"));
  c.policies = {
      policy("y", "allow-web", {}, std::vector{rule(std::vector{podPeer({{"app", "web"}})})})};
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::pod("y", "c"), B, 80), {}, &why), Verdict::Deny);
  EXPECT_TRUE(
      contains(why.ingress, "peer 0 podSelector app=web does not match y/c (labels app=db)"))
      << all(why);
}

TEST(OracleReferenceExplanation, AllowedByNamesPolicyRulePeerAndPort) {
  Cluster c = twoPods();
  c.policies = {
      policy("y", "allow-80", {},
             std::vector{rule(std::vector{podPeer({{"app", "none"}}), nsPeer({{"ns", "x"}})},
                              std::vector{numPort(80)})})};
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}, &why), Verdict::Allow);
  EXPECT_TRUE(contains(
      why.ingress,
      "allowed by y/allow-80 ingress rule 0, peer 1 (namespaceSelector ns=x), port 0 (TCP 80)"))
      << all(why);
}

TEST(OracleReferenceExplanation, PortMismatchReasons) {
  Cluster c = twoPods();
  c.policies = {policy("y", "ports", {},
                       std::vector{rule(std::nullopt, std::vector{namedPort("metrics"),
                                                                  numPort(80, std::nullopt, 80),
                                                                  numPort(81, Protocol::UDP)})})};
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 81), {}, &why), Verdict::Deny);
  EXPECT_TRUE(contains(why.ingress, "named port 'metrics' is not defined on y/b for TCP"))
      << all(why);
  EXPECT_TRUE(contains(why.ingress, "port 81 not in 80..80")) << all(why);
  EXPECT_TRUE(contains(why.ingress, "protocol UDP ≠ TCP")) << all(why);
}

TEST(OracleReferenceExplanation, EgressIsolationAndEmptyRules) {
  Cluster c = twoPods();
  c.policies = {policy("x", "deny-egress", {}, std::nullopt, std::vector<NetworkPolicyRule>{},
                       std::vector{PolicyType::Egress})};
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}, &why), Verdict::Deny);
  EXPECT_TRUE(contains(why.egress, "source x/a is isolated for egress by x/deny-egress"))
      << all(why);
  EXPECT_TRUE(contains(why.egress, "x/deny-egress has no egress rules (allows nothing)"))
      << all(why);
}

TEST(OracleReferenceExplanation, RenderShowsVerdictAndSections) {
  Cluster c = twoPods();
  c.policies = {policy("y", "deny", {}, std::vector<NetworkPolicyRule>{})};
  Explanation why;
  Probe p = probe(A, B, 80);
  auto v = evaluateProbe(c, p, {}, &why);
  std::string text = renderExplanation(p, v, why);
  EXPECT_NE(text.find("x/a -> y/b 80/TCP: deny"), std::string::npos) << text;
  EXPECT_NE(text.find("  ingress:\n"), std::string::npos) << text;
  EXPECT_NE(text.find("y/deny has no ingress rules"), std::string::npos) << text;
  EXPECT_NE(renderExplanation(probe(A, Endpoint::pod("q", "none"), 80), std::nullopt, {})
                .find("not probed"),
            std::string::npos);
}

// ---------------------------------------------------------------- special cases

TEST(OracleReference, PolicyTypesDefaulting) {
  Cluster c = twoPods();
  // Egress list present but empty, no policyTypes: only Ingress; egress stays open.
  c.policies = {policy("x", "p", {}, std::nullopt, std::vector<NetworkPolicyRule>{})};
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}), Verdict::Allow);
  // Non-empty egress list adds Egress.
  c.policies = {policy("x", "p", {}, std::nullopt,
                       std::vector{rule(std::vector{podPeer({{"app", "none"}})})})};
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}), Verdict::Deny);
  // policyTypes: [] is defaulted like absent.
  c.policies = {policy("y", "p", {}, std::nullopt, std::nullopt, std::vector<PolicyType>{})};
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}), Verdict::Deny);
  // Ingress rules under policyTypes [Egress] are ignored.
  c.policies = {policy("y", "p", {}, std::vector<NetworkPolicyRule>{}, std::nullopt,
                       std::vector{PolicyType::Egress})};
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}), Verdict::Allow);
  expectEngineAgrees(c);
}

TEST(OracleReference, EmptyFromAndEmptyPortsMatchEverything) {
  Cluster c = twoPods();
  c.policies = {policy(
      "y", "p", {},
      std::vector{rule(std::vector<NetworkPolicyPeer>{}, std::vector<NetworkPolicyPort>{})})};
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 8080), {}), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::node("node-2"), B, 80, Protocol::SCTP), {}),
            Verdict::Allow);
  // A port entry {} is all TCP ports only.
  c.policies = {
      policy("y", "p", {}, std::vector{rule(std::nullopt, std::vector{NetworkPolicyPort{}})})};
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 12345), {}), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80, Protocol::UDP), {}), Verdict::Deny);
  expectEngineAgrees(c);
}

TEST(OracleReference, NamedPortResolvesOnEachDestination) {
  Cluster c = twoPods();
  c.pods.push_back(pod("x", "egress", {{"role", "client"}}, "10.0.1.9", {}));
  // x/a: http=80; y/b: http=8080. Egress to port 'http' allows 80 on a, 8080 on b.
  c.policies = {policy("x", "to-http", sel({{"role", "client"}}), std::nullopt,
                       std::vector{rule(std::nullopt, std::vector{namedPort("http")})})};
  Endpoint cl = Endpoint::pod("x", "egress");
  EXPECT_EQ(evaluateProbe(c, probe(cl, A, 80), {}), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(cl, B, 80), {}), Verdict::Deny);
  EXPECT_EQ(evaluateProbe(c, probe(cl, B, 8080), {}), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(cl, A, 81), {}), Verdict::Deny);
  // Named ports never match nodes or external hosts.
  c.externalHosts = {{"ext", "203.0.113.5"}};
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(cl, Endpoint::external("203.0.113.5"), 80), {}, &why),
            Verdict::Deny);
  EXPECT_TRUE(contains(why.egress, "named port 'http' never matches ip/203.0.113.5")) << all(why);
  // Named port with the wrong protocol does not match.
  c.policies[0].egress->at(0).ports = std::vector{namedPort("http", Protocol::UDP)};
  EXPECT_EQ(evaluateProbe(c, probe(cl, A, 80), {}), Verdict::Deny);
  expectEngineAgrees(c);
}

TEST(OracleReference, EndPortIsInclusiveAndProtocolsAreDistinct) {
  Cluster c = twoPods();
  c.policies = {policy("y", "range", {},
                       std::vector{rule(std::nullopt, std::vector{numPort(80, std::nullopt, 8080)}),
                                   rule(std::nullopt, std::vector{numPort(81, Protocol::SCTP)})})};
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 8080), {}), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 8081), {}), Verdict::Deny);
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 81, Protocol::SCTP), {}), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 9000, Protocol::SCTP), {}), Verdict::Deny);
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80, Protocol::UDP), {}), Verdict::Deny);
}

TEST(OracleReference, ExceptNarrowsOnlyItsOwnIpBlock) {
  Cluster c = twoPods();
  c.policies = {policy("y", "blocks", {},
                       std::vector{rule(std::vector{blockPeer("10.0.0.0/16", {"10.0.1.0/24"})}),
                                   rule(std::vector{blockPeer("10.0.1.1/32")})})};
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}), Verdict::Allow);
  c.policies[0].ingress->pop_back();
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}, &why), Verdict::Deny);
  EXPECT_TRUE(contains(why.ingress, "10.0.1.1 is in except 10.0.1.0/24")) << all(why);
  expectEngineAgrees(c);
}

TEST(OracleReference, NamespaceAndPodSelectorInOnePeerAreAnded) {
  Cluster c = twoPods();
  c.pods.push_back(pod("x", "web", {{"app", "web"}}, "10.0.1.3"));
  NetworkPolicyPeer both;
  both.namespaceSelector = sel({{"ns", "x"}});
  both.podSelector = sel({{"app", "web"}});
  c.policies = {policy("y", "and", {}, std::vector{rule(std::vector{both})})};
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::pod("x", "web"), B, 80), {}), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}), Verdict::Deny);  // ns matches, labels do not
  // The implicit kubernetes.io/metadata.name label, also for undeclared namespaces.
  c.pods.push_back(pod("ghost", "g", {{"app", "web"}}, "10.0.1.4"));
  c.policies = {policy("y", "by-name", {},
                       std::vector{rule(std::vector{nsPeer({{kNamespaceNameLabel, "ghost"}})})})};
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::pod("ghost", "g"), B, 80), {}), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}), Verdict::Deny);
  expectEngineAgrees(c);
}

TEST(OracleReference, MultiValueNotIn) {
  Cluster c = twoPods();
  c.pods.push_back(pod("y", "c", {{"app", "api"}}, "10.0.1.3"));
  c.pods.push_back(pod("y", "d", {}, "10.0.1.4"));
  LabelSelector notIn;
  notIn.matchExpressions = {{"app", SelectorOp::NotIn, {"web", "db"}}};
  NetworkPolicyPeer peer;
  peer.podSelector = notIn;
  c.policies = {policy("y", "notin", sel({{"app", "web"}}), std::vector{rule(std::vector{peer})})};
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::pod("y", "c"), B, 80), {}), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::pod("y", "d"), B, 80), {}),
            Verdict::Allow);  // key absent
  EXPECT_EQ(evaluateProbe(c, probe(B, B, 80), {Profile{true, Profile::Loopback::Policy}}),
            Verdict::Deny);
  // NotIn never matches nodes (selectors match pods only).
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::node("node-2"), B, 80), {}), Verdict::Deny);
  expectEngineAgrees(c);
}

TEST(OracleReference, ServiceIsJudgedOnBackendPodAndTargetPort) {
  Cluster c = twoPods();
  Service s;
  s.meta.namespace_ = "y";
  s.meta.name = "web";
  s.clusterIP = "10.96.0.10";
  s.selector = Labels{{"app", "web"}};
  ServicePort sp;
  sp.port = 80;
  sp.targetPort = PortRef{std::string("http")};  // 8080 on y/b
  s.ports = {sp};
  c.services = {s};
  // The client may only reach 8080: the Service port 80 is irrelevant.
  c.policies = {
      policy("x", "egress-8080", {}, std::nullopt,
             std::vector{rule(std::vector{blockPeer("10.0.1.2/32")}, std::vector{numPort(8080)})})};
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(A, Endpoint::service("y", "web"), 80), {}, &why),
            Verdict::Allow);
  EXPECT_TRUE(contains(why.notes, "svc/y/web port 80/TCP is translated to backend y/b:8080"))
      << all(why);
  // An egress rule for the clusterIP and Service port allows nothing.
  c.policies[0].egress->at(0) =
      rule(std::vector{blockPeer("10.96.0.10/32")}, std::vector{numPort(80)});
  EXPECT_EQ(evaluateProbe(c, probe(A, Endpoint::service("y", "web"), 80), {}), Verdict::Deny);
  // No backend for this port: not probed.
  EXPECT_EQ(evaluateProbe(c, probe(A, Endpoint::service("y", "web"), 81), {}), std::nullopt);
}

TEST(OracleReference, DisagreeingBackendsAndHairpinAreUndefined) {
  Cluster c = twoPods();
  c.pods.push_back(pod("y", "b2", {{"app", "web"}}, "10.0.1.3", {cport(80), cport(8080, "http")}));
  Service s;
  s.meta.namespace_ = "y";
  s.meta.name = "web";
  s.clusterIP = "10.96.0.10";
  s.selector = Labels{{"app", "web"}};
  ServicePort sp;
  sp.port = 80;
  s.ports = {sp};
  c.services = {s};
  c.policies = {policy("x", "to-b", {}, std::nullopt,
                       std::vector{rule(std::vector{blockPeer("10.0.1.2/32")})})};
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(A, Endpoint::service("y", "web"), 80), {}, &why),
            Verdict::Undefined);
  EXPECT_TRUE(contains(why.notes, "backends disagree")) << all(why);
  // Hairpin: y/b through the Service to itself (and to b2, allowed) -> undefined by default.
  c.policies.clear();
  EXPECT_EQ(evaluateProbe(c, probe(B, Endpoint::service("y", "web"), 80), {}), Verdict::Undefined);
  Profile allow;
  allow.loopback = Profile::Loopback::Allow;
  EXPECT_EQ(evaluateProbe(c, probe(B, Endpoint::service("y", "web"), 80), allow), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(B, B, 80), {}), Verdict::Undefined);
  expectEngineAgrees(c);
}

TEST(OracleReference, OwnNodeIngressIsExemptOtherNodesFollowPolicy) {
  Cluster c = twoPods();
  c.policies = {policy("y", "deny", {}, std::vector<NetworkPolicyRule>{})};
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::node("node-1"), B, 80), {}, &why), Verdict::Allow);
  EXPECT_TRUE(contains(why.ingress, "own node node-1")) << all(why);
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::node("node-2"), B, 80), {}), Verdict::Deny);
  c.policies[0].ingress = std::vector{rule(std::vector{blockPeer("192.168.0.0/24")})};
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::node("node-2"), B, 80), {}), Verdict::Allow);
  expectEngineAgrees(c);
}

TEST(OracleReference, EgressToOwnNodeFollowsTheKnob) {
  Cluster c = twoPods();
  c.policies = {
      policy("x", "deny-egress", {}, std::nullopt, std::nullopt, std::vector{PolicyType::Egress})};
  Probe p = probe(A, Endpoint::node("node-1"), 10250);
  EXPECT_EQ(evaluateProbe(c, p, {}), Verdict::Deny);
  Profile allow;
  allow.egressToOwnNode = Profile::EgressToOwnNode::Allow;
  EXPECT_EQ(evaluateProbe(c, p, allow), Verdict::Allow);
  EXPECT_EQ(evaluateProbe(c, probe(A, Endpoint::node("node-2"), 10250), allow), Verdict::Deny);
}

TEST(OracleReference, HostNetworkPodsCountAsTheirNode) {
  Cluster c = twoPods();
  Pod h = pod("x", "h", {{"app", "db"}}, "192.168.0.2", {cport(9100, "metrics")}, "node-2");
  h.hostNetwork = true;
  c.pods.push_back(h);
  Endpoint H = Endpoint::pod("x", "h");
  c.policies = {policy("y", "from-db", {}, std::vector{rule(std::vector{nsPeer({})})})};
  // Selectors do not match the hostNetwork pod (its traffic is node-2's)...
  EXPECT_EQ(evaluateProbe(c, probe(H, B, 80), {}), Verdict::Deny);
  Profile selectable;
  selectable.hostnetworkSelectable = true;
  EXPECT_EQ(evaluateProbe(c, probe(H, B, 80), selectable), Verdict::Allow);
  // ... an ipBlock of the node's address does, whatever ipblock-matches-pod-ips says.
  c.policies[0].ingress = std::vector{rule(std::vector{blockPeer("192.168.0.2/32")})};
  Profile noPodIps;
  noPodIps.ipblockMatchesPodIps = false;
  EXPECT_EQ(evaluateProbe(c, probe(H, B, 80), noPodIps), Verdict::Allow);
  // A hostNetwork pod is never isolated.
  c.policies.push_back(policy("x", "deny-all", {}, std::vector<NetworkPolicyRule>{},
                              std::vector<NetworkPolicyRule>{},
                              std::vector{PolicyType::Ingress, PolicyType::Egress}));
  EXPECT_EQ(evaluateProbe(c, probe(B, H, 9100), {}), Verdict::Allow);
  expectEngineAgrees(c);
  expectEngineAgrees(c, selectable);
  expectEngineAgrees(c, noPodIps);
}

TEST(OracleReference, IpBlockKnobExcludesPodIps) {
  Cluster c = twoPods();
  c.policies = {policy("y", "cidr", {}, std::vector{rule(std::vector{blockPeer("10.0.0.0/8")})})};
  Profile noPodIps;
  noPodIps.ipblockMatchesPodIps = false;
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}), Verdict::Allow);
  Explanation why;
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), noPodIps, &why), Verdict::Deny);
  EXPECT_TRUE(contains(why.ingress, "ipblock-matches-pod-ips=false")) << all(why);
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::external("10.9.9.9"), B, 80), noPodIps),
            Verdict::Allow);
  expectEngineAgrees(c, noPodIps);
}

TEST(OracleReference, FamilyOfTheDestinationDecides) {
  Cluster c = twoPods();
  c.pods[1].podIPs.push_back("fd00::2");
  Pod six = pod("y", "six", {}, "fd00::3");
  c.pods.push_back(six);
  // x/a has no IPv6 address: it cannot reach an IPv6-only pod.
  EXPECT_EQ(evaluateProbe(c, probe(A, Endpoint::pod("y", "six"), 80), {}), std::nullopt);
  EXPECT_EQ(evaluateProbe(c, probe(B, Endpoint::pod("y", "six"), 80), {}), Verdict::Allow);
  // An IPv4 cidr never matches IPv6 traffic.
  c.policies = {policy("y", "v4", sel({}), std::vector{rule(std::vector{blockPeer("0.0.0.0/0")})})};
  EXPECT_EQ(evaluateProbe(c, probe(B, Endpoint::pod("y", "six"), 80), {}), Verdict::Deny);
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}), Verdict::Allow);
  // Unknown endpoints are not probed.
  EXPECT_EQ(evaluateProbe(c, probe(Endpoint::pod("q", "q"), B, 80), {}), std::nullopt);
  EXPECT_EQ(evaluateProbe(c, probe(A, Endpoint::node("nope"), 80), {}), std::nullopt);
  expectEngineAgrees(c);
}

TEST(OracleReference, PoliciesInNamespacesWithoutPods) {
  // Regression: the engine indexed namespaces first seen on a policy without sizing them.
  Cluster c = twoPods();
  c.policies = {policy("empty", "p", {}, std::vector{rule(std::vector{nsPeer({})})}),
                policy("y", "q", {},
                       std::vector{rule(std::vector{nsPeer({{kNamespaceNameLabel, "empty"}})})})};
  EXPECT_EQ(evaluateProbe(c, probe(A, B, 80), {}), Verdict::Deny);
  expectEngineAgrees(c);
}

// A cluster large enough for the engine's word-at-a-time paths (64-source stripes, 32-cell
// writes), checked cell by cell.
TEST(OracleReference, EngineAgreesOnAMidSizedCluster) {
  Cluster c;
  for (int n = 0; n < 5; ++n)
    c.namespaces.push_back(ns("ns" + std::to_string(n), {{"team", n % 2 ? "a" : "b"}}));
  c.nodes = {node("node-1", {"192.168.0.1"}), node("node-2", {"192.168.0.2"})};
  const char* apps[] = {"web", "db", "api"};
  for (int i = 0; i < 150; ++i) {
    Pod p = pod("ns" + std::to_string(i % 5), "p" + std::to_string(i), {{"app", apps[i % 3]}},
                "10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1),
                {cport(80, i % 2 ? "http" : ""), cport(8080 + i % 3, i % 2 ? "" : "http"),
                 cport(53, "dns", Protocol::UDP)},
                i % 2 ? "node-1" : "node-2");
    p.hostNetwork = i % 37 == 0;
    if (p.hostNetwork) p.podIP = p.podIPs[0] = i % 2 ? "192.168.0.1" : "192.168.0.2";
    c.pods.push_back(p);
  }
  for (int k = 0; k < 12; ++k) {
    std::string n = "ns" + std::to_string(k % 5);
    std::vector<NetworkPolicyRule> in = {
        rule(std::vector{podPeer({{"app", apps[k % 3]}})}, std::vector{namedPort("http")})};
    if (k % 3 == 0)
      in.push_back(
          rule(std::vector{nsPeer({{"team", "a"}}), blockPeer("10.0.0.0/24", {"10.0.0.64/26"})},
               std::vector{numPort(80, std::nullopt, 8081)}));
    std::optional<std::vector<NetworkPolicyRule>> eg;
    if (k % 4 == 1)
      eg = std::vector{rule(std::vector{nsPeer({})},
                            std::vector{numPort(53, Protocol::UDP), namedPort("http")})};
    c.policies.push_back(
        policy(n, "pol" + std::to_string(k), sel({{"app", apps[(k + 1) % 3]}}), in, eg));
  }
  for (auto lb : {Profile::Loopback::Undefined, Profile::Loopback::Policy}) {
    Profile prof;
    prof.loopback = lb;
    prof.egressToOwnNode = lb == Profile::Loopback::Policy ? Profile::EgressToOwnNode::Allow
                                                           : Profile::EgressToOwnNode::Policy;
    expectEngineAgrees(c, prof);
  }
}

}  // namespace
}  // namespace npf
