// A local cluster kept up after the command that made it has returned (`netpolfuzz local up`),
// so that people can poke at it by hand (ip netns exec, nft). The pods' servers are threads of
// the process owning the LocalBackend, so a daemon process owns the cluster until SIGTERM
// (stopKeptCluster) or a crash (then cleanupLeftovers()). The daemon records what it holds in
// <stateRoot>/<run>/up.json; that file marks the run as a kept cluster, as opposed to a fuzz
// campaign's or a test's run, which are never stopped from outside.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/objects.h"
#include "runner/local/local_backend.h"

namespace npf::runner::local {

// One endpoint of a kept cluster, as the backend serves it.
struct KeptEndpoint {
  std::string endpoint;          // "NS/POD", "node/NAME", "ip/ADDR", "svc/NS/NAME"
  std::string kind;              // "pod", "hostnet-pod", "node", "external", "service"
  std::string node;              // a pod's node, a node's own name; "" otherwise
  std::string netns;             // "" for a Service and for what is not wired (IPv6 only)
  std::vector<std::string> ips;  // IPv4 first; a Service's ClusterIP
  std::string ports;             // "80/TCP,53/UDP"; a Service's "80/TCP->8080"

  bool operator==(const KeptEndpoint&) const = default;
};

// What up.json records (schema netpolfuzz.local-up/v1).
struct KeptClusterInfo {
  std::string run;
  std::vector<std::string> files;    // the case files, absolute
  size_t step = 0;                   // the state kept up: after this many of the case's steps
  size_t steps = 0;                  // the case's steps
  std::vector<std::string> profile;  // --profile settings, as given
  std::vector<std::string> faults;   // injected fault classes, as given
  std::string started;               // UTC, "2024-01-31T12:00:00Z"
  // Recorded by the daemon once the cluster is up.
  long pid = 0;
  std::string fabric;  // the fabric's network namespace
  std::vector<KeptEndpoint> endpoints;
  std::vector<std::string> namespaces;

  bool operator==(const KeptClusterInfo&) const = default;
};

std::string encodeKeptClusterInfo(const KeptClusterInfo& info);
// nullopt when `text` is not an up.json of this schema.
std::optional<KeptClusterInfo> decodeKeptClusterInfo(const std::string& text);
std::string keptClusterInfoPath(const std::string& stateRoot, const std::string& runId);
// The up.json of run `runId`; nullopt when it has none (not a kept cluster, or gone).
std::optional<KeptClusterInfo> readKeptClusterInfo(const std::string& stateRoot,
                                                   const std::string& runId);

// Kept clusters whose daemon is alive, sorted.
std::vector<std::string> liveKeptClusters(const std::string& stateRoot);

// What keeping a cluster up needs on this machine besides root (the CNI plugins, ip, nft);
// "" when all is there, else one line saying what to install.
std::string missingKeptClusterTools(const std::string& cniPath);

struct KeepUpRequest {
  std::vector<Cluster> states;  // the case's initial state, then the state after each step
  size_t step = 0;              // keep states[step] up (after applying every step before it)
  LocalOptions options;         // runId empty: a fresh one no run on this machine uses
  std::vector<std::string> files, profile, faults;  // recorded in up.json for `status`
};

struct KeepUpResult {
  enum class Outcome {
    Up,              // the daemon holds the cluster; `info` says what it is
    CannotStart,     // no daemon was started (`error`: pipe or fork failed)
    SetUpFailed,     // the daemon could not bring the state up (`error`) and is gone
    Interrupted,     // SIGINT/SIGTERM while the daemon set up: it was stopped
    InfoUnreadable,  // the daemon reported success, but its up.json cannot be read
  };
  Outcome outcome = Outcome::CannotStart;
  std::string run;
  std::string error;
  std::vector<std::string> cleanupErrors;  // removing what a failed or stopped daemon left
  KeptClusterInfo info;
};

// Forks a daemon that owns a LocalBackend, brings request.states[request.step] up, writes
// up.json and holds the cluster until SIGTERM or SIGINT. Returns once the daemon has reported
// success or failure; a SIGINT/SIGTERM to this process meanwhile is forwarded to the daemon.
// Unless the outcome is Up, nothing of the run is left behind.
KeepUpResult keepClusterUp(const KeepUpRequest& request);

struct StopResult {
  enum class Outcome {
    Dead,            // the run's owner is gone: its leftovers are for cleanupLeftovers()
    NotKeptCluster,  // another program's live run: left alone
    Stopped,         // the daemon, its namespaces and its state directory are gone
    StillThere,      // not gone after the wait: killKeptCluster()
  };
  Outcome outcome = Outcome::Dead;
  long pid = 0;                               // the run's owner
  std::vector<std::string> namespacesBefore;  // the run's namespaces when asked to stop
};

// Sends SIGTERM to the daemon of kept cluster `runId` and waits up to `waitSeconds` for the
// daemon to exit and for its namespaces and state directory to go.
StopResult stopKeptCluster(const std::string& stateRoot, const std::string& runId, int waitSeconds);
// SIGKILL to a daemon that did not stop, then waits (up to 2 s) until its run counts as dead.
void killKeptCluster(const std::string& stateRoot, const std::string& runId, long pid);

}  // namespace npf::runner::local
