// The houses cluster and the cluster-scoped policy constructors (cluster_builders.h). The
// cluster mirrors network-policy-api's conformance/base/manifests.yaml so that the transcribed
// tests keep upstream's namespace, pod, port and rule names.
#include "generator/conformance/cluster_builders.h"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"

namespace npf::conformance {
namespace {

constexpr const char* kHouseImage = "registry.k8s.io/e2e-test-images/agnhost:2.45";
constexpr const char* kHouses[] = {"gryffindor", "slytherin", "hufflepuff", "ravenclaw"};

int houseIndex(const std::string& house) {
  for (int i = 0; i < 4; ++i)
    if (house == kHouses[i]) return i + 1;
  return 9;
}

std::string statefulSet(const std::string& house) {
  if (house == "gryffindor") return "harry-potter";
  if (house == "slytherin") return "draco-malfoy";
  if (house == "hufflepuff") return "cedric-diggory";
  if (house == "ravenclaw") return "luna-lovegood";
  return "centaur";
}

Container server(const std::string& name, const std::string& portName, int32_t port,
                 Protocol proto) {
  Container c = container(name, portName, port, proto);
  c.image = kHouseImage;
  return c;
}

}  // namespace

std::string houseNs(const std::string& house) { return "network-policy-conformance-" + house; }
std::string housePod(const std::string& house, int ordinal) {
  return fmt::format("{}-{}", statefulSet(house), ordinal);
}
std::string houseIp(const std::string& house, int ordinal) {
  return fmt::format("10.0.{}.{}", houseIndex(house), ordinal + 1);
}

Cluster houses(const HouseOptions& o) {
  Cluster c;
  for (int i = 1; i <= 2; ++i) {
    Node n;
    n.meta.name = fmt::format("node-{}", i);
    n.meta.labels = {{"kubernetes.io/os", "linux"}};
    n.internalIPs.push_back(fmt::format("172.18.0.{}", i + 1));
    c.nodes.push_back(n);
  }
  for (const char* house :
       {"gryffindor", "slytherin", "hufflepuff", "ravenclaw", "forbidden-forrest"}) {
    Namespace n;
    n.meta.name = houseNs(house);
    n.meta.labels = {{"conformance-house", house}};
    c.namespaces.push_back(n);
  }
  for (const char* house : kHouses)
    for (int ordinal = 0; ordinal < 2; ++ordinal) {
      const std::string set = statefulSet(house);
      Pod p;
      p.meta.name = housePod(house, ordinal);
      p.meta.namespace_ = houseNs(house);
      p.meta.labels = {{"conformance-house", house},
                       {"statefulset.kubernetes.io/pod-name", housePod(house, ordinal)}};
      p.nodeName = ordinal == 0 ? "node-1" : "node-2";
      p.containers.push_back(server(set + "-80", "web", 80, Protocol::TCP));
      p.containers.push_back(server(set + "-8080", "", 8080, Protocol::TCP));
      p.containers.push_back(server(set + "-5353", "", 5353, Protocol::UDP));
      p.containers.push_back(server(set + "-53", "dns", 53, Protocol::UDP));
      p.containers.push_back(server(set + "-9003", "", 9003, Protocol::SCTP));
      p.containers.push_back(server(set + "-9005", "", 9005, Protocol::SCTP));
      p.podIP = houseIp(house, ordinal);
      p.podIPs = {p.podIP};
      c.pods.push_back(std::move(p));
    }
  if (o.centaurs)
    for (int ordinal = 0; ordinal < 2; ++ordinal) {
      Pod p;
      p.meta.name = housePod("forbidden-forrest", ordinal);
      p.meta.namespace_ = houseNs("forbidden-forrest");
      p.meta.labels = {{"conformance-house", "forbidden-forrest"}};
      p.nodeName = ordinal == 0 ? "node-1" : "node-2";
      p.hostNetwork = true;
      p.containers.push_back(server("centaur-34345-tcp", "web-34345", 34345, Protocol::TCP));
      p.containers.push_back(server("centaur-34346-tcp", "web-34346", 34346, Protocol::TCP));
      p.containers.push_back(server("centaur-34347-udp", "dns-34347", 34347, Protocol::UDP));
      p.containers.push_back(server("centaur-34349-udp", "dns-34349", 34349, Protocol::UDP));
      p.containers.push_back(server("centaur-34351", "", 34351, Protocol::SCTP));
      p.containers.push_back(server("centaur-34352", "", 34352, Protocol::SCTP));
      p.podIP = c.nodes[ordinal].internalIPs[0];
      p.podIPs = {p.podIP};
      c.pods.push_back(std::move(p));
    }
  return c;
}

LabelSelector houseNamed(const std::string& house) { return match({{kNameLabel, houseNs(house)}}); }
LabelSelector houseIs(const std::string& house) { return match({{"conformance-house", house}}); }

ClusterPolicySubject subjectNamespaces(LabelSelector ns) {
  ClusterPolicySubject s;
  s.namespaces = std::move(ns);
  return s;
}
ClusterPolicySubject subjectPods(std::optional<LabelSelector> ns, LabelSelector pod) {
  ClusterPolicySubject s;
  s.pods = NamespacedPods{std::move(ns), std::move(pod)};
  return s;
}

ClusterPolicyPeer cpNamespaces(LabelSelector ns) {
  ClusterPolicyPeer p;
  p.namespaces = std::move(ns);
  return p;
}
ClusterPolicyPeer cpPods(std::optional<LabelSelector> ns, LabelSelector pod) {
  ClusterPolicyPeer p;
  p.pods = NamespacedPods{std::move(ns), std::move(pod)};
  return p;
}
ClusterPolicyPeer cpNodes(LabelSelector nodes) {
  ClusterPolicyPeer p;
  p.nodes = std::move(nodes);
  return p;
}
ClusterPolicyPeer cpNetworks(std::vector<std::string> cidrs) {
  ClusterPolicyPeer p;
  p.networks = std::move(cidrs);
  return p;
}

ClusterPolicyPort cpPort(Protocol proto, int32_t port) {
  ClusterPolicyPort p;
  p.kind = ClusterPolicyPort::Kind::Number;
  p.protocol = proto;
  p.port = port;
  return p;
}
ClusterPolicyPort cpRange(Protocol proto, int32_t start, int32_t end) {
  ClusterPolicyPort p;
  p.kind = ClusterPolicyPort::Kind::Range;
  p.protocol = proto;
  p.port = start;
  p.endPort = end;
  return p;
}
ClusterPolicyPort cpNamed(std::string name) {
  ClusterPolicyPort p;
  p.kind = ClusterPolicyPort::Kind::Named;
  p.name = std::move(name);
  return p;
}

ClusterPolicyRule cpRule(std::string name, ClusterRuleAction action,
                         std::vector<ClusterPolicyPeer> peers, CpPorts ports) {
  ClusterPolicyRule r;
  r.name = std::move(name);
  r.action = action;
  r.peers = std::move(peers);
  r.ports = std::move(ports);
  return r;
}

ClusterPolicy anp(const std::string& name, int32_t priority, ClusterPolicySubject subject,
                  std::optional<CpRules> ingress, std::optional<CpRules> egress) {
  ClusterPolicy p;
  p.kind = ClusterPolicyKind::AdminNetworkPolicy;
  p.meta.name = name;
  p.tier = PolicyTier::Admin;
  p.priority = priority;
  p.subject = std::move(subject);
  p.ingress = std::move(ingress);
  p.egress = std::move(egress);
  return p;
}
ClusterPolicy banp(ClusterPolicySubject subject, std::optional<CpRules> ingress,
                   std::optional<CpRules> egress) {
  ClusterPolicy p = anp("default", 0, std::move(subject), std::move(ingress), std::move(egress));
  p.kind = ClusterPolicyKind::BaselineAdminNetworkPolicy;
  p.tier = PolicyTier::Baseline;
  return p;
}
ClusterPolicy cnp(const std::string& name, PolicyTier tier, int32_t priority,
                  ClusterPolicySubject subject, std::optional<CpRules> ingress,
                  std::optional<CpRules> egress) {
  ClusterPolicy p = anp(name, priority, std::move(subject), std::move(ingress), std::move(egress));
  p.kind = ClusterPolicyKind::ClusterNetworkPolicy;
  p.tier = tier;
  return p;
}

Cluster withCluster(Cluster c, std::vector<ClusterPolicy> ps) {
  for (auto& p : ps) c.clusterPolicies.push_back(std::move(p));
  return c;
}

Step createClusterPolicy(ClusterPolicy p) {
  Step s;
  s.action = Step::Action::CreateClusterPolicy;
  s.clusterPolicy = std::move(p);
  return s;
}
Step updateClusterPolicy(ClusterPolicy p) {
  Step s;
  s.action = Step::Action::UpdateClusterPolicy;
  s.clusterPolicy = std::move(p);
  return s;
}
Step deleteClusterPolicy(ClusterPolicyKind kind, const std::string& name) {
  Step s;
  s.action = Step::Action::DeleteClusterPolicy;
  s.kind = kind;
  s.name = name;
  return s;
}

ClusterPolicy swapIngress(ClusterPolicy p, size_t i, size_t j) {
  std::swap(p.ingress->at(i), p.ingress->at(j));
  return p;
}
ClusterPolicy swapEgress(ClusterPolicy p, size_t i, size_t j) {
  std::swap(p.egress->at(i), p.egress->at(j));
  return p;
}

}  // namespace npf::conformance
