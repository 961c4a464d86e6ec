#include "runner/campaign.h"

#include <fmt/format.h>

#include <algorithm>
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

// Nodes and external hosts are fixed for the life of a backend's cluster.
bool sameShape(const Cluster& a, const Cluster& b) {
  if (a.nodes.size() != b.nodes.size() || !(a.externalHosts == b.externalHosts)) return false;
  for (size_t i = 0; i < a.nodes.size(); ++i)
    if (a.nodes[i].meta.name != b.nodes[i].meta.name || a.nodes[i].internalIPs != b.nodes[i].internalIPs)
      return false;
  return true;
}

bool declares(const Pod& p, int32_t port, Protocol proto) {
  for (const auto& c : p.containers)
    for (const auto& cp : c.ports)
      if (cp.containerPort == port && cp.effectiveProtocol() == proto) return true;
  return false;
}

enum class Agreement { Agree, Disagree, NoInfo };

Agreement agreement(std::optional<Verdict> expected, const ProbeResult& r, bool served) {
  using K = ProbeResult::Kind;
  if (r.kind == K::Error || r.kind == K::Skipped || !expected) return Agreement::NoInfo;
  switch (*expected) {
    case Verdict::Undefined:
      return Agreement::Agree;
    case Verdict::Allow:
      if (r.kind == K::Connected || (r.kind == K::Refused && !served)) return Agreement::Agree;
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
  std::vector<double> at;  // ms after apply, end of the attempt's round
  bool resolved = false;
  CellStatus status = CellStatus::Pass;
  double convergedAtMs = 0;
};

// Resolves `t` if its history decides it; `final` forces a decision.
void resolve(Tracked& t, bool pastDeadline, bool final) {
  std::vector<std::pair<Agreement, double>> informative;
  for (size_t i = 0; i < t.verdicts.size(); ++i)
    if (t.verdicts[i] != Agreement::NoInfo) informative.push_back({t.verdicts[i], t.at[i]});
  bool agreedThenDisagreed = false, sawAgree = false;
  for (const auto& [v, _] : informative) {
    if (v == Agreement::Agree) sawAgree = true;
    else if (sawAgree) agreedThenDisagreed = true;
  }
  size_t n = informative.size();
  if (agreedThenDisagreed) {
    t.status = CellStatus::Flaky;
  } else if (n >= 2 && informative[n - 1].first == Agreement::Agree &&
             informative[n - 2].first == Agreement::Agree) {
    t.status = CellStatus::Pass;
    t.convergedAtMs = informative[n - 2].second;
  } else if (n >= 2 && !sawAgree && pastDeadline) {
    t.status = CellStatus::Fail;
  } else if (final) {
    t.status = n == 0 ? CellStatus::Error : sawAgree ? CellStatus::Flaky : CellStatus::Fail;
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
        if (pod.hostNetwork && pod.nodeName == to.name && declares(pod, p.target.port, p.target.protocol))
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

StateResult CaseRunner::checkState(const Case& c, const Cluster& desired, size_t step, bool fresh,
                                   std::string& backendError) {
  StateResult r;
  r.step = step;
  auto t0 = Clock::now();
  if (fresh || !up_ || !sameShape(*up_, desired)) {
    tearDown();
    backendError = backend_.setUp(desired);
  } else {
    backendError = backend_.reconcile(desired);
  }
  if (!backendError.empty()) {
    backend_.tearDown();
    up_.reset();
    return r;
  }
  up_ = desired;
  auto applied = Clock::now();
  r.applyMs = msBetween(t0, applied);

  // Expectations on the cluster as the backend really has it (addresses it assigned).
  const Cluster actual = backend_.actual();
  const ProbeSet set = probeSetFor(c, actual);
  const std::vector<Probe> probes = expandProbes(set);
  const Matrix expected = computeMatrix(actual, set, profile_);
  r.cells = probes.size();

  auto round0 = backend_.probe(probes, options_.firstRound);
  r.rounds = 1;
  r.probes = probes.size();
  double round0End = msBetween(applied, Clock::now());
  r.probeMs += round0End;

  std::vector<bool> served(probes.size());
  std::vector<Tracked> pending;
  std::vector<CellStatus> status(probes.size(), CellStatus::Pass);
  std::vector<ProbeResult> last = round0;
  for (size_t i = 0; i < probes.size(); ++i) {
    auto want = expected.verdict(i);
    if (!want || round0[i].kind == ProbeResult::Kind::Skipped) {
      status[i] = CellStatus::Skipped;
      continue;
    }
    if (*want == Verdict::Undefined && round0[i].kind != ProbeResult::Kind::Error) {
      status[i] = CellStatus::Undefined;
      continue;
    }
    served[i] = destinationServed(actual, probes[i]);
    Agreement a = agreement(want, round0[i], served[i]);
    if (a == Agreement::Agree) continue;
    Tracked t;
    t.index = i;
    t.attempts.push_back(round0[i]);
    t.verdicts.push_back(a);
    t.at.push_back(round0End);
    pending.push_back(std::move(t));
  }

  // Re-probe what disagrees (or failed) until it is decided.
  ProbeOptions retry = options_.firstRound;
  retry.timeoutMs = std::max(retry.timeoutMs, options_.retryTimeoutMs);
  const int kMaxRounds = 12;
  while (true) {
    double elapsed = msBetween(applied, Clock::now());
    bool pastDeadline = elapsed >= options_.convergeDeadlineMs;
    bool final = r.rounds >= kMaxRounds;
    std::vector<Tracked*> open;
    for (auto& t : pending) {
      if (!t.resolved) resolve(t, pastDeadline, final);
      if (!t.resolved) open.push_back(&t);
    }
    if (open.empty()) break;
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(options_.roundGapMs));
    std::vector<Probe> again;
    for (auto* t : open) again.push_back(probes[t->index]);
    auto results = backend_.probe(again, retry);
    double end = msBetween(applied, Clock::now());
    ++r.rounds;
    r.probes += again.size();
    for (size_t k = 0; k < open.size(); ++k) {
      Tracked& t = *open[k];
      t.attempts.push_back(results[k]);
      t.verdicts.push_back(agreement(expected.verdict(t.index), results[k], served[t.index]));
      t.at.push_back(end);
      last[t.index] = results[k];
    }
  }
  r.probeMs = msBetween(applied, Clock::now());

  r.convergeMs = round0End;
  for (const auto& t : pending) {
    status[t.index] = t.status;
    if (t.status == CellStatus::Pass) {
      ++r.lateConverged;
      r.convergeMs = std::max(r.convergeMs, t.convergedAtMs);
    }
    if (t.status == CellStatus::Pass || r.notable.size() >= options_.maxNotablePerState) continue;
    CellOutcome o;
    o.probe = probes[t.index];
    o.expected = expected.verdict(t.index);
    o.attempts = t.attempts;
    o.status = t.status;
    if (t.status == CellStatus::Fail) {
      Explanation why;
      auto v = evaluateProbe(actual, o.probe, profile_, &why);
      o.explanation = renderExplanation(o.probe, v, why);
      const Step* lastStep = step > 0 && step <= c.meta.steps.size() ? &c.meta.steps[step - 1] : nullptr;
      o.signature = discrepancySignature(actual, o.probe, o.expected, o.attempts.back().kind, profile_, lastStep);
    }
    r.notable.push_back(std::move(o));
  }
  for (size_t i = 0; i < probes.size(); ++i) {
    switch (status[i]) {
      case CellStatus::Pass: ++r.passed; break;
      case CellStatus::Fail: ++r.failed; break;
      case CellStatus::Flaky: ++r.flaky; break;
      case CellStatus::Undefined: ++r.undefined; break;
      case CellStatus::Skipped: ++r.skipped; break;
      case CellStatus::Error: ++r.errors; break;
    }
    if (status[i] == CellStatus::Pass && expected.verdict(i) == Verdict::Deny &&
        last[i].kind == ProbeResult::Kind::Refused)
      ++r.refusedDenied;
  }
  r.probeSet = set;
  r.expectedCells.resize(probes.size());
  r.observedCells.resize(probes.size());
  for (size_t i = 0; i < probes.size(); ++i) {
    r.expectedCells[i] = toSymbol(expectedOf(expected.verdict(i)));
    r.observedCells[i] = toSymbol(last[i].kind);
  }
  // Every cell that could be probed failed: the backend, not the policy, is broken.
  if (r.errors > 0 && r.errors + r.skipped == r.cells) {
    std::string detail;
    for (const auto& o : r.notable)
      if (o.status == CellStatus::Error && !o.attempts.empty()) {
        detail = o.attempts.back().detail;
        break;
      }
    backendError = fmt::format("every probe of step {} failed ({})", step, detail.empty() ? "no detail" : detail);
  }
  return r;
}

CaseResult CaseRunner::run(const Case& c) {
  auto t0 = Clock::now();
  CaseResult out;
  out.name = c.meta.name;
  out.seed = c.meta.seed;
  out.tags = c.meta.tags;
  out.clusterReused = up_ && sameShape(*up_, c.cluster);
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
