// A dataplane simulated by the oracle: probes are answered from the matrix engine's verdicts on
// the cluster as the simulated dataplane sees it (after its injected faults, with the labels
// it remembers). No root, no kernel: the whole pipeline (fuzz, conformance, replay, minimize,
// reports) runs anywhere, and tests of the runner use it instead of hand-written fakes. It
// finds nothing by itself (it agrees with the oracle unless a fault is injected): it tests the
// fuzzer, not a CNI.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/backend.h"
#include "runner/pod_address_map.h"

namespace npf::runner {

struct SimulatedOptions {
  // Like LocalOptions::reassignPodIpv4: pods get addresses of their own in this IPv4 prefix.
  std::string reassignPodIpv4;
  // Tests: a bug of the dataplane besides the named faults, applied to the cluster it enforces.
  std::function<void(Cluster&)> bug;
  // Tests: a scripted answer for a probe (attempt 0, 1, ... of that cell); nullopt: simulate.
  std::function<std::optional<ProbeResult>(const Probe&, size_t attempt)> script;
  // Tests: setUp fails with this message (a backend failure).
  std::string setUpError;
};

// What the simulated dataplane was asked to do, for tests and `--timings`.
struct SimulatedCounters {
  int setUps = 0, reconciles = 0, tearDowns = 0;
  size_t probed = 0;
  std::vector<size_t> setUpPolicies;  // policies given to each setUp
  std::vector<RunSettings> configured;
};

class SimulatedBackend : public Backend {
 public:
  explicit SimulatedBackend(SimulatedOptions options = {});

  std::string name() const override { return "simulated"; }
  std::string configure(const RunSettings& settings) override;
  std::string setUp(const Cluster& desired) override;
  std::string reconcile(const Cluster& desired) override;
  Cluster actual() const override { return actual_; }
  std::vector<ProbeResult> probe(const std::vector<Probe>& probes,
                                 const ProbeOptions& options) override;
  void tearDown() override;

  // Fault classes (BUG-CLASSES.md names, as the local backend's) it simulates.
  static const std::vector<std::string>& supportedFaults();
  const SimulatedCounters& counters() const { return counters_; }
  // Tests set the hooks (bug, script) here before setUp.
  SimulatedOptions& options() { return opt_; }

 private:
  std::string apply(const Cluster& desired);
  // The cluster the dataplane enforces: actual_ with remembered labels, faults and the bug.
  Cluster enforced() const;

  SimulatedOptions opt_;
  RunSettings settings_;
  bool up_ = false;
  Cluster actual_;
  std::optional<PodAddressMap> addresses_;
  // LABEL_UPDATE_STALE: labels as first seen (pods: at creation, namespaces: at first sight).
  std::map<std::string, Labels> podLabels_, namespaceLabels_;
  std::map<Probe, size_t> attempts_;
  SimulatedCounters counters_;
};

}  // namespace npf::runner
