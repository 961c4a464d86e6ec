// How `netpolfuzz kind up` creates a kind cluster and installs a CNI: the kind config and a
// list of argv steps with pinned versions (no shell strings), printed and then run in order.
// Data only; cli/cmd_kind.cc runs them. Versions are pinned here and in docs/kind-backend.md.
#pragma once

#include <string>
#include <vector>

namespace npf::runner::kind {

inline constexpr const char* kKindNodeImage = "kindest/node:v1.31.2";

struct ClusterPlan {
  std::string configFile;                       // under scripts/kind/
  std::vector<std::vector<std::string>> steps;  // argv each; "kind"/"kubectl"/"helm"/"cilium" first
};

// The plan for `--cni` and `--name`; `context` is "kind-<name>". Empty configFile for an unknown
// CNI.
ClusterPlan clusterPlan(const std::string& cni, const std::string& name, bool dualStack,
                        const std::string& scriptsDir);

// `kind delete cluster --name NAME`.
std::vector<std::string> deleteClusterArgv(const std::string& name);

}  // namespace npf::runner::kind
