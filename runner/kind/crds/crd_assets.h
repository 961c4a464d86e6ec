// The network-policy-api CRDs, kept as the upstream YAML files beside this header so that they
// can be read, diffed against upstream and replaced as files. The build compiles each into a
// NUL-terminated array (cmake/embed_asset.cmake): an installed binary needs no file at run time.
#pragma once

namespace npf::runner::kind::crds {

// policy.networking.k8s.io_adminnetworkpolicies.yaml (v0.1.8)
extern const char kAdminNetworkPolicies[];
// policy.networking.k8s.io_baselineadminnetworkpolicies.yaml (v0.1.8)
extern const char kBaselineAdminNetworkPolicies[];
// policy.networking.k8s.io_clusternetworkpolicies.yaml (v0.2.0)
extern const char kClusterNetworkPolicies[];

}  // namespace npf::runner::kind::crds
