// libFuzzer target for the analyzer backend's reading of Cyclonus's output
// (runner/analyzer/cyclonus_query.h): whatever `cyclonus analyze --mode query-traffic` prints
// (garbage, binary, tables cut short, footers without a verdict), parsing never crashes, and
// either gives exactly the expected number of verdicts or an error that says why.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "runner/analyzer/cyclonus_query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte says how many traffic objects were asked (0..63).
  size_t expected = size > 0 ? data[0] % 64 : 0;
  std::string_view out(reinterpret_cast<const char*>(data) + (size > 0), size > 0 ? size - 1 : 0);
  std::string error;
  auto got = npf::runner::analyzer::parseCyclonusVerdicts(out, expected, error);
  if (got.has_value() != error.empty()) std::abort();
  if (got && got->size() != expected) std::abort();
  return 0;
}
