// One case against a backend, the same for every backend: bring the case's cluster up (or reuse
// the one already up), apply each state of the case, probe every cell, compare with the oracle,
// re-probe what disagrees, and classify each cell. A session (runner/session.h) does that for
// many cases.
//
// Cell classification (SEMANTICS.md "Verdicts"):
//  * expected allow: `connected` matches; `refused` matches only when nothing serves the
//    destination port (the packet got through policy to a closed port), else it is a
//    discrepancy (a dataplane that rejects allowed traffic); `timeout` is a discrepancy.
//  * expected deny: `timeout` matches; `refused` also counts as denied but is reported in the
//    `refusedDenied` count (the dataplane rejects instead of dropping); `connected` is a
//    discrepancy.
//  * expected undefined: any answer; oracle or backend skip: skipped; `error` after retries:
//    infrastructure trouble, never a discrepancy.
// A disagreeing cell is re-probed (with a longer timeout) in rounds until the convergence
// deadline. It is a discrepancy when it disagreed in every attempt (at least two); a cell that
// disagreed and then agreed twice in a row converged late (a pass, with its convergence time);
// a cell that agreed and disagreed in alternation is `flaky`, reported but not a discrepancy.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/case.h"
#include "model/profile.h"
#include "oracle/verdict.h"
#include "runner/backend.h"

namespace npf::runner {

using npf::CellStatus;  // model/cell_vocabulary.h

// One cell that did not simply pass: a discrepancy, a flaky or an erroring cell.
struct CellOutcome {
  Probe probe;
  std::optional<Verdict> expected;    // nullopt: the oracle skips the cell
  std::vector<ProbeResult> attempts;  // every observation, in order
  CellStatus status = CellStatus::Pass;
  std::string explanation;  // the oracle's, for discrepancies (rendered)
  std::string signature;    // for discrepancies: runner/signature.h
};

// One state of a case (step 0 = the initial objects, step i = after the i-th change).
struct StateResult {
  size_t step = 0;
  size_t cells = 0, passed = 0, failed = 0, flaky = 0, undefined = 0, skipped = 0, errors = 0;
  size_t refusedDenied = 0;  // expected deny, answered by a reset/ICMP instead of a drop
  size_t lateConverged = 0;  // disagreed at first, then agreed
  size_t probes = 0;         // probe attempts, re-probes included
  int rounds = 0;
  double applyMs = 0;     // setUp or reconcile
  double probeMs = 0;     // every round
  double convergeMs = 0;  // from the end of apply to the round where every cell that can agree did
  // The backend's policy enforcer catching up with this state (Backend::lastEnforcement): within
  // applyMs; 0 for an enforcer that applies synchronously.
  double enforcerMs = 0;
  size_t enforcerTimedOutNodes = 0;
  std::vector<CellOutcome> notable;  // Fail, Flaky and Error cells
  // Every cell, in ProbeSet::forEach order of `probes`: the symbols (model/cell_vocabulary.h)
  // of its expected verdict and of its last attempt's observation.
  ProbeSet probeSet;
  std::string expectedCells, observedCells;
};

struct CaseResult {
  std::string name;
  std::string source;  // the case file it came from, if any (conformance, replay)
  std::optional<uint64_t> seed;
  uint64_t index = 0;
  std::vector<std::string> tags;
  bool clusterReused = false;  // the previous case's cluster was reconciled instead of set up
  std::vector<StateResult> states;
  double totalMs = 0;
  std::string backendError;  // non-empty: the backend failed (setUp, reconcile or every probe)

  size_t cells() const;
  size_t discrepancies() const;
  size_t flaky() const;
  size_t errors() const;
  size_t probes() const;
};

struct CheckOptions {
  ProbeOptions firstRound;    // every cell
  int retryTimeoutMs = 1000;  // per probe in later rounds (slow is not denied)
  // A timeout is proof of a drop only at this timeout: a cell the oracle allows that timed out
  // sooner (a busy machine, a lost SYN: TCP sends the next one after 1 s) is probed again at
  // this timeout before it can be called a discrepancy.
  int confirmTimeoutMs = 2500;
  // 0: every first round uses firstRound.timeoutMs. Else the first round's timeout adapts to
  // the dataplane: kAdaptiveTimeoutFactor times the 99th percentile of the connect times of the
  // previous first round, between this and firstRound.timeoutMs. A timeout that short counts
  // only when that round's connections were all prompt (within 60% of the timeout); else its
  // denied cells are probed again at retryTimeoutMs.
  int minFirstRoundTimeoutMs = 0;
  // The factor trades the wait of denied cells against re-probes of rounds that were not
  // prompt; it does not weaken a verdict, which the promptness check guards. Measured
  // (`bench/fuzz_bench.sh`, seed 3): 6 -> 4,637 probes/s, 3 -> 6,502, with no more re-probed
  // rounds (0 of 107 states at both).
  static constexpr double kAdaptiveTimeoutFactor = 3;
  double convergeDeadlineMs = 300;  // stop re-probing disagreeing cells after this
  double roundGapMs = 20;           // pause between rounds
  size_t maxNotablePerState = 200;  // cells kept with attempts and explanation
};

// Runs cases on one backend, keeping its cluster between cases when the backend can reconcile
// one into the next (Backend::canReconcile; only the differences are applied then).
class CaseRunner {
 public:
  CaseRunner(Backend& backend, Profile profile, CheckOptions options);
  ~CaseRunner();  // tears the cluster down
  CaseResult run(const Case& c);
  // The profile the next run() judges by (the backend's own configuration is the caller's).
  void setProfile(const Profile& profile) { profile_ = profile; }
  // Applies one state and checks it; `fresh` forces setUp. Public for tests and `replay`.
  StateResult checkState(const Case& c, const Cluster& desired, size_t step, bool fresh,
                         std::string& backendError);
  void tearDown();
  // Whether the backend can go from `from` to `to` without a new set-up.
  bool canReconcile(const Cluster& from, const Cluster& to) const {
    return backend_.canReconcile(from, to);
  }

 private:
  // Brings the backend to `desired`: setUp when forced, when nothing is up or the shape changed,
  // else reconcile. On failure the cluster is torn down and the error returned; else "".
  std::string apply(const Cluster& desired, bool fresh);

  Backend& backend_;
  Profile profile_;
  CheckOptions options_;
  double connectP99Ms_ = -1;   // of the last first round's connections (-1: none yet)
  std::optional<Cluster> up_;  // the state the backend has, if up
};

// Whether something serves `p`'s destination port in `c` (a declared container port, every
// backend of a Service port, a hostNetwork pod's port on a node, any port of an external host).
bool destinationServed(const Cluster& c, const Probe& p);

}  // namespace npf::runner
