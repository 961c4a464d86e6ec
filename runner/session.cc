#include "runner/session.h"

#include <chrono>
#include <utility>

#include "generator/case_gen.h"

namespace npf::runner {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

template <typename PerCase>
size_t sum(const std::vector<CaseResult>& cases, PerCase perCase) {
  size_t n = 0;
  for (const auto& c : cases) n += perCase(c);
  return n;
}

}  // namespace

GeneratedCases::GeneratedCases(uint64_t seed, uint64_t firstIndex, size_t count, ClusterSize size,
                               GeneratorWeights weights, Shard shard)
    : seed_(seed),
      firstIndex_(firstIndex),
      count_(count),
      size_(size),
      weights_(weights),
      shard_(shard),
      position_(shard.index) {}

std::optional<SessionCase> GeneratedCases::next() {
  if (count_ > 0 && position_ >= count_) return std::nullopt;
  SessionCase c;
  c.index = firstIndex_ + position_;
  position_ += shard_.count;
  c.kase = caseAt(c.index);
  return c;
}

Case GeneratedCases::caseAt(uint64_t index) const {
  return generateCase(seed_, index, size_, weights_);
}

ListedCases::ListedCases(std::vector<SessionCase> cases, Shard shard) {
  for (size_t i = 0; i < cases.size(); ++i)
    if (shard.has(i)) {
      cases[i].index = i;
      cases_.push_back(std::move(cases[i]));
    }
}

std::optional<SessionCase> ListedCases::next() {
  if (given_ >= cases_.size()) return std::nullopt;
  return cases_[given_++];
}

size_t SessionResult::discrepancies() const {
  return sum(cases, [](const CaseResult& c) { return c.discrepancies(); });
}
size_t SessionResult::failingCases() const {
  return sum(cases, [](const CaseResult& c) { return c.discrepancies() > 0 ? 1 : 0; });
}
size_t SessionResult::cells() const {
  return sum(cases, [](const CaseResult& c) { return c.cells(); });
}
size_t SessionResult::probes() const {
  return sum(cases, [](const CaseResult& c) { return c.probes(); });
}
size_t SessionResult::flaky() const {
  return sum(cases, [](const CaseResult& c) { return c.flaky(); });
}
size_t SessionResult::errors() const {
  return sum(cases, [](const CaseResult& c) { return c.errors(); });
}

SessionResult runSession(Backend& backend, CaseSource& source, SessionSink& sink,
                         const SessionOptions& options) {
  SessionResult out;
  const auto t0 = Clock::now();
  // Plain cases share one runner, so consecutive cases reuse the cluster; saved cases go through
  // the Replayer (made only when needed: it wraps the backend to re-derive ipBlocks).
  CaseRunner runner(backend, options.profile, options.check);
  std::optional<Replayer> replayer;
  bool afterSaved = false;  // the last case was a saved one: its cluster and settings are up
  while (std::optional<SessionCase> c = source.next()) {
    if (options.durationSeconds > 0 && secondsSince(t0) >= options.durationSeconds) break;
    if (options.stop && options.stop->load()) {
      out.interrupted = true;
      break;
    }
    std::optional<ReplayResult> replay;
    if (c->settings) {
      runner.tearDown();  // the plain cases' cluster, if any: the backend holds one at a time
      if (!replayer) replayer.emplace(backend, options.check);
      replay = replayer->replay(c->kase, *c->settings);
      out.cases.push_back(replay->run);
      afterSaved = true;
    } else {
      std::string reconfigured;
      if (afterSaved) {
        replayer->tearDown();
        reconfigured = backend.configure(RunSettings{options.profile, options.faults});
        afterSaved = false;
      }
      if (reconfigured.empty()) {
        out.cases.push_back(runner.run(c->kase));
      } else {
        CaseResult failed;
        failed.name = c->kase.meta.name;
        failed.seed = c->kase.meta.seed;
        failed.tags = c->kase.meta.tags;
        failed.backendError = reconfigured;
        out.cases.push_back(std::move(failed));
      }
    }
    CaseResult& r = out.cases.back();
    r.source = c->source;
    r.index = c->index;
    out.seconds = secondsSince(t0);
    sink.caseDone(*c, r, replay ? &*replay : nullptr, out);
    if (!r.backendError.empty()) {
      out.backendError = c->kase.meta.name + ": " + r.backendError;
      break;
    }
    if (options.maxFailingCases > 0 && out.failingCases() >= options.maxFailingCases) break;
  }
  runner.tearDown();
  if (replayer) replayer->tearDown();
  out.seconds = secondsSince(t0);
  return out;
}

}  // namespace npf::runner
