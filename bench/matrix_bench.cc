// The matrix engine at scale: a synthetic cluster of 5,000 pods in 50 namespaces with 1,000
// policies and 4 port/protocol combinations per pod, i.e. 100 million cells (5,000 pod
// sources x 20,000 pod-port targets, plus node sources, plus 5,000 x 100 Service ports). The same
// run times the reference evaluator on a fixed random sample of cells, so the speedup can be read
// off directly.
//
//   ./matrix_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bench/synthetic_cluster.h"
#include "model/codec.h"
#include "model/probe.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"

namespace npf {
namespace {

using bench::SplitMix64;
using bench::syntheticCluster;

const Cluster& cluster() {
  static const Cluster c = syntheticCluster();
  return c;
}
const ProbeSet& probes() {
  static const ProbeSet p = defaultProbeSet(cluster());
  return p;
}
// The same cluster with 100 AdminNetworkPolicies and a BaselineAdminNetworkPolicy.
const Cluster& adminCluster() {
  static const Cluster c = [] {
    Cluster out = cluster();
    bench::addAdminPolicies(out, 100);
    return out;
  }();
  return c;
}

std::vector<double> engineNsPerCell, referenceNsPerCell;

void BM_ComputeMatrix(benchmark::State& state) {
  const Cluster& c = cluster();
  const ProbeSet& ps = probes();
  Profile prof;
  size_t allowed = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    Matrix m = computeMatrix(c, ps, prof);
    auto t1 = std::chrono::steady_clock::now();
    engineNsPerCell.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() /
                              double(ps.cellCount()));
    allowed = 0;
    for (size_t i = 0; i < m.size(); i += 997) allowed += m.get(i) == Matrix::Cell::Allow;
    benchmark::DoNotOptimize(allowed);
  }
  state.counters["cells"] = double(ps.cellCount());
  state.counters["cells/s"] =
      benchmark::Counter(double(ps.cellCount()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["allow_per_mille"] = double(allowed) * 997.0 * 1000.0 / double(ps.cellCount());
}
BENCHMARK(BM_ComputeMatrix)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ComputeMatrixWithAdminPolicies(benchmark::State& state) {
  const Cluster& c = adminCluster();
  const ProbeSet& ps = probes();
  Profile prof;
  for (auto _ : state) {
    Matrix m = computeMatrix(c, ps, prof);
    benchmark::DoNotOptimize(m);
  }
  state.counters["cells"] = double(ps.cellCount());
  state.counters["cells/s"] =
      benchmark::Counter(double(ps.cellCount()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ComputeMatrixWithAdminPolicies)->Unit(benchmark::kMillisecond)->UseRealTime();

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

constexpr size_t kSample = 20000;

void BM_EvaluateProbeSample(benchmark::State& state) {
  const Cluster& c = cluster();
  const ProbeSet& ps = probes();
  // A fixed random sample of cells of the default probe set.
  SplitMix64 rng{7};
  std::vector<Probe> sample;
  for (size_t k = 0; k < kSample; ++k) {
    const ProbeBlock& b = ps.blocks[ps.blocks.size() > 1 && rng.chance(1) ? 1 : 0];
    sample.push_back(
        {b.sources[rng.next() % b.sources.size()], b.targets[rng.next() % b.targets.size()]});
  }
  Profile prof;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    size_t allowed = 0;
    for (const auto& p : sample) allowed += evaluateProbe(c, p, prof) == Verdict::Allow;
    auto t1 = std::chrono::steady_clock::now();
    referenceNsPerCell.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() /
                                 double(kSample));
    benchmark::DoNotOptimize(allowed);
  }
  state.counters["cells/s"] =
      benchmark::Counter(double(kSample), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["ns_per_cell"] = median(referenceNsPerCell);
}
BENCHMARK(BM_EvaluateProbeSample)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace npf

int main(int argc, char** argv) {
  // --write-yaml=FILE: write the synthetic cluster as a case file (for the end-to-end
  // `expect` benchmark, bench/expect_e2e.sh) and exit.
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--write-yaml=", 0) == 0) {
      std::ofstream out(arg.substr(13), std::ios::binary);
      out << npf::encodeYaml(npf::cluster());
      return out ? 0 : 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  const auto& ps = npf::probes();
  std::printf("cluster: %zu pods, %zu namespaces, %zu policies; default probe set %zu cells\n",
              npf::cluster().pods.size(), npf::cluster().namespaces.size(),
              npf::cluster().policies.size(), ps.cellCount());
  double e = npf::median(npf::engineNsPerCell), r = npf::median(npf::referenceNsPerCell);
  if (e > 0)
    std::printf("engine: median %.3f ns/cell, full matrix %.1f ms\n", e,
                e * double(ps.cellCount()) / 1e6);
  if (r > 0)
    std::printf("reference: median %.1f ns/cell (extrapolated full matrix %.0f s)\n", r,
                r * double(ps.cellCount()) / 1e9);
  if (e > 0 && r > 0) std::printf("speedup (reference ns/cell / engine ns/cell): %.0fx\n", r / e);
  std::printf("peak RSS: %.1f MiB\n", double(ru.ru_maxrss) / 1024.0);
  return 0;
}
