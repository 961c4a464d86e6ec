// A case: the cluster of a case file plus its optional `netpolfuzz.io/v1alpha1 Case`
// document (seed, profile, tags, probe set, external hosts, steps). Format: docs/case-format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/objects.h"
#include "model/probe.h"
#include "model/profile.h"

namespace npf {

// One change to the cluster; every step is followed by a probe of the whole matrix.
struct Step {
  enum class Action {
    CreatePolicy,      // `policy`: a full NetworkPolicy
    UpdatePolicy,      // `policy`: the new version of an existing one (same namespace/name)
    DeletePolicy,      // `namespace`/`name`
    RelabelPod,        // `namespace`/`name`, `labels`: the complete new label set
    RelabelNamespace,  // `name`, `labels`: the complete new label set (implicit name label kept)
    DeletePod,         // `namespace`/`name`
    CreatePod,         // `pod`: a full Pod (possibly reusing a deleted pod's IP)
    // Cluster-scoped policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
    // ClusterNetworkPolicy), which have a kind and a name but no namespace.
    CreateClusterPolicy,  // `clusterPolicy`: a full object
    UpdateClusterPolicy,  // `clusterPolicy`: the new version of an existing one (same kind/name)
    DeleteClusterPolicy,  // `kind`/`name`
  };
  Action action = Action::CreatePolicy;
  std::optional<NetworkPolicy> policy;
  std::optional<Pod> pod;
  std::string namespace_;
  std::string name;
  Labels labels;
  std::optional<ClusterPolicy> clusterPolicy;
  ClusterPolicyKind kind = ClusterPolicyKind::AdminNetworkPolicy;  // DeleteClusterPolicy
  bool operator==(const Step&) const = default;
};

const char* toString(Step::Action a);  // "create-policy", ...
std::optional<Step::Action> parseStepAction(const std::string& s);

// Where a run saw the backend disagree with the oracle. `fuzz` writes it into a saved failing
// case (`spec.observed`); running the case again recomputes everything and ignores it.
struct ObservedCell {
  size_t step = 0;
  std::string from;                   // endpoint, e.g. "x/a"
  std::string to;                     // target, e.g. "x/b:80/TCP"
  std::string expected;               // allow | deny | undefined
  std::vector<std::string> observed;  // every attempt: connected | timeout | refused | error
  bool operator==(const ObservedCell&) const = default;
};

struct Observation {
  std::string backend;              // "local", "kind"
  std::vector<std::string> faults;  // injected fault classes
  std::vector<ObservedCell> cells;
  // Where and how it was seen (tool version, kernel, time, command), KEY -> value, in order.
  std::vector<std::pair<std::string, std::string>> environment;
  bool operator==(const Observation&) const = default;
};

struct CaseMeta {
  std::string name;
  std::optional<uint64_t> seed;
  std::string generator;  // e.g. "netpolfuzz 0.1.0"
  std::string size;       // small|medium|large when generated
  // The profile the case was made or recorded under (`spec.profile`, KEY=VALUE settings); absent:
  // none named. `replay` and `minimize` run the case under it unless told otherwise.
  std::optional<Profile> profile;
  std::vector<std::string> tags;
  std::optional<ProbeSet> probes;  // absent: the default probe set
  std::vector<Step> steps;
  std::optional<Observation> observed;
  bool present = false;  // the file had a Case document
};

struct Case {
  Cluster cluster;  // the initial state, including the Case document's external hosts
  CaseMeta meta;
};

// The cluster after `step` (which must refer to existing objects; see validateStep).
// Returns an error message (and leaves `c` unchanged) when it does not apply.
std::string applyStep(Cluster& c, const Step& step);

// "EP:PORT/PROTO" spelling of a probe target, e.g. "x/b:80/TCP", "ip/2001:db8::1:53/UDP".
std::string toString(const Target& t);
std::optional<Target> parseTarget(std::string_view s);

}  // namespace npf
