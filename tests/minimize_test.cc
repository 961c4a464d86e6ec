// The minimizer on a scripted dataplane: what it removes, what it keeps (the signature, the
// served destination, consistent steps and ipBlock sources), trial caps, and that a dataplane
// with memory of earlier states (a stale label cache) still gets a result that reproduces on a
// fresh cluster.
#include "runner/minimize.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "generator/case_gen.h"
#include "model/case_file.h"
#include "model/codec.h"
#include "model/ip.h"
#include "runner/campaign.h"
#include "runner/replay.h"
#include "runner/simulated/simulated_backend.h"

namespace npf::runner {
namespace {

using npf::runner::SimulatedBackend;

std::string pod(const std::string& ns, const std::string& name, const std::string& node,
                const std::string& ip, const std::string& labels) {
  return "---\napiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: " + ns +
         ", labels: {" + labels + "}}\nspec:\n  nodeName: " + node +
         "\n  containers:\n  - name: c\n    image: i\n    ports:\n    - {name: serve-80-tcp, "
         "containerPort: 80}\n"
         "    - {name: serve-81-tcp, containerPort: 81}\n    - {name: dns, containerPort: 53, "
         "protocol: UDP}\n"
         "status: {podIP: " +
         ip + "}\n";
}

// Three namespaces, two nodes, six pods, a Service and four policies: x/range allows 80-81 to
// x/a from everywhere (an endPort range), y/expr selects with matchExpressions, x/deny-b
// isolates x/b, z/egress has a derived ipBlock with an except.
std::string clusterYaml() {
  std::string y = R"(apiVersion: v1
kind: Node
metadata: {name: n1}
status: {addresses: [{type: InternalIP, address: 172.18.0.2}]}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
status: {addresses: [{type: InternalIP, address: 172.18.0.3}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {ns: x}}
---
apiVersion: v1
kind: Namespace
metadata: {name: "y", labels: {ns: "y"}}
---
apiVersion: v1
kind: Namespace
metadata: {name: z, labels: {ns: z}}
)";
  y += pod("x", "a", "n1", "10.244.1.1", "pod: a, app: web");
  y += pod("x", "b", "n2", "10.244.2.1", "pod: b, app: web");
  y += pod("x", "c", "n1", "10.244.1.2", "pod: c");
  y += pod("\"y\"", "a", "n2", "10.244.2.2", "pod: a, app: db");
  y += pod("\"y\"", "b", "n1", "10.244.1.3", "pod: b");
  y += pod("z", "a", "n2", "10.244.2.3", "pod: a, app: web");
  y += R"(---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: x}
spec:
  clusterIP: 10.96.0.10
  selector: {app: web}
  ports: [{name: http, port: 8080, targetPort: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: range, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {}}]
    ports: [{port: 80, endPort: 81}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress: []
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: expr, namespace: "y"}
spec:
  podSelector:
    matchExpressions: [{key: pod, operator: In, values: [a]}]
  ingress:
  - from:
    - podSelector:
        matchExpressions: [{key: app, operator: In, values: [web]}]
      namespaceSelector: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: egress
  namespace: z
  annotations:
    netpolfuzz.io/ipblock-sources: "spec.egress[1].to[0].ipBlock.cidr=pod:x/a/16\nspec.egress[1].to[0].ipBlock.except[0]=pod:x/c/32\n"
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 53, protocol: UDP}]
  - to:
    - ipBlock: {cidr: 10.244.0.0/16, except: [10.244.1.2/32]}
)";
  return y;
}

Case baseCase() {
  auto r = decodeManifests(clusterYaml(), "t.yaml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.message;
  Case c;
  c.cluster = r.cluster;
  c.meta.present = true;
  c.meta.name = "t";
  EXPECT_TRUE(validateCase(c).empty()) << validateCase(c).front();
  return c;
}

void ignoreEndPort(Cluster& c) {
  for (auto& p : c.policies)
    for (auto* rules : {&p.ingress, &p.egress})
      if (*rules)
        for (auto& r : **rules)
          if (r.ports)
            for (auto& port : *r.ports) port.endPort.reset();
}

void ignoreMatchExpressions(Cluster& c) {
  auto strip = [](std::optional<LabelSelector>& s) {
    if (s) s->matchExpressions.clear();
  };
  for (auto& p : c.policies) {
    strip(p.podSelector);
    for (auto* rules : {&p.ingress, &p.egress})
      if (*rules)
        for (auto& r : **rules)
          if (r.peers)
            for (auto& peer : *r.peers) {
              strip(peer.podSelector);
              strip(peer.namespaceSelector);
            }
  }
}

CheckOptions quick() {
  CheckOptions o;
  o.convergeDeadlineMs = 0;
  o.roundGapMs = 0;
  return o;
}

// Every signature of a discrepancy `c` shows on `b`.
std::set<std::string> signaturesOf(Backend& b, const Case& c) {
  CaseRunner r(b, Profile{}, quick());
  std::set<std::string> out;
  for (const auto& s : r.run(c).states)
    for (const auto& o : s.notable)
      if (o.status == CellStatus::Fail) out.insert(o.signature);
  return out;
}

// Every ipblock-sources line names an existing field whose value derives from its source.
void expectSourcesConsistent(Case c) {
  Cluster all = c.cluster;
  for (const auto& s : c.meta.steps)
    if (s.pod) all.pods.push_back(*s.pod);
  std::vector<NetworkPolicy> pols = c.cluster.policies;
  for (const auto& s : c.meta.steps)
    if (s.policy) pols.push_back(*s.policy);
  for (const auto& p : pols)
    for (const auto& src : ipBlockSources(p)) {
      const auto& rules = src.direction == PolicyType::Ingress ? p.ingress : p.egress;
      ASSERT_TRUE(rules && src.rule < rules->size()) << toString(src);
      const auto& peers = (*rules)[src.rule].peers;
      ASSERT_TRUE(peers && src.peer < peers->size() && (*peers)[src.peer].ipBlock) << toString(src);
      const IPBlock& b = *(*peers)[src.peer].ipBlock;
      ASSERT_TRUE(!src.except || *src.except < b.except.size()) << toString(src);
      std::string value = src.except ? b.except[*src.except] : b.cidr;
      auto addr = sourceAddress(all, src.source, value.find(':') != std::string::npos);
      ASSERT_TRUE(addr) << toString(src);
      EXPECT_EQ(toString(*parseCidr(*addr + "/" + std::to_string(src.prefix))), value)
          << toString(src);
    }
}

TEST(Minimize, ShrinksToWhatTheDiscrepancyNeedsAndKeepsItsSignature) {
  SimulatedBackend b;
  b.options().bug = ignoreEndPort;
  Case c = baseCase();
  auto sigs = signaturesOf(b, c);
  ASSERT_FALSE(sigs.empty());
  CaseRunner runner(b, Profile{}, quick());
  MinimizeResult r = minimizeCase(runner, Profile{}, c, {});
  ASSERT_TRUE(r.reproduced);
  EXPECT_TRUE(r.verified);
  EXPECT_FALSE(r.capped);
  EXPECT_TRUE(sigs.count(r.signature)) << r.signature;
  EXPECT_NE(r.signature.find("ENDPORT_IGNORED"), std::string::npos) << r.signature;
  EXPECT_LE(r.after.policies, 2u) << toString(r.after);
  EXPECT_LE(r.after.pods, 4u) << toString(r.after);
  EXPECT_LT(r.after.pods, r.before.pods);
  EXPECT_TRUE(validateCase(r.minimized).empty());
  // The minimized case alone shows the signature on a fresh dataplane with the same bug.
  SimulatedBackend again;
  again.options().bug = ignoreEndPort;
  EXPECT_TRUE(signaturesOf(again, r.minimized).count(r.signature));
  // Without the bug it passes.
  SimulatedBackend good;
  EXPECT_TRUE(signaturesOf(good, r.minimized).empty());
  // The policy that holds the range survived; the unrelated ones did not.
  ASSERT_EQ(r.minimized.cluster.policies.size(), 1u);
  EXPECT_EQ(r.minimized.cluster.policies[0].meta.name, "range");
  EXPECT_TRUE(r.minimized.cluster.policies[0].ingress->at(0).ports->at(0).endPort.has_value());
  std::printf("endPort bug: %s -> %s in %zu trials (%zu candidates)\n", toString(r.before).c_str(),
              toString(r.after).c_str(), r.trials, r.candidates);
}

TEST(Minimize, KeepsTheRequestedSignatureNotJustAnyDiscrepancy) {
  SimulatedBackend b;
  b.options().bug = [](Cluster& c) {
    ignoreEndPort(c);
    ignoreMatchExpressions(c);
  };
  Case c = baseCase();
  auto sigs = signaturesOf(b, c);
  std::string wanted;
  for (const auto& s : sigs)
    if (s.find("operator:In") != std::string::npos &&
        s.find("ENDPORT_IGNORED") == std::string::npos)
      wanted = s;
  ASSERT_FALSE(wanted.empty()) << "no matchExpressions-only signature among " << sigs.size();
  CaseRunner runner(b, Profile{}, quick());
  MinimizeOptions o;
  o.signature = wanted;
  MinimizeResult r = minimizeCase(runner, Profile{}, c, o);
  ASSERT_TRUE(r.reproduced);
  EXPECT_TRUE(r.verified);
  EXPECT_EQ(r.signature, wanted);
  EXPECT_TRUE(signaturesOf(b, r.minimized).count(wanted));
  for (const auto& p : r.minimized.cluster.policies) EXPECT_NE(p.meta.name, "range");
}

TEST(Minimize, ACaseWithoutThatDiscrepancyIsNotReproduced) {
  SimulatedBackend b;  // no bug
  CaseRunner runner(b, Profile{}, quick());
  MinimizeResult r = minimizeCase(runner, Profile{}, baseCase(), {});
  EXPECT_FALSE(r.reproduced);
  EXPECT_EQ(r.trials, 1u);
  EXPECT_EQ(r.after, r.before);

  SimulatedBackend buggy;
  buggy.options().bug = ignoreEndPort;
  CaseRunner runner2(buggy, Profile{}, quick());
  MinimizeOptions o;
  o.signature = "expected allow, observed timeout · no such signature";
  EXPECT_FALSE(minimizeCase(runner2, Profile{}, baseCase(), o).reproduced);
}

TEST(Minimize, StopsAtTheTrialCapWithTheBestCaseSoFar) {
  SimulatedBackend b;
  b.options().bug = ignoreEndPort;
  CaseRunner runner(b, Profile{}, quick());
  MinimizeOptions o;
  o.maxTrials = 3;
  size_t reports = 0;
  o.progress = [&](const MinimizeProgress& p) {
    ++reports;
    EXPECT_LE(p.trials, 4u);  // 3 and the verifying run
  };
  MinimizeResult r = minimizeCase(runner, Profile{}, baseCase(), o);
  EXPECT_TRUE(r.reproduced);
  EXPECT_TRUE(r.capped);
  EXPECT_LE(r.trials, 5u);
  EXPECT_GT(reports, 0u);
  EXPECT_TRUE(validateCase(r.minimized).empty());
}

TEST(Minimize, ProbesOnlyTheTargetCellDuringTrials) {
  SimulatedBackend b;
  b.options().bug = ignoreEndPort;
  Case c = baseCase();
  CaseRunner r0(b, Profile{}, quick());
  size_t full = r0.run(c).cells();
  r0.tearDown();
  const size_t probedBefore = b.counters().probed;
  const int setUpsBefore = b.counters().setUps;
  CaseRunner runner(b, Profile{}, quick());
  MinimizeResult r = minimizeCase(runner, Profile{}, c, {});
  ASSERT_TRUE(r.reproduced);
  // The first run and the verification probe the matrix; every other trial a cell or two.
  EXPECT_LT(b.counters().probed - probedBefore, 2 * full + 4 * r.trials) << r.trials << " trials";
  // Trials reuse the cluster.
  EXPECT_LT(size_t(b.counters().setUps - setUpsBefore), r.trials);
  // The result has the original (default) probe set back.
  EXPECT_FALSE(r.minimized.meta.probes.has_value());
}

TEST(Minimize, WithoutNarrowingEveryCellIsProbedAndAnExplicitProbeSetIsKeptFiltered) {
  SimulatedBackend b;
  b.options().bug = ignoreEndPort;
  Case c = baseCase();
  std::vector<Endpoint> sources;
  for (const auto& p : c.cluster.pods)
    sources.push_back(Endpoint::pod(p.meta.namespace_, p.meta.name));
  c.meta.probes = ProbeSet{{ProbeBlock{sources,
                                       {Target{Endpoint::pod("x", "a"), 81, Protocol::TCP},
                                        Target{Endpoint::pod("z", "a"), 80, Protocol::TCP}}}}};
  CaseRunner runner(b, Profile{}, quick());
  MinimizeOptions o;
  o.narrowProbes = false;
  MinimizeResult r = minimizeCase(runner, Profile{}, c, o);
  ASSERT_TRUE(r.reproduced);
  EXPECT_TRUE(r.verified);
  EXPECT_LE(r.after.pods, 4u) << toString(r.after);
  ASSERT_TRUE(r.minimized.meta.probes);
  EXPECT_GT(r.minimized.meta.probes->cellCount(), 0u);
  for (const auto& blk : r.minimized.meta.probes->blocks)
    for (const auto& s : blk.sources)
      EXPECT_TRUE(r.minimized.cluster.findPod(s.namespace_, s.name)) << toString(s);
}

TEST(Minimize, AStaleLabelCacheStillGivesAResultThatReproducesOnAFreshCluster) {
  // x/p lets pods labelled role=client reach x/b; a step gives x/a that label. A dataplane that
  // keeps labels from pod creation never lets x/a in.
  Case c = baseCase();
  NetworkPolicy p;
  p.meta = {"clients", "x", {}, {}};
  p.podSelector = LabelSelector{{{"pod", "b"}}, {}};
  NetworkPolicyPeer peer;
  peer.podSelector = LabelSelector{{{"role", "client"}}, {}};
  p.ingress = std::vector<NetworkPolicyRule>{{std::nullopt, std::vector<NetworkPolicyPeer>{peer}}};
  c.cluster.policies.push_back(p);
  Step relabel;
  relabel.action = Step::Action::RelabelPod;
  relabel.namespace_ = "x";
  relabel.name = "a";
  relabel.labels = {{"pod", "a"}, {"app", "web"}, {"role", "client"}};
  c.meta.steps.push_back(relabel);
  ASSERT_TRUE(validateCase(c).empty());

  SimulatedBackend b;
  ASSERT_EQ(b.configure({Profile{}, {"LABEL_UPDATE_STALE"}}), "");
  CaseRunner runner(b, Profile{}, quick());
  MinimizeResult r = minimizeCase(runner, Profile{}, c, {});
  ASSERT_TRUE(r.reproduced);
  EXPECT_NE(r.signature.find("after relabel-pod"), std::string::npos) << r.signature;
  EXPECT_TRUE(r.verified);
  EXPECT_LE(r.after.pods, 2u) << toString(r.after);
  ASSERT_EQ(r.minimized.meta.steps.size(), 1u);
  SimulatedBackend fresh;
  ASSERT_EQ(fresh.configure({Profile{}, {"LABEL_UPDATE_STALE"}}), "");
  EXPECT_TRUE(signaturesOf(fresh, r.minimized).count(r.signature));
  std::printf("stale labels: %s in %zu trials, %d set-ups\n", toString(r.after).c_str(), r.trials,
              b.counters().setUps);
}

TEST(Minimize, RepairDropsStepsThatReferToRemovedObjects) {
  Case c = baseCase();
  Pod extra = c.cluster.pods[0];
  extra.meta.name = "new";
  extra.podIP = "10.244.1.200";
  extra.podIPs.clear();
  Step create{Step::Action::CreatePod, {}, extra, "", "", {}};
  Step relabel{Step::Action::RelabelPod, {}, {}, "x", "new", {{"pod", "new"}}};
  Step deletePolicy{Step::Action::DeletePolicy, {}, {}, "x", "deny-b", {}};
  Step relabelNs{Step::Action::RelabelNamespace, {}, {}, "", "z", {{"ns", "zz"}}};
  c.meta.steps = {create, relabel, deletePolicy, relabelNs};
  c.meta.probes = ProbeSet{{ProbeBlock{{Endpoint::pod("x", "new"), Endpoint::pod("z", "a")},
                                       {Target{Endpoint::pod("x", "b"), 80, Protocol::TCP}}}}};
  ASSERT_TRUE(validateCase(c).empty()) << validateCase(c).front();

  Case noCreate = c;
  noCreate.meta.steps.erase(noCreate.meta.steps.begin());
  repairCase(noCreate);
  ASSERT_EQ(noCreate.meta.steps.size(), 2u);  // relabel of the pod never created goes too
  EXPECT_EQ(noCreate.meta.steps[0].action, Step::Action::DeletePolicy);
  ASSERT_TRUE(noCreate.meta.probes);
  ASSERT_EQ(noCreate.meta.probes->blocks.size(), 1u);
  EXPECT_EQ(noCreate.meta.probes->blocks[0].sources,
            std::vector<Endpoint>{Endpoint::pod("z", "a")});
  EXPECT_TRUE(validateCase(noCreate).empty());

  Case noPolicy = c;
  std::erase_if(noPolicy.cluster.policies,
                [](const NetworkPolicy& p) { return p.meta.name == "deny-b"; });
  repairCase(noPolicy);
  EXPECT_EQ(noPolicy.meta.steps.size(), 3u);
  for (const auto& s : noPolicy.meta.steps) EXPECT_NE(s.action, Step::Action::DeletePolicy);
  EXPECT_TRUE(validateCase(noPolicy).empty());

  // Every probe source and target gone: the probe set is empty, not the default.
  Case noProbes = c;
  std::erase_if(noProbes.cluster.pods,
                [](const Pod& p) { return p.meta.name == "b" && p.meta.namespace_ == "x"; });
  repairCase(noProbes);
  ASSERT_TRUE(noProbes.meta.probes);
  EXPECT_EQ(noProbes.meta.probes->cellCount(), 0u);
}

TEST(Minimize, RepairRepointsOrDropsIpBlockSourcesOfRemovedPods) {
  Case c = baseCase();
  // z/egress: cidr 10.244.0.0/16 from x/a, except 10.244.1.2/32 from x/c.
  std::erase_if(c.cluster.pods,
                [](const Pod& p) { return p.meta.namespace_ == "x" && p.meta.name != "b"; });
  repairCase(c);
  const NetworkPolicy& egress = c.cluster.policies.back();
  auto sources = ipBlockSources(egress);
  ASSERT_EQ(sources.size(), 1u);  // the /32 of the removed x/c has no other source
  EXPECT_FALSE(sources[0].except.has_value());
  EXPECT_NE(sources[0].source, "pod:x/a");  // re-pointed to a pod in the same /16
  expectSourcesConsistent(c);
}

TEST(Minimize, ResultsOfGeneratedCasesAreValidWithConsistentSources) {
  // Generated cases with derived ipBlocks, on a dataplane that ignores except entries.
  size_t minimized = 0;
  for (uint64_t i = 0; i < 40 && minimized < 4; ++i) {
    Case c = generateCase(7, i, ClusterSize::Small, GeneratorWeights{});
    bool hasSources = false;
    for (const auto& p : c.cluster.policies) hasSources = hasSources || !ipBlockSources(p).empty();
    if (!hasSources) continue;
    SimulatedBackend b;
    b.options().bug = [](Cluster& cl) {
      for (auto& p : cl.policies)
        for (auto* rules : {&p.ingress, &p.egress})
          if (*rules)
            for (auto& r : **rules)
              if (r.peers)
                for (auto& peer : *r.peers)
                  if (peer.ipBlock) peer.ipBlock->except.clear();
    };
    CaseRunner runner(b, Profile{}, quick());
    MinimizeResult r = minimizeCase(runner, Profile{}, c, {});
    if (!r.reproduced) continue;
    ++minimized;
    SCOPED_TRACE(c.meta.name + ": " + r.signature);
    EXPECT_TRUE(r.verified);
    EXPECT_TRUE(validateCase(r.minimized).empty());
    EXPECT_LE(r.after.policies, 2u) << toString(r.after);
    EXPECT_LE(r.after.pods, 4u) << toString(r.after);
    expectSourcesConsistent(r.minimized);
    // It survives a save and load.
    std::string path = ::testing::TempDir() + "/npf-min-" + std::to_string(i) + ".yaml";
    std::ofstream(path) << encodeCase(r.minimized);
    CaseLoad back = loadCaseFiles({path});
    EXPECT_TRUE(back.errors.empty()) << (back.errors.empty() ? "" : toString(back.errors[0]));
    std::remove(path.c_str());
  }
  EXPECT_GE(minimized, 2u);
}

TEST(Minimize, ValidateCaseAgreesWithLoadingTheFile) {
  Case good = baseCase();
  Case badStep = good;
  badStep.meta.steps.push_back({Step::Action::DeletePod, {}, {}, "x", "nope", {}});
  Case badState = good;
  Pod clash = good.cluster.pods[0];
  clash.meta.name = "clash";  // same IP as x/a
  badState.meta.steps.push_back({Step::Action::CreatePod, {}, clash, "", "", {}});
  Case badProbe = good;
  badProbe.meta.probes = ProbeSet{{ProbeBlock{
      {Endpoint::pod("x", "ghost")}, {Target{Endpoint::pod("x", "a"), 80, Protocol::TCP}}}}};
  for (const auto& [c, valid] :
       {std::pair{good, true}, {badStep, false}, {badState, false}, {badProbe, false}}) {
    std::string path = ::testing::TempDir() + "/npf-validate.yaml";
    std::ofstream(path) << encodeCase(c);
    CaseLoad l = loadCaseFiles({path});
    EXPECT_EQ(l.errors.empty(), valid);
    EXPECT_EQ(validateCase(c).empty(), valid);
    std::remove(path.c_str());
  }
}

// Three AdminNetworkPolicies over the base case: x/b's ingress from y is passed to
// NetworkPolicy (x/deny-b denies it); the others decide cells the bug below leaves alone, and
// a step changes one of them.
Case withClusterPolicies() {
  Case c = baseCase();
  auto r = decodeManifests(R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass-y-to-b}
spec:
  priority: 20
  subject: {pods: {namespaceSelector: {matchLabels: {ns: x}}, podSelector: {matchLabels: {pod: b}}}}
  ingress:
  - {action: Pass, from: [{namespaces: {matchLabels: {ns: "y"}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: allow-z}
spec:
  priority: 5
  subject: {namespaces: {matchLabels: {ns: z}}}
  egress:
  - {action: Allow, to: [{networks: [10.244.0.0/16]}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-c}
spec:
  priority: 7
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {pod: c}}}}
  ingress:
  - {action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {pod: a}}}}]}
)",
                           "anp.yaml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.message;
  c.cluster.clusterPolicies = r.cluster.clusterPolicies;
  ClusterPolicy changed = c.cluster.clusterPolicies[2];
  changed.priority = 8;
  Step update;
  update.action = Step::Action::UpdateClusterPolicy;
  update.clusterPolicy = changed;
  c.meta.steps.push_back(update);
  EXPECT_TRUE(validateCase(c).empty()) << validateCase(c).front();
  return c;
}

void passAsAllow(Cluster& c) {
  for (auto& p : c.clusterPolicies)
    for (auto* rules : {&p.ingress, &p.egress})
      if (*rules)
        for (auto& r : **rules)
          if (r.action == ClusterRuleAction::Pass) r.action = ClusterRuleAction::Allow;
}

TEST(Minimize, ShrinksCaseWithClusterScopedPoliciesToThePassRuleAndTheNetworkPolicy) {
  SimulatedBackend b;
  b.options().bug = passAsAllow;
  Case c = withClusterPolicies();
  ASSERT_FALSE(signaturesOf(b, c).empty());
  CaseRunner runner(b, Profile{}, quick());
  MinimizeResult r = minimizeCase(runner, Profile{}, c, {});
  ASSERT_TRUE(r.reproduced);
  EXPECT_TRUE(r.verified);
  EXPECT_TRUE(validateCase(r.minimized).empty());
  ASSERT_EQ(r.minimized.cluster.clusterPolicies.size(), 1u) << encodeCase(r.minimized);
  EXPECT_EQ(r.minimized.cluster.clusterPolicies[0].meta.name, "pass-y-to-b");
  ASSERT_EQ(r.minimized.cluster.policies.size(), 1u) << encodeCase(r.minimized);
  EXPECT_EQ(r.minimized.cluster.policies[0].meta.name, "deny-b");
  EXPECT_TRUE(r.minimized.meta.steps.empty());
  EXPECT_EQ(r.after.clusterPolicies, 1u);
  EXPECT_LE(r.after.pods, 2u) << toString(r.after);
  SimulatedBackend good;
  EXPECT_TRUE(signaturesOf(good, r.minimized).empty());
}

TEST(Minimize, CaseSizeCountsObjectsOfEveryState) {
  Case c = baseCase();
  CaseSize s = caseSize(c);
  EXPECT_EQ(s.policies, 4u);
  EXPECT_EQ(s.pods, 6u);
  EXPECT_EQ(s.namespaces, 3u);
  EXPECT_EQ(s.rules, 4u);
  EXPECT_EQ(s.peers, 3u);
  EXPECT_EQ(s.ports, 2u);
  EXPECT_EQ(s.services, 1u);
  Pod extra = c.cluster.pods[0];
  extra.meta.name = "new";
  extra.podIP = "10.244.1.200";
  c.meta.steps.push_back({Step::Action::CreatePod, {}, extra, "", "", {}});
  NetworkPolicy update = c.cluster.policies[0];
  c.meta.steps.push_back({Step::Action::UpdatePolicy, update, {}, "", "", {}});
  s = caseSize(c);
  EXPECT_EQ(s.pods, 7u);
  EXPECT_EQ(s.policies, 4u);  // an update is the same policy
  EXPECT_EQ(s.steps, 2u);
  EXPECT_EQ(
      toString(s),
      "4 policies, 7 pods, 5 rules, 4 peers, 3 ports, 2 steps, 3 namespaces, 1 Service, 2 nodes");

  Case cp = withClusterPolicies();
  s = caseSize(cp);
  EXPECT_EQ(s.clusterPolicies, 3u);  // the update is the same one
  EXPECT_EQ(s.rules, 4u + 4u);       // three rules, and the updated version's again
  EXPECT_EQ(s.steps, 1u);
  EXPECT_NE(toString(s).find("3 cluster-scoped policies"), std::string::npos) << toString(s);
}

}  // namespace
}  // namespace npf::runner
