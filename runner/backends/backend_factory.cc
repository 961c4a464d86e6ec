#include "runner/backends/backend_factory.h"

#include <algorithm>

#include "runner/analyzer/analyzer_backend.h"
#include "runner/kind/kind_backend.h"
#include "runner/local/local_backend.h"
#include "runner/local/run_state.h"
#include "runner/simulated/simulated_backend.h"

namespace npf::runner {

const std::vector<BackendInfo>& backendCatalogue() {
  static const std::vector<BackendInfo> all = {
      {"local",
       "network namespaces wired by the CNI plugins on this machine; policy enforced by "
       "nftables rules of its own or by a real CNI's agent (--enforcer)",
       true, local::LocalBackend::supportedFaults()},
      {"kind",
       "a Kubernetes cluster with a real CNI, through kubectl (docs/kind-backend.md)",
       false,
       {}},
      {"simulated",
       "the oracle answers every probe (no root, no kernel): exercises the pipeline, finds only "
       "injected faults",
       false, SimulatedBackend::supportedFaults()},
      {"analyzer",
       "an offline policy analyzer answers every cell it can express (--analyzer; "
       "docs/analyzers.md): fuzzes the analyzer against the oracle, no root, no packets",
       false,
       {}},
  };
  return all;
}

std::vector<std::string> backendNames() {
  std::vector<std::string> out;
  for (const auto& b : backendCatalogue()) out.push_back(b.name);
  return out;
}

const BackendInfo* findBackend(const std::string& name) {
  for (const auto& b : backendCatalogue())
    if (b.name == name) return &b;
  return nullptr;
}

std::string describeFault(const std::string& fault) {
  return local::LocalBackend::describeFault(fault);
}

BuiltBackend buildBackend(const BackendSpec& spec) {
  BuiltBackend out;
  out.runId = spec.runId.empty() ? local::newRunId() : spec.runId;
  if (spec.name == "local") {
    local::LocalOptions lo;
    lo.cniPath = spec.cniPath;
    lo.reassignPodIpv4 = spec.reassignPodIpv4;
    lo.runId = out.runId;
    auto kind = local::enforcerKindFromName(spec.enforcer);
    if (!kind) {
      out.error = "unknown enforcer " + spec.enforcer + " (nftables, kube-router, exec)";
      return out;
    }
    lo.enforcer.kind = *kind;
    lo.enforcer.commandTemplate = spec.enforcerCommand;
    lo.logDir = spec.logDir;
    out.backend = std::make_unique<local::LocalBackend>(lo);
  } else if (spec.name == "kind") {
    if (!spec.kubectlRunner) {
      out.error = "the kind backend needs a process runner for kubectl";
      return out;
    }
    kind::KindOptions ko;
    ko.kubectl = spec.kubectl;
    ko.context = spec.context;
    ko.runId = out.runId;
    ko.keep = spec.keep;
    ko.maxParallelExecs = spec.maxParallelExecs;
    ko.cni = spec.cni;
    ko.warn = spec.warn;
    out.backend = std::make_unique<kind::KindBackend>(ko, *spec.kubectlRunner);
  } else if (spec.name == "simulated") {
    SimulatedOptions so;
    so.reassignPodIpv4 = spec.reassignPodIpv4;
    out.runId = "simulated";
    out.backend = std::make_unique<SimulatedBackend>(so);
  } else if (spec.name == "analyzer") {
    if (!analyzer::findAnalyzer(spec.analyzer)) {
      out.error = "unknown analyzer '" + spec.analyzer + "' (known: cyclonus)";
      return out;
    }
    analyzer::AnalyzerOptions ao;
    ao.analyzer = spec.analyzer;
    ao.binDir = spec.toolBinDir;
    out.runId = spec.analyzer + "-" + analyzer::findAnalyzer(spec.analyzer)->version;
    out.backend = std::make_unique<analyzer::AnalyzerBackend>(ao);
  } else {
    out.error = "unknown backend '" + spec.name + "' (known: " + [] {
      std::string names;
      for (const auto& n : backendNames()) names += (names.empty() ? "" : ", ") + n;
      return names;
    }() + ")";
    return out;
  }
  if (auto e = out.backend->configure(spec.settings); !e.empty()) {
    out.backend.reset();
    out.error = e;
  }
  return out;
}

}  // namespace npf::runner
