// Random clusters: namespaces, nodes, pods with labels and named container ports, Services and
// external hosts, shaped so that selectors overlap and named ports differ between pods.
#pragma once

#include "generator/random.h"
#include "generator/weights.h"
#include "model/objects.h"

namespace npf {

struct ClusterShape {
  int namespaces = 3;
  int podsPerNamespace = 3;
  int nodes = 2;
  int maxServices = 2;
};
ClusterShape shapeFor(ClusterSize size);

// A valid cluster (model validation accepts it) with plausible addresses: nodes 172.18.0.0/24,
// pods 10.244.<node>.0/24, Services 10.96.0.0/24, external hosts in the documentation ranges
// (IPv6: fd00:10:244:<node>::/64, fd00:172:18::/64, fd00:10:96::/112, 2001:db8::/32).
// A backend may reassign pod addresses; policies record how their ipBlocks were derived.
Cluster generateCluster(Random& rng, ClusterSize size, const GeneratorWeights& w);

// The label vocabularies the cluster generator draws from, shared with the policy generator
// so that selectors hit.
struct LabelVocabulary {
  std::vector<std::pair<std::string, std::vector<std::string>>> podLabels;
  std::vector<std::pair<std::string, std::vector<std::string>>> namespaceLabels;
};
const LabelVocabulary& labelVocabulary();

// Named container ports the generator uses; "http" and "metrics" vary per pod (number, and
// protocol for "metrics") so per-destination resolution matters.
inline constexpr const char* kVaryingPortNames[] = {"http", "metrics", "dns"};

}  // namespace npf
