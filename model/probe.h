// Probe endpoints and cells: who talks to whom on which port. Shared vocabulary of the oracle,
// the runners and the reports; the JSON contract spells endpoints as
// "ns/pod", "svc/ns/name", "node/NAME" and "ip/ADDR".
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/objects.h"

namespace npf {

struct Endpoint {
  enum class Kind { Pod, Service, Node, External };
  Kind kind = Kind::Pod;
  std::string namespace_;  // Pod and Service
  std::string name;        // Pod, Service and Node name; for External the address
  auto operator<=>(const Endpoint&) const = default;

  static Endpoint pod(std::string ns, std::string name) {
    return {Kind::Pod, std::move(ns), std::move(name)};
  }
  static Endpoint service(std::string ns, std::string name) {
    return {Kind::Service, std::move(ns), std::move(name)};
  }
  static Endpoint node(std::string name) { return {Kind::Node, "", std::move(name)}; }
  static Endpoint external(std::string ip) { return {Kind::External, "", std::move(ip)}; }
};

// "ns/pod", "svc/ns/name", "node/NAME", "ip/ADDR".
std::string toString(const Endpoint& e);
// Parses the spelling above; nullopt when it is none of the four forms.
std::optional<Endpoint> parseEndpoint(std::string_view s);

// A destination: an endpoint and a port on it (for a Service: the Service port).
struct Target {
  Endpoint to;
  int32_t port = 0;
  Protocol protocol = Protocol::TCP;
  auto operator<=>(const Target&) const = default;
};

struct Probe {
  Endpoint from;
  Target target;
  auto operator<=>(const Probe&) const = default;
};

// A block of probes: every source to every target. A probe set is a list of blocks, so that
// a 5,000-pod cluster's 100 million cells need no per-cell storage.
struct ProbeBlock {
  std::vector<Endpoint> sources;
  std::vector<Target> targets;
  size_t cellCount() const { return sources.size() * targets.size(); }
};

struct ProbeSet {
  std::vector<ProbeBlock> blocks;
  size_t cellCount() const;
  // Cells in block order, row-major (source-major) within a block.
  template <typename F>
  void forEach(F&& f) const {
    for (const auto& b : blocks)
      for (const auto& s : b.sources)
        for (const auto& t : b.targets) f(Probe{s, t});
  }
};

// `set` with only the endpoints `keep` accepts (sources, and targets by their endpoint); blocks
// left without a cell go.
ProbeSet keepEndpoints(const ProbeSet& set, const std::function<bool(const Endpoint&)>& keep);

// The default probe set of SEMANTICS/DESIGN when a case has no `Case` document:
//  1. every pod and every node -> every declared container port of every pod (by pod IP);
//  2. every pod -> every port of every Service that has at least one backend.
// Cells appear in declaration order of the objects. Pods without a pod IP are skipped.
ProbeSet defaultProbeSet(const Cluster& c);

}  // namespace npf
