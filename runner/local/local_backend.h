// The "local" backend: a real Linux dataplane on this machine, no containers.
//
// Topology (every piece a network namespace named `<run>-...`, nothing in the root namespace):
//  * a fabric namespace routing between nodes and external hosts (no default route: nothing
//    leaves the simulated world), linked to each by a veth;
//  * one namespace per node, addressed with the node's InternalIP, forwarding for its pods;
//  * one namespace per pod, attached to its node by the standard `ptp` CNI plugin with
//    `static` IPAM (exactly the case's pod IP), the plugin run in the node namespace as a
//    container runtime runs it; servers on every declared container port (threads of this
//    process); hostNetwork pods serve in their node's namespace on the node IP;
//  * one namespace per external host hanging off the fabric.
// Both families: IPv4 links as above, IPv6 on the same links with link-local next hops
// (fabric fe80::1, node and external host fe80::2, every pod's gateway fe80::1 on its node-side
// veth), so that a node needs no IPv6 address to route its pods' IPv6. A node keeps its
// InternalIPs in their order; one without an IPv4 address is wired with one that only the
// dataplane knows (never a probe's source or destination).
// Services are compiled to one nftables table per node (nft_compiler.h), replaced atomically on
// every change; NetworkPolicy goes into the same table, or comes from another enforcer
// (enforcer.h: kube-router or any agent, fed by a real API server in a control namespace).
// With an API-fed enforcer (kube-router runs with --enable-ipv6=false) only IPv4 is wired and
// IPv6 cells are Skipped (so too on a kernel without IPv6), as SCTP cells are wherever the
// kernel has no SCTP.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/ip.h"
#include "runner/backend.h"
#include "runner/local/api_mirror.h"
#include "runner/local/cni.h"
#include "runner/local/control_plane.h"
#include "runner/local/enforcer.h"
#include "runner/local/netns_ops.h"
#include "runner/local/nft_compiler.h"
#include "runner/local/policy_agents.h"
#include "runner/local/prober.h"
#include "runner/local/run_state.h"
#include "runner/pod_address_map.h"
#include "runner/process.h"

namespace npf::runner::local {

struct LocalOptions {
  Profile profile;  // the knobs the compiler implements: ipBlocks and pod IPs, egress to the own
                    // node, hostNetwork selection
  std::set<std::string> faults;  // fault classes to inject (see LocalBackend::supportedFaults)
  std::string stateRoot = kDefaultStateRoot;
  std::string cniPath = "/usr/lib/cni";
  std::string runId;                   // empty: a fresh random one
  int parallelism = 4;                 // concurrent CNI/nft invocations
  ProcessRunner* processes = nullptr;  // null: the real one
  NetnsOps* netnsOps = nullptr;        // null: real threads and sockets (owned by the backend)
  bool checkPrivileges = true;         // refuse to start without CAP_NET_ADMIN
  bool cleanupLeftoversFirst = true;   // remove dead runs' namespaces at setUp
  // An IPv4 prefix such as "10.123.0.0/16" (empty: off). When set, the backend assigns pod
  // addresses itself, as a real cluster's IPAM does: every non-hostNetwork pod's IPv4 address
  // becomes the address with the same host bits inside this prefix (10.244.1.5 -> 10.123.1.5;
  // the next free one on a clash), the same for every pod declared with the same address, for
  // the life of the cluster. actual() reports the assigned addresses; policies are applied as
  // given (re-deriving ipBlocks is the caller's job: runner/replay.h). For testing replay.
  std::string reassignPodIpv4;
  EnforcerSpec enforcer;  // who enforces policy (default: the nftables compiler)
  // Where the control plane's and the agents' logs go (kept after the run); "":
  // /tmp/netpolfuzz-logs.
  std::string logDir;
};

// Wall-clock milliseconds of the last operations, for reports and benchmarks.
struct LocalTimings {
  double setUpMs = 0;
  double reconcileMs = 0;
  double rulesMs = 0;  // compiling and loading every node's table (last setUp/reconcile)
  double probeMs = 0;
  size_t probes = 0;                        // cells in the last probe()
  size_t podsCreated = 0, podsDeleted = 0;  // by the last setUp/reconcile
  size_t podsReused = 0;  // new pods that took a gone pod's wired namespace over (reconcile)
};

class LocalBackend : public Backend {
 public:
  explicit LocalBackend(LocalOptions options = {});
  ~LocalBackend() override;  // tears down
  LocalBackend(const LocalBackend&) = delete;
  LocalBackend& operator=(const LocalBackend&) = delete;

  std::string name() const override { return "local"; }
  // Replaces the profile the compiler implements and the injected faults (supportedFaults());
  // they take effect at the next setUp() or reconcile().
  std::string configure(const RunSettings& settings) override;
  std::string setUp(const Cluster& desired) override;
  std::string reconcile(const Cluster& desired) override;
  // Nodes must keep their names (in order) and IPv4 addresses; their IPv6 addresses and the
  // external hosts may change.
  bool canReconcile(const Cluster& from, const Cluster& to) const override;
  Cluster actual() const override;
  std::vector<ProbeResult> probe(const std::vector<Probe>& probes,
                                 const ProbeOptions& options) override;
  void tearDown() override;
  Enforcement lastEnforcement() const override;

  // Fault classes (BUG-CLASSES.md names) this backend can inject.
  static const std::vector<std::string>& supportedFaults();
  // One line: the buggy behaviour the fault switches in ("" for an unknown class).
  static std::string describeFault(const std::string& fault);

  const std::string& runId() const { return run_; }
  const EnforcerSpec& enforcer() const { return opt_.enforcer; }
  // Where this run's control-plane and agent logs are written.
  std::string logDir() const;
  // The nft ruleset last loaded into `node`'s namespace ("" if unknown node).
  std::string ruleset(const std::string& node) const;
  // The network namespace a probe from `source` starts in ("" if none).
  std::string namespaceOf(const Endpoint& source) const;
  // Every network namespace this run currently has.
  std::vector<std::string> namespaceNames() const;
  LocalTimings timings() const;

 private:
  struct NodeState {
    std::string name, netns, fabricIf, ruleset;
    IpAddress ip;                  // IPv4 it is wired with (an InternalIP, or internal)
    std::optional<IpAddress> ip6;  // its first IPv6 InternalIP, if any
    std::optional<IpAddress> address(IpFamily f) const;  // of the view: a probe's address
    std::optional<IpAddress> ip4View;                    // ip when it is an InternalIP
  };
  struct PodState {
    std::string key, netns, node, containerId, cniConfig;
    Pod spec;                          // as in the view
    std::optional<IpAddress> ip;       // IPv4 as configured (a hostNetwork pod: its node's)
    std::optional<IpAddress> ip6;      // IPv6 as configured (a hostNetwork pod: its node's)
    std::optional<IpAddress> gateway;  // node side of its ptp link
    std::string hostLink;              // the node-side veth ptp made (its ADD result)
    int prefixLength = 0;              // of its address on that link (cni.h chooseGateway)
    bool host = false;
    bool networked = false;  // has its own namespace wired by CNI
    bool wired = false;      // CNI ADD done (set up by createPods, or taken over)
    std::set<ServerSpec> servers;
  };
  // What a pod's wired namespace is tied to: its node and addresses.
  using Wiring =
      std::tuple<std::string, std::string, std::optional<IpAddress>, std::optional<IpAddress>>;
  static Wiring wiringOf(const PodState& p);
  struct ExtState {
    std::string name, netns, fabricIf;
    IpAddress ip;  // either family
  };

  std::string setUpLocked(const Cluster& desired);
  void tearDownLocked();
  std::string buildView(const Cluster& desired, Cluster& view);
  PodState podStateFor(const Pod& p);
  // A hostNetwork pod's servers: on each address its node is wired with.
  static std::set<ServerSpec> hostServersOf(const Pod& p, const NodeState& node);
  std::set<IpAddress> knownAddresses(const Cluster& desired, bool withGateways) const;
  std::string runIp(const std::string& netns, const std::string& batch, bool force = false);
  std::string createPods(std::vector<PodState*>& pods);
  // Stops a gone pod's servers and forgets its source ports; its namespace is deleted by the
  // caller (deleteWiredNamespaces).
  void releasePod(PodState& p);
  // What deleted namespaces leave behind until the kernel destroys them: veths by the namespace
  // they are in (a node's, or the fabric's), and the addresses the pods had, by node.
  struct Dying {
    std::map<std::string, std::vector<std::string>> links;
    std::set<std::pair<std::string, IpAddress>> podAddresses;  // (node, address)
  };
  // Deletes the namespaces of gone wired pods and their fabric routes; adds their node-side
  // veths to `dying`, which awaitLinksGone() waits for (see the comment in the .cc).
  std::string deleteWiredNamespaces(const std::vector<PodState*>& pods, Dying& dying);
  std::string awaitLinksGone(const Dying& dying);
  std::vector<ExtState> externalHostsToWire(const Cluster& view) const;
  void addExternalHost(ExtState e);
  std::string wireHosts(const std::vector<const NodeState*>& nodes,
                        const std::vector<const ExtState*>& exts, bool withFabric);
  std::string ipv6DefaultRoute(const std::optional<IpAddress>& source) const;
  std::string rewireNodesAndExternalHosts(const Cluster& view, Dying& dying);
  std::string createPodsWhileRulesLoad(std::vector<PodState*>& created, const Dying& dying);
  std::string applyRules();
  // The API-fed enforcer: started at setUp once pods exist; synced before every applyRules().
  std::string startEnforcer();
  std::string syncEnforcer();
  std::map<std::string, std::string> hostIps() const;
  std::string syncHostServers();
  // Where `t`'s destination answers from inside its own network namespace, which no policy
  // filters: the pod's (its node's for a hostNetwork pod), the node's, the external host's, or
  // every backend's of a Service port; at their addresses of `family` (the probe's).
  std::vector<SocketProbe> selfChecks(const Target& t, IpFamily family) const;
  // A timeout is evidence of a drop only when the destination answers: every socket probe in
  // `got` (of probes[socketOf[k]]) that timed out is checked with selfChecks() and becomes an
  // Error when that gets no answer either (a server stalled by load, a namespace not serving).
  void confirmTimeouts(const std::vector<Probe>& probes, const std::vector<size_t>& socketOf,
                       const std::vector<IpFamily>& family, const ProbeOptions& options,
                       std::vector<ProbeResult>& got);
  Cluster rulesView() const;
  const NodeState* findNode(const std::string& name) const;
  std::string parallel(size_t n, const std::function<std::string(size_t)>& fn);

  LocalOptions opt_;
  std::unique_ptr<NetnsOps> ownedOps_;
  NetnsOps* ops_ = nullptr;
  ProcessRunner* proc_ = nullptr;
  std::string run_, table_;

  mutable std::mutex mu_;
  bool dirCreated_ = false, up_ = false;
  Cluster desired_, view_;
  std::vector<NodeState> nodes_;
  std::map<std::string, PodState> pods_;  // "ns/name"
  std::vector<ExtState> exts_;
  size_t nextExt_ = 0;  // numbers external host namespaces and links (never reused in a run)
  std::string fabric_;
  std::map<std::string, IpAddress> allocated_;  // pods declared without any address
  std::map<std::string, IpAddress> nodeIpv4_;   // node -> the IPv4 it is wired with
  bool ipv6_ = true;          // IPv6 wired: not with API-fed enforcers, nor without kernel IPv6
  std::string noIpv6Reason_;  // why not, for Skipped cells
  std::optional<PodAddressMap> reassigned_;  // reassignPodIpv4, once a view was built
  std::set<IpAddress> gateways_;
  std::map<std::string, Labels> podLabelsAtCreation_, nsLabelsFirstSeen_;
  std::map<IpAddress, Pod> ghosts_;  // deleted pods by their addresses (POD_IP_REUSE)
  std::map<std::string, std::set<ServerSpec>> hostServers_;  // node -> served on its IP
  size_t podCounter_ = 0;
  SourcePorts sourcePorts_;
  LocalTimings timings_;
  std::unique_ptr<ControlPlane> controlPlane_;
  std::unique_ptr<ApiMirror> mirror_;
  std::unique_ptr<PolicyAgents> agents_;
  Enforcement enforcement_;
};

}  // namespace npf::runner::local
