// The CustomResourceDefinitions a cluster needs before it accepts cluster-scoped policies
// (AdminNetworkPolicy, BaselineAdminNetworkPolicy: network-policy-api v0.1.8; ClusterNetworkPolicy:
// v0.2.0), embedded from runner/kind/crds/*.yaml, and the names kubectl knows them by.
#pragma once

#include <string>

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

}  // namespace npf::runner::kind
