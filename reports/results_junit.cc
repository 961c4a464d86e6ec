// `netpolfuzz report --format junit`: one testcase per case and step, for CI test views.
#include <fmt/format.h>

#include "reports/markup_escape.h"
#include "reports/results_grid.h"
#include "reports/results_render.h"

namespace npf::results {
namespace {

constexpr size_t kCellsListed = 50;

std::string attr(std::string_view s) { return escapeMarkup(s, Markup::XmlAttribute); }
std::string text(std::string_view s) { return escapeMarkup(s, Markup::XmlText); }

std::string classname(const CaseRecord& c) {
  for (const auto& t : c.tags)
    if (t.rfind("family:", 0) == 0) return t;
  return "netpolfuzz";
}

std::string cellLine(const CellRecord& c) {
  std::string obs = attemptsText(c, true);
  std::string status = c.is(CellStatus::Fail)    ? "FAIL"
                       : c.is(CellStatus::Flaky) ? "FLAKY"
                       : c.is(CellStatus::Error) ? "ERROR"
                                                 : c.status;
  std::string out = fmt::format("{} {} -> {}  expected {}, observed {}\n", status, c.from,
                                c.target(), c.expected, obs);
  if (!c.signature.empty()) out += "  signature: " + c.signature + "\n";
  return out;
}

// Cells of `c` at `s.step` with status `status`, one line each (a bounded number).
std::string cellLines(const CaseRecord& c, const State& s, CellStatus status) {
  std::string out;
  size_t n = 0;
  for (const CellRecord& cell : c.cellsNotPassing) {
    if (cell.step != s.step || !cell.is(status)) continue;
    if (n++ < kCellsListed) out += cellLine(cell);
  }
  if (n > kCellsListed) out += fmt::format("... {} more\n", n - kCellsListed);
  return out;
}

std::string failureText(const CaseRecord& c, const State& s) {
  std::string out = fmt::format("{} step {}: {} in {}\n\n", c.name, s.step,
                                count(s.discrepancies, "discrepancy", "discrepancies"),
                                count(s.cells, "cell", "cells"));
  out += cellLines(c, s, CellStatus::Fail);
  if (s.hasMatrix()) {
    StateGrid g = buildGrid(c, s);
    bool any = false;
    for (const Table& t : g.tables) {
      bool failing = false;
      for (int64_t cell : t.cells) failing |= cell >= 0 && g.status[size_t(cell)] == Status::Fail;
      if (!failing) continue;
      out += "\n" + textTables(t, s, g, false) + "\n";
      any = true;
    }
    if (any)
      out +=
          "\nexpected . allow  X deny  ? undefined  - not probed\n"
          "observed . connected  X timeout  r refused  e error  - skipped\n"
          "diff     . agree  X discrepancy  ~ flaky  e error  ? undefined  - skipped\n";
  }
  return out;
}

}  // namespace

std::string renderJunit(const Results& r) {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
  std::string cases;
  for (const CaseRecord& c : r.cases) {
    std::string cls = attr(classname(c));
    auto open = [&](const std::string& name, double ms) {
      ++tests;
      seconds += ms / 1000;
      return fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", cls,
                         attr(name), ms / 1000);
    };
    std::string backendError =
        c.backendError.empty()
            ? ""
            : fmt::format("      <error type=\"backend\" message=\"{}\">{}</error>\n",
                          attr("backend failure: " + c.backendError), text(c.backendError));
    if (c.states.empty()) {
      cases += open(c.name, c.timings.totalMs);
      if (backendError.empty()) {
        ++skipped;
        cases += ">\n      <skipped message=\"no state was checked\"/>\n    </testcase>\n";
      } else {
        ++errors;
        cases += ">\n" + backendError + "    </testcase>\n";
      }
      continue;
    }
    for (size_t i = 0; i < c.states.size(); ++i) {
      const State& s = c.states[i];
      std::string body;
      if (s.discrepancies > 0) {
        ++failures;
        body += fmt::format("      <failure type=\"discrepancy\" message=\"{}\">{}</failure>\n",
                            attr(count(s.discrepancies, "discrepancy", "discrepancies") +
                                 " between the dataplane and the oracle"),
                            text(failureText(c, s)));
      } else if (i + 1 == c.states.size() && !backendError.empty()) {
        ++errors;
        body += backendError;
      } else if (s.cells == 0 || s.skipped == s.cells) {
        ++skipped;
        body += "      <skipped message=\"every cell was skipped\"/>\n";
      }
      std::string out;
      if (s.flaky > 0)
        out += count(s.flaky, "flaky cell", "flaky cells") +
               " (answered both ways; not a failure)\n" + cellLines(c, s, CellStatus::Flaky);
      if (s.errors > 0)
        out += count(s.errors, "cell", "cells") + " could not be probed (errors; not a failure)\n" +
               cellLines(c, s, CellStatus::Error);
      if (!out.empty()) body += "      <system-out>" + text(out) + "</system-out>\n";
      cases += open(fmt::format("{} step {}", c.name, s.step), s.applyMs + s.probeMs);
      cases += body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n";
    }
  }
  std::string suite =
      fmt::format("netpolfuzz {} ({} backend)", r.kind.empty() ? "results" : r.kind, r.backend);
  std::string props;
  auto prop = [&](const std::string& k, const std::string& v) {
    props += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", attr(k), attr(v));
  };
  prop("tool", r.tool);
  prop("command", r.command);
  prop("backend", r.backend);
  if (r.kind == "fuzz" || r.kind.empty()) prop("seed", std::to_string(r.seed));
  if (!r.started.empty()) prop("started", r.started);
  for (const auto& [k, v] : r.profile) prop("profile." + k, v);
  for (const auto& f : r.faults) prop("fault", f);
  std::string counts =
      fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\"",
                  tests, failures, errors, skipped, seconds);
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"netpolfuzz\" {}>\n"
      "  <testsuite name=\"{}\" {}>\n"
      "    <properties>\n{}    </properties>\n"
      "{}"
      "  </testsuite>\n"
      "</testsuites>\n",
      counts, attr(suite), counts, props, cases);
}

}  // namespace npf::results
