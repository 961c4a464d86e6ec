// libFuzzer target for the case-file codec: decoding never crashes, leaks or hangs on any
// input, and whatever decodes and validates cleanly survives an encode/decode round trip
// exactly, through YAML and through JSON.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "model/codec.h"
#include "model/validate.h"

namespace {

void check(bool ok, const char* what, const std::string& text) {
  if (ok) return;
  std::fprintf(stderr, "decode_fuzzer: %s\n--- encoded ---\n%s\n", what, text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  npf::DecodeResult r = npf::decodeManifests(text, "fuzz.yaml");
  std::vector<npf::Diagnostic> problems = npf::validate(r.cluster);
  for (const auto& d : problems) (void)npf::toString(d);
  if (!r.errors.empty() || !problems.empty()) return 0;

  std::string yaml = npf::encodeYaml(r.cluster);
  npf::DecodeResult again = npf::decodeManifests(yaml, "again.yaml");
  check(again.errors.empty(), "re-decoding encodeYaml output failed", yaml);
  check(again.cluster == r.cluster, "YAML round trip changed the cluster", yaml);
  check(npf::validate(again.cluster).empty(), "encodeYaml output no longer validates", yaml);

  std::string json = npf::encodeJson(r.cluster);
  npf::DecodeResult fromJson = npf::decodeManifests(json, "again.json");
  check(fromJson.errors.empty(), "re-decoding encodeJson output failed", json);
  check(fromJson.cluster == r.cluster, "JSON round trip changed the cluster", json);
  return 0;
}
