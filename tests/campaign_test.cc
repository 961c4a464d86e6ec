// The campaign loop's judgement of cells, on a scripted fake backend: what is a discrepancy,
// what converged late, what is flaky, what is infrastructure trouble; cluster reuse.
#include "runner/campaign.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <fstream>
#include <functional>
#include <map>

#include "model/case.h"
#include "model/case_file.h"
#include "model/case_probes.h"
#include "model/codec.h"
#include "oracle/matrix.h"
#include "reports/campaign_summary.h"
#include "runner/campaign_results.h"
#include "runner/session.h"
#include "runner/signature.h"
#include "runner/simulated/simulated_backend.h"
#include "tests/support/session_sink.h"

namespace npf::runner {
namespace {

using K = ProbeResult::Kind;

// x/a and x/b on two nodes; b serves 80/TCP only; a policy in x lets only pod=a reach b on 80.
// Service x/svc 10.96.0.1: port 8080 -> 80 (served), port 9090 -> 9999 (not served).
const char* kYaml = R"(
apiVersion: v1
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
metadata: {name: x}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {pod: a}}
spec: {nodeName: n1, containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {pod: b}}
spec: {nodeName: n2, containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: x}
spec:
  clusterIP: 10.96.0.1
  selector: {pod: b}
  ports: [{name: ok, port: 8080, targetPort: 80}, {name: closed, port: 9090, targetPort: 9999}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress: [{from: [{podSelector: {matchLabels: {pod: a}}}], ports: [{port: 80}, {port: 9999}]}]
)";

Case smallCase() {
  auto r = decodeManifests(kYaml, "t.yaml");
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors[0].message);
  Case c;
  c.cluster = r.cluster;
  c.meta.name = "t";
  return c;
}

Probe probe(const std::string& from, const std::string& to) {
  return Probe{*parseEndpoint(from), *parseTarget(to)};
}

// A backend that answers from the oracle's verdict (allow -> connected, deny -> timeout)
// unless a script overrides a cell: the script gives the answers of successive attempts.
// The simulated backend with scripted answers for some cells: answer i of a cell's script goes
// to its attempt i, the last one sticks.
class ScriptedBackend : public SimulatedBackend {
 public:
  ScriptedBackend() {
    options().script = [this](const Probe& p, size_t attempt) -> std::optional<ProbeResult> {
      auto it = script.find(p);
      if (it == script.end() || it->second.empty()) return std::nullopt;
      return ProbeResult{it->second[std::min(attempt, it->second.size() - 1)], 1, "", 0};
    };
  }
  std::map<Probe, std::vector<K>> script;
};

CheckOptions fastChecks() {
  CheckOptions o;
  o.convergeDeadlineMs = 30;
  o.roundGapMs = 1;
  return o;
}

const CellOutcome* find(const StateResult& s, const Probe& p) {
  for (const auto& o : s.notable)
    if (o.probe == p) return &o;
  return nullptr;
}

TEST(Campaign, AnswersThatMatchTheOracleAreNoDiscrepancy) {
  ScriptedBackend b;
  CaseRunner r(b, Profile{}, fastChecks());
  CaseResult res = r.run(smallCase());
  ASSERT_EQ(res.states.size(), 1u);
  EXPECT_EQ(res.backendError, "");
  EXPECT_GT(res.cells(), 0u);
  EXPECT_EQ(res.discrepancies(), 0u);
  EXPECT_EQ(res.states[0].rounds, 1);
  EXPECT_EQ(res.probes(), res.cells());  // nothing re-probed
}

TEST(Campaign, ConsistentDisagreementIsADiscrepancyWithExplanation) {
  ScriptedBackend b;
  Probe cb = probe("x/a", "x/b:80/TCP");  // allowed by only-a
  b.script[cb] = {K::Timeout};
  CaseRunner r(b, Profile{}, fastChecks());
  CaseResult res = r.run(smallCase());
  ASSERT_EQ(res.discrepancies(), 1u);
  const CellOutcome* o = find(res.states[0], cb);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->status, CellStatus::Fail);
  EXPECT_EQ(o->expected, Verdict::Allow);
  EXPECT_GE(o->attempts.size(), 2u);  // re-probed before being called a discrepancy
  EXPECT_NE(o->explanation.find("only-a"), std::string::npos) << o->explanation;
}

TEST(Campaign, CellThatAgreesAfterAChangeConvergedLate) {
  ScriptedBackend b;
  Probe cb = probe("x/a", "x/b:80/TCP");
  b.script[cb] = {K::Timeout, K::Connected};
  CaseRunner r(b, Profile{}, fastChecks());
  CaseResult res = r.run(smallCase());
  EXPECT_EQ(res.discrepancies(), 0u);
  EXPECT_EQ(res.flaky(), 0u);
  EXPECT_EQ(res.states[0].lateConverged, 1u);
  EXPECT_GE(res.states[0].rounds, 3);  // disagreed, agreed, confirmed
}

TEST(Campaign, CellThatFlipsIsFlakyNotADiscrepancy) {
  ScriptedBackend b;
  Probe denied = probe("node/n1", "x/b:80/TCP");  // not pod=a, not b's own node: denied
  b.script[denied] = {K::Connected, K::Timeout, K::Connected};
  CaseRunner r(b, Profile{}, fastChecks());
  CaseResult res = r.run(smallCase());
  EXPECT_EQ(res.discrepancies(), 0u);
  EXPECT_EQ(res.flaky(), 1u);
  const CellOutcome* o = find(res.states[0], denied);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->status, CellStatus::Flaky);
  EXPECT_EQ(o->attempts.size(), 3u);
}

TEST(Campaign, RefusedIsAllowedOnlyWhereNothingServes) {
  ScriptedBackend b;
  Probe closed = probe("x/a", "svc/x/svc:9090/TCP");  // allowed, backend port 9999 not served
  Probe served = probe("x/a", "svc/x/svc:8080/TCP");  // allowed, served: a reset is wrong
  Probe denied = probe("node/n1", "x/b:80/TCP");      // denied: a reset still denies
  b.script[closed] = {K::Refused};
  b.script[served] = {K::Refused};
  b.script[denied] = {K::Refused};
  CaseRunner r(b, Profile{}, fastChecks());
  CaseResult res = r.run(smallCase());
  EXPECT_EQ(res.discrepancies(), 1u);
  ASSERT_NE(find(res.states[0], served), nullptr);
  EXPECT_EQ(find(res.states[0], served)->status, CellStatus::Fail);
  EXPECT_EQ(find(res.states[0], closed), nullptr);
  EXPECT_EQ(res.states[0].refusedDenied, 1u);
  Cluster c = smallCase().cluster;
  EXPECT_FALSE(destinationServed(c, closed));
  EXPECT_TRUE(destinationServed(c, served));
  EXPECT_TRUE(destinationServed(c, probe("x/a", "ip/192.0.2.1:80/TCP")));
  EXPECT_FALSE(destinationServed(c, probe("x/a", "x/b:81/TCP")));
  EXPECT_FALSE(destinationServed(c, probe("x/a", "x/b:80/UDP")));
}

TEST(Campaign, ErrorsAreRetriedAndNeverDiscrepancies) {
  ScriptedBackend b;
  Probe cb = probe("x/a", "x/b:80/TCP");
  b.script[cb] = {K::Error, K::Connected};
  Probe stuck = probe("node/n2", "x/a:80/TCP");
  b.script[stuck] = {K::Error};
  CaseRunner r(b, Profile{}, fastChecks());
  CaseResult res = r.run(smallCase());
  EXPECT_EQ(res.discrepancies(), 0u);
  EXPECT_EQ(res.errors(), 1u);
  EXPECT_EQ(res.backendError, "");  // one cell erroring is not a broken backend
}

TEST(Campaign, EveryProbeFailingIsABackendFailure) {
  ScriptedBackend b;
  Case c = smallCase();
  for (const auto& p : expandProbes(probeSetFor(c, c.cluster))) b.script[p] = {K::Error};
  CaseRunner r(b, Profile{}, fastChecks());
  CaseResult res = r.run(c);
  EXPECT_NE(res.backendError.find("every probe"), std::string::npos) << res.backendError;
}

TEST(Campaign, StepsAreAppliedByReconcileAndTheClusterIsReusedAcrossCases) {
  ScriptedBackend b;
  Case c = smallCase();
  Step del;
  del.action = Step::Action::DeletePolicy;
  del.namespace_ = "x";
  del.name = "only-a";
  c.meta.steps.push_back(del);
  Probe bb = probe("node/n1", "x/b:80/TCP");  // denied, then allowed once only-a is gone
  CaseRunner r(b, Profile{}, fastChecks());
  CaseResult first = r.run(c);
  ASSERT_EQ(first.states.size(), 2u);
  EXPECT_EQ(first.discrepancies(), 0u);
  EXPECT_FALSE(first.clusterReused);
  EXPECT_EQ(b.counters().setUps, 1);
  EXPECT_EQ(b.counters().reconciles, 1);
  EXPECT_TRUE(b.actual().policies.empty());
  // A backend that keeps denying n1 -> b after the deletion: a discrepancy in step 1 only.
  b.script[bb] = {K::Timeout};
  CaseResult second = r.run(c);
  EXPECT_TRUE(second.clusterReused);
  EXPECT_EQ(b.counters().setUps, 1);
  EXPECT_EQ(b.counters().reconciles, 3);
  EXPECT_EQ(second.states[0].failed, 0u);
  EXPECT_EQ(second.states[1].failed, 1u);
  // Other nodes: a fresh cluster.
  Case other = smallCase();
  other.cluster.nodes[1].internalIPs = {"172.18.0.9"};
  b.script.clear();
  CaseResult third = r.run(other);
  EXPECT_FALSE(third.clusterReused);
  EXPECT_EQ(b.counters().setUps, 2);
  EXPECT_EQ(b.counters().tearDowns, 1);
}

// `conformance` mixes plain cases with cases that record a profile: each saved case runs alone
// under its settings, and the plain case after it on a fresh cluster configured back.
TEST(Campaign, SessionMixesSavedAndPlainCases) {
  ScriptedBackend b;
  RunSettings loopback;
  loopback.profile.loopback = Profile::Loopback::Policy;
  std::vector<SessionCase> list(4);
  for (size_t i = 0; i < list.size(); ++i) {
    list[i].kase = smallCase();
    list[i].kase.meta.name = "c" + std::to_string(i);
  }
  list[2].settings = loopback;
  ListedCases cases(std::move(list));
  SessionOptions o;
  o.check = fastChecks();
  npf::testing::OnEachCase ignore;
  SessionResult res = runSession(b, cases, ignore, o);
  ASSERT_EQ(res.cases.size(), 4u);
  EXPECT_EQ(res.backendError, "");
  EXPECT_EQ(res.discrepancies(), 0u);
  EXPECT_TRUE(res.cases[1].clusterReused);
  EXPECT_FALSE(res.cases[2].clusterReused);
  EXPECT_FALSE(res.cases[3].clusterReused);
  EXPECT_EQ(b.counters().setUps, 3);     // c0 (c1 reuses it), c2, c3
  EXPECT_EQ(b.counters().tearDowns, 3);  // before c2, after it, at the end
  ASSERT_EQ(b.counters().configured.size(), 2u);
  EXPECT_EQ(b.counters().configured[0], loopback);
  EXPECT_EQ(b.counters().configured[1], RunSettings{});
}

TEST(Campaign, SetUpFailureStopsTheCampaignAsABackendFailure) {
  ScriptedBackend b;
  b.options().setUpError = "no CNI plugin";
  GeneratedCases cases(/*seed=*/1, /*firstIndex=*/0, /*count=*/5, ClusterSize::Small, {});
  SessionOptions o;
  o.check = fastChecks();
  npf::testing::OnEachCase ignore;
  SessionResult res = runSession(b, cases, ignore, o);
  EXPECT_EQ(res.cases.size(), 1u);
  EXPECT_NE(res.backendError.find("no CNI plugin"), std::string::npos);
}

TEST(Campaign, CampaignRunsGeneratedCasesAndStopsOnRequest) {
  ScriptedBackend b;
  GeneratedCases cases(/*seed=*/3, /*firstIndex=*/0, /*count=*/6, ClusterSize::Small, {});
  SessionOptions o;
  o.check = fastChecks();
  std::vector<std::string> names;
  npf::testing::OnEachCase record([&](const Case& c, const CaseResult& r) {
    names.push_back(c.meta.name);
    EXPECT_EQ(r.discrepancies(), 0u);
  });
  SessionResult res = runSession(b, cases, record, o);
  ASSERT_EQ(res.cases.size(), 6u);
  EXPECT_EQ(names.front(), "small-s3-0000");
  EXPECT_EQ(names.back(), "small-s3-0005");
  EXPECT_EQ(res.discrepancies(), 0u);

  std::atomic<bool> stop{true};
  o.stop = &stop;
  GeneratedCases again(/*seed=*/3, /*firstIndex=*/0, /*count=*/6, ClusterSize::Small, {});
  npf::testing::OnEachCase ignore;
  EXPECT_TRUE(runSession(b, again, ignore, o).interrupted);
}

TEST(Campaign, FailingCaseIsSavedWithItsObservedCellsAndLoadsBack) {
  ScriptedBackend b;
  Probe cb = probe("x/a", "x/b:80/TCP");
  b.script[cb] = {K::Timeout};
  CaseRunner r(b, Profile{}, fastChecks());
  Case c = smallCase();
  CaseResult res = r.run(c);
  RunInfo info;
  info.faults = {"MULTI_PEER_DROPPED"};
  info.profile.loopback = Profile::Loopback::Allow;
  info.started = "2026-11-28T10:00:00Z";
  info.command = "netpolfuzz fuzz --seed 1 --inject-fault 'MULTI_PEER_DROPPED'";
  Case saved = caseWithObservation(c, res, info);
  std::string path = ::testing::TempDir() + "/saved-case.yaml";
  {
    std::ofstream f(path);
    f << encodeCase(saved);
  }
  CaseLoad back = loadCaseFiles({path});
  ASSERT_TRUE(back.errors.empty()) << back.errors[0].message;
  ASSERT_TRUE(back.kase.meta.observed);
  EXPECT_EQ(back.kase.meta.observed->backend, "local");
  EXPECT_EQ(back.kase.meta.observed->faults, std::vector<std::string>{"MULTI_PEER_DROPPED"});
  ASSERT_EQ(back.kase.meta.observed->cells.size(), 1u);
  const ObservedCell& cell = back.kase.meta.observed->cells[0];
  EXPECT_EQ(cell.from, "x/a");
  EXPECT_EQ(cell.to, "x/b:80/TCP");
  EXPECT_EQ(cell.expected, "allow");
  EXPECT_EQ(cell.observed[0], "timeout");
  // Where it was seen travels with it, quoting and all.
  const auto& env = back.kase.meta.observed->environment;
  ASSERT_GE(env.size(), 4u);
  EXPECT_EQ(env[0], (std::pair<std::string, std::string>{"tool", info.tool}));
  EXPECT_EQ(env[1].first, "kernel");
  EXPECT_EQ(env[2], (std::pair<std::string, std::string>{"recorded", info.started}));
  EXPECT_EQ(env[3], (std::pair<std::string, std::string>{"command", info.command}));
  EXPECT_EQ(back.kase.meta.observed, saved.meta.observed);
  EXPECT_EQ(back.kase.cluster, c.cluster);
  // So does the profile it ran under, typed.
  EXPECT_EQ(back.kase.meta.profile, info.profile);
}

// spec.profile: KEY=VALUE settings over the default profile; a bad one is an error at its place.
TEST(Campaign, SavedProfileLoadsTypedAndBadSettingsAreErrorsWithTheirPlace) {
  std::string path = ::testing::TempDir() + "/profile-case.yaml";
  auto load = [&](const std::string& profileLine) {
    std::ofstream(path) << "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n"
                           "apiVersion: netpolfuzz.io/v1alpha1\nkind: Case\nmetadata: {name: p}\n"
                           "spec:\n"
                        << profileLine;
    return loadCaseFiles({path});
  };
  CaseLoad ok = load("  profile: [loopback=policy, ipblock-matches-pod-ips=false]\n");
  ASSERT_TRUE(ok.errors.empty()) << ok.errors[0].message;
  Profile want;
  want.loopback = Profile::Loopback::Policy;
  want.ipblockMatchesPodIps = false;
  EXPECT_EQ(ok.kase.meta.profile, want);
  EXPECT_FALSE(load("  tags: [a]\n").kase.meta.profile.has_value());

  CaseLoad bad = load("  profile:\n  - loopback=policy\n  - loopback=sometimes\n");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].line, 11);
  EXPECT_EQ(bad.errors[0].col, 5);
  EXPECT_NE(bad.errors[0].message.find("spec.profile[1]: profile loopback: 'sometimes'"),
            std::string::npos)
      << bad.errors[0].message;
  CaseLoad unknown = load("  profile: [colour=blue]\n");
  ASSERT_EQ(unknown.errors.size(), 1u);
  EXPECT_NE(unknown.errors[0].message.find("unknown profile key 'colour'"), std::string::npos);
}

TEST(Campaign, ResultsJsonHasTheDocumentedShape) {
  ScriptedBackend b;
  Probe cb = probe("x/a", "x/b:80/TCP");
  b.script[cb] = {K::Timeout};
  SessionResult res;
  CaseRunner r(b, Profile{}, fastChecks());
  res.cases.push_back(r.run(smallCase()));
  res.seconds = 1;
  RunInfo info;
  info.seed = 9;
  results::Results doc = toResults(res, info, {"failures/t.yaml"});
  std::string json = results::renderJson(doc);
  for (const char* key :
       {"\"schema\": \"netpolfuzz.results/v1\"", "\"discrepancies\": 1", "\"seed\": 9",
        "\"file\": \"failures/t.yaml\"", "\"status\": \"fail\"", "\"expected\": \"allow\"",
        "\"result\": \"timeout\"", "\"probesPerSecond\""})
    EXPECT_NE(json.find(key), std::string::npos) << key << "\n" << json;
  std::string summary = renderCampaignSummary(doc, "out");
  EXPECT_NE(summary.find("FAIL t (1 discrepancies)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("x/a -> x/b:80/TCP  expected allow, observed timeout"), std::string::npos)
      << summary;
}

}  // namespace
}  // namespace npf::runner

namespace npf::runner {
namespace {

TEST(Signature, NamesTheKindOfDisagreementNotTheObjects) {
  Case c = smallCase();
  Probe cb = probe("x/a", "x/b:80/TCP");
  std::string sig = discrepancySignature(c.cluster, cb, Verdict::Allow, K::Timeout, Profile{});
  EXPECT_EQ(sig.rfind("expected allow, observed timeout · ingress", 0), 0u) << sig;
  EXPECT_NE(sig.find("peer:pod-selector"), std::string::npos) << sig;
  EXPECT_NE(sig.find("port:number"), std::string::npos) << sig;
  EXPECT_EQ(sig.find("x/"), std::string::npos) << sig;
  EXPECT_EQ(sig.find("80"), std::string::npos) << sig;

  // The same bug with other names, labels and ports has the same signature.
  std::string yaml = kYaml;
  for (auto [from, to] : {std::pair<std::string, std::string>{"pod: a", "role: client"},
                          {"pod: b", "role: server"},
                          {"containerPort: 80", "containerPort: 8443"},
                          {"port: 80", "port: 8443"}}) {
    for (size_t at; (at = yaml.find(from)) != std::string::npos;) yaml.replace(at, from.size(), to);
  }
  auto other = decodeManifests(yaml, "o.yaml");
  ASSERT_TRUE(other.errors.empty()) << other.errors[0].message;
  EXPECT_EQ(discrepancySignature(other.cluster, probe("x/a", "x/b:8443/TCP"), Verdict::Allow,
                                 K::Timeout, Profile{}),
            sig);

  // Another direction, observation or step is another signature.
  std::string fromNode = discrepancySignature(c.cluster, probe("node/n1", "x/b:80/TCP"),
                                              Verdict::Deny, K::Connected, Profile{});
  EXPECT_EQ(fromNode.rfind("expected deny, observed connected · ingress", 0), 0u) << fromNode;
  EXPECT_NE(fromNode.find("from node"), std::string::npos) << fromNode;
  Step relabel;
  relabel.action = Step::Action::RelabelPod;
  EXPECT_NE(discrepancySignature(c.cluster, cb, Verdict::Allow, K::Timeout, Profile{}, &relabel)
                .find("after relabel-pod"),
            std::string::npos);
  EXPECT_EQ(discrepancySignature(c.cluster, probe("x/b", "x/a:80/TCP"), Verdict::Allow, K::Timeout,
                                 Profile{})
                .rfind("expected allow, observed timeout · no isolation", 0),
            0u);
}

// The tier that decided is part of the signature; policies that did not decide are not.
TEST(Signature, NamesTheDecidingTierAndOnlyItsRulesFeatures) {
  Case c = smallCase();
  auto extra = decodeManifests(R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass-to-np}
spec:
  priority: 5
  subject: {namespaces: {}}
  ingress:
  - {action: Pass, from: [{pods: {namespaceSelector: {}, podSelector: {}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: unrelated}
spec:
  priority: 1
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {matchLabels: {nobody: here}}}]}
  egress:
  - {action: Allow, to: [{networks: [192.0.2.0/24]}], ports: [{portRange: {start: 1, end: 9}}]}
)",
                               "cp.yaml");
  ASSERT_TRUE(extra.errors.empty()) << extra.errors[0].message;
  Cluster withTiers = c.cluster;
  withTiers.clusterPolicies = extra.cluster.clusterPolicies;
  Probe cb = probe("x/a", "x/b:80/TCP");
  std::string sig = discrepancySignature(withTiers, cb, Verdict::Allow, K::Timeout, Profile{});
  EXPECT_NE(sig.find("ingress admin tier Pass"), std::string::npos) << sig;
  EXPECT_NE(sig.find("cluster-action:Pass"), std::string::npos) << sig;
  EXPECT_NE(sig.find("cluster-peer:pods"), std::string::npos) << sig;
  // `unrelated` looked first and matched nothing: neither its "no match" nor its features.
  EXPECT_EQ(sig.find("no match"), std::string::npos) << sig;
  EXPECT_EQ(sig.find("cluster-peer:networks"), std::string::npos) << sig;
  EXPECT_EQ(sig.find("cluster-port:range"), std::string::npos) << sig;
  EXPECT_EQ(sig.find("Deny"), std::string::npos) << sig;
  // A cell nothing decided: the tiers that matched nothing are what it is about.
  std::string fell = discrepancySignature(withTiers, probe("node/n1", "x/a:80/TCP"), Verdict::Allow,
                                          K::Timeout, Profile{});
  EXPECT_NE(fell.find("admin tier no match"), std::string::npos) << fell;
  // A BaselineAdminNetworkPolicy (no priority in its name) deciding, directly and behind a Pass.
  auto banp = decodeManifests(R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {}}}]}]
)",
                              "banp.yaml");
  ASSERT_TRUE(banp.errors.empty()) << banp.errors[0].message;
  Cluster baseOnly = c.cluster;
  baseOnly.policies.clear();
  baseOnly.clusterPolicies = banp.cluster.clusterPolicies;
  std::string direct = discrepancySignature(baseOnly, cb, Verdict::Deny, K::Connected, Profile{});
  EXPECT_NE(direct.find("ingress baseline tier Deny"), std::string::npos) << direct;
  EXPECT_NE(direct.find("cluster:baseline-admin-network-policy"), std::string::npos) << direct;
  Cluster passed = baseOnly;
  passed.clusterPolicies.push_back(withTiers.clusterPolicies[0]);  // pass-to-np
  std::string behind = discrepancySignature(passed, cb, Verdict::Deny, K::Connected, Profile{});
  EXPECT_NE(behind.find("ingress admin tier Pass · ingress baseline tier Deny"), std::string::npos)
      << behind;
  EXPECT_EQ(behind.find("no match"), std::string::npos) << behind;
  // Without the cluster-scoped policies it is another signature.
  EXPECT_NE(discrepancySignature(c.cluster, cb, Verdict::Allow, K::Timeout, Profile{}), sig);
}

}  // namespace
}  // namespace npf::runner
