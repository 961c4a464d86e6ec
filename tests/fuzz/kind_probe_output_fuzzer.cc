// libFuzzer target for the kind backend's probe-output parser: whatever `kubectl exec` prints
// (garbage, binary, half a line, duplicated or foreign result lines), parsing never crashes,
// gives exactly one result per planned probe, only verdict kinds a probe can have, and a latency
// that is a finite, non-negative number.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "runner/kind/probe_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npf;
  using namespace npf::runner::kind;
  // The first byte says how many probes the batch had (0..63).
  size_t count = size > 0 ? data[0] % 64 : 0;
  std::string_view out(reinterpret_cast<const char*>(data) + (size > 0), size > 0 ? size - 1 : 0);
  std::vector<PlannedProbe> probes;
  for (size_t i = 0; i < count; ++i)
    probes.push_back(PlannedProbe{i, *parseIp("10.0.0.1"), int(80 + i), Protocol::TCP});
  auto got = parseProbeOutput(out, probes);
  if (got.size() != count) std::abort();
  for (const auto& r : got) {
    if (r.kind == runner::ProbeResult::Kind::Skipped) std::abort();  // only the planner skips
    if (!(r.latencyMs >= 0) || !std::isfinite(r.latencyMs)) std::abort();
    if (r.kind == runner::ProbeResult::Kind::Error && r.detail.empty()) std::abort();
  }
  return 0;
}
