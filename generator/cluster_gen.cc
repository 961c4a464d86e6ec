#include "generator/cluster_gen.h"

#include <fmt/format.h>

namespace npf {

ClusterShape shapeFor(ClusterSize size) {
  switch (size) {
    case ClusterSize::Small:
      return {3, 3, 2, 2};
    case ClusterSize::Medium:
      return {4, 4, 3, 3};
    case ClusterSize::Large:
      return {8, 6, 4, 6};
  }
  return {};
}

const LabelVocabulary& labelVocabulary() {
  static const LabelVocabulary v{
      {{"app", {"web", "db", "api"}}, {"tier", {"front", "back"}}, {"env", {"prod", "dev"}}},
      {{"team", {"red", "blue"}}, {"env", {"prod", "dev"}}},
  };
  return v;
}

namespace {

const char* kNamespaceNames[] = {"x", "y", "z", "w", "v", "u", "t", "s"};
const char* kPodNames[] = {"a", "b", "c", "d", "e", "f", "g", "h"};

ContainerPort port(std::string name, int32_t number, Protocol p) {
  return ContainerPort{std::move(name), number, p};
}

std::string lower(Protocol p) {
  std::string s = toString(p);
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Ports of one pod: always serve-80-tcp (the upstream e2e shape), then a few of the others.
// "http" is 8080 or 8081 depending on the pod; "metrics" is 9090/TCP or 9090/UDP; "dns" 53/UDP.
std::vector<ContainerPort> podPorts(Random& rng, const GeneratorWeights& w) {
  std::vector<ContainerPort> ports = {port("serve-80-tcp", 80, Protocol::TCP)};
  struct Candidate {
    int percent;
    ContainerPort port;
  };
  const Candidate candidates[] = {
      {45, port("serve-81-tcp", 81, Protocol::TCP)},
      {45, port("serve-80-udp", 80, Protocol::UDP)},
      {25, port("serve-81-udp", 81, Protocol::UDP)},
      {w.sctpPorts, port("serve-81-sctp", 81, Protocol::SCTP)},
      {35, port("http", rng.percent(50) ? 8080 : 8081, Protocol::TCP)},
      {20, port("metrics", 9090, rng.percent(50) ? Protocol::TCP : Protocol::UDP)},
      {10, port("dns", 53, Protocol::UDP)},
      {10, port("", 82, Protocol::TCP)},  // unnamed, only numeric rules can reach it
  };
  for (const auto& c : candidates)
    if (rng.percent(c.percent)) {
      ContainerPort p = c.port;
      // The protocol field is optional for TCP; leave it out sometimes (defaulting).
      if (p.protocol == Protocol::TCP && rng.percent(30)) p.protocol.reset();
      ports.push_back(p);
    }
  return ports;
}

std::vector<Container> containersFor(const std::vector<ContainerPort>& ports) {
  // One server container per port, as the upstream e2e pods (and the kind backend) do.
  std::vector<Container> out;
  for (const auto& p : ports)
    out.push_back(Container{fmt::format("c-{}-{}", p.containerPort, lower(p.effectiveProtocol())),
                            "registry.k8s.io/e2e-test-images/agnhost:2.53",
                            {p}});
  return out;
}

}  // namespace

Cluster generateCluster(Random& rng, ClusterSize size, const GeneratorWeights& w) {
  ClusterShape shape = shapeFor(size);
  const LabelVocabulary& vocab = labelVocabulary();
  Cluster c;
  bool dual = rng.percent(w.dualStack);
  bool v6Primary = dual && rng.percent(w.ipv6Primary);

  for (int n = 0; n < shape.nodes; ++n) {
    Node node;
    node.meta.name = fmt::format("node-{}", n + 1);
    node.meta.labels["kubernetes.io/hostname"] = node.meta.name;  // as every real node has
    node.internalIPs = {fmt::format("172.18.0.{}", n + 2)};
    if (dual) node.internalIPs.push_back(fmt::format("fd00:172:18::{:x}", n + 2));
    if (v6Primary) std::swap(node.internalIPs[0], node.internalIPs[1]);
    c.nodes.push_back(node);
  }

  std::vector<int> podsOnNode(shape.nodes, 0);
  for (int i = 0; i < shape.namespaces; ++i) {
    Namespace ns;
    ns.meta.name = kNamespaceNames[i];
    ns.meta.labels["ns"] = ns.meta.name;
    for (const auto& [key, values] : vocab.namespaceLabels)
      if (rng.percent(50)) ns.meta.labels[key] = rng.pick(values);
    c.namespaces.push_back(ns);

    for (int j = 0; j < shape.podsPerNamespace; ++j) {
      Pod pod;
      pod.meta.namespace_ = ns.meta.name;
      pod.meta.name = kPodNames[j];
      pod.meta.labels["pod"] = pod.meta.name;
      for (const auto& [key, values] : vocab.podLabels)
        if (rng.percent(45)) pod.meta.labels[key] = rng.pick(values);
      int node = int(rng.below(shape.nodes));
      pod.nodeName = c.nodes[node].meta.name;
      int host = 10 + podsOnNode[node]++;
      std::string v4 = fmt::format("10.244.{}.{}", node + 1, host);
      pod.podIPs = {v4};
      if (dual) pod.podIPs.push_back(fmt::format("fd00:10:244:{}::{:x}", node + 1, host));
      if (v6Primary) std::swap(pod.podIPs[0], pod.podIPs[1]);
      pod.podIP = pod.podIPs[0];
      pod.containers = containersFor(podPorts(rng, w));
      c.pods.push_back(pod);
    }
  }

  // A hostNetwork pod (a node agent): its address is its node's, and its traffic is the node's.
  if (rng.percent(w.hostNetworkPod)) {
    const Node& node = rng.pick(c.nodes);
    Pod agent;
    agent.meta.namespace_ = c.namespaces[rng.below(c.namespaces.size())].meta.name;
    agent.meta.name = "host-agent";
    agent.meta.labels = {{"pod", "host-agent"}, {"app", "web"}};
    agent.nodeName = node.meta.name;
    agent.hostNetwork = true;
    agent.podIPs = node.internalIPs;
    agent.podIP = agent.podIPs[0];
    agent.containers = containersFor({port("agent", 9100, Protocol::TCP)});
    c.pods.push_back(agent);
  }

  if (rng.percent(w.services)) {
    int count = int(rng.range(1, shape.maxServices));
    for (int s = 0; s < count; ++s) {
      const Namespace& ns = c.namespaces[rng.below(c.namespaces.size())];
      Service svc;
      svc.meta.namespace_ = ns.meta.name;
      svc.meta.name = fmt::format("svc-{}", s + 1);
      svc.clusterIP =
          v6Primary ? fmt::format("fd00:10:96::{:x}", s + 10) : fmt::format("10.96.0.{}", s + 10);
      // Select by a shared label (several backends) or by one pod's name.
      if (rng.percent(60)) {
        const auto& [key, values] = rng.pick(vocab.podLabels);
        svc.selector = Labels{{key, rng.pick(values)}};
      } else {
        svc.selector = Labels{{"pod", kPodNames[rng.below(shape.podsPerNamespace)]}};
      }
      switch (rng.below(4)) {
        case 0:  // port == targetPort (absent)
          svc.ports.push_back({"", 80, std::nullopt, std::nullopt});
          break;
        case 1:  // Service port differs from the numeric target port
          svc.ports.push_back({"", 8000 + int32_t(rng.below(100)), std::nullopt, PortRef{80}});
          break;
        case 2:  // named target port, resolving to 8080 or 8081 depending on the backend
          svc.ports.push_back({"", 80, std::nullopt, PortRef{std::string("http")}});
          break;
        default:  // two ports, one UDP
          svc.ports.push_back({"web", 8080, Protocol::TCP, PortRef{std::string("serve-80-tcp")}});
          svc.ports.push_back({"udp", 5353, Protocol::UDP, PortRef{80}});
          break;
      }
      c.services.push_back(svc);
    }
  }

  c.externalHosts.push_back({"ext-1", v6Primary ? "2001:db8::10" : "192.0.2.10"});
  c.externalHosts.push_back({"ext-2", v6Primary ? "2001:db8:1::20" : "203.0.113.20"});
  return c;
}

}  // namespace npf
