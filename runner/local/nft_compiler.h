// NetworkPolicy and Service translation to one nftables table per simulated node.
//
// This is the local dataplane's own, independent implementation of SEMANTICS.md: it must not
// use anything from oracle/ (the two are compared against each other). Per node:
//  * Services as kube-proxy's nftables mode does: ClusterIP . proto . port -> a random
//    endpoint (numgen), DNAT to the backend pod and its (per-backend resolved) target port;
//    hairpin traffic marked and masqueraded.
//  * Policy in the filter hooks, after DNAT (so it sees backend pods and target ports):
//    `ct state established,related accept`, then the egress chain of a local source pod, then
//    the ingress chain of a local destination pod. Chains `return` what they allow and end in
//    `drop`. Traffic a node originates (output hook) reaches its own pods unfiltered: the
//    own-node ingress exemption. Pod -> own node goes through the input hook (egress policy).
//  * Both families: a pod's first IPv4 and first IPv6 address are its addresses; every address
//    match is written per family (`ip`/`ip6`), and each family has its own sets and maps.
//    IPv6 neighbour discovery passes every chain (no real CNI filters it either).
//  * Cluster-scoped policy (docs/cluster-policy.md): a pod's chain holds the admin tier's rules
//    (Allow returns, Deny drops, Pass goes to the NetworkPolicy chain), then NetworkPolicy, then
//    the baseline tier; equal priorities in name order.
// Faults (class names of BUG-CLASSES.md) switch in known-buggy behaviour for self-tests.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "model/ip.h"
#include "model/objects.h"
#include "model/profile.h"

namespace npf::runner::local {

// Fault classes the compiler implements (LABEL_UPDATE_STALE and POD_IP_REUSE are history
// faults implemented by the backend on the cluster it passes in).
const std::vector<std::string>& compilerFaults();

// The first address of `family` among podIP and podIPs (or among `addresses`).
std::optional<IpAddress> firstOfFamily(const Pod& p, IpFamily family);
std::optional<IpAddress> firstOfFamily(const std::vector<std::string>& addresses, IpFamily family);
inline std::optional<IpAddress> firstIpv4(const Pod& p) { return firstOfFamily(p, IpFamily::V4); }
inline std::optional<IpAddress> firstIpv4(const std::vector<std::string>& addresses) {
  return firstOfFamily(addresses, IpFamily::V4);
}

// The complete ruleset file for `node`'s network namespace: replaces table `inet <table>`
// atomically when loaded with `nft -f`. `view` holds the addresses as configured.
// Established and related packets are accepted first: the caller must flush the namespace's
// conntrack table after loading a new ruleset, so that no connection accepted by earlier rules
// (e.g. a UDP probe whose 5-tuple a later probe reuses) answers for the current ones.
// Without `withPolicy` only the Services are compiled (another enforcer owns policy).
std::string compileNodeRuleset(const Cluster& view, const std::string& node,
                               const std::string& table, const Profile& profile,
                               const std::set<std::string>& faults, bool withPolicy = true);

}  // namespace npf::runner::local
