#include "reports/comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace npf::results {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// A table as rows of cells; the first row is the header.
std::string table(const std::vector<std::vector<std::string>>& rows, bool markdown) {
  if (rows.empty()) return "";
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (size_t k = 0; k < rows.size(); ++k) {
    const auto& r = rows[k];
    for (size_t i = 0; i < width.size(); ++i) {
      std::string c = i < r.size() ? r[i] : "";
      if (markdown)
        out += "| " + c + " ";
      else
        out += (i ? "  " : "") + c + std::string(width[i] - c.size(), ' ');
    }
    if (markdown) out += "|";
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
    if (markdown && k == 0) {
      for (size_t i = 0; i < width.size(); ++i) out += i ? "---|" : "|---|";
      out += "\n";
    }
  }
  return out;
}

std::string cellKey(const CaseRecord& c, const CellRecord& cell) {
  return fmt::format("{} step {}: {} -> {}", c.name, cell.step, cell.from, cell.target());
}

}  // namespace

std::string runLabel(const Results& r) { return r.enforcer.empty() ? r.backend : r.enforcer; }

std::string renderComparison(const std::vector<LabelledRun>& runs, bool markdown, size_t maxCells) {
  std::string out;
  auto heading = [&](const std::string& h) {
    out += markdown ? "\n### " + h + "\n\n" : "\n" + h + "\n";
  };
  out += markdown ? "## netpolfuzz: runs side by side\n" : "netpolfuzz: runs side by side\n";
  std::vector<std::vector<std::string>> totals{{"run", "kind", "cases", "cells", "failing cases",
                                                "discrepancies", "flaky", "cases/s",
                                                "median ms/case", "median enforcer ms"}};
  for (const auto& lr : runs) {
    const Results& r = *lr.run;
    std::vector<double> perCase, enforcer;
    for (const auto& c : r.cases) {
      perCase.push_back(c.timings.totalMs);
      for (const auto& s : c.states) enforcer.push_back(s.enforcerMs);
    }
    std::string what = r.kind == "fuzz" ? fmt::format("fuzz seed {} {}", r.seed, r.size) : r.kind;
    totals.push_back({lr.label, what, std::to_string(r.cases.size()),
                      std::to_string(r.totals.cells), std::to_string(r.totals.failingCases),
                      std::to_string(r.totals.discrepancies), std::to_string(r.totals.flaky),
                      fmt::format("{:.2f}", r.seconds > 0 ? r.cases.size() / r.seconds : 0.0),
                      fmt::format("{:.0f}", median(perCase)),
                      fmt::format("{:.0f}", median(enforcer))});
  }
  out += "\n" + table(totals, markdown);

  // Cases by name, in the first run's order, then the others'.
  std::vector<std::string> names;
  std::set<std::string> seen;
  std::vector<std::map<std::string, const CaseRecord*>> byName(runs.size());
  for (size_t i = 0; i < runs.size(); ++i)
    for (const auto& c : runs[i].run->cases) {
      byName[i][c.name] = &c;
      if (seen.insert(c.name).second) names.push_back(c.name);
    }
  std::vector<std::vector<std::string>> cases{{"case"}};
  for (const auto& lr : runs) cases[0].push_back(lr.label);
  for (const auto& n : names) {
    std::vector<std::string> row{n};
    bool any = false;
    for (size_t i = 0; i < runs.size(); ++i) {
      auto it = byName[i].find(n);
      if (it == byName[i].end()) {
        row.push_back("not run");
        continue;
      }
      const CaseRecord& c = *it->second;
      any = any || c.failed();
      row.push_back(!c.backendError.empty() ? "backend error"
                    : c.discrepancies       ? fmt::format("{} discrepancies", c.discrepancies)
                                            : "pass");
    }
    if (any) cases.push_back(row);
  }
  heading(fmt::format("Cases that failed in any run ({})", cases.size() - 1));
  out += cases.size() > 1 ? table(cases, markdown) : std::string("none\n");

  // Failed cells of each run that the other runs of the same case did not fail.
  std::vector<std::string> lines;
  for (size_t i = 0; i < runs.size(); ++i)
    for (const auto& c : runs[i].run->cases)
      for (const auto& cell : c.cellsNotPassing) {
        if (!cell.is(CellStatus::Fail)) continue;
        std::vector<std::string> passedIn;
        for (size_t j = 0; j < runs.size(); ++j) {
          if (j == i) continue;
          auto it = byName[j].find(c.name);
          if (it == byName[j].end()) continue;
          bool failed = false;
          for (const auto& other : it->second->cellsNotPassing)
            failed = failed || (other.step == cell.step && other.from == cell.from &&
                                other.target() == cell.target() && other.is(CellStatus::Fail));
          if (!failed) passedIn.push_back(runs[j].label);
        }
        if (passedIn.empty()) continue;
        std::string observed = cell.observed.empty() ? "?" : cell.observed.back().result;
        lines.push_back(fmt::format("{}: fails on {} (expected {}, observed {}), passes on {}",
                                    cellKey(c, cell), runs[i].label, cell.expected, observed,
                                    fmt::join(passedIn, ", ")));
      }
  heading(fmt::format("Cells that fail in some runs only ({})", lines.size()));
  if (lines.empty()) out += "none\n";
  for (size_t k = 0; k < lines.size() && k < maxCells; ++k)
    out += (markdown ? "- " : "  ") + lines[k] + "\n";
  if (lines.size() > maxCells) out += fmt::format("... and {} more\n", lines.size() - maxCells);
  return out;
}

}  // namespace npf::results
