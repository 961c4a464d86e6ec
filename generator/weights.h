// Tunable knobs of the random generator. Every field is a percentage (0..100) or a count;
// `--weights FILE` overrides them with `name: value` lines.
#pragma once

#include <string>
#include <vector>

namespace npf {

enum class ClusterSize { Small, Medium, Large };

inline constexpr int kDefaultClusterPolicies = 30;
const char* toString(ClusterSize s);

struct GeneratorWeights {
  // Cluster shape.
  int hostNetworkPod = 15;  // % of clusters with one hostNetwork pod
  int dualStack = 10;       // % of clusters with IPv4+IPv6 pod and node addresses
  int ipv6Primary = 50;     // % of dual-stack clusters probed over IPv6
  int sctpPorts = 40;       // % of pods that also serve an SCTP port
  int services = 80;        // % of clusters with Services

  // Policies.
  int minPolicies = 1, maxPolicies = 4;
  int podSelectorEmpty = 30;   // spec.podSelector: {}
  int podSelectorAbsent = 5;   // spec.podSelector omitted (behaves as {})
  int policyTypesAbsent = 30;  // else explicit, possibly disagreeing with the sections
  int ingressAbsent = 25, ingressEmpty = 15;  // else 1..maxRules rules
  int egressAbsent = 45, egressEmpty = 15;
  int maxRules = 3;
  int peersAbsent = 15, peersEmpty = 5;  // `from`/`to` absent or []
  int maxPeers = 3;
  int peerIpBlock = 25, peerPodOnly = 30, peerNamespaceOnly = 25;  // rest: both selectors
  int selectorEmpty = 20;                                          // {} in a peer
  int matchExpressions = 35;  // a selector uses matchExpressions
  int exceptInIpBlock = 50;
  int portsAbsent = 35, portsEmpty = 5;
  int maxPorts = 3;
  int portNamed = 25, portRange = 15, portProtocolOnly = 10, portEmptyEntry = 5;  // rest numeric
  int protocolAbsent = 40;  // protocol omitted (TCP) on a numeric/named entry

  // Cluster-scoped policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
  // ClusterNetworkPolicy). They are drawn from a stream of their own after everything else, so
  // the rest of a seed's case is the same whether they are on or off (a campaign on a backend
  // that does not enforce them turns them off).
  // % of cases with cluster-scoped policies; -1: kDefaultClusterPolicies, except that `fuzz`
  // makes it 0 on a backend that does not enforce them.
  int clusterPolicies = -1;
  int clusterNetworkPolicyApi = 30;  // % of those written as v1alpha2 ClusterNetworkPolicies
  int maxClusterPolicies = 3;        // admin-tier policies (1..max)
  int baselinePolicy = 60;           // % with a baseline-tier policy too
  int maxClusterRules = 3;           // rules per direction
  int clusterPolicySteps = 50;       // % of those cases with steps that change them

  // Steps.
  int steps = 45;  // % of cases that are a sequence of changes
  int maxSteps = 3;

  bool operator==(const GeneratorWeights&) const = default;
};

// Parses `name: value` lines (`#` comments) over the defaults. Returns an error
// "line N: ..." or empty.
std::string parseWeights(const std::string& text, GeneratorWeights& w);

}  // namespace npf
