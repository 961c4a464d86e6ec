// libFuzzer target for the known-failures file (reports/known_failures.h): parsing never
// crashes or hangs, every malformed line is reported at a real line and column, and whatever
// parses survives a render/parse round trip through a results document with those cells.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "reports/known_failures.h"

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "known_failures_fuzzer: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = npf::results::parseKnownFailures(text, "known.txt");
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const auto& e : parsed.errors) {
    check(e.line >= 1 && size_t(e.line) <= lines, "error outside the input");
    check(e.col >= 1, "error without a column");
  }
  if (!parsed.errors.empty()) return 0;
  // Every parsed entry as a failed cell of a results document: rendering lists them all, and
  // the check against the same entries finds nothing new and nothing fixed.
  npf::results::Results run;
  for (const auto& k : parsed.entries) {
    npf::results::CaseRecord* c = nullptr;
    for (auto& existing : run.cases)
      if (existing.name == k.caseName) c = &existing;
    if (!c) {
      run.cases.emplace_back();
      c = &run.cases.back();
      c->name = k.caseName;
    }
    npf::results::CellRecord cell;
    cell.step = k.step;
    cell.status = "fail";
    cell.from = k.from;
    auto colon = k.target.rfind(':'), slash = k.target.rfind('/');
    cell.to = k.target.substr(0, colon);
    cell.port = std::stoll(k.target.substr(colon + 1, slash - colon - 1));
    cell.protocol = k.target.substr(slash + 1);
    c->cellsNotPassing.push_back(cell);
  }
  auto check1 = npf::results::checkKnownFailures(run, parsed.entries);
  check(check1.ok(), "a run failing exactly the listed cells does not pass the check");
  auto again = npf::results::parseKnownFailures(npf::results::renderKnownFailures(run, "x"), "r");
  check(again.errors.empty(), "rendered file does not parse");
  check(again.entries.size() == parsed.entries.size(), "round trip changed the entries");
  return 0;
}
