#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "generator/case_gen.h"
#include "generator/cluster_gen.h"
#include "generator/features.h"
#include "generator/random.h"
#include "model/case_file.h"
#include "model/validate.h"

namespace npf {
namespace {

TEST(GeneratorRandom, SplitMix64KnownValues) {
  // Reference values of splitmix64 seeded with 0 (Vigna's reference implementation).
  Random r(0);
  EXPECT_EQ(r.next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(r.next(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(r.next(), 0x06c45d188009454fULL);
}

TEST(GeneratorRandom, BelowStaysInRangeAndHitsEveryValue) {
  Random r(7);
  std::map<uint64_t, int> seen;
  for (int i = 0; i < 7000; ++i) {
    uint64_t v = r.below(7);
    ASSERT_LT(v, 7u);
    ++seen[v];
  }
  EXPECT_EQ(seen.size(), 7u);
  for (auto [v, n] : seen) EXPECT_GT(n, 800) << v;  // roughly uniform
}

TEST(GeneratorRandom, WeightedNeverPicksZeroWeights) {
  Random r(3);
  const int w[] = {0, 5, 0, 1};
  for (int i = 0; i < 1000; ++i) {
    size_t k = r.weighted(w);
    EXPECT_TRUE(k == 1 || k == 3);
  }
}

TEST(GeneratorRandom, SubsetKeepsOrderAndSize) {
  Random r(9);
  std::vector<int> v = {1, 2, 3, 4, 5, 6};
  for (int i = 0; i < 50; ++i) {
    auto s = r.subset(v, 3);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
  }
}

TEST(GeneratorCase, SameSeedAndIndexGiveTheSameCase) {
  GeneratorWeights w;
  for (uint64_t i = 0; i < 20; ++i) {
    Case a = generateCase(42, i, ClusterSize::Small, w);
    Case b = generateCase(42, i, ClusterSize::Small, w);
    EXPECT_EQ(a.cluster, b.cluster);
    EXPECT_EQ(a.meta.steps, b.meta.steps);
    EXPECT_EQ(a.meta.tags, b.meta.tags);
  }
  EXPECT_NE(generateCase(42, 0, ClusterSize::Small, w).cluster,
            generateCase(43, 0, ClusterSize::Small, w).cluster);
}

TEST(GeneratorCase, SmallCasesHaveTheUpstreamShape) {
  Case c = generateCase(1, 0, ClusterSize::Small, GeneratorWeights{});
  EXPECT_EQ(c.cluster.namespaces.size(), 3u);
  EXPECT_GE(c.cluster.pods.size(), 9u);
  EXPECT_EQ(c.cluster.nodes.size(), 2u);
  EXPECT_EQ(c.meta.name, "small-s1-0000");
}

TEST(GeneratorCase, NamedPortsDifferBetweenPodsSomewhere) {
  // Across a few clusters, "http" resolves to both 8080 and 8081.
  std::set<int32_t> httpNumbers;
  for (uint64_t i = 0; i < 10; ++i)
    for (const auto& p : generateCase(5, i, ClusterSize::Small, GeneratorWeights{}).cluster.pods)
      for (const auto& c : p.containers)
        for (const auto& port : c.ports)
          if (port.name == "http") httpNumbers.insert(port.containerPort);
  EXPECT_EQ(httpNumbers, (std::set<int32_t>{8080, 8081}));
}

RC_GTEST_PROP(GeneratorProperty, EveryGeneratedCaseAndStepStateValidates, ()) {
  const auto seed = *rc::gen::arbitrary<uint32_t>();
  const auto size = *rc::gen::element(ClusterSize::Small, ClusterSize::Medium, ClusterSize::Large);
  Case c = generateCase(seed, 0, size, GeneratorWeights{});
  auto errors = validate(c.cluster);
  for (const auto& e : errors) RC_LOG() << toString(e) << "\n";
  RC_ASSERT(errors.empty());
  Cluster state = c.cluster;
  for (const auto& s : c.meta.steps) {
    RC_ASSERT(applyStep(state, s) == "");
    auto stepErrors = validate(state);
    for (const auto& e : stepErrors) RC_LOG() << toString(s.action) << ": " << toString(e) << "\n";
    RC_ASSERT(stepErrors.empty());
  }
}

TEST(GeneratorCoverage, EveryExpressibleBugClassInAtLeastFivePercentOfSmallCases) {
  std::map<std::string, int> counts;
  const int n = 200;
  for (int i = 0; i < n; ++i)
    for (const auto& t : generateCase(2024, i, ClusterSize::Small, GeneratorWeights{}).meta.tags)
      ++counts[t];
  for (const auto& cls : expressibleBugClasses())
    EXPECT_GE(counts[cls] * 100, 5 * n) << cls << " in " << counts[cls] << " of " << n << " cases";
}

}  // namespace
}  // namespace npf

namespace npf {
namespace {

// The generator as a RapidCheck generator: RapidCheck draws the random tape, so a failing
// case shrinks by shrinking its tape (fewer, smaller draws = simpler choices).
rc::Gen<Case> genGeneratedCase() {
  return rc::gen::map(rc::gen::container<std::vector<uint64_t>>(rc::gen::arbitrary<uint64_t>()),
                      [](std::vector<uint64_t> tape) {
                        Random rng = Random::fromTape(std::move(tape));
                        return generateCaseFrom(rng, ClusterSize::Small, GeneratorWeights{}, "rc");
                      });
}

RC_GTEST_PROP(GeneratorProperty, TapeDrivenCasesValidate, ()) {
  Case c = *genGeneratedCase();
  auto errors = validate(c.cluster);
  RC_ASSERT(errors.empty());
}

TEST(GeneratorRandom, EmptyTapeGivesTheSimplestCaseDeterministically) {
  Random a = Random::fromTape({}), b = Random::fromTape({});
  Case x = generateCaseFrom(a, ClusterSize::Small, GeneratorWeights{}, "t");
  Case y = generateCaseFrom(b, ClusterSize::Small, GeneratorWeights{}, "t");
  EXPECT_EQ(x.cluster, y.cluster);
  EXPECT_TRUE(validate(x.cluster).empty());
}

TEST(GeneratorWeights, ParsesOverridesAndRejectsBadLines) {
  GeneratorWeights w;
  EXPECT_EQ(parseWeights("# comment\nsteps: 0\nmaxPolicies: 6\n", w), "");
  EXPECT_EQ(w.steps, 0);
  EXPECT_EQ(w.maxPolicies, 6);
  EXPECT_NE(parseWeights("nonsense: 3\n", w).find("line 1"), std::string::npos);
  EXPECT_NE(parseWeights("steps 3\n", w), "");
  EXPECT_NE(parseWeights("steps: -1\n", w), "");
  GeneratorWeights z;
  EXPECT_NE(parseWeights("minPolicies: 5\nmaxPolicies: 2\n", z), "");
}

TEST(GeneratorCase, AllZeroWeightsStillGenerateValidCases) {
  GeneratorWeights w;
  std::string text;
  for (const char* k :
       {"hostNetworkPod", "dualStack",    "services",     "podSelectorEmpty",  "policyTypesAbsent",
        "ingressAbsent",  "ingressEmpty", "egressAbsent", "egressEmpty",       "peersAbsent",
        "peersEmpty",     "peerIpBlock",  "peerPodOnly",  "peerNamespaceOnly", "portsAbsent",
        "portsEmpty",     "portNamed",    "portRange",    "portProtocolOnly",  "portEmptyEntry",
        "steps"})
    text += std::string(k) + ": 0\n";
  ASSERT_EQ(parseWeights(text, w), "");
  for (int i = 0; i < 20; ++i)
    EXPECT_TRUE(validate(generateCase(7, i, ClusterSize::Small, w).cluster).empty());
}

}  // namespace
}  // namespace npf

namespace npf {
namespace {

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Byte-identical case files for fixed seeds, on every compiler and standard library. A change
// of these hashes is a change of generator output: bump kGeneratorVersion with it.
TEST(GeneratorCase, FixedSeedsGiveByteIdenticalFiles) {
  GeneratorWeights w;
  EXPECT_EQ(fnv1a(encodeCase(generateCase(42, 0, ClusterSize::Small, w))), 0x30798641e032e426ULL);
  EXPECT_EQ(fnv1a(encodeCase(generateCase(42, 1, ClusterSize::Small, w))), 0x4aadbe7fbfb89cd3ULL);
  EXPECT_EQ(fnv1a(encodeCase(generateCase(42, 2, ClusterSize::Small, w))), 0x7b35d9d9ebe5159dULL);
  EXPECT_EQ(fnv1a(encodeCase(generateCase(7, 0, ClusterSize::Large, w))), 0xf1744ef60f5559f1ULL);
}

// Cluster-scoped policies come from a stream of their own: turned off (as `fuzz` does on a
// backend that does not enforce them), every seed gives the same case without them.
TEST(GeneratorCase, ClusterScopedPoliciesDoNotShiftTheRestOfTheCase) {
  GeneratorWeights on, off;
  on.clusterPolicies = 100;
  off.clusterPolicies = 0;
  size_t withSteps = 0;
  for (uint64_t i = 0; i < 60; ++i) {
    Case a = generateCase(5, i, ClusterSize::Small, on);
    Case b = generateCase(5, i, ClusterSize::Small, off);
    ASSERT_FALSE(a.cluster.clusterPolicies.empty()) << i;
    EXPECT_TRUE(b.cluster.clusterPolicies.empty()) << i;
    Case stripped = a;
    stripped.cluster.clusterPolicies.clear();
    std::erase_if(stripped.meta.steps, [](const Step& s) {
      return s.clusterPolicy || s.action == Step::Action::DeleteClusterPolicy;
    });
    withSteps += stripped.meta.steps.size() != a.meta.steps.size();
    EXPECT_EQ(stripped.cluster, b.cluster) << i;
    EXPECT_EQ(stripped.meta.steps, b.meta.steps) << i;
  }
  EXPECT_GT(withSteps, 10u);  // cluster-scoped steps were interleaved, and changed nothing else
}

}  // namespace
}  // namespace npf
