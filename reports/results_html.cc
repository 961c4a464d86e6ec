// `netpolfuzz report --format html`: one self-contained page. Summaries (totals, signatures,
// cases, tags, case files) are static HTML; the matrices are drawn by the inline script from
// an embedded JSON copy of the cells, only when a case is opened, so that a suite of hundreds
// of cases stays a few megabytes and opens quickly.
// The stylesheet and the script are files of their own (reports/assets/), compiled in.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "reports/assets/report_assets.h"
#include "reports/markup_escape.h"
#include "reports/results_grid.h"
#include "reports/results_render.h"

namespace npf::results {
namespace {

using json = nlohmann::json;

// HTML text or attribute value (reports/markup_escape.h).
std::string h(std::string_view s) { return escapeMarkup(s, Markup::Html); }

// JSON for inside <script>: nothing in it can end the element or read as markup or a URL.
std::string scriptJson(const json& j) {
  std::string raw = j.dump(-1, ' ', true, json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size() + raw.size() / 16);
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else if (c == ':' && raw.compare(i, 3, "://") == 0)
      out += ":\\/\\/", i += 2;
    else
      out += c;
  }
  return out;
}

// The documents of a multi-document YAML text, split at `---` lines.
std::vector<std::string> yamlDocuments(std::string_view text) {
  std::vector<std::string> docs;
  std::string cur;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (line == "---" || line.rfind("--- ", 0) == 0 || line == "---\r") {
      if (cur.find_first_not_of(" \n\r\t") != std::string::npos) docs.push_back(cur);
      cur.clear();
    } else {
      cur += line;
      cur += '\n';
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (cur.find_first_not_of(" \n\r\t") != std::string::npos) docs.push_back(cur);
  return docs;
}

bool hasLine(const std::string& doc, std::string_view prefix) {
  size_t start = 0;
  while (start < doc.size()) {
    if (doc.compare(start, prefix.size(), prefix) == 0) return true;
    size_t end = doc.find('\n', start);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

// The NetworkPolicy documents of a case file, and its Case document when it has steps.
std::pair<std::string, size_t> policyText(const std::string& yaml) {
  std::string out;
  size_t policies = 0;
  for (const std::string& d : yamlDocuments(yaml)) {
    bool policy = hasLine(d, "kind: NetworkPolicy");
    bool steps = hasLine(d, "kind: Case") && hasLine(d, "  steps:");
    if (!policy && !steps) continue;
    policies += policy;
    if (!out.empty()) out += "---\n";
    out += d;
  }
  return {out, policies};
}

std::string statusClass(const CaseRecord& c) {
  std::string v = caseVerdict(c);
  return v == "FAIL" ? "fail" : v == "FLAKY" ? "flaky" : "pass";
}

// The page's labels of the cell characters (model/cell_vocabulary.h), for its script.
json cellWords() {
  json expected = json::object(), observed = json::object(), status = json::object();
  for (Expected e : {Expected::Allow, Expected::Deny, Expected::Undefined, Expected::Skip})
    expected[std::string(1, toSymbol(e))] = e == Expected::Skip ? "not probed" : toString(e);
  for (Observed o : {Observed::Connected, Observed::Timeout, Observed::Refused, Observed::Error,
                     Observed::Skipped})
    observed[std::string(1, toSymbol(o))] = toString(o);
  for (CellStatus c : {CellStatus::Pass, CellStatus::Fail, CellStatus::Flaky, CellStatus::Error,
                       CellStatus::Undefined, CellStatus::Skipped})
    status[std::string(1, toSymbol(c))] = c == CellStatus::Pass   ? "agree"
                                          : c == CellStatus::Fail ? "discrepancy"
                                                                  : toString(c);
  return {{"expected", expected}, {"observed", observed}, {"status", status}};
}

std::string stateCounts(const State& s) {
  std::string out = fmt::format("{}: {} passed", count(s.cells, "cell", "cells"), s.passed);
  if (s.discrepancies)
    out += fmt::format(" · <b class=\"f\">{}</b>",
                       count(s.discrepancies, "discrepancy", "discrepancies"));
  if (s.flaky) out += fmt::format(" · <b class=\"k\">{} flaky</b>", s.flaky);
  if (s.errors) out += fmt::format(" · <b class=\"e\">{}</b>", count(s.errors, "error", "errors"));
  out += fmt::format(" · {} undefined · {} skipped", s.undefined, s.skipped);
  if (s.refusedDenied) out += fmt::format(" · {} denied by reject", s.refusedDenied);
  if (s.lateConverged) out += fmt::format(" · {} converged late", s.lateConverged);
  out += fmt::format(" · {}, {} · apply {} · converged after {}",
                     count(uint64_t(std::max<int64_t>(0, s.rounds)), "round", "rounds"),
                     count(s.probes, "probe", "probes"), h(formatMs(s.applyMs)),
                     h(formatMs(s.convergeMs)));
  return out;
}

std::string card(const std::string& n, const char* label, const char* cls = "") {
  return fmt::format(
      "<div class=\"card {}\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>", cls, n,
      label);
}

// The data the script draws the matrices from, with block lists shared between states that
// probe the same cells.
json matrixData(const Results& r) {
  json data = json::object();
  json blockSets = json::array();
  std::map<std::string, size_t> blockIndex;  // blocks as JSON text -> index in blockSets
  json cases = json::array();
  for (const CaseRecord& c : r.cases) {
    json jc = json::object();
    jc["name"] = c.name;
    jc["notable"] = c.failed() || c.flaky > 0 || c.errors > 0;
    json states = json::array();
    for (const State& s : c.states) {
      json bs = json::array();
      for (const Block& b : s.blocks) bs.push_back({{"from", b.from}, {"to", b.to}});
      auto [it, inserted] = blockIndex.emplace(
          bs.dump(-1, ' ', false, json::error_handler_t::replace), blockSets.size());
      if (inserted) blockSets.push_back(std::move(bs));
      StateGrid g = buildGrid(c, s);
      std::string status;
      status.reserve(g.status.size());
      json recs = json::array();
      for (size_t i = 0; i < g.status.size(); ++i) {
        status += toSymbol(g.status[i]);
        if (g.record[i] >= 0) recs.push_back({i, g.record[i]});
      }
      states.push_back({{"step", s.step},
                        {"b", it->second},
                        {"e", s.expectedCells},
                        {"o", s.observedCells},
                        {"s", status},
                        {"r", recs}});
    }
    jc["states"] = std::move(states);
    json recs = json::array();
    for (const CellRecord& cell : c.cellsNotPassing) {
      json att = json::array();
      for (const Attempt& a : cell.observed) att.push_back({a.result, a.latencyMs, a.detail});
      recs.push_back({{"st", cell.status},
                      {"step", cell.step},
                      {"from", cell.from},
                      {"to", cell.target()},
                      {"exp", cell.expected},
                      {"att", att},
                      {"sig", cell.signature},
                      {"expl", cell.explanation}});
    }
    jc["recs"] = std::move(recs);
    cases.push_back(std::move(jc));
  }
  data["words"] = cellWords();
  data["blocks"] = std::move(blockSets);
  data["cases"] = std::move(cases);
  return data;
}

// How many cases failed, and whether the run passed: the title and the header both say it.
struct Outcome {
  size_t failed = 0;
  bool pass = true;
};

// <!DOCTYPE> to <body>, the stylesheet inline.
void writeHead(std::string& out, const Results& r, const Outcome& o) {
  std::string discrepancies = count(r.totals.discrepancies, "discrepancy", "discrepancies");
  std::string title =
      o.pass ? fmt::format("PASS: {} cases", r.cases.size())
             : fmt::format("FAIL: {} in {} of {} cases", discrepancies, o.failed, r.cases.size());
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>netpolfuzz report: {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     h(title), assets::kReportCss);
}

// The run's facts on one line: kind, backend, seed, faults, start, duration, tool.
std::string runFacts(const Results& r) {
  std::string facts = h(r.kind.empty() ? "results" : r.kind) + " · " +
                      h(r.backend.empty() ? "?" : r.backend) + " backend";
  if (r.kind == "fuzz" || r.kind.empty())
    facts += fmt::format(" · seed {} · size {}", r.seed, h(r.size));
  if (!r.faults.empty()) {
    std::string f;
    for (const auto& x : r.faults) f += (f.empty() ? "" : ", ") + h(x);
    facts += " · injected fault " + f;
  }
  if (!r.started.empty()) facts += " · started " + h(r.started);
  facts += fmt::format(" · {:.1f} s", r.seconds);
  if (!r.tool.empty()) facts += " · " + h(r.tool);
  return facts;
}

// Header: verdict, run facts, totals.
void writeHeader(std::string& out, const Results& r, const Outcome& o) {
  std::string discrepancies = count(r.totals.discrepancies, "discrepancy", "discrepancies");
  out += "<header class=\"top\">\n<div class=\"brand\">netpolfuzz report</div>\n";
  out += fmt::format(
      "<h1><span class=\"badge {}\">{}</span> {}</h1>\n", o.pass ? "pass" : "fail",
      o.pass ? "PASS" : "FAIL",
      o.pass ? fmt::format("no discrepancies in {} cases", r.cases.size())
             : fmt::format("{} in {} of {} cases", discrepancies, o.failed, r.cases.size()));
  out += "<div class=\"meta\">" + runFacts(r) + "</div>\n";
  if (!r.command.empty()) out += "<div class=\"meta\"><code>" + h(r.command) + "</code></div>\n";
  if (!r.profile.empty()) {
    std::string p;
    for (const auto& [k, v] : r.profile)
      p += (p.empty() ? "" : " ") + std::string("<code>") + h(k) + "=" + h(v) + "</code>";
    out += "<div class=\"meta\">profile " + p + "</div>\n";
  }
  if (r.interrupted) out += "<div class=\"meta\">interrupted: the campaign stopped early</div>\n";
  if (!r.backendError.empty())
    out += "<div class=\"meta\">backend failure: " + h(r.backendError) + "</div>\n";
  out += "<div class=\"cards\">";
  out += card(std::to_string(r.cases.size()), "cases");
  out += card(std::to_string(r.cases.size() - o.failed), "passed", "good");
  out += card(std::to_string(o.failed), "failed", o.failed ? "bad" : "");
  out += card(std::to_string(r.totals.cells), "cells");
  out += card(std::to_string(r.totals.discrepancies), "discrepancies",
              r.totals.discrepancies ? "bad" : "");
  out += card(std::to_string(r.totals.flaky), "flaky", r.totals.flaky ? "warn" : "");
  out += card(std::to_string(r.totals.errors), "errors", r.totals.errors ? "warn" : "");
  out += card(std::to_string(r.totals.probes), "probes");
  out += card(fmt::format("{:.0f}", r.totals.probesPerSecond), "probes / s");
  out += "</div>\n</header>\n";
}

void writeSignatures(std::string& out, const Results& r) {
  out += "<section id=\"signatures\">\n<h2>Discrepancy signatures</h2>\n";
  auto groups = groupSignatures(r);
  if (groups.empty()) {
    out += "<p class=\"empty\">No discrepancies.</p>\n";
  } else {
    out +=
        "<table class=\"list\">\n<tr><th>signature</th><th class=\"num\">cases</th><th "
        "class=\"num\">cells</th><th>cases</th></tr>\n";
    for (const auto& g : groups) {
      std::string links;
      size_t shown = 0;
      for (size_t ci : g.cases) {
        if (shown++ == 25) {
          links += fmt::format("<span class=\"empty\">and {} more</span>", g.cases.size() - 25);
          break;
        }
        links +=
            fmt::format("<a class=\"case-link\" href=\"#case-{}\">{}</a>", ci, h(r.cases[ci].name));
      }
      out += fmt::format(
          "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
          g.signature.empty() ? "<span class=\"empty\">(none recorded)</span>" : h(g.signature),
          g.cases.size(), g.cells, links);
    }
    out += "</table>\n";
  }
  out += "</section>\n";
}

// The filters the script applies to the cases, and the legend of the matrices' cells.
void writeCaseFiltersAndLegend(std::string& out) {
  out +=
      "<div class=\"filters\">\n"
      "<label>from namespace <select id=\"f-from\"><option "
      "value=\"\">any</option></select></label>\n"
      "<label>to namespace <select id=\"f-to\"><option value=\"\">any</option></select></label>\n"
      "<label>port <select id=\"f-port\"><option value=\"\">any</option></select></label>\n"
      "<label>verdict <select id=\"f-verdict\"><option value=\"\">any</option>"
      "<option value=\"f\">discrepancy</option><option value=\"k\">flaky</option><option "
      "value=\"e\">error</option>"
      "<option value=\"p\">agree</option><option value=\"u\">undefined</option><option "
      "value=\"s\">skipped</option>"
      "<option value=\"allow\">expected allow</option><option value=\"deny\">expected "
      "deny</option></select></label>\n"
      "<label><input type=\"checkbox\" id=\"f-notable\"> only cases with discrepancies, flaky or "
      "erroring cells</label>\n"
      "<span id=\"f-count\"></span>\n</div>\n";
  out +=
      "<div class=\"legend\">"
      "<span><span class=\"sw\" "
      "style=\"background:var(--allow);color:var(--allow-t)\">.</span>agree, allowed</span>"
      "<span><span class=\"sw\" "
      "style=\"background:var(--deny);color:var(--deny-t)\">X</span>agree, denied</span>"
      "<span><span class=\"sw\" "
      "style=\"background:var(--fail);color:#fff\">.</span>discrepancy</span>"
      "<span><span class=\"sw\" style=\"background:var(--flaky)\">.</span>flaky</span>"
      "<span><span class=\"sw\" style=\"background:var(--error);color:#fff\">.</span>error</span>"
      "<span><span class=\"sw\" "
      "style=\"background:var(--undef);color:#9aa0a8\">?</span>undefined</span>"
      "<span><span class=\"sw\" "
      "style=\"background:#eceef1;color:#b3b8c0\">&#8211;</span>skipped</span>"
      "<span>symbol: the oracle&#39;s verdict (. allow, X deny, ? undefined) · click a cell for "
      "its attempts and explanation</span>"
      "</div>\n";
}

// A case's counts, as its summary line shows them.
std::string caseCounts(const CaseRecord& c) {
  std::string counts;
  if (c.discrepancies) counts += count(c.discrepancies, "discrepancy", "discrepancies") + " · ";
  if (c.flaky) counts += fmt::format("{} flaky · ", c.flaky);
  if (c.errors) counts += count(c.errors, "error", "errors") + " · ";
  counts += fmt::format("{} · {} · {}", count(c.cells, "cell", "cells"),
                        count(c.states.size(), "step", "steps"), h(formatMs(c.timings.totalMs)));
  return counts;
}

// Where a case came from: seed and index, saved case, case file, a reused cluster.
std::string caseFacts(const CaseRecord& c) {
  std::string f;
  if (c.seed) f += fmt::format("seed {} · index {}", *c.seed, c.index);
  if (!c.file.empty())
    f += std::string(f.empty() ? "" : " · ") + "saved case <code>" + h(c.file) + "</code>";
  if (!c.source.empty())
    f += std::string(f.empty() ? "" : " · ") + "case file <code>" + h(c.source) + "</code>";
  if (c.clusterReused)
    f += std::string(f.empty() ? "" : " · ") + "cluster reused from the previous case";
  return f;
}

// One block per state: its counts, and a box the script draws the matrix into.
void writeStates(std::string& out, const CaseRecord& c) {
  for (size_t si = 0; si < c.states.size(); ++si) {
    const State& s = c.states[si];
    out += fmt::format("<div class=\"state\"><h3>{}</h3><div class=\"sc\">{}</div>\n",
                       s.step == 0 ? std::string("step 0 · initial objects")
                                   : fmt::format("step {} · after change {}", s.step, s.step),
                       stateCounts(s));
    if (s.hasMatrix())
      out += fmt::format("<div class=\"mxbox\" data-state=\"{}\"></div>\n", si);
    else
      out += "<div class=\"empty\">No matrix recorded for this state.</div>\n";
    out += "</div>\n";
  }
}

// The table of the cells that did not pass; each row opens the cell's attempts in the panel.
void writeCellsNotPassing(std::string& out, const CaseRecord& c, size_t ci) {
  if (c.cellsNotPassing.empty()) return;
  out +=
      "<h4>Cells not passing</h4>\n<table class=\"list\">\n<tr><th>status</th><th "
      "class=\"num\">step</th><th>from</th>"
      "<th>to</th><th>expected</th><th>observed</th><th>signature</th></tr>\n";
  for (size_t k = 0; k < c.cellsNotPassing.size(); ++k) {
    const CellRecord& cell = c.cellsNotPassing[k];
    std::string obs = h(attemptsText(cell, false));
    auto status = cellStatusFromWord(cell.status);
    bool ownPill =
        status == CellStatus::Fail || status == CellStatus::Flaky || status == CellStatus::Error;
    std::string pill(1, toSymbol(ownPill ? *status : CellStatus::Undefined));
    out += fmt::format(
        "<tr class=\"rec\" data-case=\"{}\" data-rec=\"{}\"><td><span class=\"pill "
        "{}\">{}</span></td>"
        "<td class=\"num\">{}</td><td class=\"mono\">{}</td><td "
        "class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        ci, k, pill, h(cell.status), cell.step, h(cell.from), h(cell.target()), h(cell.expected),
        obs, h(cell.signature));
  }
  out += "</table>\n";
}

// The case file's policies; the whole file too for a notable case.
void writeCaseFile(std::string& out, const CaseFile* file, bool notable) {
  if (!file || (file->path.empty() && file->error.empty() && file->text.empty())) {
    out += "<div class=\"facts\">No case file recorded for this case.</div>\n";
  } else if (!file->error.empty()) {
    out += fmt::format(
        "<div class=\"warnbox\">Case file <code>{}</code> could not be read: {}</div>\n",
        h(file->path), h(file->error));
  } else {
    auto [policies, n] = policyText(file->text);
    out += fmt::format(
        "<details class=\"file\"{}><summary>NetworkPolicies ({}) from "
        "<code>{}</code></summary>\n",
        notable ? " open" : "", n, h(file->path));
    out += policies.empty() ? "<p class=\"empty\">The case file has no NetworkPolicy.</p>\n"
                            : "<pre class=\"yaml\">" + h(policies) + "</pre>\n";
    out += "</details>\n";
    // The whole file only where it helps reproduce (it is most of the page's size otherwise).
    if (notable)
      out += fmt::format(
          "<details class=\"file\"><summary>Whole case file <code>{}</code></summary>\n<pre "
          "class=\"yaml\">{}</pre>\n</details>\n",
          h(file->path), h(file->text));
  }
}

// Case `ci`, open when notable: summary, tags, facts, states, cells not passing, policies.
void writeCase(std::string& out, const CaseRecord& c, size_t ci, const CaseFile* file) {
  bool notable = c.failed() || c.flaky > 0 || c.errors > 0;
  std::string cls = statusClass(c);
  out += fmt::format("<details class=\"case {}\" id=\"case-{}\" data-case=\"{}\"{}>\n", cls, ci, ci,
                     notable ? " open" : "");
  out += fmt::format(
      "<summary><span class=\"badge {}\">{}</span><span class=\"name\">{}</span><span "
      "class=\"counts\">{}</span></summary>\n",
      cls, caseVerdict(c), h(c.name), caseCounts(c));
  out += "<div class=\"case-body\">\n";
  if (!c.tags.empty()) {
    out += "<div class=\"tags\">";
    for (const auto& t : c.tags) {
      bool bug = !t.empty() && t[0] >= 'A' && t[0] <= 'Z';
      out += fmt::format("<span class=\"tag{}\">{}</span>", bug ? " bug" : "", h(t));
    }
    out += "</div>\n";
  }
  std::string f = caseFacts(c);
  if (!f.empty()) out += "<div class=\"facts\">" + f + "</div>\n";
  if (!c.backendError.empty())
    out += "<div class=\"errbox\">backend failure: " + h(c.backendError) + "</div>\n";
  writeStates(out, c);
  writeCellsNotPassing(out, c, ci);
  writeCaseFile(out, file, notable);
  out += "</div>\n</details>\n";
}

void writeCases(std::string& out, const Results& r, const std::vector<CaseFile>& files) {
  out += "<section id=\"cases\">\n<h2>Cases</h2>\n";
  writeCaseFiltersAndLegend(out);
  if (r.cases.empty()) out += "<p class=\"empty\">No cases.</p>\n";
  for (size_t ci = 0; ci < r.cases.size(); ++ci)
    writeCase(out, r.cases[ci], ci, ci < files.size() ? &files[ci] : nullptr);
  out += "</section>\n";
}

void writeTags(std::string& out, const Results& r) {
  out += "<section id=\"tags\">\n<h2>Tags</h2>\n";
  auto tags = tagGroups(r);
  if (tags.empty()) out += "<p class=\"empty\">No tags.</p>\n";
  for (const TagGroup& g : tags) {
    out += fmt::format(
        "<table class=\"list tagtable\">\n<tr><th>{}</th><th class=\"num\">cases</th>"
        "<th class=\"num\">passed</th><th class=\"num\">failed</th><th>result</th></tr>\n",
        h(g.title));
    for (const TagCount& t : g.tags)
      out += fmt::format(
          "<tr><td class=\"mono\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td>"
          "<td><span class=\"badge {}\">{}</span></td></tr>\n",
          h(t.tag), t.cases, t.cases - t.failed, t.failed, t.failed ? "fail" : "pass",
          t.failed ? "FAIL" : "PASS");
    out += "</table>\n";
  }
  out += "</section>\n";
}

}  // namespace

std::string renderHtml(const Results& r, const std::vector<CaseFile>& files) {
  Outcome o;
  for (const CaseRecord& c : r.cases) o.failed += c.failed();
  o.pass = o.failed == 0 && r.backendError.empty();

  std::string out;
  out.reserve(1 << 16);
  writeHead(out, r, o);
  writeHeader(out, r, o);
  out +=
      "<nav class=\"toc\"><a href=\"#signatures\">Signatures</a><a href=\"#cases\">Cases</a><a "
      "href=\"#tags\">Tags</a></nav>\n<main>\n";
  writeSignatures(out, r);
  writeCases(out, r, files);
  writeTags(out, r);
  out += "</main>\n";
  out += "<aside id=\"panel\" aria-live=\"polite\"></aside>\n";
  out += fmt::format(
      "<footer>{} · generated by <code>netpolfuzz report --format html</code> · a single file, no "
      "external resources</footer>\n",
      h(r.tool.empty() ? "netpolfuzz" : r.tool));
  out += "<script id=\"npf-data\" type=\"application/json\">" + scriptJson(matrixData(r)) +
         "</script>\n";
  out += std::string("<script>") + assets::kReportJs + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace npf::results
