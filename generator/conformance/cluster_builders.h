// The vocabulary of the cluster-scoped conformance families (network-policy-api/,
// cluster-policy/): the network-policy-api conformance cluster (the houses), and short
// constructors for AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy
// objects, their subjects, peers, ports and rules, and the steps that change them. Kept apart
// from builders.h because the NetworkPolicy spellings there (pods, namespaces, named) would
// clash with these, and so that a family reads close to upstream's YAML.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/case.h"

namespace npf::conformance {

// ---------------------------------------------------------------------------------------------
// The houses: kubernetes-sigs/network-policy-api conformance/base/manifests.yaml (v0.1.8)
// ---------------------------------------------------------------------------------------------

// "network-policy-conformance-<house>".
std::string houseNs(const std::string& house);
// The two pods of each house's StatefulSet, in order: harry-potter (gryffindor), draco-malfoy
// (slytherin), cedric-diggory (hufflepuff), luna-lovegood (ravenclaw).
std::string housePod(const std::string& house, int ordinal);
// The address of housePod(house, ordinal): 10.0.<H>.<ordinal + 1>, H = 1..4 in the order above.
std::string houseIp(const std::string& house, int ordinal);

struct HouseOptions {
  // Also the forbidden-forrest StatefulSet: two host-network pods centaur-0 (node-1) and
  // centaur-1 (node-2) serving upstream's default host-network ports 34345/TCP, 34346/TCP,
  // 34347/UDP, 34349/UDP, 34351/SCTP and 34352/SCTP.
  bool centaurs = false;
};

// Two nodes (node-1 172.18.0.2, node-2 172.18.0.3, labelled kubernetes.io/os=linux); the five
// namespaces labelled `conformance-house: <house>`; two pods per house (ordinal 0 on node-1,
// 1 on node-2) labelled `conformance-house: <house>` and, as the StatefulSet controller does,
// `statefulset.kubernetes.io/pod-name: <pod>`, one container per server as upstream:
// 80/TCP named `web`, 8080/TCP, 5353/UDP, 53/UDP named `dns`, 9003/SCTP and 9005/SCTP (the
// unnamed ones are declared so that the dataplane serves them; upstream leaves them undeclared,
// which only matters to named ports, and only `web` and `dns` are named).
Cluster houses(const HouseOptions& o = {});

// ---------------------------------------------------------------------------------------------
// Subjects, peers, ports, rules
// ---------------------------------------------------------------------------------------------

// `kubernetes.io/metadata.name: network-policy-conformance-<house>` / `conformance-house: <h>`.
LabelSelector houseNamed(const std::string& house);
LabelSelector houseIs(const std::string& house);

ClusterPolicySubject subjectNamespaces(LabelSelector ns);
// A v1alpha2 subject may leave the namespaceSelector out (nullopt).
ClusterPolicySubject subjectPods(std::optional<LabelSelector> ns, LabelSelector pod);

ClusterPolicyPeer cpNamespaces(LabelSelector ns);
ClusterPolicyPeer cpPods(std::optional<LabelSelector> ns, LabelSelector pod);
ClusterPolicyPeer cpNodes(LabelSelector nodes);
ClusterPolicyPeer cpNetworks(std::vector<std::string> cidrs);

ClusterPolicyPort cpPort(Protocol proto, int32_t port);
ClusterPolicyPort cpRange(Protocol proto, int32_t start, int32_t end);
ClusterPolicyPort cpNamed(std::string name);

using CpPorts = std::optional<std::vector<ClusterPolicyPort>>;
using CpRules = std::vector<ClusterPolicyRule>;
inline const CpPorts kEveryPort = std::nullopt;

ClusterPolicyRule cpRule(std::string name, ClusterRuleAction action,
                         std::vector<ClusterPolicyPeer> peers, CpPorts ports = kEveryPort);

// ---------------------------------------------------------------------------------------------
// Policies and steps
// ---------------------------------------------------------------------------------------------

// Sections left nullopt are absent.
ClusterPolicy anp(const std::string& name, int32_t priority, ClusterPolicySubject subject,
                  std::optional<CpRules> ingress, std::optional<CpRules> egress);
// Named `default`, as the API requires.
ClusterPolicy banp(ClusterPolicySubject subject, std::optional<CpRules> ingress,
                   std::optional<CpRules> egress);
ClusterPolicy cnp(const std::string& name, PolicyTier tier, int32_t priority,
                  ClusterPolicySubject subject, std::optional<CpRules> ingress,
                  std::optional<CpRules> egress);

Cluster withCluster(Cluster c, std::vector<ClusterPolicy> ps);

Step createClusterPolicy(ClusterPolicy p);
Step updateClusterPolicy(ClusterPolicy p);
Step deleteClusterPolicy(ClusterPolicyKind kind, const std::string& name);

// `p` with rules i and j of a direction swapped (upstream's subtests reorder rules in place).
ClusterPolicy swapIngress(ClusterPolicy p, size_t i, size_t j);
ClusterPolicy swapEgress(ClusterPolicy p, size_t i, size_t j);

}  // namespace npf::conformance
