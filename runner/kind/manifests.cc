#include "runner/kind/manifests.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "model/codec.h"

namespace npf::runner::kind {
namespace {

using Json = nlohmann::ordered_json;

// The objects of `c` as the model's encoder writes them (so policies stay exact).
std::vector<Json> encoded(const Cluster& c) {
  Json list = Json::parse(encodeJson(c));
  return list["items"].get<std::vector<Json>>();
}

struct ServerContainer {
  std::string name;
  const ContainerPort* port = nullptr;  // nullptr: the idle container of a pod without ports
};

// One container per declared port, named as the upstream e2e suite names them; a pod without
// ports gets one idle container to probe from.
std::vector<ServerContainer> serverContainers(const Pod& p) {
  std::vector<ServerContainer> out;
  std::set<std::string> used;
  for (const auto& c : p.containers)
    for (const auto& port : c.ports) {
      std::string name =
          fmt::format("cont-{}-{}", port.containerPort, agnhostProtocol(port.effectiveProtocol()));
      for (int k = 2; used.count(name); ++k)
        name = fmt::format("cont-{}-{}-{}", port.containerPort,
                           agnhostProtocol(port.effectiveProtocol()), k);
      used.insert(name);
      out.push_back({name, &port});
    }
  if (out.empty()) out.push_back({"idle", nullptr});
  return out;
}

Json container(const ServerContainer& sc, const std::string& image) {
  Json j = Json::object();
  j["name"] = sc.name;
  j["image"] = image;
  j["imagePullPolicy"] = "IfNotPresent";
  if (!sc.port) {
    j["args"] = {"pause"};
    return j;
  }
  const ContainerPort& p = *sc.port;
  std::string port = std::to_string(p.containerPort);
  switch (p.effectiveProtocol()) {
    case Protocol::TCP:
      j["args"] = {"serve-hostname", "--tcp", "--http=false", "--port", port};
      break;
    case Protocol::UDP:
      j["args"] = {"serve-hostname", "--udp", "--http=false", "--port", port};
      break;
    case Protocol::SCTP:
      j["args"] = {"porter"};
      j["env"] = Json::array({Json{{"name", "SERVE_SCTP_PORT_" + port}, {"value", "foo"}}});
      break;
  }
  Json cp = Json::object();
  if (!p.name.empty()) cp["name"] = p.name;
  cp["containerPort"] = p.containerPort;
  cp["protocol"] = toString(p.effectiveProtocol());
  j["ports"] = Json::array({cp});
  return j;
}

Json podJson(const Pod& p, const std::string& kindNode, const KindLayout& layout) {
  Json j = Json::object();
  j["apiVersion"] = "v1";
  j["kind"] = "Pod";
  Json meta = Json::object();
  meta["name"] = p.meta.name;
  meta["namespace"] = p.meta.namespace_;
  if (!p.meta.labels.empty()) meta["labels"] = p.meta.labels;
  j["metadata"] = meta;
  Json spec = Json::object();
  if (!kindNode.empty()) spec["nodeName"] = kindNode;
  if (p.hostNetwork) spec["hostNetwork"] = true;
  spec["terminationGracePeriodSeconds"] = 0;
  // Pinned by nodeName: the control-plane taint must not keep a pod off its node.
  spec["tolerations"] = Json::array({{{"operator", "Exists"}}});
  Json containers = Json::array();
  for (const auto& sc : serverContainers(p)) containers.push_back(container(sc, layout.image));
  spec["containers"] = containers;
  j["spec"] = spec;
  return j;
}

Json namespaceJson(Json ns, const KindLayout& layout) {
  ns["metadata"]["labels"][kRunLabel] = layout.runId;
  return ns;
}

std::string dump(const Json& j) { return j.dump(2) + "\n"; }

}  // namespace

std::map<std::string, std::string> KindLayout::nodeMap(const Cluster& c) const {
  std::map<std::string, std::string> out;
  if (nodes.empty()) return out;
  for (size_t i = 0; i < c.nodes.size(); ++i) out[c.nodes[i].meta.name] = nodes[i % nodes.size()];
  return out;
}

const char* agnhostProtocol(Protocol p) {
  switch (p) {
    case Protocol::UDP:
      return "udp";
    case Protocol::SCTP:
      return "sctp";
    case Protocol::TCP:
      break;
  }
  return "tcp";
}

std::string execContainerOf(const Pod& p) { return serverContainers(p).front().name; }

std::string clientPodName(const std::string& kindNode) { return "client-" + kindNode; }

std::string renderNamespace(const Namespace& ns, const KindLayout& layout) {
  Cluster c;
  c.namespaces = {ns};
  return dump(namespaceJson(encoded(c).front(), layout));
}

std::string renderPolicy(const NetworkPolicy& p) {
  Cluster c;
  c.policies = {p};
  return dump(encoded(c).front());
}

std::string renderService(const Service& s) {
  Cluster c;
  c.services = {s};
  c.services[0].clusterIP.clear();
  Json j = encoded(c).front();
  if (j["spec"].contains("clusterIP")) j["spec"].erase("clusterIP");
  return dump(j);
}

std::string renderClusterPolicy(const ClusterPolicy& p, const KindLayout& layout) {
  Cluster c;
  c.clusterPolicies = {p};
  Json j = encoded(c).front();
  j["metadata"]["labels"][kRunLabel] = layout.runId;
  return dump(j);
}

std::string renderPod(const Pod& p, const std::string& kindNode, const KindLayout& layout) {
  return dump(podJson(p, kindNode, layout));
}

std::string renderManifests(const Cluster& c, const KindLayout& layout) {
  Json items = Json::array();
  Cluster namespaces;
  namespaces.namespaces = c.namespaces;
  Namespace runNs;
  runNs.meta.name = layout.runNamespace();
  namespaces.namespaces.push_back(runNs);
  for (auto& ns : encoded(namespaces)) items.push_back(namespaceJson(ns, layout));

  for (const auto& node : layout.nodes) {
    Pod client;
    client.meta.name = clientPodName(node);
    client.meta.namespace_ = layout.runNamespace();
    client.hostNetwork = true;
    items.push_back(podJson(client, node, layout));
  }
  auto nodeOf = layout.nodeMap(c);
  for (const auto& p : c.pods) {
    auto it = nodeOf.find(p.nodeName);
    items.push_back(podJson(p, it == nodeOf.end() ? "" : it->second, layout));
  }
  Cluster rest;
  rest.services = c.services;
  for (auto& s : rest.services) s.clusterIP.clear();  // the cluster assigns it
  rest.policies = c.policies;
  for (auto& obj : encoded(rest)) {
    if (obj["kind"] == "Service" && obj["spec"].contains("clusterIP"))
      obj["spec"].erase("clusterIP");
    items.push_back(obj);
  }
  Json list = Json::object();
  list["apiVersion"] = "v1";
  list["kind"] = "List";
  list["items"] = items;
  return dump(list);
}

}  // namespace npf::runner::kind
