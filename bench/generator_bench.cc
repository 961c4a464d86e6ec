// Generation rate: cases per second for each size, including validation (a campaign must
// never wait on the generator), and the oracle time per generated small case.
#include <benchmark/benchmark.h>

#include "generator/case_gen.h"
#include "model/case_probes.h"
#include "model/validate.h"
#include "oracle/matrix.h"

namespace npf {
namespace {

void BM_GenerateAndValidate(benchmark::State& state) {
  ClusterSize size = ClusterSize(state.range(0));
  GeneratorWeights w;
  uint64_t i = 0;
  for (auto _ : state) {
    Case c = generateCase(1, i++, size, w);
    bool ok = validate(c.cluster).empty();
    benchmark::DoNotOptimize(ok);
  }
  state.SetLabel(toString(size));
  state.counters["cases/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GenerateAndValidate)
    ->Arg(int(ClusterSize::Small))
    ->Arg(int(ClusterSize::Medium))
    ->Arg(int(ClusterSize::Large));

void BM_OraclePerSmallCase(benchmark::State& state) {
  std::vector<Case> cases;
  for (uint64_t i = 0; i < 64; ++i)
    cases.push_back(generateCase(2, i, ClusterSize::Small, GeneratorWeights{}));
  size_t k = 0, cells = 0;
  for (auto _ : state) {
    const Case& c = cases[k++ % cases.size()];
    ProbeSet probes = probeSetFor(c, c.cluster);
    Matrix m = computeMatrix(c.cluster, probes, Profile{});
    cells += m.size();
    benchmark::DoNotOptimize(m);
  }
  state.counters["cells/case"] = double(cells) / double(state.iterations());
}
BENCHMARK(BM_OraclePerSmallCase)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace npf

BENCHMARK_MAIN();
