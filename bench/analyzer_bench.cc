// The oracle against an offline analyzer (Cyclonus v0.5.6) on the same synthetic clusters of
// 48, 200, 500 and 2,000 pods (bench/synthetic_cluster.h) and the same fixed random sample of
// pod -> pod-port cells: the oracle's matrix engine judges the sample; the analyzer backend
// writes the policies and one Traffic object per cell and runs `cyclonus analyze --mode
// query-traffic` once (process start and file writing included, as in a campaign). Medians of
// --runs repetitions; the ratio is analyzer time / oracle time. For scale, also the oracle's time
// for the whole default probe set (every pod and node to every declared port, every Service
// port), and how many sampled cells the two answer differently. Run by bench/analyzer_bench.sh.
//
//   ./analyzer_bench [--runs=5] [--cells=5000] [--bin-dir=DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/synthetic_cluster.h"
#include "model/probe.h"
#include "oracle/matrix.h"
#include "runner/analyzer/analyzer_backend.h"
#include "runner/campaign.h"

namespace npf {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// `count` cells drawn from every pod to every declared port of every pod.
std::vector<Probe> sampleCells(const Cluster& c, size_t count) {
  bench::SplitMix64 rng{7};
  std::vector<Target> targets;
  for (const auto& p : c.pods)
    for (const auto& ctr : p.containers)
      for (const auto& port : ctr.ports)
        targets.push_back(Target{Endpoint::pod(p.meta.namespace_, p.meta.name), port.containerPort,
                                 port.effectiveProtocol()});
  std::vector<Probe> out;
  for (size_t k = 0; k < count; ++k) {
    const Pod& from = c.pods[rng.next() % c.pods.size()];
    out.push_back(Probe{Endpoint::pod(from.meta.namespace_, from.meta.name),
                        targets[rng.next() % targets.size()]});
  }
  return out;
}

}  // namespace
}  // namespace npf

int main(int argc, char** argv) {
  using namespace npf;
  int runs = 5;
  size_t cells = 5000;
  std::string binDir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--runs=", 0) == 0)
      runs = std::max(1, std::stoi(a.substr(7)));
    else if (a.rfind("--cells=", 0) == 0)
      cells = std::stoul(a.substr(8));
    else if (a.rfind("--bin-dir=", 0) == 0)
      binDir = a.substr(10);
    else {
      std::fprintf(stderr, "usage: analyzer_bench [--runs=N] [--cells=N] [--bin-dir=DIR]\n");
      return 2;
    }
  }
  const auto* info = runner::analyzer::findAnalyzer("cyclonus");
  std::printf(
      "oracle (matrix engine) vs %s %s: %zu sampled pod -> pod-port cells per cluster, "
      "median of %d runs\n",
      info->name.c_str(), info->version.c_str(), cells, runs);
  std::printf("%6s %9s %7s %11s %13s %8s %10s   %s\n", "pods", "policies", "cells", "oracle ms",
              "analyzer ms", "ratio", "disagree", "oracle on every cell");
  struct Shape {
    bench::SyntheticShape shape;
  } shapes[] = {{{4, 12, 2, 4}}, {{10, 20, 4, 6}}, {{10, 50, 8, 10}}, {{20, 100, 10, 20}}};
  Profile profile;
  profile.loopback = Profile::Loopback::Policy;  // Cyclonus's documented choice
  for (const auto& s : shapes) {
    const Cluster c = bench::syntheticCluster(s.shape);
    const std::vector<Probe> sample = sampleCells(c, cells);
    ProbeSet set;
    for (const auto& p : sample) set.blocks.push_back({{p.from}, {p.target}});
    std::vector<double> oracleMs, analyzerMs, fullMs;
    const ProbeSet every = defaultProbeSet(c);
    Matrix m;
    std::vector<runner::ProbeResult> seen;
    for (int r = 0; r < runs; ++r) {
      auto t0 = Clock::now();
      m = computeMatrix(c, set, profile);
      oracleMs.push_back(msSince(t0));
      t0 = Clock::now();
      Matrix full = computeMatrix(c, every, profile);
      fullMs.push_back(msSince(t0));
      runner::analyzer::AnalyzerOptions o;
      o.binDir = binDir;
      runner::analyzer::AnalyzerBackend analyzer(o);
      analyzer.setUp(c);
      t0 = Clock::now();
      seen = analyzer.probe(sample, {});
      analyzerMs.push_back(msSince(t0));
    }
    size_t disagree = 0, errors = 0;
    for (size_t i = 0; i < sample.size(); ++i) {
      if (seen[i].kind == runner::ProbeResult::Kind::Error) {
        ++errors;
        continue;
      }
      bool allowed = seen[i].kind != runner::ProbeResult::Kind::Timeout;
      disagree += allowed != (m.get(i) == Matrix::Cell::Allow);
    }
    if (errors) {
      std::fprintf(stderr, "analyzer_bench: %zu cells answered with errors: %s\n", errors,
                   seen[0].detail.c_str());
      return 3;
    }
    const double o = median(oracleMs), a = median(analyzerMs);
    std::printf("%6zu %9zu %7zu %11.2f %13.1f %7.0fx %10zu   %zu cells in %.1f ms\n", c.pods.size(),
                c.policies.size(), sample.size(), o, a, o > 0 ? a / o : 0.0, disagree,
                every.cellCount(), median(fullMs));
  }
  return 0;
}
