#include "runner/campaign_results.h"

#include <fmt/format.h>
#include <sys/utsname.h>

namespace npf::runner {
namespace {

const char* expectedWord(const CellOutcome& o) { return toString(expectedOf(o.expected)); }

std::vector<std::string> observedWords(const CellOutcome& o) {
  std::vector<std::string> out;
  for (const auto& a : o.attempts) out.push_back(toString(a.kind));
  return out;
}

// The probe set as in a Case document: every source to every "EP:PORT/PROTO" target.
std::vector<results::Block> blocksOf(const ProbeSet& set) {
  std::vector<results::Block> out;
  for (const auto& b : set.blocks) {
    results::Block rb;
    for (const auto& e : b.sources) rb.from.push_back(toString(e));
    for (const auto& t : b.targets) rb.to.push_back(toString(t));
    out.push_back(std::move(rb));
  }
  return out;
}

results::State stateOf(const StateResult& s) {
  results::State r;
  r.step = s.step;
  r.cells = s.cells;
  r.passed = s.passed;
  r.discrepancies = s.failed;
  r.flaky = s.flaky;
  r.undefined = s.undefined;
  r.skipped = s.skipped;
  r.errors = s.errors;
  r.refusedDenied = s.refusedDenied;
  r.lateConverged = s.lateConverged;
  r.rounds = s.rounds;
  r.probes = s.probes;
  r.applyMs = s.applyMs;
  r.probeMs = s.probeMs;
  r.convergeMs = s.convergeMs;
  r.enforcerMs = s.enforcerMs;
  r.enforcerTimedOutNodes = s.enforcerTimedOutNodes;
  r.blocks = blocksOf(s.probeSet);
  r.expectedCells = s.expectedCells;
  r.observedCells = s.observedCells;
  return r;
}

results::CellRecord cellOf(size_t step, const CellOutcome& o) {
  results::CellRecord c;
  c.step = step;
  c.status = toString(o.status);
  c.from = toString(o.probe.from);
  c.to = toString(o.probe.target.to);
  c.port = o.probe.target.port;
  c.protocol = toString(o.probe.target.protocol);
  c.expected = expectedWord(o);
  for (const auto& a : o.attempts)
    c.observed.push_back(results::Attempt{toString(a.kind), a.latencyMs, a.detail, a.sourcePort});
  c.signature = o.signature;
  c.explanation = o.explanation;
  return c;
}

}  // namespace

results::Totals toTotals(const SessionResult& result) {
  results::Totals t;
  t.cases = result.cases.size();
  t.failingCases = result.failingCases();
  t.cells = result.cells();
  t.probes = result.probes();
  t.discrepancies = result.discrepancies();
  t.flaky = result.flaky();
  t.errors = result.errors();
  t.probesPerSecond = result.seconds > 0 ? double(result.probes()) / result.seconds : 0.0;
  return t;
}

results::Results toResults(const SessionResult& result, const RunInfo& info,
                           const std::vector<std::string>& failureFiles) {
  results::Results r;
  r.tool = info.tool;
  r.command = info.command;
  r.kind = info.kind;
  r.backend = info.backend;
  r.enforcer = info.enforcer;
  r.seed = info.seed;
  r.size = info.size;
  r.profile = describeProfile(info.profile);
  r.faults = info.faults;
  r.started = info.started;
  r.seconds = result.seconds;
  r.interrupted = result.interrupted;
  r.backendError = result.backendError;
  r.shardIndex = info.shardIndex;
  r.shardCount = info.shardCount;
  r.plannedCases = info.plannedCases;
  r.plannedSeconds = info.plannedSeconds;
  r.totals = toTotals(result);
  for (size_t i = 0; i < result.cases.size(); ++i) {
    const CaseResult& c = result.cases[i];
    results::CaseRecord rc;
    rc.name = c.name;
    rc.seed = c.seed;
    rc.index = c.index;
    rc.tags = c.tags;
    rc.cells = c.cells();
    rc.probes = c.probes();
    rc.discrepancies = c.discrepancies();
    rc.flaky = c.flaky();
    rc.errors = c.errors();
    rc.clusterReused = c.clusterReused;
    rc.file = i < failureFiles.size() ? failureFiles[i] : "";
    rc.source = c.source;
    rc.backendError = c.backendError;
    for (const StateResult& s : c.states) {
      rc.timings.applyMs += s.applyMs;
      rc.timings.probeMs += s.probeMs;
      rc.states.push_back(stateOf(s));
      for (const CellOutcome& o : s.notable) rc.cellsNotPassing.push_back(cellOf(s.step, o));
    }
    rc.timings.totalMs = c.totalMs;
    r.cases.push_back(std::move(rc));
  }
  return r;
}

std::vector<std::pair<std::string, std::string>> runEnvironment(const RunInfo& info) {
  std::vector<std::pair<std::string, std::string>> env{{"tool", info.tool}};
  if (struct utsname u{}; uname(&u) == 0)
    env.emplace_back("kernel", fmt::format("{} {} {}", u.sysname, u.release, u.machine));
  if (!info.started.empty()) env.emplace_back("recorded", info.started);
  if (!info.enforcer.empty()) env.emplace_back("enforcer", info.enforcer);
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
  out.meta.profile = info.profile;
  return out;
}

}  // namespace npf::runner
