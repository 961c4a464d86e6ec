// The renderers of `netpolfuzz report` (reports/results_render.h): golden files for text,
// Markdown and JUnit from tests/golden/reports/results.json (UPDATE_GOLDENS=1 rewrites them),
// escaping of names taken from files, and an HTML smoke test (self-contained, well nested,
// names every case and signature).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "reports/results_grid.h"
#include "reports/results_model.h"
#include "reports/results_render.h"
#include "tests/support/run_process.h"

namespace npf::results {
namespace {

const std::string kDir = std::string(NPF_SOURCE_DIR) + "/tests/golden/reports/";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Results fixture() {
  ResultsLoad r = parseResults(readFile(kDir + "results.json"), "results.json");
  EXPECT_TRUE(r.results) << toString(r.error);
  return r.results ? *r.results : Results{};
}

// Compares `actual` with the golden file, or rewrites it when UPDATE_GOLDENS=1.
void expectGolden(const std::string& name, const std::string& actual) {
  std::string path = kDir + name;
  const char* update = std::getenv("UPDATE_GOLDENS");
  if (update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::string golden = readFile(path);
  EXPECT_EQ(actual, golden) << "golden " << path
                            << " differs; UPDATE_GOLDENS=1 rewrites it after review";
}

// A tiny HTML checker: every element closed in order (void elements excepted), no stray `<`,
// script and style bodies skipped. Returns "" or the first problem.
std::string checkHtml(const std::string& html) {
  static const std::set<std::string> voids{"area",  "base", "br",   "col",    "embed", "hr", "img",
                                           "input", "link", "meta", "source", "track", "wbr"};
  std::vector<std::string> stack;
  size_t i = 0;
  while (i < html.size()) {
    size_t lt = html.find('<', i);
    if (lt == std::string::npos) break;
    if (html.compare(lt, 4, "<!--") == 0) {
      size_t end = html.find("-->", lt);
      if (end == std::string::npos) return "unterminated comment";
      i = end + 3;
      continue;
    }
    if (html.compare(lt, 2, "<!") == 0) {
      i = html.find('>', lt) + 1;
      continue;
    }
    size_t gt = html.find('>', lt);
    if (gt == std::string::npos) return "unterminated tag at " + std::to_string(lt);
    bool closing = html[lt + 1] == '/';
    size_t nameStart = lt + (closing ? 2 : 1), nameEnd = nameStart;
    while (nameEnd < gt &&
           (std::isalnum(static_cast<unsigned char>(html[nameEnd])) || html[nameEnd] == '-'))
      ++nameEnd;
    std::string name = html.substr(nameStart, nameEnd - nameStart);
    if (name.empty()) return "stray '<' at " + std::to_string(lt) + ": " + html.substr(lt, 40);
    std::string tag = html.substr(lt, gt - lt + 1);
    // Attribute values must not hide a '<' (they are escaped).
    if (tag.find('<', 1) != std::string::npos) return "'<' inside a tag: " + tag.substr(0, 80);
    i = gt + 1;
    if (closing) {
      if (stack.empty() || stack.back() != name)
        return "</" + name + "> closes <" + (stack.empty() ? "nothing" : stack.back()) + "> at " +
               std::to_string(lt);
      stack.pop_back();
      continue;
    }
    if (voids.count(name) || tag[tag.size() - 2] == '/') continue;
    if (name == "script" || name == "style") {
      size_t end = html.find("</" + name + ">", i);
      if (end == std::string::npos) return "unterminated <" + name + ">";
      i = end + name.size() + 3;
      continue;
    }
    stack.push_back(name);
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  return "";
}

// A tiny XML well-formedness check of the same kind (no void elements, `<?xml` prolog).
std::string checkXml(const std::string& xml) {
  std::string body = xml;
  if (body.rfind("<?xml", 0) == 0) body = body.substr(body.find("?>") + 2);
  for (size_t i = 0; i < body.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return "control character in XML";
    if (c == '&') {
      size_t semi = body.find(';', i);
      std::string ent = body.substr(i, semi == std::string::npos ? 8 : semi - i + 1);
      if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;" && ent != "&apos;" &&
          ent.rfind("&#", 0) != 0)
        return "bad entity " + ent;
    }
  }
  return checkHtml(std::string("<r>") + body + "</r>").empty() ? "" : checkHtml(body);
}

std::vector<CaseFile> fixtureFiles(const Results& r) {
  std::vector<CaseFile> files;
  for (const CaseRecord& c : r.cases) {
    CaseFile f;
    f.path = c.file.empty() ? c.source : c.file;
    std::string path = kDir + f.path;
    std::ifstream in(path);
    if (in)
      f.text = readFile(path);
    else
      f.error = "No such file or directory";
    files.push_back(f);
  }
  return files;
}

// A results document whose names try to break out of every format.
Results hostile() {
  Results r = fixture();
  CaseRecord& c = r.cases[0];
  c.name = "evil</script><script>alert(1)</script>&\x1b[31m|`*_[x](https://example.com)";
  c.tags.push_back("<b>TAG</b>");
  c.file = "failures/\"quote'.yaml";
  State& s = c.states[0];
  s.blocks[0].from[0] = "x/<img src=x onerror=alert(1)>";
  CellRecord& cell = c.cellsNotPassing[0];
  cell.from = s.blocks[0].from[0];
  cell.signature =
      "expected allow, observed timeout · <i>ingress</i> & \"more\" http://example.com";
  cell.explanation = "line one\n\x1b]0;title\x07 line two </pre> ]]>";
  return r;
}

TEST(ReportsResultsRender, TextGolden) { expectGolden("report.txt", renderText(fixture())); }

TEST(ReportsResultsRender, TextAllGolden) {
  expectGolden("report-all.txt", renderText(fixture(), {false, true}));
}

TEST(ReportsResultsRender, MarkdownGolden) { expectGolden("report.md", renderMarkdown(fixture())); }

TEST(ReportsResultsRender, JunitGolden) { expectGolden("junit.xml", renderJunit(fixture())); }

TEST(ReportsResultsRender, TextColourOnlyWhenAsked) {
  std::string plain = renderText(fixture());
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  std::string color = renderText(fixture(), {true, false});
  EXPECT_NE(color.find("\x1b[1;97;41mX\x1b[0m"),
            std::string::npos);  // a discrepancy in the diff table
  EXPECT_NE(color.find("\x1b[1;31mFAIL"), std::string::npos);
}

TEST(ReportsResultsRender, TextShowsPassingCasesAsOneLineUnlessAll) {
  Results r = fixture();
  std::string text = renderText(r);
  EXPECT_NE(text.find("PASS actions/create-policy: 2 states, 8 cells"), std::string::npos) << text;
  EXPECT_EQ(text.find("case file: cases/create-policy.yaml"), std::string::npos);
  // Only the failing step of a failing case gets tables.
  EXPECT_EQ(text.find("    80/TCP expected    observed    diff\n           x/a x/b     x/a x/b     "
                      "x/a x/b\n    x/a     ?   .   "),
            std::string::npos)
      << text;
  std::string all = renderText(r, {false, true});
  EXPECT_NE(all.find("case file: cases/create-policy.yaml"), std::string::npos);
}

TEST(ReportsResultsRender, WideTablesAreStacked) {
  Results r = fixture();
  State& s = r.cases[0].states[0];
  for (auto& t : s.blocks[0].to)
    t.insert(0, "svc/a-very-long-namespace-name/");  // "svc/…/x/a:80/TCP"
  std::string text = renderText(r);
  EXPECT_NE(text.find("    80/TCP expected\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    80/TCP diff\n"), std::string::npos) << text;
}

TEST(ReportsResultsRender, MarkdownAllListsEveryCase) {
  std::string md = renderMarkdown(fixture(), true);
  EXPECT_NE(md.find("| `actions/create-policy` | ✅ pass |"), std::string::npos) << md;
  EXPECT_EQ(md.find("not listed"), std::string::npos);
}

TEST(ReportsResultsRender, EverythingFromTheFileIsEscaped) {
  Results r = hostile();
  std::string text = renderText(r, {false, true});
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "terminal escape passed through";
  EXPECT_EQ(text.find('\x07'), std::string::npos);

  std::string md = renderMarkdown(r, true);
  EXPECT_EQ(md.find("<script>"), std::string::npos);
  EXPECT_NE(md.find("`<b>TAG</b>`"), std::string::npos) << "markup in a code span is shown as text";
  EXPECT_EQ(md.find("<b>TAG"), md.find("`<b>TAG") + 1) << "markup outside a code span";
  EXPECT_NE(md.find("<summary>evil&lt;/script&gt;"), std::string::npos)
      << "HTML escaping inside <details>";
  for (size_t at = md.find("](https://"); at != std::string::npos;
       at = md.find("](https://", at + 1))
    EXPECT_EQ(md[at - 1], '\\') << "a link survived: " << md.substr(at - 10, 40);
  EXPECT_EQ(md.find('\x1b'), std::string::npos);

  std::string xml = renderJunit(r);
  EXPECT_EQ(checkXml(xml), "") << xml;
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  EXPECT_NE(xml.find("evil&lt;/script&gt;"), std::string::npos);

  std::string html = renderHtml(r, fixtureFiles(r));
  EXPECT_EQ(checkHtml(html), "");
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>TAG"), std::string::npos);
  EXPECT_EQ(html.find("<i>ingress"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("evil&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;"),
            std::string::npos);
}

TEST(ReportsResultsRender, HtmlIsOneSelfContainedWellFormedPage) {
  Results r = fixture();
  std::string html = renderHtml(r, fixtureFiles(r));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(checkHtml(html), "");
  // Nothing is fetched: no URL, no src or stylesheet link, no CSS url() or @import.
  for (const char* forbidden :
       {"http://", "https://", "src=", "<link", "url(", "@import", "//cdn", "<iframe"})
    EXPECT_EQ(html.find(forbidden), std::string::npos) << forbidden;
  size_t at = 0;
  while ((at = html.find("href=\"", at)) != std::string::npos) {
    at += 6;
    EXPECT_EQ(html[at], '#') << "a link that leaves the page: " << html.substr(at, 40);
  }
  for (const CaseRecord& c : r.cases) EXPECT_NE(html.find(c.name), std::string::npos) << c.name;
  for (const SignatureGroup& g : groupSignatures(r))
    EXPECT_NE(html.find(g.signature), std::string::npos) << g.signature;
  // The cells' data for the matrices, the filters, the policies and the unreadable file.
  EXPECT_NE(html.find("<script id=\"npf-data\" type=\"application/json\">"), std::string::npos);
  EXPECT_NE(html.find("\"e\":\"?....?XX....-\""), std::string::npos);
  EXPECT_NE(html.find("\"s\":\"upfppupfpkep"
                      "s\""),
            std::string::npos);
  for (const char* id :
       {"id=\"f-from\"", "id=\"f-to\"", "id=\"f-port\"", "id=\"f-verdict\"", "id=\"panel\""})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_NE(html.find("NetworkPolicies (1) from <code>failures/small-s42-0007.yaml</code>"),
            std::string::npos);
  EXPECT_NE(html.find("name: allow-x"), std::string::npos);
  EXPECT_NE(
      html.find(
          "<code>failures/small-s42-0009.yaml</code> could not be read: No such file or directory"),
      std::string::npos);
  EXPECT_NE(html.find("action: create-policy"), std::string::npos)
      << "the steps of a case are shown with its policies";
}

TEST(ReportsResultsRender, EmptyResultsRenderInEveryFormat) {
  Results r;
  r.backend = "local";
  EXPECT_NE(renderText(r).find("PASS"), std::string::npos);
  EXPECT_NE(renderMarkdown(r).find("PASS"), std::string::npos);
  EXPECT_EQ(checkXml(renderJunit(r)), "");
  EXPECT_EQ(checkHtml(renderHtml(r)), "");
}

TEST(ReportsResultsRender, BackendFailureIsAJunitError) {
  Results r = fixture();
  r.cases[1].backendError = "setUp: cannot create namespace";
  std::string xml = renderJunit(r);
  EXPECT_NE(
      xml.find(
          "<error type=\"backend\" message=\"backend failure: setUp: cannot create namespace\">"),
      std::string::npos)
      << xml;
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos);
  // A state where every cell was skipped is a skipped testcase.
  r.cases[2].states[0].skipped = r.cases[2].states[0].cells;
  EXPECT_NE(renderJunit(r).find("<skipped message=\"every cell was skipped\"/>"),
            std::string::npos);
}

// The `report` subcommand end to end.
TEST(ReportsResultsRender, ReportCommandRendersEachFormatAndRejectsBadInput) {
  using npf::testing::runProcess;
  const std::string cli = NPF_CLI, fixturePath = kDir + "results.json";
  auto text = runProcess({cli, "report", fixturePath});
  EXPECT_EQ(text.exitCode, 0) << text.err;
  EXPECT_EQ(text.out, renderText(fixture()));  // not a terminal: no colour
  auto color = runProcess({cli, "report", fixturePath, "--color", "always"});
  EXPECT_NE(color.out.find('\x1b'), std::string::npos);
  auto json = runProcess({cli, "report", fixturePath, "--format", "json"});
  EXPECT_EQ(json.out, readFile(fixturePath));
  auto md = runProcess({cli, "report", fixturePath, "--format", "markdown", "--all"});
  EXPECT_EQ(md.out, renderMarkdown(fixture(), true));
  std::string out = ::testing::TempDir() + "npf-report-test/report.html";
  auto html = runProcess({cli, "report", fixturePath, "--format", "html", "--out", out});
  EXPECT_EQ(html.exitCode, 0) << html.err;
  std::string page = readFile(out);
  EXPECT_NE(page.find("name: allow-x"), std::string::npos)
      << "the case file is read relative to results.json";
  EXPECT_NE(page.find("kind: Case"), std::string::npos)
      << "the source file is found relative to results.json";
  EXPECT_EQ(checkHtml(page), "");

  std::string bad = ::testing::TempDir() + "npf-bad-results.json";
  std::ofstream(bad)
      << "{\n  \"schema\": \"netpolfuzz.results/v1\",\n  \"totals\": [],\n  \"cases\": []\n}\n";
  auto r = runProcess({cli, "report", bad});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.err, bad + ":3:13: totals: expected an object\n");
  auto missing = runProcess({cli, "report", bad + ".missing"});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_EQ(missing.err.rfind(bad + ".missing:0:0: cannot read results file", 0), 0u)
      << missing.err;
  EXPECT_EQ(runProcess({cli, "report", fixturePath, "--format", "pdf"}).exitCode, 2);
  auto help = runProcess({cli, "report", "--help"});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("netpolfuzz report out/fuzz/results.json --format html"),
            std::string::npos);
}

}  // namespace
}  // namespace npf::results
