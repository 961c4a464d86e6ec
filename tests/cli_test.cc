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
  for (const char* sub : {"expect", "explain", "validate"})
    EXPECT_NE(r.out.find(sub), std::string::npos) << sub;
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

// kubectl apply validates fields strictly: validate fails on an unknown field (with its place),
// expect warns and goes on.
TEST(Cli, ValidateRejectsUnknownFieldsAsKubectlDoesExpectWarns) {
  auto path = writeTemp("unknown-field.yaml", R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: x}
spec:
  podSelector: {}
  ingres: []
)");
  auto r = runProcess({kCli, "validate", path});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find(path + ":6:3: NetworkPolicy x/p: spec.ingres: unknown field; kubectl apply "
                              "rejects unknown fields"),
            std::string::npos)
      << r.err;
  auto e = runProcess({kCli, "expect", path, "--output", "summary"});
  EXPECT_EQ(e.exitCode, 0) << e.err;
  EXPECT_NE(e.err.find("spec.ingres: unknown field (ignored)"), std::string::npos) << e.err;
}

TEST(Cli, ValidatePrintDefaultedShowsWhatTheApiServerWouldHold) {
  auto path = writeTemp("defaults.yaml", R"(apiVersion: v1
kind: Namespace
metadata: {name: x}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: x}
spec:
  egress: [{ports: [{port: 53}]}]
)");
  auto r = runProcess({kCli, "validate", "--print-defaulted", path});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("kubernetes.io/metadata.name: x"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("policyTypes:\n  - Ingress\n  - Egress"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("protocol: TCP"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("podSelector: {}"), std::string::npos) << r.out;
  // What it prints is itself a valid case.
  auto again = writeTemp("defaults-again.yaml", r.out);
  EXPECT_EQ(runProcess({kCli, "validate", again}).exitCode, 0);
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
        std::to_string(c["port"].get<int>()) + "/" + c["protocol"].get<std::string>()] =
        c["verdict"];
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
      {"z/b x/a 80/TCP", "deny"},   // egress ok, x/a's ingress denies z
      {"y/a y/b 81/TCP", "allow"},  // y: same-namespace on 81
      {"y/a y/b 80/TCP", "deny"},
      {"y/c y/b 80/TCP", "allow"},  // y/c on 80..81
      {"y/c y/a 80/UDP", "deny"},   // endPort rule is TCP
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
  auto ok =
      runProcess({kCli, "explain", kQuickstart, "--from", "y/a", "--to", "x/a", "--port", "80"});
  EXPECT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_NE(ok.out.find("allow"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("allow-y-to-a-http"), std::string::npos) << ok.out;
  auto deny = runProcess(
      {kCli, "explain", kQuickstart, "--from", "z/a", "--to", "x/a", "--port", "80/tcp"});
  EXPECT_EQ(deny.exitCode, 0);
  EXPECT_NE(deny.out.find("deny"), std::string::npos) << deny.out;
  EXPECT_EQ(
      runProcess({kCli, "explain", kQuickstart, "--from", "q/nope", "--to", "x/a", "--port", "80"})
          .exitCode,
      2);
  EXPECT_EQ(
      runProcess({kCli, "explain", kQuickstart, "--from", "x/a", "--to", "x/b", "--port", "70000"})
          .exitCode,
      2);
  EXPECT_EQ(runProcess(
                {kCli, "explain", kQuickstart, "--from", "x/a", "--to", "x/b", "--port", "80/ICMP"})
                .exitCode,
            2);
  EXPECT_EQ(
      runProcess({kCli, "explain", kQuickstart, "--from", "bad", "--to", "x/b", "--port", "80"})
          .exitCode,
      2);
}

TEST(Cli, GenerateIsReproducibleAndPrintsTheSeed) {
  std::string a = ::testing::TempDir() + "gen-a", b = ::testing::TempDir() + "gen-b";
  auto ra = runProcess({kCli, "generate", "--seed", "5", "--count", "3", "--out", a});
  auto rb = runProcess({kCli, "generate", "--seed", "5", "--count", "3", "--out", b});
  ASSERT_EQ(ra.exitCode, 0) << ra.err;
  ASSERT_EQ(rb.exitCode, 0) << rb.err;
  EXPECT_NE(ra.out.find("seed 5"), std::string::npos);
  for (const char* name : {"/small-s5-0000.yaml", "/small-s5-0001.yaml", "/small-s5-0002.yaml"}) {
    std::string fa = npf::testing::readWhole(a + name), fb = npf::testing::readWhole(b + name);
    EXPECT_FALSE(fa.empty()) << name;
    EXPECT_EQ(fa, fb) << name;
    // Every generated file is a valid case that expect can evaluate.
    EXPECT_EQ(runProcess({kCli, "validate", a + name}).exitCode, 0) << name;
    EXPECT_EQ(runProcess({kCli, "expect", a + name, "-o", "summary"}).exitCode, 0) << name;
  }
}

TEST(Cli, GenerateRejectsBadWeightsWithTheirLine) {
  auto w = writeTemp("weights.txt", "steps: 10\nbogus: 3\n");
  auto r = runProcess({kCli, "generate", "--seed", "1", "--stats", "--weights", w});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.err.rfind(w + ":2:", 0), 0u) << r.err;
  EXPECT_EQ(runProcess({kCli, "generate", "--seed", "1"}).exitCode,
            2);  // neither --out nor --stats
}

TEST(Cli, GenerateStatsReportsEveryBugClass) {
  auto r = runProcess({kCli, "generate", "--seed", "3", "--count", "100", "--stats"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("bug classes: 28 of 28 covered, 28 in at least 5% of cases"),
            std::string::npos)
      << r.out;
}

// A case with a Case document: external hosts, an explicit probe set and steps.
TEST(Cli, ExpectHonoursTheCaseDocumentProbesAndSteps) {
  std::string manifests = npf::testing::readWhole(kQuickstart);
  auto path = writeTemp("with-case.yaml", manifests + R"(---
apiVersion: netpolfuzz.io/v1alpha1
kind: Case
metadata:
  name: hand-written
spec:
  externalHosts:
  - name: ext-1
    ip: 192.0.2.10
  probes:
  - from: [y/a, ip/192.0.2.10]
    to: [x/a:80/TCP]
  steps:
  - action: delete-policy
    namespace: x
    name: allow-y-to-a-http
  - action: relabel-namespace
    name: z
    labels: {ns: "y"}
)");
  auto r = runProcess({kCli, "expect", path, "-o", "json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  std::map<std::string, std::string> got;
  for (const auto& c : j["cells"])
    got[c["from"].get<std::string>() + " " + std::to_string(c["step"].get<int>())] = c["verdict"];
  // Exactly the two probes, in three states.
  EXPECT_EQ(j["cells"].size(), 6u);
  EXPECT_EQ(got["y/a 0"], "allow");           // namespace y allowed
  EXPECT_EQ(got["ip/192.0.2.10 0"], "deny");  // external hosts never match a namespaceSelector
  EXPECT_EQ(got["y/a 1"], "allow");           // policy deleted: x/a unrestricted
  EXPECT_EQ(got["ip/192.0.2.10 1"], "allow");
  EXPECT_EQ(got["y/a 2"], "allow");
  auto step = runProcess({kCli, "explain", path, "--from", "ip/192.0.2.10", "--to", "x/a", "--port",
                          "80", "--step", "1"});
  EXPECT_EQ(step.exitCode, 0) << step.err;
  EXPECT_NE(step.out.find("allow"), std::string::npos) << step.out;
  EXPECT_EQ(runProcess({kCli, "explain", path, "--from", "y/a", "--to", "x/a", "--port", "80",
                        "--step", "9"})
                .exitCode,
            2);
}

TEST(Cli, ProbesNamingUnknownEndpointsAreErrors) {
  auto path = writeTemp("unknown-probe.yaml", npf::testing::readWhole(kQuickstart) + R"(---
apiVersion: netpolfuzz.io/v1alpha1
kind: Case
metadata:
  name: typo
spec:
  probes:
  - from: [x/zz]
    to: [x/a:80/TCP]
)");
  auto r = runProcess({kCli, "expect", path});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("no such endpoint x/zz"), std::string::npos) << r.err;
}

TEST(Cli, BadCaseDocumentIsLocated) {
  auto path = writeTemp("bad-case.yaml", R"(apiVersion: v1
kind: Namespace
metadata:
  name: x
---
apiVersion: netpolfuzz.io/v1alpha1
kind: Case
metadata:
  name: bad
spec:
  steps:
  - action: explode-cluster
)");
  auto r = runProcess({kCli, "validate", path});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find(path + ":12:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("spec.steps[0].action"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace npf
