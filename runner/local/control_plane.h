// A real Kubernetes control plane for one local run: etcd (Debian's etcd-server) and
// kube-apiserver (built by scripts/build-control-plane.sh) in the run's control namespace
// `<run>-cp`, which a bridge joins to every node namespace through an extra link (`cp0` in the
// node). The API server listens only there; nothing listens on the host's own network. Policy
// agents in the node namespaces reach it through the kubeconfig this writes.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "model/ip.h"
#include "runner/daemon.h"
#include "runner/local/kube_api.h"
#include "runner/process.h"
#include "runner/tool_cache.h"

namespace npf::runner::local {

inline constexpr const char* kKubeVersion = "v1.31.2";
using npf::runner::defaultToolBinDir;  // runner/tool_cache.h

struct ControlPlaneNode {
  std::string name, netns;
};

struct ControlPlaneOptions {
  std::string runId;     // names the namespace <run>-cp
  std::string stateDir;  // private files (etcd data, keys, certificates): <stateDir>/cp
  std::string logDir;    // etcd.log and kube-apiserver.log
  std::string binDir;    // holds kube-apiserver-<kKubeVersion>
  std::string etcdPath = "etcd";
  std::string serviceCidr = "10.96.0.0/12";
  int readyTimeoutMs = 120000;  // the API server takes seconds; a loaded machine much longer
  // Addresses the case uses: the control subnet (a /24 of 169.254.0.0/16) avoids them.
  std::set<IpAddress> avoid;
  // Admission plugins switched off besides ServiceAccount (no token controller runs). A judge
  // of manifests (api_judge.h) switches off those that look up the namespace, so objects are
  // judged on their own, without creating their namespaces first.
  std::vector<std::string> disabledAdmission;
  ProcessRunner* processes = nullptr;  // null: the real one
};

class ControlPlane {
 public:
  explicit ControlPlane(ControlPlaneOptions options);
  ~ControlPlane();  // stop()
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // Creates the control namespace and its links to `nodes`, starts etcd and the API server and
  // waits until /readyz answers. Error message (naming the log to read) or "".
  std::string start(const std::vector<ControlPlaneNode>& nodes);
  // Stops the API server and etcd (the namespace goes with the run's).
  void stop();

  // Whether etcd and the API server are still running; else why not (and which log).
  std::string health();

  KubeApi& api() { return *api_; }
  const std::string& kubeconfigPath() const { return kubeconfig_; }
  std::string netns() const { return opt_.runId + "-cp"; }
  std::vector<std::string> logFiles() const;
  double readyMs() const { return readyMs_; }

 private:
  std::string writeFiles();

  ControlPlaneOptions opt_;
  ProcessRunner* proc_;
  std::string dir_, kubeconfig_, server_, token_, subnetPrefix_;
  Daemon etcd_, apiserver_;
  std::unique_ptr<KubeApi> api_;
  double readyMs_ = 0;
};

}  // namespace npf::runner::local
