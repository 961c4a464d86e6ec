// `netpolfuzz report --format markdown`: a summary for a pull-request comment.
#include <fmt/format.h>

#include "reports/markup_escape.h"
#include "reports/results_grid.h"
#include "reports/results_render.h"

namespace npf::results {
namespace {

// Failing cells shown per failing case, and failing cases shown with their cells.
constexpr size_t kCellsPerCase = 10;
constexpr size_t kCasesWithCells = 20;

// Text inside the HTML of a <details> block, where Markdown escapes do not apply.
std::string html(std::string_view s) { return escapeMarkup(s, Markup::HtmlOneLine); }

std::string md(std::string_view s) { return markdownText(s); }
std::string code(std::string_view s) { return markdownCode(s); }

std::string observedWords(const CellRecord& c) { return md(attemptsText(c, false)); }

const char* mark(const char* verdict) {
  std::string_view v = verdict;
  return v == "FAIL" ? "❌ fail" : v == "FLAKY" ? "⚠️ flaky" : "✅ pass";
}

}  // namespace

std::string renderMarkdown(const Results& r, bool all) {
  size_t failed = 0, errorCases = 0;
  for (const CaseRecord& c : r.cases) {
    failed += c.failed();
    errorCases += c.errors > 0;
  }
  bool pass = failed == 0 && r.backendError.empty();
  std::string out =
      fmt::format("## netpolfuzz {}: {}\n\n", md(r.kind.empty() ? "results" : r.kind),
                  pass ? fmt::format("✅ PASS, {} cases without discrepancies", r.cases.size())
                       : fmt::format("❌ FAIL, {} in {} of {} cases",
                                     count(r.totals.discrepancies, "discrepancy", "discrepancies"),
                                     failed, r.cases.size()));
  std::string facts = fmt::format("{} backend", code(r.backend.empty() ? "?" : r.backend));
  if (r.kind == "fuzz" || r.kind.empty())
    facts += fmt::format(" · seed {} · size {}", r.seed, code(r.size));
  facts += fmt::format(" · {:.1f} s · {:.0f} probes/s", r.seconds, r.totals.probesPerSecond);
  if (!r.faults.empty()) {
    std::string f;
    for (const auto& x : r.faults) f += (f.empty() ? "" : ", ") + code(x);
    facts += " · injected fault" + std::string(r.faults.size() > 1 ? "s " : " ") + f;
  }
  out += facts + "\n\n";
  if (!r.command.empty()) out += "Command: " + code(r.command) + "\n\n";
  if (r.isShard())
    out += fmt::format("Shard {}/{} of a campaign (`netpolfuzz merge` joins the shards).\n\n",
                       r.shardIndex, r.shardCount);
  if (!r.mergedFrom.empty()) {
    out += fmt::format(
        "Merged from {} runs:\n\n| run | shard | cases | seconds | state |\n"
        "|---|---|---:|---:|---|\n",
        r.mergedFrom.size());
    for (const auto& p : r.mergedFrom)
      out += fmt::format("| {} | {} | {} | {:.1f} | {} |\n", code(p.source),
                         p.shardCount ? fmt::format("{}/{}", p.shardIndex, p.shardCount) : "-",
                         p.cases, p.seconds,
                         !p.backendError.empty() ? "backend failure: " + md(p.backendError)
                         : !p.finished           ? std::string("still running")
                         : p.interrupted         ? std::string("interrupted")
                                                 : std::string("finished"));
    out += "\n";
  }
  if (r.interrupted) out += "**Interrupted**: the campaign stopped early.\n\n";
  if (!r.backendError.empty()) out += "**Backend failure**: " + md(r.backendError) + "\n\n";
  out +=
      "| cases | passed | failed | cells | probes | discrepancies | flaky | errors |\n"
      "|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n\n", r.cases.size(),
                     r.cases.size() - failed, failed, r.totals.cells, r.totals.probes,
                     r.totals.discrepancies, r.totals.flaky, r.totals.errors);

  // Per-case summary.
  out += "### Cases\n\n";
  std::string rows;
  size_t hidden = 0;
  for (const CaseRecord& c : r.cases) {
    bool notable = c.failed() || c.flaky > 0 || c.errors > 0;
    if (!notable && !all) {
      ++hidden;
      continue;
    }
    std::string file = !c.file.empty() ? code(c.file) : code(c.source);
    if (!c.backendError.empty())
      file += (file.empty() ? "" : " · ") + std::string("backend failure: ") + md(c.backendError);
    rows += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", code(c.name),
                        mark(caseVerdict(c)), c.states.size(), c.cells, c.discrepancies, c.flaky,
                        c.errors, file);
  }
  if (!rows.empty())
    out +=
        "| case | result | states | cells | discrepancies | flaky | errors | case file |\n"
        "|---|:-:|---:|---:|---:|---:|---:|---|\n" +
        rows + "\n";
  if (hidden > 0)
    out += rows.empty() ? fmt::format("All {} cases passed{}.\n\n", hidden,
                                      errorCases ? "" : " with every cell as expected")
                        : fmt::format("{} not listed (`--all` lists every case).\n\n",
                                      count(hidden, "passing case", "passing cases"));

  // Signatures.
  auto groups = groupSignatures(r);
  if (!groups.empty()) {
    out +=
        "### Discrepancy signatures\n\n| signature | cases | cells | first case "
        "|\n|---|---:|---:|---|\n";
    for (const auto& g : groups)
      out += fmt::format("| {} | {} | {} | {} |\n",
                         g.signature.empty() ? "_(none recorded)_" : md(g.signature),
                         g.cases.size(), g.cells, code(r.cases[g.cases.front()].name));
    out += '\n';
  }

  // Tags.
  auto tags = tagGroups(r);
  if (!tags.empty()) {
    out += "### Tags\n\nA tag passes when every case carrying it passed.\n\n";
    for (const TagGroup& g : tags) {
      out += fmt::format("| {} | cases | passed | failed | result |\n|---|---:|---:|---:|:-:|\n",
                         md(g.title));
      for (const TagCount& t : g.tags)
        out += fmt::format("| {} | {} | {} | {} | {} |\n", code(t.tag), t.cases, t.cases - t.failed,
                           t.failed, t.failed ? "❌ fail" : "✅ pass");
      out += '\n';
    }
  }

  // The first failing cells of the first failing cases.
  size_t shownCases = 0, failingCases = 0;
  std::string details;
  for (const CaseRecord& c : r.cases) {
    if (c.discrepancies == 0 && c.flaky == 0) continue;
    ++failingCases;
    if (shownCases >= kCasesWithCells) continue;
    ++shownCases;
    std::string table;
    size_t shown = 0, total = 0;
    for (const CellRecord& cell : c.cellsNotPassing) {
      if (!cell.is(CellStatus::Fail) && !cell.is(CellStatus::Flaky)) continue;
      if (total++ >= kCellsPerCase) continue;
      ++shown;
      table += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", cell.step, md(cell.status),
                           code(cell.from), code(cell.target()), md(cell.expected),
                           observedWords(cell), md(cell.signature));
    }
    details += fmt::format("<details><summary>{}: {}, {} flaky</summary>\n\n", html(c.name),
                           count(c.discrepancies, "discrepancy", "discrepancies"), c.flaky);
    if (!table.empty())
      details +=
          "| step | status | from | to | expected | observed | signature "
          "|\n|---:|---|---|---|---|---|---|\n" +
          table;
    if (total > shown) details += fmt::format("\n… and {} more cells.\n", total - shown);
    details += "\n</details>\n\n";
  }
  if (!details.empty()) {
    out += "### Cells not passing\n\n" + details;
    if (failingCases > shownCases)
      out += fmt::format("… and {} more cases.\n\n", failingCases - shownCases);
  }
  out += fmt::format("<sub>{} · `netpolfuzz report --format markdown`</sub>\n",
                     md(r.tool.empty() ? "netpolfuzz" : r.tool));
  return out;
}

}  // namespace npf::results
