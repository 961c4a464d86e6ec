// Options shared by the commands that run cases on a dataplane (fuzz, conformance): backend,
// profile, injected faults, probe timing; building the backend; SIGINT handling.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "model/case.h"
#include "model/profile.h"
#include "runner/backend.h"
#include "runner/campaign.h"
#include "runner/shard.h"

namespace npf::cli {

struct BackendOptions {
  std::string backend = "local";
  std::vector<std::string> profileSettings;
  std::vector<std::string> faults;
  int timeoutMs = 200;
  int retryTimeoutMs = 500;
  int confirmTimeoutMs = 2500;
  bool fixedTimeout = false;  // local: no adaptive first-round timeout
  double convergeMs = 300;
  std::string cniPath = "/usr/lib/cni";
  // local backend: who enforces policy (runner/local/enforcer.h)
  std::string enforcer = "nftables";
  std::string enforcerCommand;  // --enforcer exec: the agent's command template
  std::string logDir;           // where the control plane's and agents' logs go ("" : default)
  // analyzer backend
  std::string analyzer = "cyclonus";  // runner/analyzer/analyzer_backend.h
  std::string binDir;                 // where third-party binaries are cached ("" : default)
  // kind backend
  std::string context;  // kubectl context ("" = current)
  std::string kubectl = "kubectl";
  std::string cni;      // the CNI under test: picks its profile (docs/cni-profiles.md)
  bool keep = false;    // leave the run's namespaces for debugging
  size_t maxExecs = 8;  // source pods probed at once
  bool dryRun = false;  // print manifests and kubectl commands; no cluster needed

  // Set by parseBackendOptions():
  Profile profile;
  // --profile, --cni or --backend analyzer (its documented choices): replaces a saved case's
  // profile
  bool profileGiven = false;
  bool faultsGiven = false;  // --inject-fault (`none`: no fault): replaces a saved case's faults
};

// Adds --backend, --profile, --inject-fault, --timeout-ms, --retry-timeout-ms, --converge-ms,
// --cni-path. `savedCases`: the command runs saved cases under the profile and faults they
// record unless these options are given (replay, minimize).
void addBackendOptions(CLI::App& sub, BackendOptions& o, bool savedCases = false);

// Parses the profile and checks fault names. Prints the problem and returns false on bad usage.
bool parseBackendOptions(BackendOptions& o, const std::string& command);
// What a saved case runs under (replay, minimize): the profile and faults it records, except
// what the user gave instead (--profile/--cni, --inject-fault). Recorded faults are dropped on a
// backend that cannot inject them (a note says so). Returns an error (bad recorded fault) or "".
std::string savedCaseSettings(const BackendOptions& o, const Case& c, runner::RunSettings& out,
                              std::string& note);
// "fault ENDPORT_IGNORED, profile loopback=allow": what differs from a plain run ("" if nothing).
std::string describeRunSettings(const runner::RunSettings& s);

// The local backend's policy enforcer as results.json and saved cases name it ("nftables",
// "kube-router v2.1.0", "exec: TEMPLATE"), or the analyzer ("cyclonus v0.5.6"); "" for the
// other backends.
std::string enforcerDescription(const BackendOptions& o);

// Whether this machine can run the backend (root, CNI plugins, nft, ip). Prints the problem and
// returns false when not (exit 3).
bool checkBackendMachine(const BackendOptions& o, const std::string& command);

// The probe discipline the options ask for.
runner::CheckOptions checkOptions(const BackendOptions& o);

// The backend a command runs on, from the factory (runner/backends/backend_factory.h), after
// parseBackendOptions. For kind, `backend` re-derives ipBlocks from the addresses the cluster
// assigns (runner/replay.h) unless `rederive` is false (the Replayer does it itself).
// `reassignPodIpv4`: give pods addresses of their own in this prefix (replay --pod-ip-range).
struct MadeBackend {
  std::unique_ptr<runner::Backend> dataplane;
  std::unique_ptr<runner::Backend> wrapper;
  runner::Backend* backend = nullptr;
  std::string runId;
};
MadeBackend makeBackend(const BackendOptions& o, bool rederive = true,
                        const std::string& reassignPodIpv4 = "");

// `--dry-run` (kind backend): prints, per case, the manifests and kubectl commands a run would
// send (set-up, each step, one probe round, teardown), answered by a simulated cluster whose
// addresses are placeholders. Returns the exit code.
int dryRunCases(const BackendOptions& o, const std::vector<std::pair<std::string, Case>>& cases);

const std::vector<std::string>& knownCnis();

// Whether the backend as configured runs cases with cluster-scoped policies (AdminNetworkPolicy,
// BaselineAdminNetworkPolicy, ClusterNetworkPolicy): the local backend with its nftables
// enforcer, the simulated one, and kind (which refuses them itself on a CNI known not to
// enforce them). `conformance` skips such cases elsewhere, saying so.
bool runsClusterPolicies(const BackendOptions& o);
// Whether `fuzz` generates them unless a weights file says otherwise: only where a dataplane
// verified here enforces them (local with nftables, simulated); see GeneratorWeights.
bool generatesClusterPolicies(const BackendOptions& o);

// Adds `--report FORMATS` (html, junit, markdown, text, none; comma-separated, repeatable);
// `formats` holds the command's default on entry.
void addReportOption(CLI::App& sub, std::vector<std::string>& formats);
// Writes the requested reports next to OUT/results.json and prints their paths; false (after
// printing the problem) when one cannot be written.
bool writeRequestedReports(const std::string& outDir, const std::vector<std::string>& requested);

// `--shard I/N` of `command` ("fuzz", "conformance"): the whole run when `text` is empty;
// false (after printing why) when it is not I/N with 0 <= I < N.
bool parseShardOption(const std::string& text, const char* command, runner::Shard& shard);

// First SIGINT/SIGTERM sets the returned flag (finish the case in progress, write results);
// a second one tears every local run down at once and dies of the signal.
const std::atomic<bool>& installInterruptHandling();

}  // namespace npf::cli
