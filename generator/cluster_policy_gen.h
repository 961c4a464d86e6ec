// Random cluster-scoped policies over a generated cluster: AdminNetworkPolicies with an optional
// BaselineAdminNetworkPolicy (v1alpha1), or ClusterNetworkPolicies of both tiers (v1alpha2),
// never both APIs in one case. Priorities are drawn close together on purpose (ties and
// near-ties), actions include Pass, egress peers include nodes and networks, ports include
// named ports. Steps change them: rule order swapped, a priority moved, a policy created,
// replaced or deleted.
#pragma once

#include <vector>

#include "generator/random.h"
#include "generator/weights.h"
#include "model/case.h"

namespace npf {

// Between 1 and w.maxClusterPolicies admin-tier policies, and maybe a baseline one. Every
// policy passes model validation.
std::vector<ClusterPolicy> generateClusterPolicies(Random& rng, const Cluster& c,
                                                   const GeneratorWeights& w);

// A step that changes the cluster-scoped policies of `state` and applies to it. `serial`
// numbers new policies' names.
Step randomClusterPolicyStep(Random& rng, const Cluster& state, const GeneratorWeights& w,
                             int serial);

}  // namespace npf
