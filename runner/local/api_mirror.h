// Keeps a real API server's objects equal to the local backend's cluster, so that a policy
// agent watching the API sees what the dataplane has: Namespaces, Nodes (InternalIP), Pods with
// the status a kubelet would write (Running, Ready, podIP(s), hostIP(s)), Services and
// NetworkPolicies exactly as the case writes them. Each sync() turns the difference to the
// last state into API calls, as a cluster's users and kubelets would make them: a relabel is a
// patch, a changed policy an update, a pod whose spec changed is deleted and created again.
#pragma once

#include <map>
#include <set>
#include <string>

#include "model/objects.h"
#include "runner/local/kube_api.h"

namespace npf::runner::local {

struct MirrorCounts {
  size_t created = 0, updated = 0, deleted = 0;
  size_t unchanged = 0;  // writes the server found to change nothing (no watch event follows)
  // The kinds whose objects really changed, as watchers see them: "Namespace", "Node", "Pod"
  // (hostNetwork pods apart: "HostNetworkPod"), "Service", "NetworkPolicy".
  std::set<std::string> changed;
  size_t total() const { return created + updated + deleted; }
};

class ApiMirror {
 public:
  // `serviceCidr`: the API server's --service-cluster-ip-range; a Service whose clusterIP lies
  // outside it is created without one (the dataplane keeps the case's address either way).
  ApiMirror(KubeApi& api, std::string serviceCidr);

  // Makes the API hold `view`'s objects. `hostIpOf(pod)` is the node address a kubelet would
  // report for the pod. Error (naming the object and the API's answer) or "".
  std::string sync(const Cluster& view, const std::map<std::string, std::string>& hostIps);
  // What the last sync() wrote.
  const MirrorCounts& lastCounts() const { return counts_; }

  // The API path of an object ("/api/v1/namespaces/x/pods/a"): for tests and messages.
  static std::string pathOf(const std::string& kind, const std::string& ns,
                            const std::string& name);

 private:
  struct Mirrored {
    std::string kind, ns, name;
    std::string json;  // the object as last written (spec and metadata; pods: with status)
  };
  std::string remove(const Mirrored& m);
  std::string create(const Mirrored& m);
  std::string update(const Mirrored& before, const Mirrored& after);
  void noteChanged(const Mirrored& m);

  KubeApi& api_;
  std::string serviceCidr_;
  std::map<std::string, Mirrored> have_;  // by "<order>/<kind>/<ns>/<name>"
  MirrorCounts counts_;
};

}  // namespace npf::runner::local
