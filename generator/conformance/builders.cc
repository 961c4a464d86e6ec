// The building blocks every conformance family spells its cases with: the 3x3 pod shape,
// selectors, peers, ports, rules, policies, steps, cluster variants and probe sets. They live
// apart from the families so that each family file reads as a list of cases, and so that a
// change to a shared spelling is made once for the whole suite.
#include "generator/conformance/builders.h"

#include <fmt/format.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace npf::conformance {
namespace {

constexpr const char* kImage = "registry.k8s.io/e2e-test-images/agnhost:2.53";

int nsIndex(const std::string& ns) { return ns == "x" ? 1 : ns == "y" ? 2 : ns == "z" ? 3 : 4; }
int podIndex(const std::string& pod) {
  if (pod.size() == 1 && pod[0] >= 'a' && pod[0] <= 'z') return pod[0] - 'a' + 1;
  return 9;
}

}  // namespace

std::string ip4(const std::string& ns, const std::string& pod) {
  return fmt::format("10.0.{}.{}", nsIndex(ns), podIndex(pod));
}
std::string ip6(const std::string& ns, const std::string& pod) {
  return fmt::format("fd00:10::{}:{}", nsIndex(ns), podIndex(pod));
}

Container container(const std::string& name, const std::string& portName, int32_t port,
                    Protocol proto) {
  Container c;
  c.name = name;
  c.image = kImage;
  c.ports.push_back(ContainerPort{portName, port, proto});
  return c;
}

// A pod of the 3x3 shape (also for pods that steps create, e.g. x/d at 10.0.1.4).
Pod makePod(const std::string& ns, const std::string& name, const ConformanceClusterOptions& o,
            Labels labels) {
  Pod p;
  p.meta.name = name;
  p.meta.namespace_ = ns;
  p.meta.labels = labels.empty() ? Labels{{"pod", name}} : std::move(labels);
  p.nodeName = podIndex(name) % 2 == 0 ? "node-2" : "node-1";
  std::vector<Protocol> protos = {Protocol::TCP, Protocol::UDP};
  if (o.sctp) protos.push_back(Protocol::SCTP);
  for (int32_t port : {80, 81})
    for (Protocol proto : protos) {
      std::string lower = proto == Protocol::TCP ? "tcp" : proto == Protocol::UDP ? "udp" : "sctp";
      std::string suffix = fmt::format("{}-{}", port, lower);
      p.containers.push_back(container("cont-" + suffix, "serve-" + suffix, port, proto));
    }
  if (o.namedPortVariants) {
    int i = podIndex(name);
    int32_t num = i == 2 ? 8081 : 8080;
    Protocol proto = i == 3 ? Protocol::UDP : Protocol::TCP;
    p.containers.push_back(container("cont-http", "http", num, proto));
  }
  if (o.ipv6Only) {
    p.podIP = ip6(ns, name);
    p.podIPs = {p.podIP};
  } else if (o.dualStack) {
    p.podIP = ip6(ns, name);
    p.podIPs = {ip6(ns, name), ip4(ns, name)};
  } else {
    p.podIP = ip4(ns, name);
    p.podIPs = {p.podIP};
  }
  return p;
}

const char* dirName(Dir d) { return d == Dir::Ingress ? "ingress" : "egress"; }
std::string dirTag(Dir d) { return std::string("direction:") + dirName(d); }

LabelSelector all() { return {}; }
LabelSelector match(Labels l) {
  LabelSelector s;
  s.matchLabels = std::move(l);
  return s;
}
LabelSelector podIs(const std::string& v) { return match({{"pod", v}}); }
LabelSelector nsIs(const std::string& v) { return match({{"ns", v}}); }
LabelSelector nsNamed(const std::string& v) { return match({{kNameLabel, v}}); }
LabelSelector expr(std::string key, SelectorOp op, std::vector<std::string> values) {
  LabelSelector s;
  s.matchExpressions.push_back({std::move(key), op, std::move(values)});
  return s;
}
LabelSelector exprs(std::vector<LabelSelectorRequirement> rs) {
  LabelSelector s;
  s.matchExpressions = std::move(rs);
  return s;
}

NetworkPolicyPeer pods(LabelSelector s) {
  NetworkPolicyPeer p;
  p.podSelector = std::move(s);
  return p;
}
NetworkPolicyPeer namespaces(LabelSelector s) {
  NetworkPolicyPeer p;
  p.namespaceSelector = std::move(s);
  return p;
}
NetworkPolicyPeer podsIn(LabelSelector pod, LabelSelector ns) {
  NetworkPolicyPeer p;
  p.podSelector = std::move(pod);
  p.namespaceSelector = std::move(ns);
  return p;
}
NetworkPolicyPeer ipBlock(std::string cidr, std::vector<std::string> except) {
  NetworkPolicyPeer p;
  p.ipBlock = IPBlock{std::move(cidr), std::move(except)};
  return p;
}

NetworkPolicyPort num(int32_t port, std::optional<Protocol> proto) {
  NetworkPolicyPort p;
  p.protocol = proto;
  p.port = PortRef{port};
  return p;
}
NetworkPolicyPort tcp(int32_t port) { return num(port, Protocol::TCP); }
NetworkPolicyPort udp(int32_t port) { return num(port, Protocol::UDP); }
NetworkPolicyPort sctp(int32_t port) { return num(port, Protocol::SCTP); }
NetworkPolicyPort named(std::string name, std::optional<Protocol> proto) {
  NetworkPolicyPort p;
  p.protocol = proto;
  p.port = PortRef{std::move(name)};
  return p;
}
NetworkPolicyPort protocolOnly(std::optional<Protocol> proto) {
  NetworkPolicyPort p;
  p.protocol = proto;
  return p;
}
NetworkPolicyPort range(int32_t from, int32_t to, std::optional<Protocol> proto) {
  NetworkPolicyPort p = num(from, proto);
  p.endPort = to;
  return p;
}

NetworkPolicyRule rule(Peers peers, Ports ports) {
  NetworkPolicyRule r;
  r.peers = std::move(peers);
  r.ports = std::move(ports);
  return r;
}
NetworkPolicyRule allowAll() { return {}; }

// A policy with explicit policyTypes matching the sections given (as upstream's helpers do).
NetworkPolicy policy(const std::string& ns, const std::string& name,
                     std::optional<LabelSelector> target, std::optional<Rules> ingress,
                     std::optional<Rules> egress) {
  NetworkPolicy p;
  p.meta.name = name;
  p.meta.namespace_ = ns;
  p.podSelector = std::move(target);
  std::vector<PolicyType> types;
  if (ingress) types.push_back(PolicyType::Ingress);
  if (egress) types.push_back(PolicyType::Egress);
  p.policyTypes = types;
  p.ingress = std::move(ingress);
  p.egress = std::move(egress);
  return p;
}
NetworkPolicy ingressPolicy(const std::string& ns, const std::string& name, LabelSelector target,
                            Rules rules) {
  return policy(ns, name, std::move(target), std::move(rules), std::nullopt);
}
NetworkPolicy egressPolicy(const std::string& ns, const std::string& name, LabelSelector target,
                           Rules rules) {
  return policy(ns, name, std::move(target), std::nullopt, std::move(rules));
}
NetworkPolicy dirPolicy(Dir d, const std::string& ns, const std::string& name,
                        std::optional<LabelSelector> target, Rules rules) {
  if (d == Dir::Ingress) return policy(ns, name, std::move(target), std::move(rules), std::nullopt);
  return policy(ns, name, std::move(target), std::nullopt, std::move(rules));
}
// Raw spelling: policyTypes exactly as given (nullopt = absent), sections as given.
NetworkPolicy rawPolicy(const std::string& ns, const std::string& name, LabelSelector target,
                        std::optional<std::vector<PolicyType>> types, std::optional<Rules> ingress,
                        std::optional<Rules> egress) {
  NetworkPolicy p;
  p.meta.name = name;
  p.meta.namespace_ = ns;
  p.podSelector = std::move(target);
  p.policyTypes = std::move(types);
  p.ingress = std::move(ingress);
  p.egress = std::move(egress);
  return p;
}

using A = Step::Action;
Step createPolicy(NetworkPolicy p) {
  Step s;
  s.action = A::CreatePolicy;
  s.policy = std::move(p);
  return s;
}
Step updatePolicy(NetworkPolicy p) {
  Step s;
  s.action = A::UpdatePolicy;
  s.policy = std::move(p);
  return s;
}
Step deletePolicy(const std::string& ns, const std::string& name) {
  Step s;
  s.action = A::DeletePolicy;
  s.namespace_ = ns;
  s.name = name;
  return s;
}
Step relabelPod(const std::string& ns, const std::string& name, Labels labels) {
  Step s;
  s.action = A::RelabelPod;
  s.namespace_ = ns;
  s.name = name;
  s.labels = std::move(labels);
  return s;
}
Step relabelNamespace(const std::string& name, Labels labels) {
  Step s;
  s.action = A::RelabelNamespace;
  s.name = name;
  s.labels = std::move(labels);
  return s;
}
Step deletePod(const std::string& ns, const std::string& name) {
  Step s;
  s.action = A::DeletePod;
  s.namespace_ = ns;
  s.name = name;
  return s;
}
Step createPod(Pod p) {
  Step s;
  s.action = A::CreatePod;
  s.pod = std::move(p);
  return s;
}

Cluster base(const ConformanceClusterOptions& o) { return conformanceCluster(o); }
Cluster with(Cluster c, std::vector<NetworkPolicy> ps) {
  for (auto& p : ps) c.policies.push_back(std::move(p));
  return c;
}
ConformanceClusterOptions withSctp() {
  ConformanceClusterOptions o;
  o.sctp = true;
  return o;
}
ConformanceClusterOptions withNamedPorts() {
  ConformanceClusterOptions o;
  o.namedPortVariants = true;
  return o;
}

// The default probe set, plus every external host to every declared pod port, plus every pod
// to every external host on `externalPorts`, plus every pod to every node on `nodePorts`.
ProbeSet probesWithOutside(const Cluster& c,
                           const std::vector<std::pair<int32_t, Protocol>>& externalPorts,
                           const std::vector<std::pair<int32_t, Protocol>>& nodePorts) {
  ProbeSet set = defaultProbeSet(c);
  std::vector<Endpoint> podSources;
  std::vector<Target> podTargets;
  for (const auto& p : c.pods) {
    if (p.podIP.empty()) continue;
    podSources.push_back(Endpoint::pod(p.meta.namespace_, p.meta.name));
    std::set<std::pair<int32_t, Protocol>> seen;
    for (const auto& ctr : p.containers)
      for (const auto& port : ctr.ports)
        if (seen.insert({port.containerPort, port.effectiveProtocol()}).second)
          podTargets.push_back({Endpoint::pod(p.meta.namespace_, p.meta.name), port.containerPort,
                                port.effectiveProtocol()});
  }
  if (!c.externalHosts.empty()) {
    ProbeBlock in;
    for (const auto& e : c.externalHosts) in.sources.push_back(Endpoint::external(e.ip));
    in.targets = podTargets;
    ProbeBlock out;
    out.sources = podSources;
    for (const auto& e : c.externalHosts)
      for (const auto& [port, proto] : externalPorts)
        out.targets.push_back({Endpoint::external(e.ip), port, proto});
    if (in.cellCount()) set.blocks.push_back(std::move(in));
    if (out.cellCount()) set.blocks.push_back(std::move(out));
  }
  if (!nodePorts.empty()) {
    ProbeBlock toNodes;
    toNodes.sources = podSources;
    for (const auto& n : c.nodes)
      for (const auto& [port, proto] : nodePorts)
        toNodes.targets.push_back({Endpoint::node(n.meta.name), port, proto});
    if (toNodes.cellCount()) set.blocks.push_back(std::move(toNodes));
  }
  return set;
}

// The "typical" rule the target-selection cases keep fixed: from/to y/b on TCP 80.
NetworkPolicyRule typicalRule() {
  return rule(std::vector{podsIn(podIs("b"), nsIs("y"))}, std::vector{tcp(80)});
}

}  // namespace npf::conformance
