// Batched probing for the kind backend: one `kubectl exec` per source pod and round, running
// all of that pod's probes concurrently inside it with the e2e image's own prober
// (`/agnhost connect HOST:PORT --timeout=... --protocol=...`, the probe the upstream netpol e2e
// suite uses), and per-probe results parsed back from its output.
//
// Why a shell: agnhost has no batch subcommand, and one exec per probe is what makes Cyclonus
// slow. Its image has /bin/sh, so the exec runs `/bin/sh -c SCRIPT` where SCRIPT starts every
// `agnhost connect` in the background and prints one line per probe. The script is built only
// from validated IP literals, port numbers, protocol words and indexes: names and labels from
// the case never reach it (they go into kubectl's argv as separate arguments).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model/ip.h"
#include "model/objects.h"
#include "model/probe.h"
#include "runner/backend.h"
#include "runner/process.h"

namespace npf::runner::kind {

// Where a probe runs: a container of a pod (a case pod, or the per-node host-network client).
struct ExecSource {
  std::string namespace_;
  std::string pod;
  std::string container;  // "" lets kubectl pick the default container
  auto operator<=>(const ExecSource&) const = default;
};

// One connection attempt of a batch; `index` is its position in the caller's probe list.
struct PlannedProbe {
  size_t index = 0;
  IpAddress destination;
  int port = 0;
  Protocol protocol = Protocol::TCP;
};

struct Batch {
  ExecSource source;
  std::vector<PlannedProbe> probes;
};

// Names the host-network client pod of each node (they live in the run's own namespace).
struct ClientPods {
  std::string namespace_;
  std::function<std::string(const std::string& node)> podOf;
};

// Groups `probes` into one batch per source, resolving destinations on `actual` (the addresses
// the cluster really gave: pod IPs, node IPs, ClusterIPs). Probes that cannot run get their
// result in `immediate` (Skipped, with why): external sources, Service sources, unknown
// endpoints, pods without an address.
struct ProbePlan {
  std::vector<Batch> batches;
  std::vector<std::pair<size_t, ProbeResult>> immediate;
};
ProbePlan planProbes(const Cluster& actual, const std::vector<Probe>& probes,
                     const ClientPods& clients);

// The POSIX sh script that runs a batch (see above). `timeoutMs` is each probe's own deadline;
// `agnhost` is the prober's path in the image.
inline constexpr const char* kAgnhostPath = "/agnhost";
std::string probeScript(const std::vector<PlannedProbe>& probes, int timeoutMs,
                        const std::string& agnhost = kAgnhostPath);

// `kubectlPrefix` (e.g. {"kubectl", "--context", "kind-npf"}) + exec of the script in `source`.
std::vector<std::string> execArgv(const std::vector<std::string>& kubectlPrefix,
                                  const ExecSource& source, const std::string& script);

// Per-probe results of one batch from the exec's standard output, in `probes` order. Robust to
// anything: lines that are not result lines are ignored, a probe without a result line gets
// Error (re-probed by the campaign), and output cut short (no end marker, e.g. the exec was
// killed at its deadline) says so in the detail.
std::vector<ProbeResult> parseProbeOutput(std::string_view output,
                                          const std::vector<PlannedProbe>& probes);

struct BatchRunOptions {
  std::vector<std::string> kubectlPrefix = {"kubectl"};
  std::vector<std::string> env;  // kubectl's environment (KUBECONFIG, HOME, PATH)
  int timeoutMs = 1000;          // per probe
  size_t maxParallelExecs = 8;   // source pods probed at once
};

struct BatchRunStats {
  size_t execs = 0;
  size_t failedExecs = 0;  // kubectl itself failed (not a probe result)
};

// Runs every batch through `processes` (at most maxParallelExecs at a time) and returns one
// result per probe of `count` probes, `immediate` ones included. A failed exec gives Error
// results carrying kubectl's message for that batch's probes; results it did print are kept.
std::vector<ProbeResult> runBatches(const ProbePlan& plan, size_t count, ProcessRunner& processes,
                                    const BatchRunOptions& options, BatchRunStats* stats = nullptr);

}  // namespace npf::runner::kind
