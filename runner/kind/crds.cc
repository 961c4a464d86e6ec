#include "runner/kind/crds.h"

#include "runner/kind/crds/crd_assets.h"

namespace npf::runner::kind {

const Crd& crdOf(ClusterPolicyKind kind) {
  static const Crd anp{ClusterPolicyKind::AdminNetworkPolicy,
                       "adminnetworkpolicies.policy.networking.k8s.io",
                       "policy.networking.k8s.io_adminnetworkpolicies.yaml",
                       crds::kAdminNetworkPolicies};
  static const Crd banp{ClusterPolicyKind::BaselineAdminNetworkPolicy,
                        "baselineadminnetworkpolicies.policy.networking.k8s.io",
                        "policy.networking.k8s.io_baselineadminnetworkpolicies.yaml",
                        crds::kBaselineAdminNetworkPolicies};
  static const Crd cnp{ClusterPolicyKind::ClusterNetworkPolicy,
                       "clusternetworkpolicies.policy.networking.k8s.io",
                       "policy.networking.k8s.io_clusternetworkpolicies.yaml",
                       crds::kClusterNetworkPolicies};
  switch (kind) {
    case ClusterPolicyKind::BaselineAdminNetworkPolicy:
      return banp;
    case ClusterPolicyKind::ClusterNetworkPolicy:
      return cnp;
    case ClusterPolicyKind::AdminNetworkPolicy:
      break;
  }
  return anp;
}

}  // namespace npf::runner::kind
