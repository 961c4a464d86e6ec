// The minimizer: delta debugging with the backend in the loop. Shrinks a failing case to a
// small one that still shows a discrepancy with the same signature (runner/signature.h), so
// that a CNI developer reads two policies and four pods instead of a generated cluster.
//
// Reductions, coarse to fine, each tried ddmin-style (big chunks first, then halves, then
// single elements): steps, policies, namespaces (with their pods, Services, policies and
// steps), cluster-scoped policies, pods, Services, external hosts, rules, peers, ports (of
// both kinds of policy), ipBlock except entries, networks CIDRs,
// selector terms (matchLabels entries, matchExpressions), labels, Service ports, container
// ports, containers, unused nodes; repeated until nothing more goes. After every reduction the
// case is repaired (steps that no longer apply are dropped, an explicit probe set is filtered
// to existing endpoints, ipBlock source annotations follow renumbered rules and peers) and
// must validate like `loadCaseFiles` validates a file.
//
// Speed: during trials only the target cell is probed (the case's probe set is narrowed to
// it); a candidate the oracle already rules out (another expected verdict or other involved
// features, hence another signature) is never run; the cluster is reconciled between trials
// instead of set up again, except where the backend's memory of earlier states (labels at pod
// creation, first-seen namespace labels, the identity of a deleted pod's IP) could make the
// trial differ from a fresh run. The result is verified on a fresh cluster.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/case.h"
#include "model/profile.h"
#include "runner/campaign.h"

namespace npf::runner {

// How big a case is. Pods and policies count every distinct object of any state (those that
// steps create too).
struct CaseSize {
  size_t namespaces = 0, nodes = 0, pods = 0, services = 0, policies = 0, rules = 0, peers = 0,
         ports = 0, steps = 0, externalHosts = 0, clusterPolicies = 0;
  bool operator==(const CaseSize&) const = default;
};
CaseSize caseSize(const Case& c);
// "2 policies, 4 pods, 3 rules, 1 step, ..." (zero counts of the minor kinds left out).
std::string toString(const CaseSize& s);

// The messages of every problem `loadCaseFiles` would report for `c` (model/case_validate.h:
// the initial state, every step state, probe endpoints), without the file positions; empty
// when `c` is a valid case.
std::vector<std::string> validateCase(const Case& c);

// Makes `c` consistent after objects were removed: drops steps that no longer apply (and the
// later ones that depended on them), filters an explicit probe set to existing endpoints,
// re-points or drops ipBlock source annotations whose source object is gone.
void repairCase(Case& c);

struct MinimizeProgress {
  size_t trials = 0;      // backend runs so far
  size_t candidates = 0;  // reductions considered (invalid or ruled out by the oracle: not run)
  double seconds = 0;
  std::string phase;      // "policies", "pods", ...
  bool accepted = false;  // the last trial kept its reduction
  CaseSize size;          // of the smallest reproducing case so far
};

struct MinimizeOptions {
  std::string signature;     // the discrepancy to keep; empty: the first one the first run shows
  size_t maxTrials = 0;      // backend runs; 0: no limit
  double maxSeconds = 0;     // 0: no limit
  bool narrowProbes = true;  // probe only the target cell during trials
  bool restoreProbes =
      true;  // give the result the original probe set back (when it still shows the signature)
  std::function<void(const MinimizeProgress&)> progress;  // after every trial
  const std::atomic<bool>* stop = nullptr;  // set to end early (the best case so far is kept)
};

struct MinimizeResult {
  Case minimized;             // the smallest case that showed the signature (the input if none did)
  std::string signature;      // the target
  bool reproduced = false;    // the input showed the target signature
  bool verified = false;      // a run of `minimized` on a fresh cluster showed it
  bool capped = false;        // stopped by maxTrials, maxSeconds or stop
  std::optional<Probe> cell;  // the target cell and the step it was seen at (in `minimized`)
  size_t step = 0;
  CaseResult finalRun;  // the verifying run of `minimized` (for spec.observed)
  size_t trials = 0, candidates = 0;
  double seconds = 0;
  CaseSize before, after;
  std::string backendError;  // the backend failed; `minimized` is the best case so far
};

// Minimizes `c` on `runner`'s backend. `profile` must be the runner's (the oracle checks
// candidates with it). Tears the runner's cluster down first (a known starting state).
MinimizeResult minimizeCase(CaseRunner& runner, const Profile& profile, const Case& c,
                            const MinimizeOptions& options);

}  // namespace npf::runner
