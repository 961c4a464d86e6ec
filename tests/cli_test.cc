// End-to-end tests of the netpolfuzz binary: exit codes, error lines, output contracts.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"

namespace npf {
namespace {

using npf::testing::runProcess;

const std::string kCli = NPF_CLI;
const std::string kQuickstart = std::string(NPF_SOURCE_DIR) + "/corpus/examples/quickstart.yaml";

std::string writeTemp(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(Cli, HelpListsEverySubcommandAndExitsZero) {
  auto r = runProcess({kCli, "--help"});
  EXPECT_EQ(r.exitCode, 0);
  for (const char* sub : {"expect", "explain", "validate"}) EXPECT_NE(r.out.find(sub), std::string::npos) << sub;
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(runProcess({kCli}).exitCode, 2);
  EXPECT_EQ(runProcess({kCli, "no-such-command"}).exitCode, 2);
  EXPECT_EQ(runProcess({kCli, "expect"}).exitCode, 2);
  EXPECT_EQ(runProcess({kCli, "expect", kQuickstart, "--output", "xml"}).exitCode, 2);
  auto r = runProcess({kCli, "expect", kQuickstart, "--profile", "loopback=sometimes"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("loopback"), std::string::npos);
}

TEST(Cli, MissingFileIsOneLineNamingTheFile) {
  auto r = runProcess({kCli, "validate", "/nonexistent/case.yaml"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.err.rfind("/nonexistent/case.yaml:", 0), 0u) << r.err;
}

TEST(Cli, GarbageInputIsBadInputNotACrash) {
  std::string garbage("\x00\xff\xfe{[:\n\t- ]]]\x01", 13);
  auto path = writeTemp("garbage.yaml", garbage);
  for (const char* cmd : {"validate", "expect"}) {
    auto r = runProcess({kCli, cmd, path});
    EXPECT_EQ(r.exitCode, 2) << cmd << ": " << r.err;
    EXPECT_EQ(r.err.rfind(path + ":", 0), 0u) << r.err;
  }
}

TEST(Cli, InvalidPolicyReportsFileLineColumnAndFieldPath) {
  auto path = writeTemp("bad-endport.yaml", R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: p
  namespace: x
spec:
  podSelector: {}
  ingress:
  - ports:
    - port: 81
      endPort: 80
)");
  auto r = runProcess({kCli, "validate", path});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find(path + ":11:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("spec.ingress[0].ports[0].endPort"), std::string::npos) << r.err;
}

TEST(Cli, ValidateAcceptsTheQuickstart) {
  auto r = runProcess({kCli, "validate", kQuickstart});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("9 pods"), std::string::npos) << r.out;
}

// Cells of corpus/examples/quickstart.yaml, worked out by hand from its policies.
TEST(Cli, ExpectJsonFollowsTheContractAndGivesHandComputedVerdicts) {
  auto r = runProcess({kCli, "expect", kQuickstart, "--output", "json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "netpolfuzz.expect/v1");
  EXPECT_EQ(j["profile"]["loopback"], "undefined");
  EXPECT_EQ(j["profile"]["ipblock-matches-pod-ips"], true);
  std::map<std::string, std::string> got;
  for (const auto& c : j["cells"]) {
    ASSERT_EQ(c.size(), 5u);
    got[c["from"].get<std::string>() + " " + c["to"].get<std::string>() + " " +
        std::to_string(c["port"].get<int>()) + "/" + c["protocol"].get<std::string>()] = c["verdict"];
  }
  // 9 pods + 2 nodes to 9 pods x 3 ports, plus 9 pods to one Service port.
  EXPECT_EQ(got.size(), 11u * 27u + 9u);
  const std::map<std::string, std::string> expected = {
      {"y/a x/a 80/TCP", "allow"},          // namespace y, named port serve-80-tcp
      {"y/a x/a 81/TCP", "deny"},           // port not allowed
      {"y/a x/a 80/UDP", "deny"},           // named port is TCP only
      {"z/a x/a 80/TCP", "deny"},           // namespace z not allowed
      {"x/b x/a 80/TCP", "deny"},           // own namespace not allowed either
      {"x/a x/a 80/TCP", "undefined"},      // loopback
      {"node/node-2 x/a 80/TCP", "allow"},  // x/a runs on node-2: own node always allowed
      {"node/node-1 x/a 80/TCP", "deny"},   // another node: selectors never match nodes
      {"x/a x/b 80/TCP", "allow"},          // x/b is not isolated
      {"z/b x/b 81/TCP", "allow"},          // z/b may egress to namespace x
      {"z/b y/c 81/TCP", "deny"},           // ... and nowhere else
      {"z/b z/a 80/UDP", "deny"},
      {"z/b x/a 80/TCP", "deny"},           // egress ok, x/a's ingress denies z
      {"y/a y/b 81/TCP", "allow"},          // y: same-namespace on 81
      {"y/a y/b 80/TCP", "deny"},
      {"y/c y/b 80/TCP", "allow"},          // y/c on 80..81
      {"y/c y/a 80/UDP", "deny"},           // endPort rule is TCP
      {"x/a y/b 81/TCP", "deny"},
      {"node/node-1 y/c 80/TCP", "allow"},  // y/c on node-1
      {"y/b svc/x/web 8080/TCP", "allow"},  // Service -> x/a:80, allowed from y
      {"x/b svc/x/web 8080/TCP", "deny"},
      {"z/b svc/x/web 8080/TCP", "deny"},
      {"x/a svc/x/web 8080/TCP", "undefined"},  // hairpin
  };
  for (const auto& [cell, verdict] : expected) EXPECT_EQ(got[cell], verdict) << cell;
}

TEST(Cli, ExpectEnginesAgreeAndSummaryCounts) {
  auto m = runProcess({kCli, "expect", kQuickstart, "--output", "json"});
  auto ref = runProcess({kCli, "expect", kQuickstart, "--output", "json", "--engine", "reference"});
  ASSERT_EQ(m.exitCode, 0);
  ASSERT_EQ(ref.exitCode, 0);
  EXPECT_EQ(m.out, ref.out);
  auto s = runProcess({kCli, "expect", kQuickstart, "--output", "summary"});
  EXPECT_EQ(s.exitCode, 0);
  EXPECT_EQ(s.out.rfind("cells=306 allow=", 0), 0u) << s.out;
}

TEST(Cli, ExpectTextAndMarkdownHaveTablesAndLegend) {
  auto t = runProcess({kCli, "expect", kQuickstart});
  ASSERT_EQ(t.exitCode, 0);
  EXPECT_NE(t.out.find("80/TCP"), std::string::npos);
  EXPECT_NE(t.out.find("legend:"), std::string::npos);
  auto md = runProcess({kCli, "expect", kQuickstart, "--output", "markdown"});
  ASSERT_EQ(md.exitCode, 0);
  EXPECT_NE(md.out.find("### 8080/TCP"), std::string::npos);
  EXPECT_NE(md.out.find("|---|"), std::string::npos);
}

TEST(Cli, ExplainNamesThePolicyAndExitCodes) {
  auto ok = runProcess({kCli, "explain", kQuickstart, "--from", "y/a", "--to", "x/a", "--port", "80"});
  EXPECT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_NE(ok.out.find("allow"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("allow-y-to-a-http"), std::string::npos) << ok.out;
  auto deny = runProcess({kCli, "explain", kQuickstart, "--from", "z/a", "--to", "x/a", "--port", "80/tcp"});
  EXPECT_EQ(deny.exitCode, 0);
  EXPECT_NE(deny.out.find("deny"), std::string::npos) << deny.out;
  EXPECT_EQ(runProcess({kCli, "explain", kQuickstart, "--from", "q/nope", "--to", "x/a", "--port", "80"}).exitCode, 2);
  EXPECT_EQ(runProcess({kCli, "explain", kQuickstart, "--from", "x/a", "--to", "x/b", "--port", "70000"}).exitCode, 2);
  EXPECT_EQ(runProcess({kCli, "explain", kQuickstart, "--from", "x/a", "--to", "x/b", "--port", "80/ICMP"}).exitCode, 2);
  EXPECT_EQ(runProcess({kCli, "explain", kQuickstart, "--from", "bad", "--to", "x/b", "--port", "80"}).exitCode, 2);
}

}  // namespace
}  // namespace npf
