// The benchmarks' synthetic clusters: namespaces of pods with app/tier labels (some canaries),
// four container ports each ('http' on 80 or 8080), one Service per namespace, and a mix of
// policies (named ports, namespace x pod selectors, ipBlocks with except and port ranges, egress
// DNS, default denies, both types, NotIn/DoesNotExist). Deterministic: the same shape gives the
// same cluster on every platform. matrix_bench uses the default 5,000-pod shape; analyzer_bench
// smaller ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/objects.h"

namespace npf::bench {

// Deterministic on every platform (no std distributions).
struct SplitMix64 {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return int(next() % uint64_t(n)); }
  bool chance(int pct) { return below(100) < pct; }
};

inline const char* kApps[] = {"web",  "db",     "api",     "cache", "queue",
                              "auth", "search", "billing", "mail",  "batch"};
inline const char* kTiers[] = {"frontend", "backend", "data"};
inline const char* kTeams[] = {"red", "blue", "green", "gold", "teal"};

inline LabelSelector matchLabels(Labels l) {
  LabelSelector s;
  s.matchLabels = std::move(l);
  return s;
}

inline NetworkPolicyPort tcp(int32_t port, std::optional<int32_t> end = std::nullopt) {
  NetworkPolicyPort p;
  p.port = PortRef{port};
  p.endPort = end;
  return p;
}
inline NetworkPolicyPort named(const std::string& name,
                               std::optional<Protocol> proto = std::nullopt) {
  NetworkPolicyPort p;
  p.port = PortRef{name};
  p.protocol = proto;
  return p;
}

// The shape of a synthetic cluster; the defaults are the matrix benchmark's 5,000 pods.
struct SyntheticShape {
  int namespaces = 50, podsPerNamespace = 100, nodes = 20, policiesPerNamespace = 20;
};

inline Cluster syntheticCluster(const SyntheticShape& shape = {}) {
  const int kNamespaces = shape.namespaces, kPodsPerNs = shape.podsPerNamespace,
            kNodes = shape.nodes, kPoliciesPerNs = shape.policiesPerNamespace;
  SplitMix64 rng{42};
  Cluster c;
  for (int n = 0; n < kNamespaces; ++n) {
    Namespace ns;
    ns.meta.name = "ns-" + std::to_string(n);
    ns.meta.labels = {{"team", kTeams[n % 5]}, {"env", n % 3 == 0 ? "prod" : "dev"}};
    c.namespaces.push_back(ns);
  }
  for (int i = 0; i < kNodes; ++i) {
    Node node;
    node.meta.name = "node-" + std::to_string(i);
    node.internalIPs = {"192.168.0." + std::to_string(i + 1)};
    c.nodes.push_back(node);
  }
  for (int n = 0; n < kNamespaces; ++n)
    for (int k = 0; k < kPodsPerNs; ++k) {
      int i = n * kPodsPerNs + k;
      Pod p;
      p.meta.namespace_ = "ns-" + std::to_string(n);
      p.meta.name = "pod-" + std::to_string(k);
      p.meta.labels = {{"app", kApps[rng.below(10)]}, {"tier", kTiers[rng.below(3)]}};
      if (rng.chance(30)) p.meta.labels["canary"] = "true";
      p.nodeName = "node-" + std::to_string(i % kNodes);
      p.podIP = "10." + std::to_string(i / 65536 + 1) + "." + std::to_string(i / 256 % 256) + "." +
                std::to_string(i % 256);
      p.podIPs = {p.podIP};
      Container ctr;
      ctr.image = "registry.k8s.io/e2e-test-images/agnhost:2.53";
      ctr.name = "app";
      // 'http' is 80 on half of the pods and 8080 on the other half.
      bool even = i % 2 == 0;
      ctr.ports = {{even ? "http" : "", 80, std::nullopt},
                   {even ? "" : "http", 8080, std::nullopt},
                   {"dns", 53, Protocol::UDP},
                   {"metrics", 9090, Protocol::TCP}};
      p.containers = {ctr};
      c.pods.push_back(p);
    }
  // One Service per namespace: 80 -> named 'http' (80 or 8080 depending on the backend), 53/UDP.
  for (int n = 0; n < kNamespaces; ++n) {
    Service s;
    s.meta.namespace_ = "ns-" + std::to_string(n);
    s.meta.name = "web";
    s.clusterIP = "10.96.0." + std::to_string(n + 1);
    s.selector = Labels{{"app", "web"}};
    ServicePort http;
    http.name = "http";
    http.port = 80;
    http.targetPort = PortRef{std::string("http")};
    ServicePort dns;
    dns.name = "dns";
    dns.port = 53;
    dns.protocol = Protocol::UDP;
    s.ports = {http, dns};
    c.services.push_back(s);
  }
  for (int n = 0; n < kNamespaces; ++n)
    for (int k = 0; k < kPoliciesPerNs; ++k) {
      NetworkPolicy pol;
      pol.meta.namespace_ = "ns-" + std::to_string(n);
      pol.meta.name = "pol-" + std::to_string(k);
      int kind = rng.below(100);
      pol.podSelector =
          rng.chance(15) ? LabelSelector{} : matchLabels({{"app", kApps[rng.below(10)]}});
      NetworkPolicyRule r;
      if (kind < 25) {  // from some app in the namespace, on the named port
        NetworkPolicyPeer peer;
        peer.podSelector = matchLabels({{"app", kApps[rng.below(10)]}});
        r.peers = std::vector{peer};
        r.ports = std::vector{named("http")};
        pol.ingress = std::vector{r};
      } else if (kind < 45) {  // from a team's namespaces, some tiers
        NetworkPolicyPeer peer;
        peer.namespaceSelector = matchLabels({{"team", kTeams[rng.below(5)]}});
        LabelSelector ps;
        ps.matchExpressions = {
            {"tier", SelectorOp::In, {kTiers[rng.below(3)], kTiers[rng.below(3)]}}};
        peer.podSelector = ps;
        r.peers = std::vector{peer};
        r.ports = std::vector{tcp(80), named("metrics")};
        pol.ingress = std::vector{r};
      } else if (kind < 55) {  // from address ranges, a port range
        NetworkPolicyPeer peer;
        int b = rng.below(20);
        peer.ipBlock = IPBlock{
            "10.1." + std::to_string(b) + ".0/24",
            {"10.1." + std::to_string(b) + "." + std::to_string(rng.below(4) * 64) + "/26"}};
        NetworkPolicyPeer nodes;
        nodes.ipBlock = IPBlock{"192.168.0.0/24", {}};
        r.peers = std::vector{peer, nodes};
        r.ports = std::vector{tcp(80, 8080)};
        pol.ingress = std::vector{r};
      } else if (kind < 70) {  // egress: DNS anywhere in the cluster + one app on 'http'
        NetworkPolicyPeer anyNs;
        anyNs.namespaceSelector = LabelSelector{};
        NetworkPolicyRule dns;
        dns.peers = std::vector{anyNs};
        dns.ports = std::vector{named("dns", Protocol::UDP)};
        NetworkPolicyPeer app;
        app.podSelector = matchLabels({{"app", kApps[rng.below(10)]}});
        NetworkPolicyRule web;
        web.peers = std::vector{app};
        web.ports = std::vector{named("http")};
        pol.egress = std::vector{dns, web};
        pol.policyTypes = std::vector{PolicyType::Egress};
      } else if (kind < 80) {  // default deny ingress
        pol.podSelector = LabelSelector{};
        pol.ingress = std::vector<NetworkPolicyRule>{};
      } else if (kind < 85) {  // deny egress, both types
        pol.ingress = std::vector{NetworkPolicyRule{}};
        pol.egress = std::vector<NetworkPolicyRule>{};
        pol.policyTypes = std::vector{PolicyType::Ingress, PolicyType::Egress};
      } else {  // from named namespaces (NotIn / In on the implicit label), canaries excluded
        NetworkPolicyPeer peer;
        LabelSelector nss;
        nss.matchExpressions = {{kNamespaceNameLabel,
                                 SelectorOp::In,
                                 {"ns-" + std::to_string(rng.below(kNamespaces)),
                                  "ns-" + std::to_string(rng.below(kNamespaces))}}};
        peer.namespaceSelector = nss;
        LabelSelector ps;
        ps.matchExpressions = {{"canary", SelectorOp::DoesNotExist, {}},
                               {"app", SelectorOp::NotIn, {"batch", "mail"}}};
        peer.podSelector = ps;
        r.peers = std::vector{peer};
        NetworkPolicyPort udp;
        udp.protocol = Protocol::UDP;
        r.ports = std::vector{udp, tcp(9090)};
        pol.ingress = std::vector{r};
      }
      c.policies.push_back(pol);
    }
  return c;
}

// `count` AdminNetworkPolicies and a BaselineAdminNetworkPolicy over a synthetic cluster: subjects
// by team or by app, priorities in pairs (ties), and rules of every action with namespaces, pods,
// nodes and networks peers and number, range and named ports.
inline void addAdminPolicies(Cluster& c, int count) {
  SplitMix64 rng{7};
  auto ns = [](Labels l) {
    ClusterPolicyPeer p;
    p.namespaces = matchLabels(std::move(l));
    return p;
  };
  auto port = [](int32_t n, int32_t end = 0) {
    ClusterPolicyPort p;
    p.kind = end ? ClusterPolicyPort::Kind::Range : ClusterPolicyPort::Kind::Number;
    p.port = n;
    p.endPort = end;
    return p;
  };
  for (int i = 0; i < count; ++i) {
    ClusterPolicy cp;
    cp.meta.name = "anp-" + std::to_string(i);
    cp.priority = i / 2;
    if (i % 2 == 0)
      cp.subject.namespaces = matchLabels({{"team", kTeams[i % 5]}});
    else
      cp.subject.pods = NamespacedPods{matchLabels({{"env", i % 3 ? "dev" : "prod"}}),
                                       matchLabels({{"app", kApps[rng.below(10)]}})};
    std::vector<ClusterPolicyRule> in, out;
    ClusterPolicyRule r;
    r.action = ClusterRuleAction::Pass;
    r.peers = {ns({{"team", kTeams[(i + 1) % 5]}})};
    in.push_back(r);
    r.action = ClusterRuleAction::Deny;
    r.peers = {ns({{"env", "prod"}})};
    r.ports = std::vector{port(5432), port(9000, 9100)};
    in.push_back(r);
    r.action = ClusterRuleAction::Allow;
    ClusterPolicyPeer pods;
    pods.pods = NamespacedPods{std::nullopt, matchLabels({{"tier", kTiers[i % 3]}})};
    r.peers = {pods};
    ClusterPolicyPort named;
    named.kind = ClusterPolicyPort::Kind::Named;
    named.name = "http";
    r.ports = std::vector{named};
    in.push_back(r);
    ClusterPolicyRule e;
    e.action = i % 3 == 0 ? ClusterRuleAction::Deny : ClusterRuleAction::Allow;
    ClusterPolicyPeer nodes, nets;
    nodes.nodes = LabelSelector{};
    nets.networks = std::vector<std::string>{"10.1." + std::to_string(i % 20) + ".0/24"};
    e.peers = {nodes, nets};
    e.ports = std::vector{port(53), port(443)};
    out.push_back(e);
    cp.ingress = in;
    cp.egress = out;
    c.clusterPolicies.push_back(std::move(cp));
  }
  ClusterPolicy banp;
  banp.kind = ClusterPolicyKind::BaselineAdminNetworkPolicy;
  banp.tier = PolicyTier::Baseline;
  banp.meta.name = "default";
  banp.subject.namespaces = matchLabels({{"env", "prod"}});
  ClusterPolicyRule deny;
  deny.action = ClusterRuleAction::Deny;
  deny.peers = {ns({})};
  banp.ingress = std::vector{deny};
  c.clusterPolicies.push_back(std::move(banp));
}

}  // namespace npf::bench
