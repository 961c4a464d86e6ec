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
#include "model/codec.h"
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

// ---------------------------------------------------------------- cluster-scoped policy

const std::string kAnp = "adminnetworkpolicies.policy.networking.k8s.io";
const std::string kBanp = "baselineadminnetworkpolicies.policy.networking.k8s.io";
const std::string kCnp = "clusternetworkpolicies.policy.networking.k8s.io";

// Three namespaces, pods, a Service, an AdminNetworkPolicy and a BaselineAdminNetworkPolicy.
Cluster v1alpha1Cluster() {
  DecodeResult d = decodeFile(std::string(NPF_SOURCE_DIR) +
                              "/corpus/fuzz/decode/cluster_policies_v1alpha1.yaml");
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.cluster.clusterPolicies.size(), 2u);
  return d.cluster;
}

// The same workloads with the two ClusterNetworkPolicies instead.
Cluster v1alpha2Cluster() {
  Cluster c = v1alpha1Cluster();
  DecodeResult d =
      decodeFile(std::string(NPF_SOURCE_DIR) + "/corpus/fuzz/decode/cluster_network_policy.yaml");
  EXPECT_TRUE(d.errors.empty());
  c.clusterPolicies = d.cluster.clusterPolicies;
  return c;
}

// The kubectl arguments after the prefix (kubectl --context kind-npf).
std::vector<std::string> args(const std::vector<std::string>& argv) {
  return {argv.begin() + 3, argv.end()};
}

// Index of the first call whose arguments start with `prefix`; calls.size() when none.
size_t firstCall(const FakeCluster& f, const std::vector<std::string>& prefix, size_t from = 0) {
  for (size_t i = from; i < f.calls.size(); ++i) {
    auto a = args(f.calls[i]);
    if (a.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), a.begin())) return i;
  }
  return f.calls.size();
}

size_t count(const FakeCluster& f, const std::vector<std::string>& prefix) {
  size_t n = 0;
  for (size_t i = firstCall(f, prefix); i < f.calls.size(); i = firstCall(f, prefix, i + 1)) ++n;
  return n;
}

TEST(KindBackend, CrdsAreAppliedAndEstablishedBeforeTheClusterScopedPolicies) {
  FakeCluster fake;
  KindOptions o = options();
  o.cni = "antrea";
  std::vector<std::string> warnings;
  o.warn = [&](const std::string& m) { warnings.push_back(m); };
  KindBackend b(o, fake);
  Cluster c = v1alpha1Cluster();
  ASSERT_EQ(b.setUp(c), "");

  const std::vector<std::string> crdApply = {
      "apply", "--server-side", "--force-conflicts", "--field-manager=netpolfuzz", "--filename",
      "-"};
  size_t apply = firstCall(fake, crdApply);
  size_t wait = firstCall(fake, {"wait", "--for", "condition=established"});
  size_t getAnps = firstCall(fake, {"get", kAnp, "--output", "json"});
  size_t getBanps = firstCall(fake, {"get", kBanp, "--output", "json"});
  size_t workloads = firstCall(fake, {"apply", "--filename", "-"});
  ASSERT_LT(getBanps, fake.calls.size());
  EXPECT_LT(apply, wait);
  EXPECT_LT(wait, getAnps);
  EXPECT_LT(getAnps, workloads);  // refused before anything of the run is created
  EXPECT_EQ(args(fake.calls[wait]),
            (std::vector<std::string>{"wait", "--for", "condition=established", "--timeout=60s",
                                      "crd/" + kAnp, "crd/" + kBanp}));
  // Only the CRDs this case's kinds need.
  EXPECT_TRUE(fake.objects.count("CustomResourceDefinition /" + kAnp));
  EXPECT_TRUE(fake.objects.count("CustomResourceDefinition /" + kBanp));
  EXPECT_FALSE(fake.objects.count("CustomResourceDefinition /" + kCnp));

  // Applies in order: CRDs, workloads, NetworkPolicies (none here), cluster-scoped policies.
  ASSERT_EQ(fake.applied.size(), 3u);
  EXPECT_NE(fake.applied[0].find("kind: CustomResourceDefinition"), std::string::npos);
  EXPECT_FALSE(hasKind(fake.applied[1], "AdminNetworkPolicy"));
  EXPECT_TRUE(hasKind(fake.applied[2], "AdminNetworkPolicy"));
  EXPECT_TRUE(hasKind(fake.applied[2], "BaselineAdminNetworkPolicy"));
  const Json& anp = fake.objects.at("AdminNetworkPolicy /ingress-tcp");
  EXPECT_EQ(anp["metadata"].value("labels", Json::object()).value("netpolfuzz.io/run", ""),
            "npf-0a1b2c");
  EXPECT_EQ(anp["apiVersion"], "policy.networking.k8s.io/v1alpha1");
  EXPECT_TRUE(fake.objects.count("BaselineAdminNetworkPolicy /default"));
  EXPECT_EQ(b.actual().clusterPolicies, c.clusterPolicies);
  // Antrea enforces them only behind a feature gate: said once, naming the CNI.
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("Antrea"), std::string::npos) << warnings[0];
  ASSERT_EQ(b.reconcile(c), "");
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(KindBackend, ReconcileCreatesUpdatesAndDeletesClusterScopedPolicies) {
  FakeCluster fake;
  KindBackend b(options(), fake);
  Cluster c = v1alpha1Cluster();
  ClusterPolicy second = c.clusterPolicies[0];
  second.meta.name = "second";
  second.priority = 9;
  c.clusterPolicies.push_back(second);
  ASSERT_EQ(b.setUp(c), "");
  ASSERT_TRUE(fake.objects.count("AdminNetworkPolicy /second"));

  // Step: ingress-tcp changes priority, second stays, the BANP goes, a third ANP comes.
  Cluster next = c;
  next.clusterPolicies[0].priority = 4;
  std::erase_if(next.clusterPolicies, [](const ClusterPolicy& p) {
    return p.kind == ClusterPolicyKind::BaselineAdminNetworkPolicy;
  });
  ClusterPolicy third = second;
  third.meta.name = "third";
  next.clusterPolicies.push_back(third);
  size_t before = fake.calls.size();
  size_t appliesBefore = fake.applied.size();
  ASSERT_EQ(b.reconcile(next), "");
  std::vector<std::vector<std::string>> calls;
  for (size_t i = before; i < fake.calls.size(); ++i) calls.push_back(args(fake.calls[i]));
  ASSERT_EQ(calls.size(), 2u);  // no CRD apply, wait or get: done once per backend
  EXPECT_EQ(calls[0], (std::vector<std::string>{"delete", kBanp, "default", "--ignore-not-found"}));
  EXPECT_EQ(calls[1], (std::vector<std::string>{"apply", "--filename", "-"}));
  ASSERT_EQ(fake.applied.size(), appliesBefore + 1);
  const std::string& in = fake.applied.back();
  EXPECT_NE(in.find("\"ingress-tcp\""), std::string::npos);
  EXPECT_NE(in.find("\"third\""), std::string::npos);
  EXPECT_EQ(in.find("\"second\""), std::string::npos);  // unchanged: not re-applied
  EXPECT_EQ(fake.objects.at("AdminNetworkPolicy /ingress-tcp")["spec"]["priority"], 4);
  EXPECT_TRUE(fake.objects.count("AdminNetworkPolicy /third"));
  EXPECT_FALSE(fake.objects.count("BaselineAdminNetworkPolicy /default"));
  EXPECT_EQ(b.actual().clusterPolicies, next.clusterPolicies);

  // Next case: ClusterNetworkPolicies instead. Their CRD comes first; the ANPs go.
  Cluster v2 = v1alpha2Cluster();
  before = fake.calls.size();
  ASSERT_EQ(b.reconcile(v2), "");
  size_t crdApply = firstCall(fake, {"apply", "--server-side"}, before);
  size_t wait = firstCall(fake, {"wait"}, before);
  size_t objects = firstCall(fake, {"apply", "--filename", "-"}, before);
  ASSERT_LT(objects, fake.calls.size());
  EXPECT_LT(crdApply, wait);
  EXPECT_LT(wait, objects);
  EXPECT_EQ(args(fake.calls[wait]).back(), "crd/" + kCnp);
  for (const char* name : {"ingress-tcp", "second", "third"})
    EXPECT_LT(firstCall(fake, {"delete", kAnp, name, "--ignore-not-found"}, before),
              fake.calls.size())
        << name;
  EXPECT_TRUE(fake.objects.count("ClusterNetworkPolicy /b-deny"));
  EXPECT_TRUE(fake.objects.count("ClusterNetworkPolicy /baseline"));
  EXPECT_EQ(fake.objects.at("ClusterNetworkPolicy /b-deny")["spec"]["tier"], "Admin");
}

TEST(KindBackend, TeardownDeletesTheRunsClusterScopedPoliciesByLabelAndKeepsTheCrds) {
  FakeCluster fake;
  KindBackend b(options(), fake);
  ASSERT_EQ(b.setUp(v1alpha1Cluster()), "");
  // Another run's policy on the same cluster, created after this run checked: not touched.
  fake.objects["AdminNetworkPolicy /other-run"] = {
      {"kind", "AdminNetworkPolicy"},
      {"metadata", {{"name", "other-run"}, {"labels", {{"netpolfuzz.io/run", "npf-ffffff"}}}}}};
  b.tearDown();
  size_t cp = firstCall(fake, {"delete", kAnp + "," + kBanp});
  size_t ns = firstCall(fake, {"delete", "namespace"});
  ASSERT_LT(cp, fake.calls.size());
  EXPECT_LT(cp, ns);  // cluster-wide objects first: the namespace deletion may take minutes
  EXPECT_EQ(args(fake.calls[cp]),
            (std::vector<std::string>{"delete", kAnp + "," + kBanp, "--selector",
                                      "netpolfuzz.io/run=npf-0a1b2c", "--ignore-not-found"}));
  EXPECT_FALSE(fake.objects.count("AdminNetworkPolicy /ingress-tcp"));
  EXPECT_FALSE(fake.objects.count("BaselineAdminNetworkPolicy /default"));
  EXPECT_TRUE(fake.objects.count("AdminNetworkPolicy /other-run"));
  // The CRDs are the cluster's: deleting one would delete every object of its kind.
  EXPECT_TRUE(fake.objects.count("CustomResourceDefinition /" + kAnp));
  EXPECT_EQ(count(fake, {"delete", "crd"}), 0u);
}

TEST(KindBackend, NoCrdsAndNoClusterScopedDeletesForACaseWithoutThem) {
  FakeCluster fake;
  KindBackend b(options(), fake);
  ASSERT_EQ(b.setUp(savedCase().cluster), "");
  b.tearDown();
  EXPECT_EQ(count(fake, {"apply", "--server-side"}), 0u);
  EXPECT_EQ(count(fake, {"wait"}), 0u);
  EXPECT_EQ(count(fake, {"delete", kAnp}), 0u);
  EXPECT_EQ(count(fake, {"delete", kAnp + "," + kBanp}), 0u);
}

TEST(KindBackend, ClusterScopedPoliciesTheRunDidNotCreateAreRefusedBeforeAnythingIsCreated) {
  FakeCluster fake;
  // What a killed run left: its BANP (a singleton: this run's would overwrite it).
  fake.objects["CustomResourceDefinition /" + kBanp] = {{"kind", "CustomResourceDefinition"}};
  fake.objects["BaselineAdminNetworkPolicy /default"] = {
      {"kind", "BaselineAdminNetworkPolicy"},
      {"metadata", {{"name", "default"}, {"labels", {{"netpolfuzz.io/run", "npf-dead00"}}}}}};
  KindBackend b(options(), fake);
  std::string e = b.setUp(v1alpha1Cluster());
  EXPECT_NE(e.find("already has 1 BaselineAdminNetworkPolicy that this run did not create "
                   "(default (run npf-dead00))"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("kubectl delete " + kBanp + " --selector netpolfuzz.io/run"), std::string::npos)
      << e;
  EXPECT_EQ(count(fake, {"apply", "--filename", "-"}), 0u);  // no pod, no namespace
  EXPECT_EQ(fake.objects.count("BaselineAdminNetworkPolicy /default"), 1u);
}

TEST(KindBackend, ACniThatDoesNotEnforceThemIsRefusedByName) {
  for (const char* cni : {"calico", "cilium", "kube-router"}) {
    FakeCluster fake;
    KindOptions o = options();
    o.cni = cni;
    KindBackend b(o, fake);
    std::string e = b.setUp(v1alpha1Cluster());
    EXPECT_NE(e.find(std::string("the CNI ") + cni +
                     " does not enforce AdminNetworkPolicy, BaselineAdminNetworkPolicy"),
              std::string::npos)
        << e;
    EXPECT_TRUE(fake.calls.empty()) << cni;  // nothing created, nothing to clean up
    // NetworkPolicy-only cases run as before.
    EXPECT_EQ(b.setUp(savedCase().cluster), "") << cni;
  }
  // Antrea implements only the v1alpha1 API.
  FakeCluster fake;
  KindOptions o = options();
  o.cni = "antrea";
  KindBackend b(o, fake);
  std::string e = b.setUp(v1alpha2Cluster());
  EXPECT_NE(e.find("the CNI antrea does not enforce ClusterNetworkPolicy"), std::string::npos) << e;
  // No --cni: run, with a warning that says what a discrepancy may mean.
  FakeCluster unnamed;
  std::vector<std::string> warnings;
  KindOptions u = options();
  u.warn = [&](const std::string& m) { warnings.push_back(m); };
  KindBackend ub(u, unnamed);
  EXPECT_EQ(ub.setUp(v1alpha2Cluster()), "");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("no --cni"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace npf::runner::kind
