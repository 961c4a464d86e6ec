// Replay of saved cases, and the corpus they live in.
//
// A saved failing case (`fuzz` writes one per failing case, `minimize` one per minimized
// reproduction) holds its objects plus `spec.observed`: where a run saw the backend disagree
// with the oracle. Replaying runs it again and says, per recorded cell, whether it still
// reproduces (same cell, same step, the oracle still expects the same verdict and the backend
// still disagrees in every attempt), and which discrepancies are new.
//
// A replay cluster may give pods other addresses than the case's (a real cluster's IPAM
// does). ipBlocks the generator derived from addresses record their source in the policy
// annotation `netpolfuzz.io/ipblock-sources` (generator/policy_gen.h); they are re-derived
// from the addresses the backend reports (Backend::actual) before those policies take effect.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/case.h"
#include "model/profile.h"
#include "runner/backend.h"
#include "runner/campaign.h"

namespace npf::runner {

// One line of the ipblock-sources annotation: "spec.ingress[0].from[1].ipBlock.cidr=pod:x/a/24".
struct IpBlockSource {
  PolicyType direction = PolicyType::Ingress;
  size_t rule = 0, peer = 0;
  std::optional<size_t> except;  // nullopt: the cidr
  std::string source;            // pod:NS/NAME, node:NAME or ip:EXTERNAL-HOST-NAME
  int prefix = 0;
  bool operator==(const IpBlockSource&) const = default;
};
std::string toString(const IpBlockSource& s);  // the annotation line
std::optional<IpBlockSource> parseIpBlockSource(const std::string& line);
// The policy's parsed annotation lines (lines that do not parse are left out).
std::vector<IpBlockSource> ipBlockSources(const NetworkPolicy& p);
// Rewrites the annotation (removes it when `sources` is empty).
void setIpBlockSources(NetworkPolicy& p, const std::vector<IpBlockSource>& sources);
// The address `source` names in `c`, of `family` (a pod's pod IP, a node's internal IP, an
// external host's IP); nullopt when `c` has no such object or no such address.
std::optional<std::string> sourceAddress(const Cluster& c, const std::string& source, bool ipv6);

// The policy with each derived cidr / except entry recomputed from its source's address in
// `actual` (same prefix length) where that address differs from the one in `declared` (the
// cluster the case declares). Entries whose source is missing on either side are kept. An
// except entry that is no longer a strict subset of its re-derived cidr is dropped (and
// counted in *dropped). *changed counts rewritten entries.
NetworkPolicy rederiveIpBlocks(const NetworkPolicy& p, const Cluster& declared,
                               const Cluster& actual, size_t* changed = nullptr,
                               size_t* dropped = nullptr);
// Every policy of `desired` (a state of a case), with sources looked up in `desired` and `actual`.
Cluster rederiveIpBlocks(const Cluster& desired, const Cluster& actual, size_t* changed = nullptr);
// Every policy of the case (initial objects and steps); sources are looked up in the state
// where each policy first takes effect and in `actual`.
Case rederiveIpBlocks(const Case& c, const Cluster& actual, size_t* changed = nullptr);

// Pods whose first address in `actual` differs from the one `declared` gives them.
size_t podsWithOtherAddresses(const Cluster& declared, const Cluster& actual);

// A backend decorator that re-derives ipBlocks before policies take effect: setUp first brings
// the cluster up without the policies that have derived ipBlocks, reads the addresses the
// backend assigned, then adds the policies re-derived; reconcile re-derives with the current
// addresses (and again when pods that sources name were just created).
class RederivingBackend : public Backend {
 public:
  explicit RederivingBackend(Backend& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  std::string configure(const RunSettings& s) override { return inner_.configure(s); }
  std::string setUp(const Cluster& desired) override;
  std::string reconcile(const Cluster& desired) override;
  Cluster actual() const override { return inner_.actual(); }
  std::vector<ProbeResult> probe(const std::vector<Probe>& probes,
                                 const ProbeOptions& options) override {
    return inner_.probe(probes, options);
  }
  void tearDown() override { inner_.tearDown(); }
  size_t rederived() const { return rederived_; }  // entries rewritten by the last setUp/reconcile
  size_t reassignedPods() const { return reassigned_; }  // pods with other addresses, last state

 private:
  std::string applyRederived(const Cluster& desired);
  Backend& inner_;
  size_t rederived_ = 0, reassigned_ = 0;
};

// What became of one recorded cell of `spec.observed`.
struct RecordedCellReplay {
  ObservedCell recorded;
  bool wasDiscrepancy = true;  // every recorded attempt disagreed (else it was recorded as flaky)
  enum class Outcome {
    Reproduced,          // the oracle expects what it expected; the backend disagrees again
    Agrees,              // the backend now agrees with the oracle
    ExpectationChanged,  // the oracle now expects something else
    Flaky,               // it disagreed, and agreed, in the attempts
    NotProbed,           // the cell is not in the case's probe set any more (or its step is gone)
    Error,               // the probe machinery failed for the cell
  };
  Outcome outcome = Outcome::Agrees;
  std::string now;  // "expected allow, observed timeout,timeout"
};
const char* toString(RecordedCellReplay::Outcome o);  // "reproduced", "agrees", ...

struct NewDiscrepancy {
  size_t step = 0;
  CellOutcome cell;
};

struct ReplayResult {
  CaseResult run;
  std::vector<RecordedCellReplay> recorded;
  std::vector<NewDiscrepancy> fresh;  // discrepancies of cells not recorded
  size_t reassignedPods = 0;          // pods the backend gave other addresses (last state)
  size_t rederivedIpBlocks = 0;       // entries re-derived (last state)
  size_t reproduced() const;          // recorded cells that reproduced
};

// What a saved case was recorded under: its `spec.profile` (the default profile when it names
// none) and the faults of its `spec.observed`.
RunSettings recordedSettings(const Case& c);

// Runs saved cases on one backend, each on a fresh cluster (a backend remembers earlier states:
// a saved case must reproduce on its own, not thanks to the case before it) configured with
// `settings` (usually recordedSettings(c)).
class Replayer {
 public:
  Replayer(Backend& backend, CheckOptions options);
  ReplayResult replay(const Case& c, const RunSettings& settings);
  void tearDown() { runner_.tearDown(); }

 private:
  RederivingBackend backend_;
  CaseRunner runner_;
};

// The corpus name of a case: the first 12 hex digits of the FNV-1a 64 hash of its encoded
// objects, probe set and steps (not its name, tags or observations), e.g. "3f9a0c1b22de".
std::string caseContentHash(const Case& c);

}  // namespace npf::runner
