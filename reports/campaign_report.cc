#include "reports/campaign_report.h"

#include <sys/utsname.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

namespace npf {
namespace {

using runner::CaseResult;
using runner::CellOutcome;
using runner::CellStatus;
using runner::CampaignResult;
using runner::StateResult;
using json = nlohmann::ordered_json;

std::string expectedWord(const CellOutcome& o) { return o.expected ? toString(*o.expected) : "skip"; }

std::vector<std::string> observedWords(const CellOutcome& o) {
  std::vector<std::string> out;
  for (const auto& a : o.attempts) out.push_back(runner::toString(a.kind));
  return out;
}

json profileJson(const Profile& p) {
  json o = json::object();
  for (const auto& [k, v] : describeProfile(p)) o[k] = v;
  return o;
}

std::string duration(double seconds) {
  long s = std::lround(std::max(0.0, seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The probe set as in a Case document: [{"from": [...], "to": ["EP:PORT/PROTO", ...]}].
json blocksJson(const ProbeSet& set) {
  json out = json::array();
  for (const auto& b : set.blocks) {
    json from = json::array(), to = json::array();
    for (const auto& e : b.sources) from.push_back(toString(e));
    for (const auto& t : b.targets) to.push_back(toString(t));
    out.push_back({{"from", from}, {"to", to}});
  }
  return out;
}

std::string cellLine(size_t step, const CellOutcome& o) {
  std::string obs;
  for (const auto& w : observedWords(o)) obs += (obs.empty() ? "" : ",") + w;
  return fmt::format("step {}: {} -> {}  expected {}, observed {}", step, toString(o.probe.from),
                     toString(o.probe.target), expectedWord(o), obs);
}

}  // namespace

std::string renderResultsJson(const CampaignResult& result, const RunInfo& info,
                              const std::vector<std::string>& failureFiles) {
  json doc;
  doc["schema"] = "netpolfuzz.results/v1";
  doc["tool"] = info.tool;
  doc["command"] = info.command;
  doc["kind"] = info.kind;
  doc["backend"] = info.backend;
  doc["seed"] = info.seed;
  doc["size"] = info.size;
  doc["profile"] = profileJson(info.profile);
  doc["faults"] = info.faults;
  doc["started"] = info.started;
  doc["seconds"] = result.seconds;
  doc["interrupted"] = result.interrupted;
  doc["backendError"] = result.backendError;
  json totals;
  totals["cases"] = result.cases.size();
  totals["failingCases"] = result.failingCases();
  totals["cells"] = result.cells();
  totals["probes"] = result.probes();
  totals["discrepancies"] = result.discrepancies();
  totals["flaky"] = result.flaky();
  totals["errors"] = result.errors();
  totals["probesPerSecond"] = result.seconds > 0 ? double(result.probes()) / result.seconds : 0.0;
  doc["totals"] = totals;
  json cases = json::array();
  for (size_t i = 0; i < result.cases.size(); ++i) {
    const CaseResult& c = result.cases[i];
    json jc;
    jc["name"] = c.name;
    if (c.seed) jc["seed"] = *c.seed;
    jc["index"] = c.index;
    jc["tags"] = c.tags;
    jc["cells"] = c.cells();
    jc["probes"] = c.probes();
    jc["discrepancies"] = c.discrepancies();
    jc["flaky"] = c.flaky();
    jc["errors"] = c.errors();
    jc["clusterReused"] = c.clusterReused;
    jc["file"] = i < failureFiles.size() ? failureFiles[i] : "";
    if (!c.source.empty()) jc["source"] = c.source;
    if (!c.backendError.empty()) jc["backendError"] = c.backendError;
    double apply = 0, probe = 0;
    json states = json::array();
    json cells = json::array();
    for (const StateResult& s : c.states) {
      apply += s.applyMs;
      probe += s.probeMs;
      states.push_back({{"step", s.step},
                        {"cells", s.cells},
                        {"passed", s.passed},
                        {"discrepancies", s.failed},
                        {"flaky", s.flaky},
                        {"undefined", s.undefined},
                        {"skipped", s.skipped},
                        {"errors", s.errors},
                        {"refusedDenied", s.refusedDenied},
                        {"lateConverged", s.lateConverged},
                        {"rounds", s.rounds},
                        {"probes", s.probes},
                        {"applyMs", s.applyMs},
                        {"probeMs", s.probeMs},
                        {"convergeMs", s.convergeMs},
                        {"blocks", blocksJson(s.probeSet)},
                        {"expectedCells", s.expectedCells},
                        {"observedCells", s.observedCells}});
      for (const CellOutcome& o : s.notable) {
        json attempts = json::array();
        for (const auto& a : o.attempts) {
          json ja = {{"result", runner::toString(a.kind)}, {"latencyMs", a.latencyMs}};
          if (!a.detail.empty()) ja["detail"] = a.detail;
          if (a.sourcePort) ja["sourcePort"] = a.sourcePort;
          attempts.push_back(ja);
        }
        json jcell = {{"step", s.step},
                      {"status", runner::toString(o.status)},
                      {"from", toString(o.probe.from)},
                      {"to", toString(o.probe.target.to)},
                      {"port", o.probe.target.port},
                      {"protocol", toString(o.probe.target.protocol)},
                      {"expected", expectedWord(o)},
                      {"observed", attempts}};
        if (!o.signature.empty()) jcell["signature"] = o.signature;
        if (!o.explanation.empty()) jcell["explanation"] = o.explanation;
        cells.push_back(jcell);
      }
    }
    jc["timings"] = {{"applyMs", apply}, {"probeMs", probe}, {"totalMs", c.totalMs}};
    jc["states"] = states;
    jc["cellsNotPassing"] = cells;
    cases.push_back(jc);
  }
  doc["cases"] = cases;
  return doc.dump(2) + "\n";
}

std::vector<std::pair<std::string, std::string>> runEnvironment(const RunInfo& info) {
  std::vector<std::pair<std::string, std::string>> env{{"tool", info.tool}};
  if (struct utsname u {}; uname(&u) == 0)
    env.emplace_back("kernel", fmt::format("{} {} {}", u.sysname, u.release, u.machine));
  if (!info.started.empty()) env.emplace_back("recorded", info.started);
  if (!info.command.empty()) env.emplace_back("command", info.command);
  return env;
}

Case caseWithObservation(const Case& c, const CaseResult& r, const RunInfo& info) {
  Case out = c;
  out.meta.present = true;
  Observation o;
  o.backend = info.backend;
  o.faults = info.faults;
  o.environment = runEnvironment(info);
  for (const StateResult& s : r.states)
    for (const CellOutcome& cell : s.notable) {
      if (cell.status != CellStatus::Fail && cell.status != CellStatus::Flaky) continue;
      o.cells.push_back(ObservedCell{s.step, toString(cell.probe.from), toString(cell.probe.target),
                                     expectedWord(cell), observedWords(cell)});
    }
  out.meta.observed = std::move(o);
  std::vector<std::string> profile;
  for (const auto& [k, v] : describeProfile(info.profile)) profile.push_back(k + "=" + v);
  out.meta.profile = profile;
  return out;
}

std::string renderCampaignSummary(const CampaignResult& result, const RunInfo& info,
                                  const std::string& outDir) {
  std::string out;
  std::vector<double> perCase;
  for (const auto& c : result.cases) perCase.push_back(c.totalMs);
  std::string what = info.kind == "fuzz" ? fmt::format("seed {}, size {}", info.seed, info.size) : info.kind;
  out += fmt::format(
      "\n{} cases in {:.1f} s on the {} backend ({}{}): {} cells, {} probes "
      "({:.0f} probes/s), median {:.0f} ms per case\n",
      result.cases.size(), result.seconds, info.backend, what,
      info.faults.empty() ? "" : ", injected fault " + fmt::format("{}", fmt::join(info.faults, ",")),
      result.cells(), result.probes(), result.seconds > 0 ? double(result.probes()) / result.seconds : 0.0,
      median(perCase));
  if (result.interrupted) out += "interrupted: stopped after the case in progress\n";
  if (!result.backendError.empty()) out += "backend failure: " + result.backendError + "\n";
  size_t shown = 0;
  for (const auto& c : result.cases) {
    if (c.discrepancies() == 0) continue;
    if (shown++ == 10) {
      out += fmt::format("... and {} more failing cases\n", result.failingCases() - 10);
      break;
    }
    out += fmt::format("FAIL {} ({} discrepancies)\n", c.name, c.discrepancies());
    size_t lines = 0;
    for (const auto& s : c.states)
      for (const auto& o : s.notable)
        if (o.status == CellStatus::Fail && lines++ < 3) out += "  " + cellLine(s.step, o) + "\n";
    if (c.discrepancies() > 3) out += fmt::format("  ... {} more\n", c.discrepancies() - 3);
  }
  if (result.flaky() > 0) out += fmt::format("{} flaky cells (answered both ways; not counted)\n", result.flaky());
  if (result.errors() > 0) out += fmt::format("{} cells could not be probed (errors; not counted)\n", result.errors());
  if (result.discrepancies() == 0 && !result.backendError.empty())
    out += fmt::format("INCOMPLETE: no discrepancies in the {} case(s) that ran before the {} backend failed\n",
                       result.cases.size(), info.backend);
  else if (result.discrepancies() == 0)
    out += fmt::format("PASS: no discrepancies between the {} dataplane and the oracle\n", info.backend);
  else
    out += fmt::format("FAIL: {} discrepancies in {} of {} cases\n", result.discrepancies(),
                       result.failingCases(), result.cases.size());
  if (!outDir.empty()) {
    out += fmt::format("results: {}/results.json\n", outDir);
    if (result.failingCases() > 0)
      out += fmt::format("failing cases: {}/failures/ (explain a cell: netpolfuzz explain FILE --from SRC --to DST --port N/PROTO --step S)\n", outDir);
  }
  return out;
}

std::string renderTagTables(const CampaignResult& result) {
  struct Count {
    size_t cases = 0, failed = 0;
  };
  std::map<std::string, Count> tags;
  for (const auto& c : result.cases)
    for (const auto& t : c.tags) {
      Count& k = tags[t];
      ++k.cases;
      k.failed += c.discrepancies() > 0 || !c.backendError.empty();
    }
  auto group = [](const std::string& t) {
    if (!t.empty() && std::isupper(static_cast<unsigned char>(t[0]))) return 0;
    if (t.rfind("family:", 0) == 0 || t.rfind("source:", 0) == 0) return 1;
    return 2;
  };
  std::string out;
  const char* titles[] = {"bug class", "family / source", "feature"};
  for (int g = 0; g < 3; ++g) {
    std::string rows;
    for (const auto& [t, k] : tags)
      if (group(t) == g)
        rows += fmt::format("{:<32} {:>6} {:>6} {:>6}  {}\n", t, k.cases, k.cases - k.failed, k.failed,
                            k.failed ? "FAIL" : "pass");
    if (rows.empty()) continue;
    out += fmt::format("\n{:<32} {:>6} {:>6} {:>6}\n", titles[g], "cases", "pass", "fail") + rows;
  }
  size_t failed = 0;
  for (const auto& c : result.cases) failed += c.discrepancies() > 0 || !c.backendError.empty();
  out += fmt::format("\ntotal: {} cases, {} passed, {} failed; {} cells, {} discrepancies, {} flaky\n",
                     result.cases.size(), result.cases.size() - failed, failed, result.cells(),
                     result.discrepancies(), result.flaky());
  return out;
}

std::string renderProgressLine(const CampaignResult& sofar, size_t totalCases, double durationSeconds) {
  size_t done = sofar.cases.size();
  double rate = sofar.seconds > 0 ? done / sofar.seconds : 0;
  std::string eta = "?";
  if (totalCases > 0 && rate > 0)
    eta = duration(double(totalCases - std::min(done, totalCases)) / rate);
  else if (durationSeconds > 0)
    eta = duration(durationSeconds - sofar.seconds);
  std::string total = totalCases > 0 ? fmt::format("{}", totalCases) : "-";
  return fmt::format("[{}/{}] {:.1f} cases/s, {:.0f} probes/s, {} discrepancies in {} cases, ETA {}",
                     done, total, rate, sofar.seconds > 0 ? sofar.probes() / sofar.seconds : 0.0,
                     sofar.discrepancies(), sofar.failingCases(), eta);
}

std::string renderTimings(const runner::CampaignResult& result) {
  std::vector<double> apply, probe, converge, rest;
  double applySum = 0, probeSum = 0, restSum = 0;
  for (const auto& c : result.cases) {
    double inStates = 0;
    for (const auto& st : c.states) {
      apply.push_back(st.applyMs);
      probe.push_back(st.probeMs);
      converge.push_back(st.convergeMs);
      applySum += st.applyMs;
      probeSum += st.probeMs;
      inStates += st.applyMs + st.probeMs;
    }
    double other = std::max(0.0, c.totalMs - inStates);
    rest.push_back(other);
    restSum += other;
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  double wall = result.seconds * 1000;
  double outside = std::max(0.0, wall - applySum - probeSum - restSum);
  auto share = [&](double ms) { return wall > 0 ? 100.0 * ms / wall : 0.0; };
  std::string out = fmt::format("timings ({} cases, {} states, {:.1f} s):\n", result.cases.size(), apply.size(),
                                result.seconds);
  out += fmt::format("  {:<34} {:>10} {:>7} {:>16}\n", "phase", "total", "share", "median");
  out += fmt::format("  {:<34} {:>8.1f} s {:>6.1f}% {:>10.0f} ms/state\n", "apply (set-up/reconcile, wait)",
                     applySum / 1000, share(applySum), median(apply));
  out += fmt::format("  {:<34} {:>8.1f} s {:>6.1f}% {:>10.0f} ms/state\n", "probe (all rounds)", probeSum / 1000,
                     share(probeSum), median(probe));
  out += fmt::format("  {:<34} {:>8.1f} s {:>6.1f}% {:>10.0f} ms/case\n", "oracle, diff, generation", restSum / 1000,
                     share(restSum), median(rest));
  out += fmt::format("  {:<34} {:>8.1f} s {:>6.1f}%\n", "other (writing results, teardown)", outside / 1000,
                     share(outside));
  out += fmt::format("  convergence after a change: median {:.0f} ms, max {:.0f} ms per state\n", median(converge),
                     converge.empty() ? 0.0 : *std::max_element(converge.begin(), converge.end()));
  return out;
}

}  // namespace npf
