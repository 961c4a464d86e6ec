#include "model/probe.h"

#include <set>

#include "model/service_backends.h"

namespace npf {

std::string toString(const Endpoint& e) {
  switch (e.kind) {
    case Endpoint::Kind::Pod:
      return e.namespace_ + "/" + e.name;
    case Endpoint::Kind::Service:
      return "svc/" + e.namespace_ + "/" + e.name;
    case Endpoint::Kind::Node:
      return "node/" + e.name;
    case Endpoint::Kind::External:
      return "ip/" + e.name;
  }
  return "?";
}

static std::vector<std::string_view> splitSlash(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    parts.push_back(s.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

std::optional<Endpoint> parseEndpoint(std::string_view s) {
  auto parts = splitSlash(s);
  for (auto p : parts)
    if (p.empty()) return std::nullopt;
  // The kind prefixes win over a namespace of the same name; "pod/ns/name" is the explicit
  // spelling for pods in namespaces called "svc", "node", "ip" or "pod".
  if (parts.size() == 3 && parts[0] == "svc")
    return Endpoint::service(std::string(parts[1]), std::string(parts[2]));
  if (parts.size() == 3 && parts[0] == "pod")
    return Endpoint::pod(std::string(parts[1]), std::string(parts[2]));
  if (parts.size() == 2 && parts[0] == "node") return Endpoint::node(std::string(parts[1]));
  if (parts.size() == 2 && parts[0] == "ip") return Endpoint::external(std::string(parts[1]));
  // The kind words are reserved as a first segment: "svc/x" is a malformed Service, not a pod
  // x in namespace "svc" (that is "pod/svc/x").
  if (parts[0] == "svc" || parts[0] == "pod" || parts[0] == "node" || parts[0] == "ip")
    return std::nullopt;
  if (parts.size() == 2) return Endpoint::pod(std::string(parts[0]), std::string(parts[1]));
  return std::nullopt;
}

size_t ProbeSet::cellCount() const {
  size_t n = 0;
  for (const auto& b : blocks) n += b.cellCount();
  return n;
}

ProbeSet keepEndpoints(const ProbeSet& set, const std::function<bool(const Endpoint&)>& keep) {
  ProbeSet out;
  for (const auto& b : set.blocks) {
    ProbeBlock kept;
    for (const auto& s : b.sources)
      if (keep(s)) kept.sources.push_back(s);
    for (const auto& t : b.targets)
      if (keep(t.to)) kept.targets.push_back(t);
    if (kept.cellCount() > 0) out.blocks.push_back(std::move(kept));
  }
  return out;
}

ProbeSet defaultProbeSet(const Cluster& c) {
  ProbeSet set;
  ProbeBlock toPods;
  for (const auto& p : c.pods)
    if (!p.podIP.empty()) toPods.sources.push_back(Endpoint::pod(p.meta.namespace_, p.meta.name));
  ProbeBlock toServices;
  toServices.sources = toPods.sources;
  for (const auto& n : c.nodes)
    if (!n.internalIPs.empty()) toPods.sources.push_back(Endpoint::node(n.meta.name));

  for (const auto& p : c.pods) {
    if (p.podIP.empty()) continue;
    std::set<std::pair<int32_t, Protocol>> seen;  // one cell per port even if declared twice
    for (const auto& ctr : p.containers)
      for (const auto& port : ctr.ports)
        if (seen.insert({port.containerPort, port.effectiveProtocol()}).second)
          toPods.targets.push_back({Endpoint::pod(p.meta.namespace_, p.meta.name),
                                    port.containerPort, port.effectiveProtocol()});
  }
  for (const auto& s : c.services)
    for (const auto& sp : s.ports)
      if (!serviceBackends(c, s, sp).empty())
        toServices.targets.push_back(
            {Endpoint::service(s.meta.namespace_, s.meta.name), sp.port, sp.effectiveProtocol()});

  if (toPods.cellCount() > 0) set.blocks.push_back(std::move(toPods));
  if (toServices.cellCount() > 0) set.blocks.push_back(std::move(toServices));
  return set;
}

}  // namespace npf
