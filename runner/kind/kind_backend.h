// The kind backend: the runner interface (runner/backend.h) on a real Kubernetes cluster with a
// real CNI, driven by `kubectl` (argv vectors through a ProcessRunner, never a shell string).
//
// setUp applies the case's namespaces, pods (runner/kind/manifests.h) and Services, waits until
// every pod is Running and ready by polling its status, reads back pod IPs, node IPs and
// ClusterIPs, then applies the policies. Cluster-scoped policies (AdminNetworkPolicy,
// BaselineAdminNetworkPolicy, ClusterNetworkPolicy) come after them, once their CRDs
// (runner/kind/crds.h) are applied and established; the CRDs are applied once per backend, the
// first time a case needs them, and never deleted (they are the cluster's, shared by every run).
// reconcile applies only what changed (labels, policies, cluster-scoped policies, Services, pods
// created or deleted). probe runs one `kubectl exec` per source pod (runner/kind/probe_batch.h).
// tearDown deletes the run's namespaces and cluster-scoped policies (label netpolfuzz.io/run).
// Wrap it in RederivingBackend (runner/replay.h) so ipBlocks derived from pod IPs follow the
// addresses the cluster assigned.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "runner/backend.h"
#include "runner/kind/manifests.h"
#include "runner/process.h"

namespace npf::runner::kind {

struct KindOptions {
  std::string kubectl = "kubectl";  // the executable
  std::string context;              // --context; "" uses the current one
  std::vector<std::string> env;     // kubectl's environment (PATH, HOME, KUBECONFIG)
  std::string runId;                // namespaces get netpolfuzz.io/run=<runId>
  std::string image = kAgnhostImage;
  int readyTimeoutMs = 180000;  // pods Running and ready
  int pollMs = 500;             // status polling interval while waiting
  size_t maxParallelExecs = 8;  // source pods probed at once
  bool keep = false;            // tearDown leaves everything (for debugging)
  int crdTimeoutS = 60;         // `kubectl wait --for condition=established` on the CRDs
  // The CNI under test (--cni; "" : not named): whether cluster-scoped policies can be run on
  // it (runner/kind/cni_cluster_policy_support.h).
  std::string cni;
  // Called once per distinct warning (e.g. the CNI may not enforce cluster-scoped policies).
  std::function<void(const std::string& message)> warn;
  // Called with every kubectl command before it runs (the CLI prints them with --verbose).
  std::function<void(const std::vector<std::string>& argv)> echo;
  // Waits between polls (a test passes a no-op).
  std::function<void(int ms)> sleep;
};

class KindBackend : public Backend {
 public:
  KindBackend(KindOptions options, ProcessRunner& processes);
  std::string name() const override { return "kind"; }
  std::string setUp(const Cluster& desired) override;
  std::string reconcile(const Cluster& desired) override;
  Cluster actual() const override { return actual_; }
  std::vector<ProbeResult> probe(const std::vector<Probe>& probes,
                                 const ProbeOptions& options) override;
  void tearDown() override;

  // kubectl's argv prefix: {kubectl, --context, NAME}.
  std::vector<std::string> kubectlPrefix() const;
  size_t execs() const { return execs_; }  // kubectl execs run by probe() so far

 private:
  struct Run {
    bool ok = false;
    std::string out, error;
  };
  Run kubectl(std::vector<std::string> args, const std::string& stdinData = "");
  std::string readNodes();
  std::string applyObjects(const std::vector<std::string>& jsonObjects);
  std::string waitForPods(const Cluster& desired);
  std::string readServices(const Cluster& desired);
  void refreshActual();
  // Refuses cluster-scoped policies the CNI does not enforce; warns where it may not.
  std::string checkClusterPolicySupport(const Cluster& desired);
  // Applies the CRDs `desired`'s cluster-scoped policies need and not yet applied, waits until
  // they are established, and refuses objects of those kinds that this run did not create.
  std::string ensureCrds(const Cluster& desired);
  void warnOnce(const std::string& message);

  KindOptions options_;
  ProcessRunner& processes_;
  KindLayout layout_;
  std::map<std::string, std::string> nodeIps_;              // kind node -> InternalIP
  std::map<std::string, std::string> nodeMap_;              // case node -> kind node
  std::map<std::string, std::vector<std::string>> podIps_;  // ns/name -> status.podIPs
  std::map<std::string, std::string> serviceIps_;           // ns/name -> spec.clusterIP
  Cluster applied_;  // what the cluster has been given (desired, as applied)
  Cluster actual_;   // applied_ with the addresses the cluster assigned
  bool up_ = false;
  // Kinds whose CRDs this backend applied (kept across cases and tearDown: CRDs are not the
  // run's; teardown deletes the run's objects of exactly these kinds).
  std::set<ClusterPolicyKind> crdsApplied_;
  std::set<std::string> warned_;
  size_t execs_ = 0;
};

}  // namespace npf::runner::kind
