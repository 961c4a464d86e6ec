#include "runner/kind/cni_cluster_policy_support.h"

#include <fmt/format.h>

#include <algorithm>

namespace npf::runner::kind {
namespace {

std::string kindList(const std::vector<ClusterPolicyKind>& kinds) {
  std::string out;
  for (auto k : kinds) out += (out.empty() ? "" : ", ") + std::string(toString(k));
  return out;
}

bool hasV1alpha2(const std::vector<ClusterPolicyKind>& kinds) {
  return std::find(kinds.begin(), kinds.end(), ClusterPolicyKind::ClusterNetworkPolicy) !=
         kinds.end();
}

}  // namespace

ClusterPolicySupport clusterPolicySupport(const std::string& cni,
                                          const std::vector<ClusterPolicyKind>& kinds) {
  ClusterPolicySupport out;
  if (kinds.empty()) return out;
  const std::string what = kindList(kinds);
  auto refuse = [&](const std::string& why) {
    out.error = fmt::format(
        "the CNI {} does not enforce {} ({}): every cell those policies decide would be a false "
        "discrepancy. Run the case on a CNI that implements the network-policy-api "
        "(docs/kind-backend.md), or leave out --cni to run anyway (a warning, no CNI profile)",
        cni, what, why);
  };
  if (cni.empty()) {
    out.warning = fmt::format(
        "the case has {}, and no --cni names the cluster's CNI: the run cannot tell whether the "
        "CNI enforces them; if it does not, the cells they decide are reported as discrepancies",
        what);
  } else if (cni == "calico") {
    refuse(
        "netpolfuzz kind up installs Calico v3.28.2; network-policy-api lists Calico v3.29 to "
        "v3.31 for AdminNetworkPolicy and BaselineAdminNetworkPolicy, v3.32 for "
        "ClusterNetworkPolicy");
  } else if (cni == "cilium") {
    refuse("Cilium has a tracking issue only, cilium/cilium#23380");
  } else if (cni == "kube-router") {
    refuse("kube-router implements NetworkPolicy only");
  } else if (cni == "antrea") {
    if (hasV1alpha2(kinds))
      refuse("Antrea implements the v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy");
    else
      out.warning =
          "Antrea enforces AdminNetworkPolicy and BaselineAdminNetworkPolicy only with its "
          "AdminNetworkPolicy feature gate (antrea-controller.conf in the antrea-config "
          "ConfigMap), off by default and not turned on by netpolfuzz kind up; without it the "
          "cells they decide are reported as discrepancies";
  } else if (cni == "kindnet") {
    out.warning = fmt::format(
        "kind's bundled kindnetd is not known to enforce {}: it builds on kube-network-policies, "
        "which implements them, but network-policy-api does not list kindnet; if it does not, "
        "the cells they decide are reported as discrepancies",
        what);
  } else {
    out.warning =
        fmt::format("whether the CNI {} enforces {} is not known to netpolfuzz", cni, what);
  }
  return out;
}

}  // namespace npf::runner::kind
