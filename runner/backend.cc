#include "runner/backend.h"

namespace npf::runner {

const char* toString(ProbeResult::Kind k) {
  switch (k) {
    case ProbeResult::Kind::Connected:
      return "connected";
    case ProbeResult::Kind::Timeout:
      return "timeout";
    case ProbeResult::Kind::Refused:
      return "refused";
    case ProbeResult::Kind::Error:
      return "error";
    case ProbeResult::Kind::Skipped:
      return "skipped";
  }
  return "?";
}

std::vector<Probe> expandProbes(const ProbeSet& set) {
  std::vector<Probe> out;
  out.reserve(set.cellCount());
  set.forEach([&](const Probe& p) { out.push_back(p); });
  return out;
}

}  // namespace npf::runner
