#include "reports/results_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace npf::results {

namespace {

std::string describe(const std::vector<std::pair<std::string, std::string>>& profile) {
  std::string out;
  for (const auto& [k, v] : profile) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out.empty() ? "(default)" : out;
}

std::string quoted(const std::string& s) { return s.empty() ? "(none)" : "'" + s + "'"; }

}  // namespace

std::string unshardedCommand(const std::string& command) {
  auto at = command.rfind(" --shard ");
  if (at == std::string::npos) return command;
  // Only a trailing "--shard I/N" (the writers put it last).
  std::string rest = command.substr(at + 9);
  if (rest.empty() || rest.find(' ') != std::string::npos) return command;
  return command.substr(0, at);
}

MergeOutcome mergeResults(const std::vector<MergeInput>& inputs) {
  MergeOutcome out;
  if (inputs.empty()) {
    out.errors.push_back("nothing to merge");
    return out;
  }
  const Results& first = inputs.front().results;
  const std::string& firstName = inputs.front().source;
  // Every part must be a part of the same run as the first.
  auto same = [&](const char* what, auto get, auto show) {
    for (const MergeInput& in : inputs)
      if (get(in.results) != get(first)) {
        out.errors.push_back(fmt::format("{} differs: {} has {}, {} has {}", what, firstName,
                                         show(get(first)), in.source, show(get(in.results))));
        return;
      }
  };
  auto text = [](const std::string& s) { return quoted(s); };
  same(
      "the kind of run", [](const Results& r) { return r.kind; }, text);
  same(
      "the backend", [](const Results& r) { return r.backend; }, text);
  same(
      "the enforcer", [](const Results& r) { return r.enforcer; }, text);
  same(
      "the seed", [](const Results& r) { return r.seed; },
      [](uint64_t s) { return fmt::format("{}", s); });
  same(
      "the size", [](const Results& r) { return r.size; }, text);
  same(
      "the profile", [](const Results& r) { return r.profile; },
      [](const auto& p) { return describe(p); });
  same(
      "the injected faults", [](const Results& r) { return r.faults; },
      [](const std::vector<std::string>& f) {
        return f.empty() ? std::string("none") : fmt::format("{}", fmt::join(f, ","));
      });
  same(
      "the command (without --shard)", [](const Results& r) { return unshardedCommand(r.command); },
      text);
  same(
      "sharding", [](const Results& r) { return r.shardCount; },
      [](uint64_t n) { return n ? fmt::format("{} shards", n) : std::string("not sharded"); });
  if (!out.errors.empty()) {
    out.errors.push_back(
        "these are not parts of one run: merge the shards of one `--shard I/N` campaign");
    return out;
  }
  if (first.isShard()) {
    std::map<uint64_t, std::string> seen;
    for (const MergeInput& in : inputs) {
      auto [it, fresh] = seen.emplace(in.results.shardIndex, in.source);
      if (!fresh)
        out.errors.push_back(fmt::format("shard {}/{} is given twice: {} and {}",
                                         in.results.shardIndex, first.shardCount, it->second,
                                         in.source));
    }
    std::vector<std::string> missing;
    for (uint64_t i = 0; i < first.shardCount && missing.size() < 20; ++i)
      if (!seen.count(i)) missing.push_back(fmt::format("{}", i));
    if (!missing.empty())
      out.warnings.push_back(fmt::format("incomplete: shard{} {} of {} missing",
                                         missing.size() > 1 ? "s" : "", fmt::join(missing, ", "),
                                         first.shardCount));
  }

  Results& m = out.merged;
  m.schema = first.schema;
  m.tool = first.tool;
  m.command = unshardedCommand(first.command);
  m.kind = first.kind;
  m.backend = first.backend;
  m.enforcer = first.enforcer;
  m.seed = first.seed;
  m.size = first.size;
  m.profile = first.profile;
  m.faults = first.faults;
  m.started = first.started;
  for (const MergeInput& in : inputs) {
    const Results& r = in.results;
    if (!r.started.empty() && (m.started.empty() || r.started < m.started)) m.started = r.started;
    m.seconds += r.seconds;
    m.interrupted = m.interrupted || r.interrupted;
    if (m.backendError.empty() && !r.backendError.empty())
      m.backendError =
          r.isShard() ? fmt::format("shard {}/{}: {}", r.shardIndex, r.shardCount, r.backendError)
                      : r.backendError;
    m.plannedCases += r.plannedCases;
    m.plannedSeconds = std::max(m.plannedSeconds, r.plannedSeconds);
    m.finished = m.finished && r.finished;
    if (!r.finished) out.warnings.push_back(fmt::format("{} is still running", in.source));
    Totals& t = m.totals;
    t.cases += r.totals.cases;
    t.failingCases += r.totals.failingCases;
    t.cells += r.totals.cells;
    t.probes += r.totals.probes;
    t.discrepancies += r.totals.discrepancies;
    t.flaky += r.totals.flaky;
    t.errors += r.totals.errors;
    m.cases.insert(m.cases.end(), r.cases.begin(), r.cases.end());
    m.minimized.insert(m.minimized.end(), r.minimized.begin(), r.minimized.end());
    MergedPart p;
    p.source = in.source;
    p.shardIndex = r.shardIndex;
    p.shardCount = r.shardCount;
    p.started = r.started;
    p.seconds = r.seconds;
    p.cases = r.totals.cases;
    p.finished = r.finished;
    p.interrupted = r.interrupted;
    p.backendError = r.backendError;
    m.mergedFrom.push_back(std::move(p));
  }
  m.totals.probesPerSecond = m.seconds > 0 ? double(m.totals.probes) / m.seconds : 0;
  std::stable_sort(m.cases.begin(), m.cases.end(),
                   [](const CaseRecord& a, const CaseRecord& b) { return a.index < b.index; });
  for (size_t i = 1; i < m.cases.size(); ++i)
    if (m.cases[i].index == m.cases[i - 1].index || m.cases[i].name == m.cases[i - 1].name)
      out.errors.push_back(fmt::format("case {} (index {}) is in more than one input",
                                       m.cases[i].name, m.cases[i].index));
  // One reproduction per signature: the smallest, then the first by file name (the content
  // hash), so that the choice does not depend on the order of the inputs.
  std::map<std::string, MinimizedRecord> best;
  for (const MinimizedRecord& r : m.minimized) {
    auto [it, fresh] = best.emplace(r.signature, r);
    if (!fresh && std::tie(r.objects, r.file) < std::tie(it->second.objects, it->second.file))
      it->second = r;
  }
  m.minimized.clear();
  for (auto& [signature, r] : best) m.minimized.push_back(std::move(r));
  return out;
}

}  // namespace npf::results
