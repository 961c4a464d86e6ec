#include "reports/campaign_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "model/cell_vocabulary.h"
#include "reports/results_grid.h"

namespace npf {
namespace {

using results::CaseRecord;
using results::CellRecord;
using results::Results;

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

std::string cellLine(const CellRecord& c) {
  std::string obs;
  for (const auto& a : c.observed) obs += (obs.empty() ? "" : ",") + a.result;
  return fmt::format("step {}: {} -> {}  expected {}, observed {}", c.step, c.from, c.target(),
                     c.expected, obs);
}

}  // namespace

std::string renderCampaignSummary(const Results& r, const std::string& outDir) {
  const results::Totals& t = r.totals;
  std::string out;
  std::vector<double> perCase;
  for (const auto& c : r.cases) perCase.push_back(c.timings.totalMs);
  std::string what = r.kind == "fuzz" ? fmt::format("seed {}, size {}", r.seed, r.size) : r.kind;
  out += fmt::format(
      "\n{} cases in {:.1f} s on the {} backend{} ({}{}): {} cells, {} probes "
      "({:.0f} probes/s), median {:.0f} ms per case\n",
      r.cases.size(), r.seconds, r.backend,
      r.enforcer.empty()        ? ""
      : r.backend == "analyzer" ? " (" + r.enforcer + ")"
                                : " with the " + r.enforcer + " enforcer",
      what,
      r.faults.empty() ? "" : ", injected fault " + fmt::format("{}", fmt::join(r.faults, ",")),
      t.cells, t.probes, r.seconds > 0 ? double(t.probes) / r.seconds : 0.0, median(perCase));
  if (!r.enforcer.empty() && r.enforcer != "nftables" && r.backend != "analyzer") {
    std::vector<double> enforcer;
    uint64_t timedOut = 0;
    for (const auto& c : r.cases)
      for (const auto& st : c.states) {
        enforcer.push_back(st.enforcerMs);
        timedOut += st.enforcerTimedOutNodes > 0;
      }
    out += fmt::format(
        "enforcer {}: caught up with a change in a median {:.0f} ms (max {:.0f} ms) over {} "
        "states{}\n",
        r.enforcer, median(enforcer),
        enforcer.empty() ? 0.0 : *std::max_element(enforcer.begin(), enforcer.end()),
        enforcer.size(),
        timedOut ? fmt::format("; {} states probed before it had caught up on every node", timedOut)
                 : "");
  }
  if (r.isShard())
    out += fmt::format(
        "shard {}/{}: the cases at positions {} modulo {} (netpolfuzz merge joins "
        "the shards)\n",
        r.shardIndex, r.shardCount, r.shardIndex, r.shardCount);
  if (!r.mergedFrom.empty()) {
    double longest = 0;
    for (const auto& p : r.mergedFrom) longest = std::max(longest, p.seconds);
    out += fmt::format("merged from {} runs (seconds added up; the longest took {:.1f} s)\n",
                       r.mergedFrom.size(), longest);
  }
  if (r.interrupted) out += "interrupted: stopped after the case in progress\n";
  if (!r.backendError.empty()) out += "backend failure: " + r.backendError + "\n";
  size_t shown = 0;
  for (const CaseRecord& c : r.cases) {
    if (c.discrepancies == 0) continue;
    if (shown++ == 10) {
      out += fmt::format("... and {} more failing cases\n", t.failingCases - 10);
      break;
    }
    out += fmt::format("FAIL {} ({} discrepancies)\n", c.name, c.discrepancies);
    size_t lines = 0;
    for (const CellRecord& cell : c.cellsNotPassing)
      if (cellStatusFromWord(cell.status) == CellStatus::Fail && lines++ < 3)
        out += "  " + cellLine(cell) + "\n";
    if (c.discrepancies > 3) out += fmt::format("  ... {} more\n", c.discrepancies - 3);
  }
  if (t.flaky > 0)
    out += fmt::format("{} flaky cells (answered both ways; not counted)\n", t.flaky);
  if (t.errors > 0)
    out += fmt::format("{} cells could not be probed (errors; not counted)\n", t.errors);
  if (t.discrepancies == 0 && !r.backendError.empty())
    out += fmt::format(
        "INCOMPLETE: no discrepancies in the {} case(s) that ran before the {} backend failed\n",
        r.cases.size(), r.backend);
  else if (t.discrepancies == 0)
    out +=
        fmt::format("PASS: no discrepancies between the {} dataplane and the oracle\n", r.backend);
  else
    out += fmt::format("FAIL: {} discrepancies in {} of {} cases\n", t.discrepancies,
                       t.failingCases, r.cases.size());
  if (!outDir.empty()) {
    out += fmt::format("results: {}/results.json\n", outDir);
    if (t.failingCases > 0)
      out += fmt::format(
          "failing cases: {}/failures/ (explain a cell: netpolfuzz explain FILE --from SRC --to "
          "DST --port N/PROTO --step S)\n",
          outDir);
  }
  return out;
}

std::string renderTagTables(const Results& r) {
  std::string out;
  for (const results::TagGroup& g : results::tagGroups(r)) {
    if (g.tags.empty()) continue;
    out += fmt::format("\n{:<32} {:>6} {:>6} {:>6}\n", g.title, "cases", "pass", "fail");
    for (const results::TagCount& k : g.tags)
      out += fmt::format("{:<32} {:>6} {:>6} {:>6}  {}\n", k.tag, k.cases, k.cases - k.failed,
                         k.failed, k.failed ? "FAIL" : "pass");
  }
  size_t failed = 0;
  for (const auto& c : r.cases) failed += c.failed();
  out +=
      fmt::format("\ntotal: {} cases, {} passed, {} failed; {} cells, {} discrepancies, {} flaky\n",
                  r.cases.size(), r.cases.size() - failed, failed, r.totals.cells,
                  r.totals.discrepancies, r.totals.flaky);
  return out;
}

std::string renderProgressLine(const results::Totals& sofar, double seconds, size_t totalCases,
                               double durationSeconds) {
  size_t done = sofar.cases;
  double rate = seconds > 0 ? done / seconds : 0;
  std::string eta = "?";
  if (totalCases > 0 && rate > 0)
    eta = duration(double(totalCases - std::min(done, totalCases)) / rate);
  else if (durationSeconds > 0)
    eta = duration(durationSeconds - seconds);
  std::string total = totalCases > 0 ? fmt::format("{}", totalCases) : "-";
  return fmt::format(
      "[{}/{}] {:.1f} cases/s, {:.0f} probes/s, {} discrepancies in {} cases, ETA {}", done, total,
      rate, seconds > 0 ? sofar.probes / seconds : 0.0, sofar.discrepancies, sofar.failingCases,
      eta);
}

std::string renderTimings(const Results& r) {
  std::vector<double> apply, probe, converge, rest;
  double applySum = 0, probeSum = 0, restSum = 0;
  for (const auto& c : r.cases) {
    double inStates = 0;
    for (const auto& st : c.states) {
      apply.push_back(st.applyMs);
      probe.push_back(st.probeMs);
      converge.push_back(st.convergeMs);
      applySum += st.applyMs;
      probeSum += st.probeMs;
      inStates += st.applyMs + st.probeMs;
    }
    double other = std::max(0.0, c.timings.totalMs - inStates);
    rest.push_back(other);
    restSum += other;
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  double wall = r.seconds * 1000;
  double outside = std::max(0.0, wall - applySum - probeSum - restSum);
  auto share = [&](double ms) { return wall > 0 ? 100.0 * ms / wall : 0.0; };
  std::string out = fmt::format("timings ({} cases, {} states, {:.1f} s):\n", r.cases.size(),
                                apply.size(), r.seconds);
  out += fmt::format("  {:<34} {:>10} {:>7} {:>16}\n", "phase", "total", "share", "median");
  out += fmt::format("  {:<34} {:>8.1f} s {:>6.1f}% {:>10.0f} ms/state\n",
                     "apply (set-up/reconcile, wait)", applySum / 1000, share(applySum),
                     median(apply));
  out += fmt::format("  {:<34} {:>8.1f} s {:>6.1f}% {:>10.0f} ms/state\n", "probe (all rounds)",
                     probeSum / 1000, share(probeSum), median(probe));
  out += fmt::format("  {:<34} {:>8.1f} s {:>6.1f}% {:>10.0f} ms/case\n",
                     "oracle, diff, generation", restSum / 1000, share(restSum), median(rest));
  out += fmt::format("  {:<34} {:>8.1f} s {:>6.1f}%\n", "other (writing results, teardown)",
                     outside / 1000, share(outside));
  out += fmt::format("  convergence after a change: median {:.0f} ms, max {:.0f} ms per state\n",
                     median(converge),
                     converge.empty() ? 0.0 : *std::max_element(converge.begin(), converge.end()));
  return out;
}

}  // namespace npf

namespace npf {

namespace {

// The shard count of the sharded runs among `runs` (0: none is a shard).
uint64_t shardCountOf(const std::vector<RunProgress>& runs) {
  for (const auto& p : runs)
    if (p.run && p.run->isShard()) return p.run->shardCount;
  return 0;
}

std::vector<uint64_t> missingShards(const std::vector<RunProgress>& runs) {
  const uint64_t n = shardCountOf(runs);
  std::vector<bool> seen(n, false);
  for (const auto& p : runs)
    if (p.run && p.run->isShard() && p.run->shardIndex < n) seen[p.run->shardIndex] = true;
  std::vector<uint64_t> out;
  for (uint64_t i = 0; i < n; ++i)
    if (!seen[i]) out.push_back(i);
  return out;
}

std::string ago(double seconds) {
  if (seconds < 90) return fmt::format("{:.0f} s ago", std::max(0.0, seconds));
  if (seconds < 5400) return fmt::format("{:.0f} min ago", seconds / 60);
  return fmt::format("{:.1f} h ago", seconds / 3600);
}

}  // namespace

bool campaignFinished(const std::vector<RunProgress>& runs) {
  if (runs.empty() || !missingShards(runs).empty()) return false;
  for (const auto& p : runs)
    if (!p.run || !p.run->finished) return false;
  return true;
}

std::string renderCampaignStatus(const std::vector<RunProgress>& runs) {
  std::string out = fmt::format("{:<10} {:<11} {:>15} {:>8} {:>14} {:>9}  {}\n", "run", "state",
                                "cases", "failing", "discrepancies", "probes/s", "updated");
  uint64_t done = 0, planned = 0, failing = 0, discrepancies = 0, finished = 0;
  bool unbounded = false;
  double eta = 0;
  for (const auto& p : runs) {
    if (!p.run) {
      out += fmt::format("{:<10} {:<11} {}\n", results::terminalSafe(p.source).substr(0, 60),
                         "no results", results::terminalSafe(p.problem));
      continue;
    }
    const Results& r = *p.run;
    const uint64_t n = r.totals.cases;
    std::string state = r.finished ? (r.interrupted ? "interrupted" : "finished") : "running";
    if (!r.backendError.empty()) state = "failed";
    if (!r.finished && p.secondsSinceWrite > kStalledAfterSeconds) state = "stalled?";
    std::string cases = r.plannedCases ? fmt::format("{}/{} ({:.0f}%)", n, r.plannedCases,
                                                     100.0 * n / double(r.plannedCases))
                                       : fmt::format("{}", n);
    out += fmt::format("{:<10} {:<11} {:>15} {:>8} {:>14} {:>9.0f}  {}\n",
                       r.isShard() ? fmt::format("{}/{}", r.shardIndex, r.shardCount)
                                   : results::terminalSafe(p.source).substr(0, 60),
                       state, cases, r.totals.failingCases, r.totals.discrepancies,
                       r.seconds > 0 ? r.totals.probes / r.seconds : 0.0, ago(p.secondsSinceWrite));
    if (!r.backendError.empty())
      out += fmt::format("{:<10} {}\n", "", results::terminalSafe(r.backendError));
    done += n;
    planned += r.plannedCases ? r.plannedCases : n;
    unbounded = unbounded || (r.plannedCases == 0 && !r.finished);
    failing += r.totals.failingCases;
    discrepancies += r.totals.discrepancies;
    finished += r.finished;
    if (!r.finished) {
      // Each shard's own pace; the campaign ends with its slowest.
      double left = 0;
      if (r.plannedCases > n && n > 0 && r.seconds > 0)
        left = (r.plannedCases - n) * r.seconds / n;
      else if (r.plannedSeconds > 0)
        left = r.plannedSeconds - r.seconds;
      eta = std::max(eta, left);
    }
  }
  const auto missing = missingShards(runs);
  for (uint64_t i : missing)
    out += fmt::format("{:<10} {:<11} {}\n", fmt::format("{}/{}", i, shardCountOf(runs)), "missing",
                       "no results from this shard yet");
  const uint64_t total = shardCountOf(runs) ? shardCountOf(runs) : runs.size();
  out += fmt::format(
      "campaign: {} cases{}, {} failing, {} discrepancies; {} of {} run{} finished{}\n", done,
      unbounded || planned == 0
          ? std::string()
          : fmt::format(" of {} ({:.0f}%)", planned, 100.0 * done / double(planned)),
      failing, discrepancies, finished, total, total == 1 ? "" : "s",
      campaignFinished(runs) ? ""
      : eta > 0              ? ", ETA " + duration(eta)
                             : "");
  return out;
}

}  // namespace npf
