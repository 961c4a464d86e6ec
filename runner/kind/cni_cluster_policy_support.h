// Which CNIs enforce cluster-scoped policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
// ClusterNetworkPolicy), at the versions `netpolfuzz kind up` installs
// (runner/kind/cni_install.cc). A CNI that ignores them would make every cell they decide a
// discrepancy: the kind backend refuses such a case, and warns where enforcement depends on set-up
// it cannot see. Sources: network-policy-api's site-src/implementations.md and each project's
// documentation (docs/kind-backend.md, "Cluster-scoped policy").
#pragma once

#include <string>
#include <vector>

#include "model/objects.h"

namespace npf::runner::kind {

struct ClusterPolicySupport {
  std::string error;    // the CNI does not implement a kind the case has; "" otherwise
  std::string warning;  // it may not enforce them (unknown CNI, feature gate); "" otherwise
};

// What running cluster-scoped policies of `kinds` on `cni` ("" : not named with --cni) means.
ClusterPolicySupport clusterPolicySupport(const std::string& cni,
                                          const std::vector<ClusterPolicyKind>& kinds);

}  // namespace npf::runner::kind
