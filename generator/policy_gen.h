// Random NetworkPolicies over a given cluster, covering every field and form of the v1 API.
#pragma once

#include <string>
#include <vector>

#include "generator/random.h"
#include "generator/weights.h"
#include "model/objects.h"

namespace npf {

// Generates between w.minPolicies and w.maxPolicies policies for `c` (named p1, p2, ... unless
// a name is taken). Every policy passes model validation. ipBlocks derived from pod, node or
// external addresses are recorded in the annotation kIpBlockSourcesAnnotation.
std::vector<NetworkPolicy> generatePolicies(Random& rng, const Cluster& c,
                                            const GeneratorWeights& w);

// One random policy in namespace `ns` named `name`.
NetworkPolicy generatePolicy(Random& rng, const Cluster& c, const GeneratorWeights& w,
                             const std::string& ns, const std::string& name);

// Annotation value: one line per derived address, "FIELD.PATH=SOURCE/PREFIX" where SOURCE is
// `pod:NS/NAME`, `node:NAME` or `ip:NAME` (an external host) and FIELD.PATH names the cidr or
// except entry, e.g. "spec.ingress[0].from[1].ipBlock.cidr=pod:x/a/24". A runner that gets
// other addresses re-derives the CIDR from the same source and prefix length.
inline constexpr const char* kIpBlockSourcesAnnotation = "netpolfuzz.io/ipblock-sources";

}  // namespace npf
