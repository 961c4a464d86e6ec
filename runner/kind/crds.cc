#include "runner/kind/crds.h"

#include <fmt/format.h>

#include "runner/kind/crds/crd_assets.h"

namespace npf::runner::kind {

const Crd& crdOf(ClusterPolicyKind kind) {
  static const Crd anp{
      ClusterPolicyKind::AdminNetworkPolicy, "adminnetworkpolicies.policy.networking.k8s.io",
      "policy.networking.k8s.io_adminnetworkpolicies.yaml", crds::kAdminNetworkPolicies};
  static const Crd banp{ClusterPolicyKind::BaselineAdminNetworkPolicy,
                        "baselineadminnetworkpolicies.policy.networking.k8s.io",
                        "policy.networking.k8s.io_baselineadminnetworkpolicies.yaml",
                        crds::kBaselineAdminNetworkPolicies};
  static const Crd cnp{
      ClusterPolicyKind::ClusterNetworkPolicy, "clusternetworkpolicies.policy.networking.k8s.io",
      "policy.networking.k8s.io_clusternetworkpolicies.yaml", crds::kClusterNetworkPolicies};
  switch (kind) {
    case ClusterPolicyKind::BaselineAdminNetworkPolicy:
      return banp;
    case ClusterPolicyKind::ClusterNetworkPolicy:
      return cnp;
    case ClusterPolicyKind::AdminNetworkPolicy:
      break;
  }
  return anp;
}

std::vector<std::string> crdApplyArgs() {
  return {"apply", "--server-side", "--force-conflicts", "--field-manager=netpolfuzz", "--filename",
          "-"};
}

std::string crdStream(const std::vector<ClusterPolicyKind>& kinds) {
  std::string out;
  for (auto k : kinds) out += (out.empty() ? "" : "---\n") + std::string(crdOf(k).yaml);
  return out;
}

std::vector<std::string> crdWaitArgs(const std::vector<ClusterPolicyKind>& kinds, int timeoutS) {
  std::vector<std::string> out{"wait", "--for", "condition=established",
                               fmt::format("--timeout={}s", timeoutS)};
  for (auto k : kinds) out.push_back(std::string("crd/") + crdOf(k).name);
  return out;
}

std::vector<std::string> deleteLabelledArgs(const std::vector<ClusterPolicyKind>& kinds,
                                            const std::string& selector) {
  std::string resources;
  for (auto k : kinds) resources += (resources.empty() ? "" : ",") + std::string(crdOf(k).name);
  return {"delete", resources, "--selector", selector, "--ignore-not-found"};
}

std::string experimentalChannelField(const Cluster& c) {
  for (const auto& p : c.clusterPolicies)
    for (const auto* rules : {&p.ingress, &p.egress}) {
      if (!*rules) continue;
      for (const auto& r : **rules) {
        for (const auto& peer : r.peers)
          if (peer.nodes)
            return std::string(toString(p.kind)) + " " + p.meta.name + ": a nodes peer";
        if (r.ports && p.kind != ClusterPolicyKind::ClusterNetworkPolicy)
          for (const auto& port : *r.ports)
            if (port.kind == ClusterPolicyPort::Kind::Named)
              return std::string(toString(p.kind)) + " " + p.meta.name + ": a namedPort";
      }
    }
  return "";
}

}  // namespace npf::runner::kind
