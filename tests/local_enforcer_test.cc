// The enforcer's pure parts: command templates (never a shell) and reading kube-router's log.
#include <gtest/gtest.h>

#include "runner/local/enforcer.h"
#include "runner/local/policy_agents.h"

namespace npf::runner::local {
namespace {

TEST(CommandTemplate, SplitsLikeAShellWouldWithoutOne) {
  struct Row {
    const char* tmpl;
    std::vector<std::string> argv;
  };
  for (const Row& r : {
           Row{"agent --kubeconfig={kubeconfig} --node {node}",
               {"agent", "--kubeconfig=/k/config", "--node", "node-1"}},
           Row{"  a\t'b c'  \"d {node-ip}\" ", {"a", "b c", "d 10.0.0.7"}},
           Row{"a 'it''s' \"q\\\"uote\" \"back\\\\slash\"", {"a", "its", "q\"uote", "back\\slash"}},
           Row{"a '$(rm -rf /)' ; | && `x`", {"a", "$(rm -rf /)", ";", "|", "&&", "`x`"}},
           Row{"a ''", {"a", ""}},
           Row{"{node}{node-ip}", {"node-110.0.0.7"}},
       }) {
    std::string error;
    auto argv = expandCommandTemplate(r.tmpl, "/k/config", "node-1", "10.0.0.7", error);
    EXPECT_EQ(error, "") << r.tmpl;
    EXPECT_EQ(argv, r.argv) << r.tmpl;
  }
}

TEST(CommandTemplate, RejectsWhatItCannotRunAsMeant) {
  for (auto [tmpl, message] : std::vector<std::pair<const char*, const char*>>{
           {"", "empty"},
           {"   ", "empty"},
           {"agent 'open", "unbalanced '"},
           {"agent \"open", "unbalanced \""},
           {"agent {nodename}", "unknown placeholder in the command template: {nodename}"},
           {"agent {node", "unknown placeholder"},
       }) {
    std::string error;
    auto argv = expandCommandTemplate(tmpl, "/k", "n", "i", error);
    EXPECT_TRUE(argv.empty()) << tmpl;
    EXPECT_NE(error.find(message), std::string::npos) << tmpl << " -> " << error;
  }
}

TEST(KubeRouterLog, SyncStartsAndEndsAreRead) {
  int64_t ns = 0;
  EXPECT_EQ(parseKubeRouterSyncLine(
                "I1204 11:54:40.237939   18955 network_policy_controller.go:240] Starting sync of "
                "iptables with version: 1796385280237915903",
                ns),
            1);
  EXPECT_EQ(ns, 1796385280237915903);
  EXPECT_EQ(parseKubeRouterSyncLine("I1204 11:54:40.296586   18955 network_policy_controller.go:"
                                    "237] sync iptables took 58.66797ms",
                                    ns),
            -1);
  EXPECT_EQ(parseKubeRouterSyncLine("I1204 Full sync request queue was full, skipping...", ns), 0);
  EXPECT_EQ(parseKubeRouterSyncLine("Starting sync of iptables with version: ", ns), 0);
}

TEST(Enforcer, NamesRoundTrip) {
  for (auto k : {EnforcerKind::Nftables, EnforcerKind::KubeRouter, EnforcerKind::Exec})
    EXPECT_EQ(enforcerKindFromName(toString(k)), k);
  EXPECT_FALSE(enforcerKindFromName("calico"));
  EnforcerSpec s;
  s.kind = EnforcerKind::KubeRouter;
  EXPECT_EQ(describeEnforcer(s), "kube-router v2.1.0");
}

}  // namespace
}  // namespace npf::runner::local
