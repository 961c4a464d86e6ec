#include "runner/backend.h"

namespace npf::runner {

std::string Backend::configure(const RunSettings& settings) {
  if (settings.faults.empty()) return "";
  return "the " + name() +
         " backend cannot inject faults (only the local backend's own enforcer can)";
}

std::vector<Probe> expandProbes(const ProbeSet& set) {
  std::vector<Probe> out;
  out.reserve(set.cellCount());
  set.forEach([&](const Probe& p) { out.push_back(p); });
  return out;
}

}  // namespace npf::runner
