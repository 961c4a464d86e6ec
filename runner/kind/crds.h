// The CustomResourceDefinitions a cluster needs before it accepts cluster-scoped policies
// (AdminNetworkPolicy, BaselineAdminNetworkPolicy: network-policy-api v0.1.8; ClusterNetworkPolicy:
// v0.2.0), embedded from runner/kind/crds/*.yaml, and the names kubectl knows them by.
#pragma once

#include <string>
#include <vector>

#include "model/objects.h"

namespace npf::runner::kind {

struct Crd {
  ClusterPolicyKind kind;
  // metadata.name of the CRD, which is also the fully qualified resource kubectl takes
  // ("adminnetworkpolicies.policy.networking.k8s.io"). Qualified because a bare
  // "clusternetworkpolicy" would also name Antrea's clusternetworkpolicies.crd.antrea.io.
  const char* name;
  const char* file;  // under runner/kind/crds/
  const char* yaml;  // the file's text, as upstream wrote it
};

// The CRD that defines `kind`.
const Crd& crdOf(ClusterPolicyKind kind);

// The first field of `c`'s cluster-scoped policies that the standard-channel CRDs above lack
// (an egress `nodes` peer; a v1alpha1 `namedPort`), e.g. "AdminNetworkPolicy x: a nodes peer";
// "" when they have none. The API server refuses such an object.
std::string experimentalChannelField(const Cluster& c);

// kubectl arguments (after `kubectl [--context C]`) of what the kind backend does with them,
// shared with the tests that run them against a real API server.

// `apply` of a YAML stream on stdin (crdStream): server-side, because a 50-65 KB schema gains
// nothing from a last-applied annotation; --force-conflicts, so that fields another manager set
// (a CNI's own copy of these CRDs) take the version netpolfuzz validates against.
std::vector<std::string> crdApplyArgs();
std::string crdStream(const std::vector<ClusterPolicyKind>& kinds);  // "---"-separated
// `wait --for condition=established --timeout=<s>s crd/NAME...`
std::vector<std::string> crdWaitArgs(const std::vector<ClusterPolicyKind>& kinds, int timeoutS);
// `delete RESOURCE,... --selector SELECTOR --ignore-not-found`: every object of `kinds` a run
// labelled (kubectl fails on a resource whose CRD the cluster lacks: only kinds applied).
std::vector<std::string> deleteLabelledArgs(const std::vector<ClusterPolicyKind>& kinds,
                                            const std::string& selector);

}  // namespace npf::runner::kind
