#include "runner/backend.h"

namespace npf::runner {

std::vector<Probe> expandProbes(const ProbeSet& set) {
  std::vector<Probe> out;
  out.reserve(set.cellCount());
  set.forEach([&](const Probe& p) { out.push_back(p); });
  return out;
}

}  // namespace npf::runner
