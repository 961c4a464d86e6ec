#include "model/case_probes.h"

namespace npf {

ProbeSet probeSetFor(const Case& c, const Cluster& state) {
  auto exists = [&](const Endpoint& e) {
    switch (e.kind) {
      case Endpoint::Kind::Pod:
        return state.findPod(e.namespace_, e.name) != nullptr;
      case Endpoint::Kind::Service:
        return state.findService(e.namespace_, e.name) != nullptr;
      case Endpoint::Kind::Node:
        return state.findNode(e.name) != nullptr;
      case Endpoint::Kind::External:
        return true;
    }
    return false;
  };
  if (c.meta.probes) return keepEndpoints(*c.meta.probes, exists);
  ProbeSet set = defaultProbeSet(state);
  if (state.externalHosts.empty()) return set;
  // External hosts: as sources to every pod port, and as destinations of every pod on TCP 80.
  ProbeBlock fromExternal, toExternal;
  for (const auto& h : state.externalHosts) {
    fromExternal.sources.push_back(Endpoint::external(h.ip));
    toExternal.targets.push_back({Endpoint::external(h.ip), 80, Protocol::TCP});
  }
  if (!set.blocks.empty() && !set.blocks[0].targets.empty() &&
      set.blocks[0].targets[0].to.kind == Endpoint::Kind::Pod)
    fromExternal.targets = set.blocks[0].targets;
  for (const auto& p : state.pods)
    if (!p.podIP.empty())
      toExternal.sources.push_back(Endpoint::pod(p.meta.namespace_, p.meta.name));
  if (fromExternal.cellCount() > 0) set.blocks.push_back(std::move(fromExternal));
  if (toExternal.cellCount() > 0) set.blocks.push_back(std::move(toExternal));
  return set;
}

}  // namespace npf
