// One session: the loop every command that runs cases on a backend shares (`fuzz`,
// `conformance`, `replay`). A **source** says which cases, in order; the session runs each on
// the backend and hands the result to a **sink** (save it, print progress, write results), and
// stops when the source is exhausted, the time is up, enough cases failed, SIGINT asked, or the
// backend failed. The commands only build a source and a sink, and render the totals.
//
// Like ninja's build loop (a plan of edges, a command runner, a status printer) and cyclonus'
// job runners: what to run, how to run one, and what to do with the result are separate, so a
// sharded nightly campaign is a new source (a slice of seeds) and a new backend is a new
// `Backend`, with the loop and its stopping rules unchanged.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "generator/weights.h"
#include "model/case.h"
#include "model/profile.h"
#include "runner/backend.h"
#include "runner/campaign.h"
#include "runner/replay.h"
#include "runner/shard.h"

namespace npf::runner {

// One case a source gives, with what the results need to know about it.
struct SessionCase {
  Case kase;
  std::string source;  // the case file it came from ("" when generated)
  uint64_t index = 0;  // generated: its index under the seed; from files: its position
  // A saved case (replay): runs alone, on a fresh cluster, under the profile and faults it
  // records (or the user's replacements), and is judged per recorded cell (runner/replay.h).
  // Unset: runs by the session's profile, reusing the previous case's cluster when it can.
  std::optional<RunSettings> settings;
};

// Where a session's cases come from, one at a time (a generated case is made only when due).
class CaseSource {
 public:
  virtual ~CaseSource() = default;
  // The next case; nullopt when there are no more.
  virtual std::optional<SessionCase> next() = 0;
  // How many cases it gives in all; 0 when it has no end (the progress line's denominator).
  virtual size_t count() const = 0;
};

// Generated cases (seed, firstIndex + i) for i < count; count 0: no end (a duration or SIGINT
// stops the session). With a shard, only the i that `shard.has(i)` (runner/shard.h): the
// shards of one (seed, firstIndex, count) together give exactly its cases.
class GeneratedCases : public CaseSource {
 public:
  GeneratedCases(uint64_t seed, uint64_t firstIndex, size_t count, ClusterSize size,
                 GeneratorWeights weights, Shard shard = {});
  std::optional<SessionCase> next() override;
  size_t count() const override { return shard_.casesOf(count_); }
  // Case `index` of this seed, size and weights (what `fuzz --minimize` shrinks again).
  Case caseAt(uint64_t index) const;

 private:
  uint64_t seed_, firstIndex_;
  size_t count_;
  ClusterSize size_;
  GeneratorWeights weights_;
  Shard shard_;
  uint64_t position_;  // the next position of the unsharded run to give
};

// Cases already loaded (case files of `conformance`, saved cases of `replay`), in order; each
// one's index is its position in `cases`. With a shard, only the positions `shard.has` (their
// indexes stay the positions in the whole list).
class ListedCases : public CaseSource {
 public:
  explicit ListedCases(std::vector<SessionCase> cases, Shard shard = {});
  std::optional<SessionCase> next() override;
  size_t count() const override { return cases_.size(); }

 private:
  std::vector<SessionCase> cases_;
  size_t given_ = 0;
};

// What a session did: every case run, in order.
struct SessionResult {
  std::vector<CaseResult> cases;
  double seconds = 0;
  bool interrupted = false;  // `stop` ended it before the source was exhausted
  std::string backendError;  // the first backend failure ("NAME: what"); the session stops there

  size_t discrepancies() const;
  size_t failingCases() const;
  size_t cells() const;
  size_t probes() const;
  size_t flaky() const;
  size_t errors() const;
};

// What happens with each case's result; the I/O of a session (saving files, printing) lives in
// the sink, so the loop itself does none.
class SessionSink {
 public:
  virtual ~SessionSink() = default;
  // After every case, the backend failure included (before the session stops on it). `r` is
  // `sofar.cases.back()`. `replay`: a saved case's judgement per recorded cell (cases with
  // settings), else null.
  virtual void caseDone(const SessionCase& c, const CaseResult& r, const ReplayResult* replay,
                        const SessionResult& sofar) = 0;
};

struct SessionOptions {
  Profile profile;  // what the oracle judges by (cases without settings of their own)
  // The fault classes the backend was made with; with `profile`, what it is configured back to
  // when a plain case follows a saved one.
  std::vector<std::string> faults;
  CheckOptions check;
  double durationSeconds = 0;  // no case starts after this much time (0: no limit)
  size_t maxFailingCases = 0;  // stop after this many cases with discrepancies (0: never)
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT) to end after the current case
};

// Runs the source's cases on `backend` until one of the stopping rules above, calling `sink`
// after each; tears the session's cluster down at the end. A source may mix saved cases (with
// settings) and plain ones: a saved case runs on a fresh cluster configured as it records, and
// a plain case after it on a fresh one configured back to `profile` and `faults` (consecutive
// plain cases still share their cluster).
SessionResult runSession(Backend& backend, CaseSource& source, SessionSink& sink,
                         const SessionOptions& options);

}  // namespace npf::runner
