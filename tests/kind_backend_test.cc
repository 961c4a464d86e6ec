// KindBackend's orchestration against a simulated cluster (runner/kind/dry_run.h: a ProcessRunner
// that records every argv and answers like a small cluster would: nodes, applied objects, pod
// status, Services, exec of the probe script). No cluster here: this checks what is sent and
// how the answers are used.
#include "runner/kind/kind_backend.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "generator/case_gen.h"
#include "model/case_file.h"
#include "runner/kind/dry_run.h"

namespace npf::runner::kind {
namespace {

using Json = nlohmann::json;
using K = ProbeResult::Kind;

using FakeCluster = SimulatedCluster;

KindOptions options() {
  KindOptions o;
  o.context = "kind-npf";
  o.runId = "npf-0a1b2c";
  o.sleep = [](int) {};
  o.readyTimeoutMs = 30;
  return o;
}

Case savedCase() {
  CaseLoad l =
      loadCaseFiles({std::string(NPF_SOURCE_DIR) + "/corpus/regressions/13eaf2ae53f3.yaml"});
  EXPECT_TRUE(l.errors.empty());
  return l.kase;
}

bool hasKind(const std::string& applied, const char* kind) {
  return applied.find(std::string("\"kind\": \"") + kind + "\"") != std::string::npos ||
         applied.find(std::string("\"kind\":\"") + kind + "\"") != std::string::npos;
}

TEST(KindBackend, SetUpAppliesWorkloadsWaitsThenPoliciesAndReadsAddressesBack) {
  FakeCluster fake;
  KindBackend b(options(), fake);
  Case c = savedCase();
  ASSERT_EQ(b.setUp(c.cluster), "");
  for (const auto& argv : fake.calls) {
    ASSERT_GE(argv.size(), 4u);
    EXPECT_EQ((std::vector<std::string>{argv[0], argv[1], argv[2]}),
              (std::vector<std::string>{"kubectl", "--context", "kind-npf"}));
  }
  ASSERT_EQ(fake.applied.size(), 2u);
  EXPECT_TRUE(hasKind(fake.applied[0], "Pod"));
  EXPECT_FALSE(hasKind(fake.applied[0], "NetworkPolicy"));  // policies wait for the addresses
  EXPECT_TRUE(hasKind(fake.applied[1], "NetworkPolicy"));
  EXPECT_TRUE(fake.objects.count("Pod npf-0a1b2c/client-worker-1"));
  EXPECT_TRUE(fake.objects.count("Pod npf-0a1b2c/client-worker-2"));
  EXPECT_FALSE(fake.objects.count("Pod npf-0a1b2c/client-control-plane"));

  Cluster a = b.actual();
  for (const auto& p : a.pods)
    EXPECT_EQ(p.podIP, fake.podIp.at(p.meta.namespace_ + "/" + p.meta.name));
  for (const auto& s : a.services)
    EXPECT_EQ(s.clusterIP, fake.serviceIp.at(s.meta.namespace_ + "/" + s.meta.name));
  ASSERT_FALSE(a.nodes.empty());
  EXPECT_EQ(a.nodes[0].internalIPs, std::vector<std::string>{"172.18.0.3"});  // worker-1
  b.tearDown();
  EXPECT_TRUE(fake.objects.empty());
  EXPECT_EQ(fake.calls.back(),
            (std::vector<std::string>{"kubectl", "--context", "kind-npf", "delete", "namespace",
                                      "--selector", "netpolfuzz.io/run=npf-0a1b2c",
                                      "--ignore-not-found", "--timeout=180s"}));
}

TEST(KindBackend, ProbesWithOneExecPerSource) {
  FakeCluster fake;
  KindBackend b(options(), fake);
  Case c = generateCase(3, 1, ClusterSize::Small, GeneratorWeights{});
  ASSERT_EQ(b.setUp(c.cluster), "");
  std::vector<Probe> probes = expandProbes(defaultProbeSet(b.actual()));
  std::set<std::string> sources;
  for (const auto& p : probes)
    if (p.from.kind != Endpoint::Kind::External) sources.insert(toString(p.from));
  // Block one destination to see a timeout come back through the parser.
  Cluster actual = b.actual();
  auto withPort = std::find_if(actual.pods.begin(), actual.pods.end(), [](const Pod& p) {
    return !p.hostNetwork && !p.containers.empty() && !p.containers.front().ports.empty();
  });
  ASSERT_NE(withPort, actual.pods.end());
  const Pod victim = *withPort;
  int port = victim.containers.front().ports.front().containerPort;
  fake.blocked.insert(victim.podIP + ":" + std::to_string(port));
  size_t before = fake.calls.size();
  auto results = b.probe(probes, ProbeOptions{});
  EXPECT_EQ(fake.calls.size() - before, sources.size());
  EXPECT_EQ(b.execs(), sources.size());
  ASSERT_EQ(results.size(), probes.size());
  size_t timeouts = 0;
  for (size_t i = 0; i < probes.size(); ++i) {
    if (probes[i].from.kind == Endpoint::Kind::External ||
        probes[i].target.to.kind == Endpoint::Kind::External) {
      EXPECT_EQ(results[i].kind, K::Skipped);
      continue;
    }
    bool toVictim =
        probes[i].target.to == Endpoint::pod(victim.meta.namespace_, victim.meta.name) &&
        probes[i].target.port == port &&
        probes[i].target.protocol == victim.containers.front().ports.front().effectiveProtocol();
    EXPECT_EQ(results[i].kind, toVictim ? K::Timeout : K::Connected) << toString(probes[i].from);
    timeouts += toVictim;
  }
  EXPECT_GT(timeouts, 0u);
}

TEST(KindBackend, ReconcileAppliesOnlyWhatChanged) {
  FakeCluster fake;
  KindBackend b(options(), fake);
  Case c = savedCase();
  ASSERT_EQ(b.setUp(c.cluster), "");
  ASSERT_FALSE(c.cluster.policies.empty());
  Cluster next = c.cluster;
  next.pods[0].meta.labels["extra"] = "yes";
  NetworkPolicy removed = next.policies[0];
  next.policies.erase(next.policies.begin());
  NetworkPolicy added = removed;
  added.meta.name = "added";
  next.policies.push_back(added);
  size_t before = fake.calls.size();
  ASSERT_EQ(b.reconcile(next), "");
  std::vector<std::vector<std::string>> calls(fake.calls.begin() + before, fake.calls.end());
  std::vector<std::string> verbs;
  for (const auto& c2 : calls) verbs.push_back(c2[3] + " " + c2[4]);
  EXPECT_EQ(verbs[0], "delete networkpolicy");
  EXPECT_EQ(calls[0][7], removed.meta.name);
  EXPECT_EQ(verbs[1], "apply --filename");
  const std::string& in = fake.applied.back();
  EXPECT_NE(in.find("\"added\""), std::string::npos);
  EXPECT_NE(in.find("\"extra\""), std::string::npos);
  EXPECT_EQ(in.find("\"" + next.pods[1].meta.name + "\""),
            std::string::npos);  // unchanged pod not re-applied
  for (const auto& v : verbs) EXPECT_NE(v, "delete pod");
  EXPECT_EQ(b.actual().pods[0].meta.labels.at("extra"), "yes");
  EXPECT_TRUE(fake.objects.count("NetworkPolicy " + added.meta.namespace_ + "/added"));
}

TEST(KindBackend, PodsThatNeverBecomeReadyAndAMissingKubectlAreClearErrors) {
  FakeCluster fake;
  Case c = savedCase();
  const Pod& stuck = c.cluster.pods[1];
  fake.neverReady.insert(stuck.meta.namespace_ + "/" + stuck.meta.name);
  KindBackend b(options(), fake);
  std::string e = b.setUp(c.cluster);
  EXPECT_NE(e.find("1 pod(s) not ready"), std::string::npos) << e;
  EXPECT_NE(e.find(stuck.meta.namespace_ + "/" + stuck.meta.name + " (Pending: ImagePullBackOff)"),
            std::string::npos)
      << e;
  b.tearDown();  // what was created goes
  EXPECT_TRUE(fake.objects.empty());

  FakeCluster none;
  none.kubectlMissing = true;
  KindBackend nb(options(), none);
  std::string m = nb.setUp(c.cluster);
  EXPECT_NE(
      m.find("`kubectl --context kind-npf get nodes --output json` failed: cannot execute kubectl"),
      std::string::npos)
      << m;
}

TEST(KindBackend, TooFewWorkersForTheCase) {
  FakeCluster fake;
  KindBackend b(options(), fake);
  Case c = savedCase();
  Node extra = c.cluster.nodes.front();
  extra.meta.name = "node-9";
  c.cluster.nodes.push_back(extra);
  c.cluster.nodes.push_back(extra);
  c.cluster.nodes.back().meta.name = "node-10";
  std::string e = b.setUp(c.cluster);
  EXPECT_NE(e.find("but the cluster has 2 schedulable worker node(s)"), std::string::npos) << e;
  EXPECT_TRUE(fake.applied.empty());
}

}  // namespace
}  // namespace npf::runner::kind
