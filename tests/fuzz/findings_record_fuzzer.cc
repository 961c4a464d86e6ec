// libFuzzer target for the findings database's record reader (reports/findings_db.h): reading
// never crashes, leaks or hangs; a bad record is one located line; whatever reads cleanly is
// written back and read again unchanged.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "reports/findings_db.h"

namespace {

void check(bool ok, const char* what, const std::string& text) {
  if (ok) return;
  std::fprintf(stderr, "findings_record_fuzzer: %s\n--- text ---\n%s\n", what, text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npf::results;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  FindingLoad r = parseFinding(text, "db/x.json");
  if (!r.finding) {
    check(r.error.line >= 1 && r.error.col >= 1, "error without a position", std::string(text));
    check(toString(r.error).find('\n') == std::string::npos, "multi-line error", std::string(text));
    return 0;
  }
  check(r.finding->id == findingId(r.finding->signature), "id not of its signature",
        std::string(text));
  std::string written = renderFinding(*r.finding);
  FindingLoad again = parseFinding(written, "again.json");
  check(again.finding.has_value(), "renderFinding output does not read back", written);
  check(*again.finding == *r.finding, "renderFinding/parseFinding changed the record", written);
  return 0;
}
