// The dataplanes by name: what the CLI (and anything else that runs cases) builds a backend
// from. Each backend is a library of its own (runner/local, runner/kind, runner/simulated,
// runner/analyzer); this is the one place that knows them all. A new backend or enforcer adds
// itself here.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runner/backend.h"
#include "runner/process.h"

namespace npf::runner {

struct BackendSpec {
  std::string name = "local";  // one of backendNames()
  RunSettings settings;        // profile and faults to start with (Backend::configure later)
  std::string runId;           // "" : a fresh random one
  // local and simulated: pods get addresses of their own in this IPv4 prefix (replay tests).
  std::string reassignPodIpv4;
  // local
  std::string cniPath = "/usr/lib/cni";
  std::string enforcer = "nftables";  // runner/local/enforcer.h: nftables, kube-router, exec
  std::string enforcerCommand;        // exec: the agent's command template
  std::string logDir;                 // control-plane and agent logs ("" : the default)
  // analyzer
  std::string analyzer = "cyclonus";  // runner/analyzer/analyzer_backend.h's catalogue
  std::string toolBinDir;             // where its binary is cached ("" : runner/tool_cache.h)
  // kind
  std::string kubectl = "kubectl";
  std::string context;
  bool keep = false;
  size_t maxParallelExecs = 8;
  ProcessRunner* kubectlRunner = nullptr;  // required for kind
  std::string cni;  // --cni: the CNI under test ("" : not named); decides cluster-scoped policy
  // Where a backend's warnings go (kind: the CNI may not enforce cluster-scoped policies).
  std::function<void(const std::string& message)> warn;
};

struct BackendInfo {
  std::string name;
  std::string summary;              // one line for --help
  bool needsRoot = false;           // CAP_NET_ADMIN on this machine
  std::vector<std::string> faults;  // fault classes it can inject (BUG-CLASSES.md names)
};

const std::vector<BackendInfo>& backendCatalogue();
std::vector<std::string> backendNames();
const BackendInfo* findBackend(const std::string& name);
// One line: the buggy behaviour a fault class switches in ("" for an unknown class).
std::string describeFault(const std::string& fault);

struct BuiltBackend {
  std::unique_ptr<Backend> backend;  // null when it could not be made: see error
  std::string runId;                 // names what it creates (npf-xxxxxx); "simulated" for that one
  std::string error;
};

// The backend `spec` names, configured with spec.settings; an error when it cannot be made
// (unknown name, a fault it cannot inject, ...).
BuiltBackend buildBackend(const BackendSpec& spec);

}  // namespace npf::runner
