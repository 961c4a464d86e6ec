// libFuzzer target for the results.json reader and the report renderers: reading never crashes,
// leaks or hangs on any input; whatever reads cleanly survives renderJson/parseResults exactly;
// and every renderer handles it, keeping file contents from escaping their format (no
// terminal escapes in plain text, no "://" in the HTML page, no control characters in XML).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "reports/campaign_summary.h"
#include "reports/results_diff.h"
#include "reports/results_merge.h"
#include "reports/results_model.h"
#include "reports/results_render.h"

namespace {

void check(bool ok, const char* what, const std::string& text) {
  if (ok) return;
  std::fprintf(stderr, "results_fuzzer: %s\n--- text ---\n%s\n", what, text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npf::results;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ResultsLoad r = parseResults(text, "fuzz.json");
  if (!r.results) {
    check(r.error.line >= 1 && r.error.col >= 1, "error without a position", std::string(text));
    check(toString(r.error).find('\n') == std::string::npos, "multi-line error", std::string(text));
    return 0;
  }
  const Results& res = *r.results;
  std::string json = renderJson(res);
  ResultsLoad again = parseResults(json, "again.json");
  check(again.results.has_value(), "renderJson output does not read back", json);
  check(*again.results == res, "renderJson/parseResults changed the document", json);

  std::string plain = renderText(res, {false, true});
  check(plain.find('\x1b') == std::string::npos, "terminal escape in plain text", plain);
  (void)renderText(res, {true, false});
  (void)renderMarkdown(res, true);
  std::string xml = renderJunit(res);
  for (unsigned char c : xml)
    check(c >= 0x20 || c == '\n' || c == '\t', "control character in JUnit XML", xml);
  std::vector<CaseFile> files;
  for (const auto& c : res.cases)
    files.push_back({c.file, c.name + "\nkind: NetworkPolicy\n---\n" + c.source, ""});
  std::string html = renderHtml(res, files);
  check(html.find("://") == std::string::npos, "a URL in the HTML page", html);
  auto count = [&](std::string_view needle) {
    size_t n = 0;
    for (size_t at = html.find(needle); at != std::string::npos; at = html.find(needle, at + 1))
      ++n;
    return n;
  };
  check(count("<script") == 2 && count("</script") == 2,
        "text from the file opened or closed a script", html);

  // Merging a run alone gives its cases back; a run compared with itself has nothing new; the
  // status line of any run renders.
  MergeOutcome m = mergeResults({{"a/results.json", res}});
  if (m.errors.empty()) check(m.merged.cases.size() == res.cases.size(), "merge lost cases", json);
  RunDiff d = diffRuns(res, res);
  check(!d.hasNew() && d.gone.empty(), "a run differs from itself", json);
  std::string diffPlain = renderDiffText(d, "old", "new");
  check(diffPlain.find('\x1b') == std::string::npos, "terminal escape in diff text", diffPlain);
  (void)renderDiffMarkdown(d, "old", "new");
  (void)renderDiffJson(d, "old", "new");
  (void)npf::renderCampaignStatus({{"a", &res, "", 1.0}, {"b", nullptr, "no results yet", 0}});
  return 0;
}
