#include "runner/kind/cni_install.h"

namespace npf::runner::kind {
namespace {

// Pinned CNI versions (release manifests as their projects publish them).
constexpr const char* kCalicoManifest =
    "https://raw.githubusercontent.com/projectcalico/calico/v3.28.2/manifests/calico.yaml";
constexpr const char* kCiliumVersion = "1.16.3";
constexpr const char* kAntreaManifest =
    "https://github.com/antrea-io/antrea/releases/download/v2.2.0/antrea.yml";
constexpr const char* kKubeRouterManifest =
    "https://raw.githubusercontent.com/cloudnativelabs/kube-router/v2.2.1/daemonset/"
    "kubeadm-kuberouter.yaml";

}  // namespace

ClusterPlan clusterPlan(const std::string& cni, const std::string& name, bool dualStack,
                        const std::string& scriptsDir) {
  ClusterPlan plan;
  bool kindnet = cni == "kindnet";
  if (!kindnet && cni != "calico" && cni != "cilium" && cni != "antrea" && cni != "kube-router")
    return plan;
  std::string config =
      std::string(dualStack ? "kind-dual" : "kind-ipv4") + (kindnet ? "" : "-nocni") + ".yaml";
  plan.configFile = scriptsDir + "/" + config;
  std::string ctx = "kind-" + name;
  plan.steps.push_back({"kind", "create", "cluster", "--name", name, "--image", kKindNodeImage,
                        "--config", plan.configFile, "--wait", "0s"});
  auto kubectl = [&](std::vector<std::string> args) {
    std::vector<std::string> a{"kubectl", "--context", ctx};
    a.insert(a.end(), args.begin(), args.end());
    plan.steps.push_back(a);
  };
  std::string ds;  // the CNI's DaemonSet in kube-system, to wait for
  if (cni == "calico") {
    kubectl({"apply", "-f", kCalicoManifest});
    ds = "calico-node";
  } else if (cni == "cilium") {
    // The cilium CLI installs the pinned chart with kind-appropriate defaults.
    plan.steps.push_back(
        {"cilium", "install", "--context", ctx, "--version", kCiliumVersion, "--wait"});
    ds = "cilium";
  } else if (cni == "antrea") {
    kubectl({"apply", "-f", kAntreaManifest});
    ds = "antrea-agent";
  } else if (cni == "kube-router") {
    kubectl({"apply", "-f", kKubeRouterManifest});
    ds = "kube-router";
  } else {
    ds = "kindnet";
  }
  kubectl({"-n", "kube-system", "rollout", "status", "daemonset/" + ds, "--timeout=600s"});
  kubectl({"wait", "--for=condition=Ready", "nodes", "--all", "--timeout=600s"});
  return plan;
}

std::vector<std::string> deleteClusterArgv(const std::string& name) {
  return {"kind", "delete", "cluster", "--name", name};
}

}  // namespace npf::runner::kind
