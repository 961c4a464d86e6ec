#include "runner/campaign.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <thread>

#include "generator/case_gen.h"
#include "model/case_probes.h"
#include "model/service_backends.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"
#include "runner/signature.h"

namespace npf::runner {
namespace {

using Clock = std::chrono::steady_clock;

double msBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

bool declares(const Pod& p, int32_t port, Protocol proto) {
  for (const auto& c : p.containers)
    for (const auto& cp : c.ports)
      if (cp.containerPort == port && cp.effectiveProtocol() == proto) return true;
  return false;
}

// What one attempt says about a cell. Unconfirmed: a timeout where the oracle allows, which a
// slow machine explains as well as a drop (see `timeoutIsProof`): it keeps the cell under
// re-probing but decides nothing.
enum class Agreement { Agree, Disagree, Unconfirmed, NoInfo };

// `timeoutIsProof`: the attempt's timeout was CheckOptions::confirmTimeoutMs, or witnesses
// showed the dataplane answering quickly during the attempt.
Agreement agreement(std::optional<Verdict> expected, const ProbeResult& r, bool served,
                    bool timeoutIsProof) {
  using K = ProbeResult::Kind;
  if (r.kind == K::Error || r.kind == K::Skipped || !expected) return Agreement::NoInfo;
  switch (*expected) {
    case Verdict::Undefined:
      return Agreement::Agree;
    case Verdict::Allow:
      if (r.kind == K::Connected || (r.kind == K::Refused && !served)) return Agreement::Agree;
      if (r.kind == K::Timeout && !timeoutIsProof) return Agreement::Unconfirmed;
      return Agreement::Disagree;
    case Verdict::Deny:
      return r.kind == K::Connected ? Agreement::Disagree : Agreement::Agree;
  }
  return Agreement::NoInfo;
}

// A cell under re-probing.
struct Tracked {
  size_t index = 0;
  std::vector<ProbeResult> attempts;
  std::vector<Agreement> verdicts;
  std::vector<double> at;   // ms after apply, end of the attempt's round
  size_t agreesNeeded = 2;  // consecutive agreements that pass the cell
  bool resolved = false;
  CellStatus status = CellStatus::Pass;
  double convergedAtMs = 0;
};

// Whether `t`'s next attempt must be made at the confirmation timeout: its last two
// informative attempts were unconfirmed timeouts (the machine stayed slow).
bool needsConfirmation(const Tracked& t) {
  int unconfirmed = 0;
  for (size_t i = t.verdicts.size(); i-- > 0 && unconfirmed < 2;) {
    if (t.verdicts[i] == Agreement::NoInfo) continue;
    if (t.verdicts[i] != Agreement::Unconfirmed) return false;
    ++unconfirmed;
  }
  return unconfirmed == 2;
}

// Resolves `t` if its history decides it; `final` forces a decision. Unconfirmed attempts
// count as attempts, but neither as agreement nor as disagreement: a cell is a discrepancy only
// with a (confirmed) disagreement as its last word, and flaky only when a confirmed
// disagreement followed an agreement.
void resolve(Tracked& t, bool pastDeadline, bool final) {
  std::vector<std::pair<Agreement, double>> informative;
  for (size_t i = 0; i < t.verdicts.size(); ++i)
    if (t.verdicts[i] != Agreement::NoInfo) informative.push_back({t.verdicts[i], t.at[i]});
  bool agreedThenDisagreed = false, sawAgree = false, sawDisagree = false;
  for (const auto& [v, _] : informative) {
    if (v == Agreement::Agree) {
      sawAgree = true;
    } else if (v == Agreement::Disagree) {
      sawDisagree = true;
      if (sawAgree) agreedThenDisagreed = true;
    }
  }
  size_t n = informative.size();
  if (agreedThenDisagreed) {
    t.status = CellStatus::Flaky;
  } else if (n >= t.agreesNeeded &&
             std::all_of(informative.end() - long(t.agreesNeeded), informative.end(),
                         [](const auto& e) { return e.first == Agreement::Agree; })) {
    t.status = CellStatus::Pass;
    t.convergedAtMs = informative[n - t.agreesNeeded].second;
  } else if (n >= 2 && !sawAgree && pastDeadline &&
             informative[n - 1].first == Agreement::Disagree) {
    t.status = CellStatus::Fail;
  } else if (final) {
    // Out of rounds: a cell that only ever timed out unconfirmed was never judged.
    t.status = !sawAgree && !sawDisagree ? CellStatus::Error
               : sawAgree                ? CellStatus::Flaky
                                         : CellStatus::Fail;
  } else {
    return;
  }
  t.resolved = true;
}

}  // namespace

bool destinationServed(const Cluster& c, const Probe& p) {
  const Endpoint& to = p.target.to;
  switch (to.kind) {
    case Endpoint::Kind::Pod: {
      const Pod* pod = c.findPod(to.namespace_, to.name);
      return pod && declares(*pod, p.target.port, p.target.protocol);
    }
    case Endpoint::Kind::Service: {
      const Service* s = c.findService(to.namespace_, to.name);
      if (!s) return false;
      for (const auto& sp : s->ports) {
        if (sp.port != p.target.port || sp.effectiveProtocol() != p.target.protocol) continue;
        auto backends = serviceBackends(c, *s, sp);
        if (backends.empty()) return false;
        for (const auto& b : backends)
          if (!declares(*b.pod, b.port, p.target.protocol)) return false;
        return true;
      }
      return false;
    }
    case Endpoint::Kind::Node:
      for (const auto& pod : c.pods)
        if (pod.hostNetwork && pod.nodeName == to.name &&
            declares(pod, p.target.port, p.target.protocol))
          return true;
      return false;
    case Endpoint::Kind::External:
      return true;
  }
  return false;
}

size_t CaseResult::cells() const {
  size_t n = 0;
  for (const auto& s : states) n += s.cells;
  return n;
}
size_t CaseResult::discrepancies() const {
  size_t n = 0;
  for (const auto& s : states) n += s.failed;
  return n;
}
size_t CaseResult::flaky() const {
  size_t n = 0;
  for (const auto& s : states) n += s.flaky;
  return n;
}
size_t CaseResult::errors() const {
  size_t n = 0;
  for (const auto& s : states) n += s.errors;
  return n;
}
size_t CaseResult::probes() const {
  size_t n = 0;
  for (const auto& s : states) n += s.probes;
  return n;
}

CaseRunner::CaseRunner(Backend& backend, Profile profile, CheckOptions options)
    : backend_(backend), profile_(profile), options_(options) {}

CaseRunner::~CaseRunner() { tearDown(); }

void CaseRunner::tearDown() {
  if (up_) backend_.tearDown();
  up_.reset();
}

std::string CaseRunner::apply(const Cluster& desired, bool fresh) {
  std::string error;
  if (fresh || !up_ || !backend_.canReconcile(*up_, desired)) {
    tearDown();
    error = backend_.setUp(desired);
  } else {
    error = backend_.reconcile(desired);
  }
  if (!error.empty()) {
    backend_.tearDown();
    up_.reset();
    return error;
  }
  up_ = desired;
  return "";
}

namespace {

// The cells of one applied state: what is probed, what the oracle expects of each, and what
// has been seen so far. Built once per state; the steps below each fill in their part.
struct StateCells {
  StateCells(const Case& c, Cluster actualCluster, const Profile& profile)
      : actual(std::move(actualCluster)),
        set(probeSetFor(c, actual)),
        probes(expandProbes(set)),
        expected(computeMatrix(actual, set, profile)),
        served(probes.size()),
        status(probes.size(), CellStatus::Pass) {}

  const Cluster actual;  // as the backend has it: expectations are computed on this
  const ProbeSet set;
  const std::vector<Probe> probes;
  const Matrix expected;
  std::vector<bool> served;        // only for cells that are judged
  std::vector<CellStatus> status;  // final for every cell once pending ones are decided
  std::vector<ProbeResult> last;   // each cell's latest observation
  std::vector<Tracked> pending;    // cells that did not agree in the first round
};

// First round: every cell once. Cells the oracle or the backend skip, and undefined cells, are
// settled at once; cells that agree pass; the rest are tracked for re-probing.
// The first round's connect times: their 99th percentile and maximum (nullopt: none connected).
struct ConnectTimes {
  double p99 = 0, max = 0;
};
std::optional<ConnectTimes> connectTimes(const std::vector<ProbeResult>& results) {
  std::vector<double> ms;
  for (const auto& r : results)
    if (r.kind == ProbeResult::Kind::Connected) ms.push_back(r.latencyMs);
  if (ms.empty()) return std::nullopt;
  std::sort(ms.begin(), ms.end());
  return ConnectTimes{ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back()};
}

// `shortened`: the round's timeout is below the configured one (adaptive), so a timeout of a
// cell the oracle denies counts only if the round's connections were prompt (the slowest within
// 60% of the timeout: a connection the dataplane wrongly lets through takes as long as the
// others, since every probe's timeout runs from its own connect()).
void probeFirstRound(Backend& backend, const ProbeOptions& options, int confirmTimeoutMs,
                     bool shortened, StateCells& cells, StateResult& r, Clock::time_point applied) {
  cells.last = backend.probe(cells.probes, options);
  r.rounds = 1;
  r.probes = cells.probes.size();
  const double roundEnd = msBetween(applied, Clock::now());
  r.convergeMs = roundEnd;
  const auto times = connectTimes(cells.last);
  const bool denyTimeoutsCount = !shortened || (times && times->max <= 0.6 * options.timeoutMs);
  for (size_t i = 0; i < cells.probes.size(); ++i) {
    const ProbeResult& seen = cells.last[i];
    auto want = cells.expected.verdict(i);
    if (!want || seen.kind == ProbeResult::Kind::Skipped) {
      cells.status[i] = CellStatus::Skipped;
      continue;
    }
    if (*want == Verdict::Undefined && seen.kind != ProbeResult::Kind::Error) {
      cells.status[i] = CellStatus::Undefined;
      continue;
    }
    cells.served[i] = destinationServed(cells.actual, cells.probes[i]);
    Agreement a = agreement(want, seen, cells.served[i], options.timeoutMs >= confirmTimeoutMs);
    Tracked t;
    if (a == Agreement::Agree && !denyTimeoutsCount && *want == Verdict::Deny &&
        seen.kind == ProbeResult::Kind::Timeout) {
      // Perhaps only slow: probed again at the retry timeout, where one agreement passes it.
      a = Agreement::NoInfo;
      t.agreesNeeded = 1;
    }
    if (a == Agreement::Agree) continue;
    t.index = i;
    t.attempts.push_back(seen);
    t.verdicts.push_back(a);
    t.at.push_back(roundEnd);
    cells.pending.push_back(std::move(t));
  }
}

// Up to `n` cells that the oracle allows and that connected in the first round, spread over
// the state: re-probed next to cells that timed out, they show whether the dataplane answered
// promptly meanwhile (then a timeout is a drop, not a slow machine).
std::vector<size_t> pickWitnesses(const StateCells& cells, size_t n) {
  std::vector<size_t> all;
  for (size_t i = 0; i < cells.probes.size(); ++i)
    if (cells.status[i] == CellStatus::Pass && cells.expected.verdict(i) == Verdict::Allow &&
        cells.last[i].kind == ProbeResult::Kind::Connected)
      all.push_back(i);
  if (all.size() <= n) return all;
  std::vector<size_t> out;
  for (size_t k = 0; k < n; ++k) out.push_back(all[k * all.size() / n]);
  return out;
}

// When the state's own cells offer no witness (a minimizer's trial probes one cell): up to `n`
// cells of the cluster's default probe set that the oracle allows, to a destination that
// serves. Should one not connect (the dataplane is wrong about it too), the round is simply not
// prompt and timeouts wait for the confirmation timeout.
std::vector<Probe> witnessesOutsideTheState(const Cluster& c, const Profile& profile, size_t n) {
  std::vector<Probe> out;
  size_t looked = 0;
  defaultProbeSet(c).forEach([&](const Probe& p) {
    if (out.size() >= n || ++looked > 400) return;
    if (p.from.kind == Endpoint::Kind::Pod && p.target.to == p.from) return;  // loopback
    if (evaluateProbe(c, p, profile) == Verdict::Allow && destinationServed(c, p)) out.push_back(p);
  });
  return out;
}

// Whether the witnesses' attempts show a prompt dataplane: two of them (or the only one)
// connected, and every one that connected did within a quarter of the timeout. A witness that
// timed out says nothing either way (the dataplane may wrongly drop it too), nor does a skipped
// one (SCTP without kernel support).
bool promptDataplane(const std::vector<ProbeResult>& witnessResults, int timeoutMs) {
  size_t connected = 0;
  for (const auto& w : witnessResults) {
    if (w.kind != ProbeResult::Kind::Connected) continue;
    if (w.latencyMs > timeoutMs / 4.0) return false;
    ++connected;
  }
  return connected >= std::min<size_t>(2, witnessResults.size()) && connected > 0;
}

// Re-probes the tracked cells that are not decided yet, in rounds (longer timeout, a pause
// between rounds), until each is decided: by its history, the convergence deadline, or the
// round limit.
void reprobeUntilDecided(Backend& backend, const CheckOptions& options, const Profile& profile,
                         StateCells& cells, StateResult& r, Clock::time_point applied) {
  ProbeOptions retry = options.firstRound;
  retry.timeoutMs = std::max(retry.timeoutMs, options.retryTimeoutMs);
  const int kMaxRounds = 12;
  std::vector<Probe> witnesses;
  for (size_t w : pickWitnesses(cells, 8)) witnesses.push_back(cells.probes[w]);
  bool lookedOutside = false;
  while (true) {
    const bool pastDeadline = msBetween(applied, Clock::now()) >= options.convergeDeadlineMs;
    const bool final = r.rounds >= kMaxRounds;
    std::vector<Tracked*> open;
    bool confirm = false;
    for (auto& t : cells.pending) {
      if (!t.resolved) resolve(t, pastDeadline, final);
      if (t.resolved) continue;
      open.push_back(&t);
      confirm = confirm || needsConfirmation(t);
    }
    if (open.empty()) return;
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(options.roundGapMs));
    std::vector<Probe> again;
    for (auto* t : open) again.push_back(cells.probes[t->index]);
    // One timeout per round (the backend probes a round at once): the confirmation timeout as
    // soon as one cell needs it; a probe that answers returns at once anyway.
    ProbeOptions round = retry;
    if (confirm) round.timeoutMs = std::max(round.timeoutMs, options.confirmTimeoutMs);
    if (witnesses.empty() && !lookedOutside) {
      witnesses = witnessesOutsideTheState(cells.actual, profile, 8);
      lookedOutside = true;
    }
    again.insert(again.end(), witnesses.begin(), witnesses.end());
    auto results = backend.probe(again, round);
    const double end = msBetween(applied, Clock::now());
    ++r.rounds;
    r.probes += again.size();
    const bool timeoutIsProof =
        round.timeoutMs >= options.confirmTimeoutMs ||
        promptDataplane({results.begin() + open.size(), results.end()}, round.timeoutMs);
    for (size_t k = 0; k < open.size(); ++k) {
      Tracked& t = *open[k];
      t.attempts.push_back(results[k]);
      t.verdicts.push_back(agreement(cells.expected.verdict(t.index), results[k],
                                     cells.served[t.index], timeoutIsProof));
      t.at.push_back(end);
      cells.last[t.index] = results[k];
    }
  }
}

// The decided cells' statuses; late convergence; the notable cells (fail, flaky, error) with
// their attempts, and for a discrepancy the oracle's explanation and its signature.
void recordDecidedCells(const Case& c, size_t step, const Profile& profile, size_t maxNotable,
                        StateCells& cells, StateResult& r) {
  for (const auto& t : cells.pending) {
    cells.status[t.index] = t.status;
    if (t.status == CellStatus::Pass) {
      ++r.lateConverged;
      r.convergeMs = std::max(r.convergeMs, t.convergedAtMs);
    }
    if (t.status == CellStatus::Pass || r.notable.size() >= maxNotable) continue;
    CellOutcome o;
    o.probe = cells.probes[t.index];
    o.expected = cells.expected.verdict(t.index);
    o.attempts = t.attempts;
    o.status = t.status;
    if (t.status == CellStatus::Fail) {
      Explanation why;
      auto v = evaluateProbe(cells.actual, o.probe, profile, &why);
      o.explanation = renderExplanation(o.probe, v, why);
      const Step* lastStep =
          step > 0 && step <= c.meta.steps.size() ? &c.meta.steps[step - 1] : nullptr;
      o.signature = discrepancySignature(cells.actual, o.probe, o.expected, o.attempts.back().kind,
                                         profile, lastStep);
    }
    r.notable.push_back(std::move(o));
  }
}

// The per-status counts and every cell's expected and observed symbols.
void countCells(const StateCells& cells, StateResult& r) {
  const size_t n = cells.probes.size();
  for (size_t i = 0; i < n; ++i) {
    switch (cells.status[i]) {
      case CellStatus::Pass:
        ++r.passed;
        break;
      case CellStatus::Fail:
        ++r.failed;
        break;
      case CellStatus::Flaky:
        ++r.flaky;
        break;
      case CellStatus::Undefined:
        ++r.undefined;
        break;
      case CellStatus::Skipped:
        ++r.skipped;
        break;
      case CellStatus::Error:
        ++r.errors;
        break;
    }
    if (cells.status[i] == CellStatus::Pass && cells.expected.verdict(i) == Verdict::Deny &&
        cells.last[i].kind == ProbeResult::Kind::Refused)
      ++r.refusedDenied;
  }
  r.probeSet = cells.set;
  r.expectedCells.resize(n);
  r.observedCells.resize(n);
  for (size_t i = 0; i < n; ++i) {
    r.expectedCells[i] = toSymbol(expectedOf(cells.expected.verdict(i)));
    r.observedCells[i] = toSymbol(cells.last[i].kind);
  }
}

// When every cell that could be probed failed, the backend, not the policy, is broken: one line
// saying so (with the first error's detail), else "".
std::string everyProbeFailed(const StateResult& r) {
  if (r.errors == 0 || r.errors + r.skipped != r.cells) return "";
  std::string detail;
  for (const auto& o : r.notable)
    if (o.status == CellStatus::Error && !o.attempts.empty()) {
      detail = o.attempts.back().detail;
      break;
    }
  return fmt::format("every probe of step {} failed ({})", r.step,
                     detail.empty() ? "no detail" : detail);
}

}  // namespace

StateResult CaseRunner::checkState(const Case& c, const Cluster& desired, size_t step, bool fresh,
                                   std::string& backendError) {
  StateResult r;
  r.step = step;
  const auto t0 = Clock::now();
  backendError = apply(desired, fresh);
  if (!backendError.empty()) return r;
  const auto applied = Clock::now();
  r.applyMs = msBetween(t0, applied);
  if (auto e = backend_.lastEnforcement(); e.measured) {
    r.enforcerMs = e.convergedMs;
    r.enforcerTimedOutNodes = e.timedOutNodes;
  }

  StateCells cells(c, backend_.actual(), profile_);
  r.cells = cells.probes.size();
  ProbeOptions first = options_.firstRound;
  if (options_.minFirstRoundTimeoutMs > 0 && connectP99Ms_ >= 0)
    first.timeoutMs =
        std::clamp(int(std::ceil(CheckOptions::kAdaptiveTimeoutFactor * connectP99Ms_)),
                   std::min(options_.minFirstRoundTimeoutMs, first.timeoutMs), first.timeoutMs);
  probeFirstRound(backend_, first, options_.confirmTimeoutMs,
                  first.timeoutMs < options_.firstRound.timeoutMs, cells, r, applied);
  if (auto t = connectTimes(cells.last)) connectP99Ms_ = t->p99;
  reprobeUntilDecided(backend_, options_, profile_, cells, r, applied);
  r.probeMs = msBetween(applied, Clock::now());
  recordDecidedCells(c, step, profile_, options_.maxNotablePerState, cells, r);
  countCells(cells, r);
  backendError = everyProbeFailed(r);
  return r;
}

CaseResult CaseRunner::run(const Case& c) {
  auto t0 = Clock::now();
  CaseResult out;
  out.name = c.meta.name;
  out.seed = c.meta.seed;
  out.tags = c.meta.tags;
  out.clusterReused = up_ && backend_.canReconcile(*up_, c.cluster);
  Cluster state = c.cluster;
  for (size_t step = 0; step <= c.meta.steps.size(); ++step) {
    if (step > 0) {
      if (auto e = applyStep(state, c.meta.steps[step - 1]); !e.empty()) {
        out.backendError = fmt::format("step {} does not apply: {}", step, e);
        break;
      }
    }
    std::string err;
    out.states.push_back(checkState(c, state, step, false, err));
    if (!err.empty()) {
      out.backendError = err;
      break;
    }
  }
  out.totalMs = msBetween(t0, Clock::now());
  return out;
}

}  // namespace npf::runner
