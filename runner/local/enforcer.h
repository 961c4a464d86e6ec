// Who enforces NetworkPolicy on the local dataplane. The backend always owns the fabric, pods,
// servers, prober and Service DNAT (as kube-proxy would); policy comes from the enforcer:
//  * nftables: the project's own compiler (nft_compiler.h), the default and the only one that
//    takes injected faults;
//  * kube-router: a real CNI's policy controller, one per node namespace, fed by a real API
//    server (control_plane.h) that mirrors the case (api_mirror.h);
//  * exec: any vendor's agent, started in every node namespace from a command template with
//    {kubeconfig}, {node} and {node-ip} filled in, fed the same way.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace npf::runner::local {

enum class EnforcerKind { Nftables, KubeRouter, Exec };

inline constexpr const char* kKubeRouterVersion = "v2.1.0";

struct EnforcerSpec {
  EnforcerKind kind = EnforcerKind::Nftables;
  std::string commandTemplate;  // exec: the agent's command line (see expandCommandTemplate)
  std::string binDir;           // kube-apiserver and kube-router binaries ("" : the default)
  // Convergence (policy_agents.h): how long the agent must stay quiet after a change, how long
  // an exec agent gets to start changing its rules, and when to stop waiting altogether.
  int quietMs = 300;
  int settleMs = 2000;
  int timeoutMs = 15000;
  bool usesApiServer() const { return kind != EnforcerKind::Nftables; }
};

// "nftables", "kube-router", "exec".
const char* toString(EnforcerKind kind);
std::optional<EnforcerKind> enforcerKindFromName(const std::string& name);
// "nftables", "kube-router v2.1.0", "exec: TEMPLATE": for reports.
std::string describeEnforcer(const EnforcerSpec& spec);

// Splits a command template into argv the way a reader expects, without a shell: words are
// separated by blanks; '...' and "..." quote (no escapes inside single quotes; \" and \\ inside
// double quotes). Then {kubeconfig}, {node} and {node-ip} are replaced in every word. An
// unknown {placeholder} or an unbalanced quote is an error (empty argv, `error` set).
std::vector<std::string> expandCommandTemplate(const std::string& tmpl,
                                               const std::string& kubeconfig,
                                               const std::string& node, const std::string& nodeIp,
                                               std::string& error);

}  // namespace npf::runner::local
