// `netpolfuzz report --format text`: truth tables and cell lists for a terminal.
#include <fmt/format.h>

#include <algorithm>

#include "reports/results_grid.h"
#include "reports/results_render.h"

namespace npf::results {
namespace {

// Cells listed per state; the rest are counted (every cell is in the JSON and HTML reports).
constexpr size_t kCellsListed = 20;

std::string safe(std::string_view s) { return terminalSafe(s); }

std::string paint(bool color, const char* code, const std::string& text) {
  return color ? fmt::format("{}{}\x1b[0m", code, text) : text;
}

const char* verdictColor(const std::string& v) {
  return v == "FAIL" ? "\x1b[1;31m" : v == "FLAKY" ? "\x1b[1;33m" : "\x1b[1;32m";
}

std::string header(const Results& r) {
  std::string what = r.kind.empty() ? "run" : safe(r.kind) + " run";
  std::string detail;
  if (r.kind == "fuzz" || r.kind.empty())
    detail = fmt::format(" (seed {}, size {})", r.seed, safe(r.size));
  std::string out =
      fmt::format("netpolfuzz report: {} on the {} backend{}, {} in {:.1f} s ({:.0f} probes/s)\n",
                  what, safe(r.backend.empty() ? "?" : r.backend), detail,
                  count(r.cases.size(), "case", "cases"), r.seconds, r.totals.probesPerSecond);
  if (!r.enforcer.empty()) out += "enforcer: " + safe(r.enforcer) + "\n";
  if (!r.command.empty()) out += "command: " + safe(r.command) + "\n";
  if (!r.started.empty()) out += "started: " + safe(r.started) + "\n";
  if (!r.profile.empty()) {
    out += "profile:";
    for (const auto& [k, v] : r.profile) out += ' ' + safe(k) + '=' + safe(v);
    out += '\n';
  }
  if (!r.faults.empty()) {
    out += "injected faults:";
    for (const auto& f : r.faults) out += ' ' + safe(f);
    out += '\n';
  }
  if (r.interrupted) out += "interrupted: the campaign stopped early\n";
  if (!r.backendError.empty()) out += "backend failure: " + safe(r.backendError) + "\n";
  return out;
}

std::string observedList(const CellRecord& c) { return safe(attemptsText(c, true)); }

std::string cellLines(const CellRecord& c, bool color) {
  std::string status = c.is(CellStatus::Fail)    ? "FAIL"
                       : c.is(CellStatus::Flaky) ? "FLAKY"
                       : c.is(CellStatus::Error) ? "ERROR"
                                                 : safe(c.status);
  const char* code = status == "FAIL"    ? "\x1b[1;31m"
                     : status == "FLAKY" ? "\x1b[1;33m"
                                         : "\x1b[1;35m";
  std::string out = fmt::format("    {} step {}: {} -> {}  expected {}, observed {}\n",
                                paint(color, code, fmt::format("{:<5}", status)), c.step,
                                safe(c.from), safe(c.target()), safe(c.expected), observedList(c));
  if (!c.signature.empty()) out += "          signature: " + safe(c.signature) + "\n";
  if (!c.explanation.empty()) {
    std::string text = terminalSafe(c.explanation, true);
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      if (end > start) out += "          " + text.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
  return out;
}

std::string stateLine(const State& s) {
  std::string out =
      fmt::format("  step {}: {}: {} passed, {}, {} flaky, {} undefined, {} skipped, {}", s.step,
                  count(s.cells, "cell", "cells"), s.passed,
                  count(s.discrepancies, "discrepancy", "discrepancies"), s.flaky, s.undefined,
                  s.skipped, count(s.errors, "error", "errors"));
  if (s.refusedDenied) out += fmt::format(", {} denied by reject", s.refusedDenied);
  if (s.lateConverged) out += fmt::format(", {} converged late", s.lateConverged);
  out +=
      fmt::format("; {}, {}, apply {}, converged after {}\n",
                  count(uint64_t(std::max<int64_t>(0, s.rounds)), "round", "rounds"),
                  count(s.probes, "probe", "probes"), formatMs(s.applyMs), formatMs(s.convergeMs));
  return out;
}

bool stateNotable(const State& s) { return s.discrepancies > 0 || s.flaky > 0 || s.errors > 0; }

}  // namespace

std::string renderText(const Results& r, const TextOptions& o) {
  std::string out = header(r);
  bool tables = false, lastFull = false;
  for (const CaseRecord& c : r.cases) {
    std::string verdict = caseVerdict(c);
    bool notable = c.failed() || c.flaky > 0 || c.errors > 0;
    std::string counts = fmt::format(
        "{}, {}, {}, {} flaky, {}, {}", count(c.states.size(), "state", "states"),
        count(c.cells, "cell", "cells"), count(c.discrepancies, "discrepancy", "discrepancies"),
        c.flaky, count(c.errors, "error", "errors"), formatMs(c.timings.totalMs));
    bool full = notable || o.all;
    // Cases shown in full are set apart by blank lines; the one-line ones stay together.
    if ((full || lastFull || &c == &r.cases.front()) && !out.ends_with("\n\n")) out += '\n';
    lastFull = full;
    out += fmt::format("{} {}: {}\n", paint(o.color, verdictColor(verdict), verdict), safe(c.name),
                       counts);
    if (!full) continue;
    if (c.seed) out += fmt::format("  seed {}, index {}\n", *c.seed, c.index);
    if (!c.tags.empty()) {
      std::string tags;
      for (const auto& t : c.tags) tags += (tags.empty() ? "" : " ") + safe(t);
      out += "  tags: " + tags + "\n";
    }
    if (!c.file.empty()) out += "  saved case: " + safe(c.file) + "\n";
    if (!c.source.empty()) out += "  case file: " + safe(c.source) + "\n";
    if (!c.backendError.empty())
      out += "  " + paint(o.color, "\x1b[1;31m", "backend failure: ") + safe(c.backendError) + "\n";
    for (const State& s : c.states) {
      out += stateLine(s);
      if (!stateNotable(s) && !o.all) continue;
      if (!s.hasMatrix()) {
        out += "    (no matrix recorded for this state)\n";
      } else {
        StateGrid g = buildGrid(c, s);
        for (const Table& t : g.tables) {
          std::string block = textTables(t, s, g, o.color);
          size_t start = 0;
          out += '\n';
          while (start < block.size()) {
            size_t end = block.find('\n', start);
            if (end == std::string::npos) end = block.size();
            out += end > start ? "    " + block.substr(start, end - start) + "\n" : "\n";
            start = end + 1;
          }
          tables = true;
        }
        out += '\n';
      }
      size_t listed = 0, total = 0;
      for (const CellRecord& cell : c.cellsNotPassing) {
        if (cell.step != s.step) continue;
        if (total++ < kCellsListed) out += cellLines(cell, o.color), ++listed;
      }
      if (total > listed)
        out += fmt::format("    ... {} more cells not passing (see --format json or html)\n",
                           total - listed);
    }
  }
  if (tables) {
    out +=
        "\nlegend: expected . allow  X deny  ? undefined  - not probed\n"
        "        observed . connected  X timeout  r refused  e error  - skipped\n"
        "        diff     . agree  X discrepancy  ~ flaky  e error  ? undefined  - skipped\n";
  }
  size_t failed = 0;
  for (const CaseRecord& c : r.cases) failed += c.failed();
  out += fmt::format("\ntotal: {}, {} passed, {} failed; {}, {}, {} flaky, {}\n",
                     count(r.cases.size(), "case", "cases"), r.cases.size() - failed, failed,
                     count(r.totals.cells, "cell", "cells"),
                     count(r.totals.discrepancies, "discrepancy", "discrepancies"), r.totals.flaky,
                     count(r.totals.errors, "error", "errors"));
  if (failed == 0 && r.backendError.empty())
    out += paint(o.color, "\x1b[1;32m", "PASS") +
           fmt::format(": no discrepancies between the {} dataplane and the oracle\n",
                       safe(r.backend.empty() ? "?" : r.backend));
  else
    out += paint(o.color, "\x1b[1;31m", "FAIL") +
           fmt::format(": {} in {} of {} cases{}\n",
                       count(r.totals.discrepancies, "discrepancy", "discrepancies"), failed,
                       r.cases.size(), r.backendError.empty() ? "" : " (backend failure)");
  return out;
}

}  // namespace npf::results
