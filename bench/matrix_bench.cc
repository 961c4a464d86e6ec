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

#include "model/codec.h"
#include "model/probe.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"

namespace npf {
namespace {

// Deterministic on every platform (no std distributions).
struct SplitMix64 {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return int(next() % uint64_t(n)); }
  bool chance(int pct) { return below(100) < pct; }
};

constexpr int kNamespaces = 50, kPodsPerNs = 100, kNodes = 20, kPoliciesPerNs = 20;
const char* kApps[] = {"web",  "db",     "api",     "cache", "queue",
                       "auth", "search", "billing", "mail",  "batch"};
const char* kTiers[] = {"frontend", "backend", "data"};
const char* kTeams[] = {"red", "blue", "green", "gold", "teal"};

LabelSelector matchLabels(Labels l) {
  LabelSelector s;
  s.matchLabels = std::move(l);
  return s;
}

NetworkPolicyPort tcp(int32_t port, std::optional<int32_t> end = std::nullopt) {
  NetworkPolicyPort p;
  p.port = PortRef{port};
  p.endPort = end;
  return p;
}
NetworkPolicyPort named(const std::string& name, std::optional<Protocol> proto = std::nullopt) {
  NetworkPolicyPort p;
  p.port = PortRef{name};
  p.protocol = proto;
  return p;
}

Cluster syntheticCluster() {
  SplitMix64 rng{42};
  Cluster c;
  for (int n = 0; n < kNamespaces; ++n) {
    Namespace ns;
    ns.meta.name = "ns-" + std::to_string(n);
    ns.meta.labels = {{"team", kTeams[n % 5]}, {"env", n % 3 == 0 ? "prod" : "dev"}};
    c.namespaces.push_back(ns);
  }
  for (int i = 0; i < kNodes; ++i) {
    Node node;
    node.meta.name = "node-" + std::to_string(i);
    node.internalIPs = {"192.168.0." + std::to_string(i + 1)};
    c.nodes.push_back(node);
  }
  for (int n = 0; n < kNamespaces; ++n)
    for (int k = 0; k < kPodsPerNs; ++k) {
      int i = n * kPodsPerNs + k;
      Pod p;
      p.meta.namespace_ = "ns-" + std::to_string(n);
      p.meta.name = "pod-" + std::to_string(k);
      p.meta.labels = {{"app", kApps[rng.below(10)]}, {"tier", kTiers[rng.below(3)]}};
      if (rng.chance(30)) p.meta.labels["canary"] = "true";
      p.nodeName = "node-" + std::to_string(i % kNodes);
      p.podIP = "10." + std::to_string(i / 65536 + 1) + "." + std::to_string(i / 256 % 256) + "." +
                std::to_string(i % 256);
      p.podIPs = {p.podIP};
      Container ctr;
      ctr.image = "registry.k8s.io/e2e-test-images/agnhost:2.53";
      ctr.name = "app";
      // 'http' is 80 on half of the pods and 8080 on the other half.
      bool even = i % 2 == 0;
      ctr.ports = {{even ? "http" : "", 80, std::nullopt},
                   {even ? "" : "http", 8080, std::nullopt},
                   {"dns", 53, Protocol::UDP},
                   {"metrics", 9090, Protocol::TCP}};
      p.containers = {ctr};
      c.pods.push_back(p);
    }
  // One Service per namespace: 80 -> named 'http' (80 or 8080 depending on the backend), 53/UDP.
  for (int n = 0; n < kNamespaces; ++n) {
    Service s;
    s.meta.namespace_ = "ns-" + std::to_string(n);
    s.meta.name = "web";
    s.clusterIP = "10.96.0." + std::to_string(n + 1);
    s.selector = Labels{{"app", "web"}};
    ServicePort http;
    http.name = "http";
    http.port = 80;
    http.targetPort = PortRef{std::string("http")};
    ServicePort dns;
    dns.name = "dns";
    dns.port = 53;
    dns.protocol = Protocol::UDP;
    s.ports = {http, dns};
    c.services.push_back(s);
  }
  for (int n = 0; n < kNamespaces; ++n)
    for (int k = 0; k < kPoliciesPerNs; ++k) {
      NetworkPolicy pol;
      pol.meta.namespace_ = "ns-" + std::to_string(n);
      pol.meta.name = "pol-" + std::to_string(k);
      int kind = rng.below(100);
      pol.podSelector =
          rng.chance(15) ? LabelSelector{} : matchLabels({{"app", kApps[rng.below(10)]}});
      NetworkPolicyRule r;
      if (kind < 25) {  // from some app in the namespace, on the named port
        NetworkPolicyPeer peer;
        peer.podSelector = matchLabels({{"app", kApps[rng.below(10)]}});
        r.peers = std::vector{peer};
        r.ports = std::vector{named("http")};
        pol.ingress = std::vector{r};
      } else if (kind < 45) {  // from a team's namespaces, some tiers
        NetworkPolicyPeer peer;
        peer.namespaceSelector = matchLabels({{"team", kTeams[rng.below(5)]}});
        LabelSelector ps;
        ps.matchExpressions = {
            {"tier", SelectorOp::In, {kTiers[rng.below(3)], kTiers[rng.below(3)]}}};
        peer.podSelector = ps;
        r.peers = std::vector{peer};
        r.ports = std::vector{tcp(80), named("metrics")};
        pol.ingress = std::vector{r};
      } else if (kind < 55) {  // from address ranges, a port range
        NetworkPolicyPeer peer;
        int b = rng.below(20);
        peer.ipBlock = IPBlock{
            "10.1." + std::to_string(b) + ".0/24",
            {"10.1." + std::to_string(b) + "." + std::to_string(rng.below(4) * 64) + "/26"}};
        NetworkPolicyPeer nodes;
        nodes.ipBlock = IPBlock{"192.168.0.0/24", {}};
        r.peers = std::vector{peer, nodes};
        r.ports = std::vector{tcp(80, 8080)};
        pol.ingress = std::vector{r};
      } else if (kind < 70) {  // egress: DNS anywhere in the cluster + one app on 'http'
        NetworkPolicyPeer anyNs;
        anyNs.namespaceSelector = LabelSelector{};
        NetworkPolicyRule dns;
        dns.peers = std::vector{anyNs};
        dns.ports = std::vector{named("dns", Protocol::UDP)};
        NetworkPolicyPeer app;
        app.podSelector = matchLabels({{"app", kApps[rng.below(10)]}});
        NetworkPolicyRule web;
        web.peers = std::vector{app};
        web.ports = std::vector{named("http")};
        pol.egress = std::vector{dns, web};
        pol.policyTypes = std::vector{PolicyType::Egress};
      } else if (kind < 80) {  // default deny ingress
        pol.podSelector = LabelSelector{};
        pol.ingress = std::vector<NetworkPolicyRule>{};
      } else if (kind < 85) {  // deny egress, both types
        pol.ingress = std::vector{NetworkPolicyRule{}};
        pol.egress = std::vector<NetworkPolicyRule>{};
        pol.policyTypes = std::vector{PolicyType::Ingress, PolicyType::Egress};
      } else {  // from named namespaces (NotIn / In on the implicit label), canaries excluded
        NetworkPolicyPeer peer;
        LabelSelector nss;
        nss.matchExpressions = {{kNamespaceNameLabel,
                                 SelectorOp::In,
                                 {"ns-" + std::to_string(rng.below(kNamespaces)),
                                  "ns-" + std::to_string(rng.below(kNamespaces))}}};
        peer.namespaceSelector = nss;
        LabelSelector ps;
        ps.matchExpressions = {{"canary", SelectorOp::DoesNotExist, {}},
                               {"app", SelectorOp::NotIn, {"batch", "mail"}}};
        peer.podSelector = ps;
        r.peers = std::vector{peer};
        NetworkPolicyPort udp;
        udp.protocol = Protocol::UDP;
        r.ports = std::vector{udp, tcp(9090)};
        pol.ingress = std::vector{r};
      }
      c.policies.push_back(pol);
    }
  return c;
}

const Cluster& cluster() {
  static const Cluster c = syntheticCluster();
  return c;
}
const ProbeSet& probes() {
  static const ProbeSet p = defaultProbeSet(cluster());
  return p;
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
