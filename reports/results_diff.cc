#include "reports/results_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "reports/markup_escape.h"
#include "reports/results_grid.h"

namespace npf::results {

namespace {

using ojson = nlohmann::ordered_json;

// Signatures and tag rates shown at most in text and Markdown (JSON has them all); persisting
// signatures are old news, so fewer of them.
constexpr size_t kShown = 50;
constexpr size_t kPersistingShown = 10;

std::string percent(double rate) { return fmt::format("{:.0f}%", 100 * rate); }

std::string totalsLine(const Totals& t) {
  return fmt::format("{} cases, {} failing, {} discrepancies, {} flaky", t.cases, t.failingCases,
                     t.discrepancies, t.flaky);
}

}  // namespace

std::vector<SignatureSeen> signaturesOf(const Results& r) {
  std::map<std::string, SignatureSeen> by;
  std::vector<std::string> order;
  for (const CaseRecord& c : r.cases) {
    std::set<std::string> inCase;
    for (const CellRecord& cell : c.cellsNotPassing) {
      if (!cell.is(CellStatus::Fail) || cell.signature.empty()) continue;
      auto [it, fresh] = by.try_emplace(cell.signature);
      SignatureSeen& s = it->second;
      if (fresh) {
        s.signature = cell.signature;
        s.exampleCase = c.name;
        s.file = c.file;
        order.push_back(cell.signature);
      }
      ++s.cells;
      if (inCase.insert(cell.signature).second) ++s.cases;
    }
  }
  for (const MinimizedRecord& m : r.minimized)
    if (auto it = by.find(m.signature); it != by.end()) it->second.file = m.file;
  std::vector<SignatureSeen> out;
  for (const auto& s : order) out.push_back(by[s]);
  std::stable_sort(out.begin(), out.end(), [](const SignatureSeen& a, const SignatureSeen& b) {
    return a.cells > b.cells;
  });
  return out;
}

RunDiff diffRuns(const Results& older, const Results& newer) {
  RunDiff d;
  d.oldTotals = older.totals;
  d.newTotals = newer.totals;
  d.oldBackendError = older.backendError;
  d.newBackendError = newer.backendError;
  std::set<std::string> oldNames, newNames;
  for (const auto& c : older.cases) oldNames.insert(c.name);
  for (const auto& c : newer.cases) newNames.insert(c.name);
  d.sameCases = oldNames == newNames && older.seed == newer.seed;

  const auto oldSigs = signaturesOf(older), newSigs = signaturesOf(newer);
  std::map<std::string, const SignatureSeen*> oldBy;
  for (const auto& s : oldSigs) oldBy[s.signature] = &s;
  std::set<std::string> inNew;
  for (const auto& s : newSigs) {
    inNew.insert(s.signature);
    if (auto it = oldBy.find(s.signature); it != oldBy.end())
      d.persisting.push_back({*it->second, s});
    else
      d.added.push_back(s);
  }
  for (const auto& s : oldSigs)
    if (!inNew.count(s.signature)) d.gone.push_back(s);

  std::map<std::string, TagRate> rates;
  for (const TagGroup& g : tagGroups(older))
    for (const TagCount& t : g.tags) {
      TagRate& r = rates[t.tag];
      r.tag = t.tag;
      r.oldCases = t.cases;
      r.oldFailed = t.failed;
    }
  for (const TagGroup& g : tagGroups(newer))
    for (const TagCount& t : g.tags) {
      auto it = rates.find(t.tag);
      if (it == rates.end()) continue;  // only tags both runs measured can move
      it->second.newCases = t.cases;
      it->second.newFailed = t.failed;
    }
  for (const auto& [tag, r] : rates)
    if (r.newCases > 0 && r.oldPassRate() != r.newPassRate()) d.moved.push_back(r);
  std::stable_sort(d.moved.begin(), d.moved.end(), [](const TagRate& a, const TagRate& b) {
    return std::abs(a.newPassRate() - a.oldPassRate()) >
           std::abs(b.newPassRate() - b.oldPassRate());
  });
  return d;
}

std::string renderDiffText(const RunDiff& d, const std::string& oldName,
                           const std::string& newName) {
  std::string out =
      fmt::format("old: {}\n     {}\nnew: {}\n     {}\n", terminalSafe(oldName),
                  totalsLine(d.oldTotals), terminalSafe(newName), totalsLine(d.newTotals));
  if (!d.newBackendError.empty())
    out += fmt::format("new run's backend failed: {}\n", terminalSafe(d.newBackendError));
  auto list = [&](const char* title, const std::vector<SignatureSeen>& v, size_t shown = kShown) {
    out += fmt::format("\n{} ({}):\n", title, v.size());
    for (size_t i = 0; i < v.size() && i < shown; ++i)
      out +=
          fmt::format("  {}\n    {} cells in {} cases, e.g. {}{}\n", terminalSafe(v[i].signature),
                      v[i].cells, v[i].cases, terminalSafe(v[i].exampleCase),
                      v[i].file.empty() ? "" : " (" + terminalSafe(v[i].file) + ")");
    if (v.size() > shown) out += fmt::format("  ... and {} more\n", v.size() - shown);
  };
  list("new signatures", d.added);
  list(d.sameCases ? "fixed signatures (same cases, no longer failing)"
                   : "signatures not seen in the new run (it ran other cases: not proof of a fix)",
       d.gone);
  std::vector<SignatureSeen> persisting;
  for (const auto& [o, n] : d.persisting) persisting.push_back(n);
  list("persisting signatures", persisting, kPersistingShown);
  out += fmt::format("\npass rates that moved ({}):\n", d.moved.size());
  for (size_t i = 0; i < d.moved.size() && i < kShown; ++i) {
    const TagRate& r = d.moved[i];
    out += fmt::format("  {:<36} {:>4} -> {:<4} ({}/{} -> {}/{} cases passed)\n",
                       terminalSafe(r.tag), percent(r.oldPassRate()), percent(r.newPassRate()),
                       r.oldCases - r.oldFailed, r.oldCases, r.newCases - r.newFailed, r.newCases);
  }
  out += fmt::format("\n{}: {} new, {} {}, {} persisting\n",
                     d.hasNew() ? "NEW DISCREPANCIES" : "no new discrepancies", d.added.size(),
                     d.gone.size(), d.sameCases ? "fixed" : "not seen", d.persisting.size());
  return out;
}

std::string renderDiffMarkdown(const RunDiff& d, const std::string& oldName,
                               const std::string& newName) {
  std::string out =
      fmt::format("## netpolfuzz: {}\n\n",
                  d.hasNew() ? fmt::format("❌ {} new discrepancy signature{}", d.added.size(),
                                           d.added.size() == 1 ? "" : "s")
                             : std::string("✅ no new discrepancy signatures"));
  out += "| | run | cases | failing | discrepancies | flaky |\n|---|---|---:|---:|---:|---:|\n";
  auto row = [&](const char* which, const std::string& name, const Totals& t) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", which, markdownCode(name), t.cases,
                       t.failingCases, t.discrepancies, t.flaky);
  };
  row("old", oldName, d.oldTotals);
  row("new", newName, d.newTotals);
  if (!d.newBackendError.empty())
    out += fmt::format("\n**The new run's backend failed:** {}\n", markdownText(d.newBackendError));
  auto table = [&](const std::string& title, const std::vector<SignatureSeen>& v,
                   size_t shown = kShown) {
    out += fmt::format("\n### {} ({})\n\n", title, v.size());
    if (v.empty()) return;
    out += "| signature | cells | cases | example |\n|---|---:|---:|---|\n";
    for (size_t i = 0; i < v.size() && i < shown; ++i)
      out +=
          fmt::format("| {} | {} | {} | {} |\n", markdownText(v[i].signature), v[i].cells,
                      v[i].cases, markdownCode(v[i].file.empty() ? v[i].exampleCase : v[i].file));
    if (v.size() > shown) out += fmt::format("\n… and {} more\n", v.size() - shown);
  };
  table("New signatures", d.added);
  table(d.sameCases ? "Fixed signatures" : "Signatures not seen (the new run ran other cases)",
        d.gone);
  std::vector<SignatureSeen> persisting;
  for (const auto& [o, n] : d.persisting) persisting.push_back(n);
  table("Persisting signatures", persisting, kPersistingShown);
  out += fmt::format("\n### Pass rates that moved ({})\n\n", d.moved.size());
  if (!d.moved.empty()) {
    out += "| tag | old | new | cases passed |\n|---|---:|---:|---|\n";
    for (size_t i = 0; i < d.moved.size() && i < kShown; ++i) {
      const TagRate& r = d.moved[i];
      out +=
          fmt::format("| {} | {} | {} | {}/{} → {}/{} |\n", markdownCode(r.tag),
                      percent(r.oldPassRate()), percent(r.newPassRate()), r.oldCases - r.oldFailed,
                      r.oldCases, r.newCases - r.newFailed, r.newCases);
    }
  }
  return out;
}

std::string renderDiffJson(const RunDiff& d, const std::string& oldName,
                           const std::string& newName) {
  auto sig = [](const SignatureSeen& s) {
    return ojson{{"signature", s.signature},
                 {"cells", s.cells},
                 {"cases", s.cases},
                 {"exampleCase", s.exampleCase},
                 {"file", s.file}};
  };
  auto totals = [](const Totals& t) {
    return ojson{{"cases", t.cases},
                 {"failingCases", t.failingCases},
                 {"discrepancies", t.discrepancies},
                 {"flaky", t.flaky}};
  };
  ojson doc;
  doc["schema"] = "netpolfuzz.diff/v1";
  doc["old"] = {
      {"run", oldName}, {"totals", totals(d.oldTotals)}, {"backendError", d.oldBackendError}};
  doc["new"] = {
      {"run", newName}, {"totals", totals(d.newTotals)}, {"backendError", d.newBackendError}};
  doc["sameCases"] = d.sameCases;
  ojson added = ojson::array(), gone = ojson::array(), persisting = ojson::array(),
        moved = ojson::array();
  for (const auto& s : d.added) added.push_back(sig(s));
  for (const auto& s : d.gone) gone.push_back(sig(s));
  for (const auto& [o, n] : d.persisting)
    persisting.push_back({{"signature", n.signature}, {"old", sig(o)}, {"new", sig(n)}});
  for (const TagRate& r : d.moved)
    moved.push_back({{"tag", r.tag},
                     {"old", {{"cases", r.oldCases}, {"failed", r.oldFailed}}},
                     {"new", {{"cases", r.newCases}, {"failed", r.newFailed}}}});
  doc["newSignatures"] = added;
  doc["goneSignatures"] = gone;  // fixed when sameCases, else merely not seen
  doc["persistingSignatures"] = persisting;
  doc["movedPassRates"] = moved;
  return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace npf::results
