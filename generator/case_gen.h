// Whole generated cases: a cluster, its policies and optionally a sequence of steps,
// reproducible from (seed, index).
#pragma once

#include <cstdint>

#include "generator/random.h"
#include "generator/weights.h"
#include "model/case.h"

namespace npf {

inline constexpr const char* kGeneratorVersion = "netpolfuzz-generator 2";

// Case `index` of the campaign with `seed`: independent of every other index, so case 17 of
// seed 42 is the same whether 20 or 2,000 cases are generated. Name: SIZE-sSEED-INDEX.
// The Case document carries seed, generator version, size, tags and steps.
Case generateCase(uint64_t seed, uint64_t index, ClusterSize size, const GeneratorWeights& w);

// The same from a given stream (e.g. Random::fromTape for fuzzers and property tests).
Case generateCaseFrom(Random& rng, ClusterSize size, const GeneratorWeights& w, std::string name);

}  // namespace npf
