// The policy agents of `--enforcer kube-router|exec`: one process per node namespace, watching
// the API server, and the measurement of when they have caught up with a write.
//
// Convergence is measured, not guessed:
//  * kube-router logs (at -v=1) "Starting sync of iptables with version: V", V being the sync's
//    start time in nanoseconds (base 36), and "sync iptables took D" at its end. A node has
//    converged once a sync that started after the last API write has finished, none is running
//    and none started for `quietMs` (a watch event that arrives late starts another one).
//  * An exec agent exposes nothing we know: its node's ruleset (`nft -s list ruleset` and
//    `ipset save`, counters left out) must change and then stay unchanged for `quietMs`; one that
//    does not change within `settleMs` is taken as having had nothing to change.
// A node that has not converged after `timeoutMs` is probed anyway and counted as timed out
// (the campaign's re-probing still tells late convergence from a discrepancy).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "runner/daemon.h"
#include "runner/local/enforcer.h"
#include "runner/process.h"

namespace npf::runner::local {

struct AgentNode {
  std::string name, netns, ip;
};

struct Convergence {
  double ms = 0;             // from the end of the API writes to converged (slowest node)
  size_t timedOutNodes = 0;  // nodes that had not converged after timeoutMs
  std::string error;         // an agent died (with its log's tail)
};

class PolicyAgents {
 public:
  PolicyAgents(EnforcerSpec spec, std::string kubeconfig, std::string logDir,
               std::string serviceCidr, ProcessRunner* processes = nullptr);
  ~PolicyAgents();  // stop()
  PolicyAgents(const PolicyAgents&) = delete;
  PolicyAgents& operator=(const PolicyAgents&) = delete;

  // Starts an agent in every node namespace (from the calling thread, which must outlive them);
  // waitConverged() then waits for their first sync. Error or "".
  std::string start(const std::vector<AgentNode>& nodes);
  // Call right before a batch of API writes: marks the time and each node's state.
  void beforeWrites();
  // Whether the agents react to changes of these kinds (MirrorCounts::changed): kube-router's
  // policy controller watches pods (not hostNetwork ones), namespaces and policies; an exec
  // agent is assumed to watch anything. Nothing to wait for otherwise.
  bool hears(const std::set<std::string>& changedKinds) const;
  // Waits until every agent has caught up with the writes since beforeWrites().
  Convergence waitConverged();
  // "" while every agent runs, else which one ended and the end of its log.
  std::string health();
  void stop();

 private:
  struct Agent {
    AgentNode node;
    std::unique_ptr<Daemon> daemon;
    std::string log;
    // kube-router's log, read incrementally.
    size_t offset = 0;
    std::string partial;
    size_t starts = 0, ends = 0;
    int64_t lastStartNs = 0;          // start of the latest sync begun
    int64_t lastFinishedStartNs = 0;  // start of the latest sync that has finished
    // exec: the ruleset fingerprint.
    std::string fingerprintBefore;
  };
  std::vector<std::string> argvFor(const AgentNode& node, std::string& error) const;
  void readLog(Agent& a);
  std::string fingerprintOf(const Agent& a);

  EnforcerSpec spec_;
  std::string kubeconfig_, logDir_, serviceCidr_;
  ProcessRunner* proc_;
  std::vector<Agent> agents_;
  int64_t writesStartNs_ = 0;
};

// Parses one kube-router log line: +1 start (setting `startNs`) for "Starting sync of iptables
// with version: V", -1 for "sync iptables took", 0 otherwise.
int parseKubeRouterSyncLine(const std::string& line, int64_t& startNs);

}  // namespace npf::runner::local
