#include "runner/backend.h"

#include <fmt/format.h>

namespace npf::runner {

std::string Backend::configure(const RunSettings& settings) {
  if (settings.faults.empty()) return "";
  return "the " + name() +
         " backend cannot inject faults (only the local backend's own enforcer can)";
}

bool Backend::canReconcile(const Cluster& from, const Cluster& to) const {
  if (from.nodes.size() != to.nodes.size() || !(from.externalHosts == to.externalHosts))
    return false;
  for (size_t i = 0; i < from.nodes.size(); ++i)
    if (from.nodes[i].meta.name != to.nodes[i].meta.name ||
        from.nodes[i].internalIPs != to.nodes[i].internalIPs)
      return false;
  return true;
}

std::vector<Probe> expandProbes(const ProbeSet& set) {
  std::vector<Probe> out;
  out.reserve(set.cellCount());
  set.forEach([&](const Probe& p) { out.push_back(p); });
  return out;
}

std::string refuseClusterPolicies(const Cluster& desired, const std::string& backend) {
  if (desired.clusterPolicies.empty()) return "";
  const ClusterPolicy& first = desired.clusterPolicies.front();
  const size_t more = desired.clusterPolicies.size() - 1;
  return fmt::format(
      "the {} backend does not enforce cluster-scoped policies yet ({} {}{}); "
      "`netpolfuzz expect` and `explain` judge them",
      backend, toString(first.kind), first.meta.name,
      more ? fmt::format(" and {} more", more) : "");
}

}  // namespace npf::runner
