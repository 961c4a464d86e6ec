// Profile knobs: behaviours Kubernetes leaves to the implementation (SEMANTICS.md). Every
// expectation is computed under one profile and reports name it; a dataplane of this project
// (the local backend's compiler) is configured with the same value.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace npf {

struct Profile {
  // ipBlock peers match pod IPs (upstream e2e); false: only cluster-external IPs (Cilium-like).
  bool ipblockMatchesPodIps = true;
  // A pod to its own IP, and hairpin through a Service to itself.
  enum class Loopback { Undefined, Allow, Policy };
  Loopback loopback = Loopback::Undefined;
  // Egress from a pod to its own node: judged by policy, or always allowed.
  enum class EgressToOwnNode { Policy, Allow };
  EgressToOwnNode egressToOwnNode = EgressToOwnNode::Policy;
  // Pod/namespace selectors match hostNetwork pods (else their traffic is their node's).
  bool hostnetworkSelectable = false;
  // Two cluster-scoped policies of one tier with the same priority that both match a
  // connection: the API lets the implementation apply either. Undefined: a cell they decide
  // differently is undefined. Name: the one whose name sorts first applies.
  enum class ClusterPolicyTies { Undefined, Name };
  ClusterPolicyTies clusterPolicyTies = ClusterPolicyTies::Undefined;

  bool operator==(const Profile&) const = default;
};

// Applies "key=value" (keys: ipblock-matches-pod-ips, loopback, egress-to-own-node,
// hostnetwork-selectable, cluster-policy-ties). Returns an error message, or empty on success.
std::string applyProfileSetting(Profile& p, const std::string& keyEqualsValue);

// key -> value, in a fixed order, for reports and the JSON "profile" object.
std::vector<std::pair<std::string, std::string>> describeProfile(const Profile& p);

// The profile settings a CNI's documented deviations need (docs/cni-profiles.md): "cilium",
// "calico", ...; none for most.
std::vector<std::string> cniProfileSettings(const std::string& cni);

}  // namespace npf
