// Properties of the oracle: the matrix engine agrees with the reference evaluator on every
// cell, and the reference has the algebraic properties SEMANTICS.md implies (policies only
// add, order is irrelevant, unselected pods are unrestricted, profile knobs act only where
// they should).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "model/defaults.h"
#include "model/probe.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"
#include "tests/support/arbitrary.h"

// RC_ASSERT with a message (this RapidCheck has no RC_ASSERT_MSG).
#define CHECK_MSG(cond, msg)   \
  do {                         \
    if (!(cond)) RC_FAIL(msg); \
  } while (false)

namespace npf {
namespace {

std::string cellText(const Probe& p) {
  return toString(p.from) + " -> " + toString(p.target.to) + " " + std::to_string(p.target.port) +
         "/" + toString(p.target.protocol);
}

std::string verdictText(std::optional<Verdict> v) { return v ? toString(*v) : "skip"; }

// Every endpoint kind as source and destination, including ones that cannot be probed
// (unknown pods, Services as sources, ports no Service has). Long runs of distinct direct
// targets exercise the engine's 32-cells-at-a-time path; repeated sources its 64-row stripes.
ProbeSet extendedProbeSet(const Cluster& c) {
  ProbeSet ps = defaultProbeSet(c);

  std::vector<Endpoint> sources;
  for (const auto& p : c.pods) sources.push_back(Endpoint::pod(p.meta.namespace_, p.meta.name));
  for (const auto& n : c.nodes) sources.push_back(Endpoint::node(n.meta.name));
  for (const auto& h : c.externalHosts) sources.push_back(Endpoint::external(h.ip));
  sources.push_back(Endpoint::pod("nowhere", "nobody"));
  sources.push_back(Endpoint::node("no-such-node"));
  if (!c.services.empty())
    sources.push_back(Endpoint::service(c.services[0].meta.namespace_, c.services[0].meta.name));

  std::vector<Target> targets;
  const std::vector<std::pair<int32_t, Protocol>> ports = {
      {80, Protocol::TCP}, {81, Protocol::TCP},  {443, Protocol::TCP},  {8080, Protocol::TCP},
      {53, Protocol::UDP}, {81, Protocol::SCTP}, {9090, Protocol::TCP}, {53, Protocol::TCP}};
  for (const auto& p : c.pods)
    for (const auto& [port, proto] : ports)
      targets.push_back({Endpoint::pod(p.meta.namespace_, p.meta.name), port, proto});
  for (const auto& n : c.nodes)
    for (const auto& [port, proto] : ports)
      targets.push_back({Endpoint::node(n.meta.name), port, proto});
  for (const auto& h : c.externalHosts)
    for (const auto& [port, proto] : ports)
      targets.push_back({Endpoint::external(h.ip), port, proto});
  // From here on the targets break the identity prefix: Services, unknowns, duplicates.
  for (const auto& s : c.services) {
    for (const auto& sp : s.ports)
      targets.push_back(
          {Endpoint::service(s.meta.namespace_, s.meta.name), sp.port, sp.effectiveProtocol()});
    targets.push_back({Endpoint::service(s.meta.namespace_, s.meta.name), 1, Protocol::UDP});
  }
  targets.push_back({Endpoint::pod("nowhere", "nobody"), 80, Protocol::TCP});
  targets.push_back({Endpoint::node("no-such-node"), 80, Protocol::TCP});
  targets.push_back({Endpoint::service("nowhere", "nothing"), 80, Protocol::TCP});
  targets.push_back({Endpoint::external("not-an-ip"), 80, Protocol::TCP});
  if (!targets.empty()) targets.push_back(targets.front());
  for (const auto& p : c.pods)
    for (const auto& ctr : p.containers)
      for (const auto& cp : ctr.ports)
        targets.push_back({Endpoint::pod(p.meta.namespace_, p.meta.name), cp.containerPort,
                           cp.effectiveProtocol()});

  ps.blocks.push_back({sources, targets});

  // More than 64 sources (stripes), against the default targets and the Services.
  ProbeBlock many;
  for (int r = 0; r < 6; ++r)
    many.sources.insert(many.sources.end(), sources.begin(), sources.end());
  for (const auto& b : defaultProbeSet(c).blocks)
    many.targets.insert(many.targets.end(), b.targets.begin(), b.targets.end());
  ps.blocks.push_back(std::move(many));
  return ps;
}

// Asserts that the engine gives exactly the reference's answer on every cell.
void checkAgreement(const Cluster& c, const ProbeSet& ps, const Profile& prof) {
  Matrix m = computeMatrix(c, ps, prof);
  RC_ASSERT(m.size() == ps.cellCount());
  size_t i = 0;
  ps.forEach([&](const Probe& p) {
    Explanation why;
    auto want = evaluateProbe(c, p, prof, &why);
    auto got = m.verdict(i);
    if (want != got)
      RC_FAIL("cell " + std::to_string(i) + " " + cellText(p) + ": engine " + verdictText(got) +
              ", reference " + verdictText(want) + "\n" + renderExplanation(p, want, why));
    ++i;
  });
}

std::vector<std::optional<Verdict>> referenceVerdicts(const Cluster& c, const ProbeSet& ps,
                                                      const Profile& prof) {
  std::vector<std::optional<Verdict>> out;
  ps.forEach([&](const Probe& p) { out.push_back(evaluateProbe(c, p, prof)); });
  return out;
}

std::vector<Probe> probesOf(const ProbeSet& ps) {
  std::vector<Probe> out;
  ps.forEach([&](const Probe& p) { out.push_back(p); });
  return out;
}

// The policy types a policy has after the apiserver's defaulting.
std::vector<PolicyType> effectiveTypes(const NetworkPolicy& p) {
  if (p.policyTypes && !p.policyTypes->empty()) return *p.policyTypes;
  std::vector<PolicyType> t = {PolicyType::Ingress};
  if (p.egress && !p.egress->empty()) t.push_back(PolicyType::Egress);
  return t;
}

bool hasType(const NetworkPolicy& p, PolicyType t) {
  auto types = effectiveTypes(p);
  return std::find(types.begin(), types.end(), t) != types.end();
}

// A third, minimal selector matcher: only for deciding which pods the tests consider selected.
bool matches(const LabelSelector& s, const Labels& l) {
  for (const auto& [k, v] : s.matchLabels)
    if (!l.count(k) || l.at(k) != v) return false;
  for (const auto& r : s.matchExpressions) {
    bool has = l.count(r.key) > 0;
    bool in = has && std::count(r.values.begin(), r.values.end(), l.at(r.key)) > 0;
    bool ok = r.op == SelectorOp::In       ? in
              : r.op == SelectorOp::NotIn  ? !in
              : r.op == SelectorOp::Exists ? has
                                           : !has;
    if (!ok) return false;
  }
  return true;
}

bool selectedFor(const Cluster& c, const Pod& pod, PolicyType t) {
  for (const auto& pol : c.policies)
    if (pol.meta.namespace_ == pod.meta.namespace_ && hasType(pol, t) &&
        (!pol.podSelector || matches(*pol.podSelector, pod.meta.labels)))
      return true;
  return false;
}

// Drops direction `t` from every policy (dropping policies left with no type).
Cluster withoutDirection(Cluster c, PolicyType t) {
  std::vector<NetworkPolicy> kept;
  for (auto p : c.policies) {
    auto types = effectiveTypes(p);
    types.erase(std::remove(types.begin(), types.end(), t), types.end());
    if (types.empty()) continue;
    p.policyTypes = types;
    kept.push_back(p);
  }
  c.policies = kept;
  return c;
}

bool isSelfCell(const Cluster& c, const Probe& p) {
  if (p.from.kind != Endpoint::Kind::Pod) return false;
  if (p.target.to.kind == Endpoint::Kind::Pod) return p.from == p.target.to;
  if (p.target.to.kind != Endpoint::Kind::Service) return false;
  // A Service with the source among its selected pods: a hairpin candidate.
  const Service* s = c.findService(p.target.to.namespace_, p.target.to.name);
  const Pod* pod = c.findPod(p.from.namespace_, p.from.name);
  if (!s || !pod || !s->selector || s->selector->empty() ||
      pod->meta.namespace_ != s->meta.namespace_)
    return false;
  for (const auto& [k, v] : *s->selector)
    if (!pod->meta.labels.count(k) || pod->meta.labels.at(k) != v) return false;
  return true;
}

// ---------------------------------------------------------------- engine == reference

RC_GTEST_PROP(OracleProperty, MatrixAgreesWithReferenceOnDefaultProbeSet, ()) {
  Cluster c = *arb::genCluster();
  Profile prof = *arb::genProfile();
  checkAgreement(c, defaultProbeSet(c), prof);
}

RC_GTEST_PROP(OracleProperty, MatrixAgreesWithReferenceOnEveryEndpointKind, ()) {
  Cluster c = *arb::genCluster();
  Profile prof = *arb::genProfile();
  checkAgreement(c, extendedProbeSet(c), prof);
}

RC_GTEST_PROP(OracleProperty, MatrixAgreesWithReferenceOnDenseClusters, ()) {
  // Many policies over few pods: every cell is decided by several rules at once.
  Cluster c = *arb::genCluster();
  int extra = *rc::gen::inRange(3, 9);
  for (int i = 0; i < extra; ++i) c.policies.push_back(*arb::genPolicyFor(c));
  Profile prof = *arb::genProfile();
  checkAgreement(c, extendedProbeSet(c), prof);
}

RC_GTEST_PROP(OracleProperty, MatrixAgreesWithReferenceWithClusterScopedPolicies, ()) {
  Cluster c = *arb::genCluster();
  for (auto& n : c.nodes)
    if (*rc::gen::inRange(0, 2) == 0) n.meta.labels["kubernetes.io/hostname"] = n.meta.name;
  c.clusterPolicies = *arb::genClusterPoliciesFor(c);
  Profile prof = *arb::genProfile();
  checkAgreement(c, extendedProbeSet(c), prof);
}

// ---------------------------------------------------------------- policies only add

RC_GTEST_PROP(OracleProperty, AddingRuleNeverTurnsAllowIntoDeny, ()) {
  Cluster c = *arb::genCluster();
  RC_PRE(!c.policies.empty());
  Profile prof = *arb::genProfile();
  size_t pi = size_t(*rc::gen::inRange<size_t>(0, c.policies.size()));
  // Pin the defaulted policy types so that a new egress rule does not add Egress isolation.
  c.policies[pi].policyTypes = effectiveTypes(c.policies[pi]);
  Cluster more = c;
  bool ingress = *rc::gen::arbitrary<bool>();
  auto& rules = ingress ? more.policies[pi].ingress : more.policies[pi].egress;
  if (!rules) rules.emplace();
  size_t at = size_t(*rc::gen::inRange<size_t>(0, rules->size() + 1));
  rules->insert(rules->begin() + long(at), *arb::genRuleFor(c));

  ProbeSet ps = extendedProbeSet(c);
  auto before = referenceVerdicts(c, ps, prof), after = referenceVerdicts(more, ps, prof);
  auto probes = probesOf(ps);
  for (size_t i = 0; i < before.size(); ++i)
    if (before[i] == Verdict::Allow)
      CHECK_MSG(after[i] == Verdict::Allow,
                cellText(probes[i]) + " became " + verdictText(after[i]));
  checkAgreement(more, ps, prof);
}

RC_GTEST_PROP(OracleProperty, AddingPolicyOverIsolatedPodsNeverTurnsAllowIntoDeny, ()) {
  Cluster c = *arb::genCluster();
  RC_PRE(!c.policies.empty());
  Profile prof = *arb::genProfile();
  // A new policy selecting exactly what an existing one selects, for the same directions:
  // it isolates nothing new, so it can only add.
  const NetworkPolicy& model = c.policies[size_t(*rc::gen::inRange<size_t>(0, c.policies.size()))];
  NetworkPolicy extra = *arb::genPolicyFor(c);
  extra.meta.namespace_ = model.meta.namespace_;
  extra.podSelector = model.podSelector;
  extra.policyTypes = effectiveTypes(model);
  Cluster more = c;
  more.policies.insert(
      more.policies.begin() + long(*rc::gen::inRange<size_t>(0, c.policies.size() + 1)), extra);

  ProbeSet ps = extendedProbeSet(c);
  auto before = referenceVerdicts(c, ps, prof), after = referenceVerdicts(more, ps, prof);
  auto probes = probesOf(ps);
  for (size_t i = 0; i < before.size(); ++i)
    if (before[i] == Verdict::Allow)
      CHECK_MSG(after[i] == Verdict::Allow,
                cellText(probes[i]) + " became " + verdictText(after[i]));
}

RC_GTEST_PROP(OracleProperty, AnyNewPolicyOnlyDeniesWhereItIsolatesAnew, ()) {
  Cluster c = *arb::genCluster();
  Profile prof = *arb::genProfile();
  Cluster more = c;
  more.policies.push_back(*arb::genPolicyFor(c));
  ProbeSet ps = defaultProbeSet(c);
  auto before = referenceVerdicts(c, ps, prof), after = referenceVerdicts(more, ps, prof);
  auto probes = probesOf(ps);
  for (size_t i = 0; i < before.size(); ++i) {
    if (before[i] != Verdict::Allow || after[i] == Verdict::Allow) continue;
    // Allow -> not allow: the new policy must isolate the source for egress or the
    // destination (pod) for ingress where nothing did before.
    const Probe& p = probes[i];
    const Pod* from =
        p.from.kind == Endpoint::Kind::Pod ? c.findPod(p.from.namespace_, p.from.name) : nullptr;
    const Pod* to = p.target.to.kind == Endpoint::Kind::Pod
                        ? c.findPod(p.target.to.namespace_, p.target.to.name)
                        : nullptr;
    bool newEgress = from && !from->hostNetwork && !selectedFor(c, *from, PolicyType::Egress) &&
                     selectedFor(more, *from, PolicyType::Egress);
    bool newIngress = to && !to->hostNetwork && !selectedFor(c, *to, PolicyType::Ingress) &&
                      selectedFor(more, *to, PolicyType::Ingress);
    bool service = p.target.to.kind == Endpoint::Kind::Service;  // backends: judged like pods
    CHECK_MSG(newEgress || newIngress || service, cellText(p) + " became " + verdictText(after[i]));
  }
}

// ---------------------------------------------------------------- order, defaulting

RC_GTEST_PROP(OracleProperty, PolicyOrderIsIrrelevant, ()) {
  Cluster c = *arb::genCluster();
  Profile prof = *arb::genProfile();
  Cluster shuffled = c;
  std::reverse(shuffled.policies.begin(), shuffled.policies.end());
  if (!shuffled.policies.empty()) {
    size_t k = size_t(*rc::gen::inRange<size_t>(0, shuffled.policies.size()));
    std::rotate(shuffled.policies.begin(), shuffled.policies.begin() + long(k),
                shuffled.policies.end());
  }
  ProbeSet ps = extendedProbeSet(c);
  RC_ASSERT(referenceVerdicts(c, ps, prof) == referenceVerdicts(shuffled, ps, prof));
  Matrix a = computeMatrix(c, ps, prof), b = computeMatrix(shuffled, ps, prof);
  for (size_t i = 0; i < a.size(); ++i) RC_ASSERT(a.get(i) == b.get(i));
}

RC_GTEST_PROP(OracleProperty, ExplicitDefaultedPolicyTypesChangeNothing, ()) {
  Cluster c = *arb::genCluster();
  Profile prof = *arb::genProfile();
  Cluster explicitTypes = c;
  for (auto& p : explicitTypes.policies) p.policyTypes = effectiveTypes(p);
  ProbeSet ps = defaultProbeSet(c);
  RC_ASSERT(referenceVerdicts(c, ps, prof) == referenceVerdicts(explicitTypes, ps, prof));
}

// `expect` computes on the API server's defaulted objects (model/defaults.h): absent fields
// already meant their defaults, so both engines answer exactly as before, on every endpoint kind.
RC_GTEST_PROP(OracleProperty, ApiServerDefaultingChangesNothing, ()) {
  Cluster c = *arb::genCluster();
  Profile prof = *arb::genProfile();
  Cluster defaulted = c;
  applyDefaults(defaulted);
  ProbeSet ps = extendedProbeSet(c);
  RC_ASSERT(referenceVerdicts(c, ps, prof) == referenceVerdicts(defaulted, ps, prof));
  Matrix a = computeMatrix(c, ps, prof), b = computeMatrix(defaulted, ps, prof);
  for (size_t i = 0; i < a.size(); ++i) RC_ASSERT(a.get(i) == b.get(i));
}

RC_GTEST_PROP(OracleProperty, RulesOfUnlistedTypesAreIgnored, ()) {
  Cluster c = *arb::genCluster();
  Profile prof = *arb::genProfile();
  Cluster stripped = c;
  for (auto& p : stripped.policies) {
    p.policyTypes = effectiveTypes(p);
    if (!hasType(p, PolicyType::Ingress)) p.ingress.reset();
    if (!hasType(p, PolicyType::Egress)) p.egress.reset();
  }
  ProbeSet ps = defaultProbeSet(c);
  RC_ASSERT(referenceVerdicts(c, ps, prof) == referenceVerdicts(stripped, ps, prof));
}

// ---------------------------------------------------------------- unselected pods

RC_GTEST_PROP(OracleProperty, PodsSelectedByNoPolicyAreUnrestricted, ()) {
  Cluster c = *arb::genCluster();
  Profile prof = *arb::genProfile();
  ProbeSet ps = extendedProbeSet(c);
  auto probes = probesOf(ps);
  auto all = referenceVerdicts(c, ps, prof);
  auto noIngress = referenceVerdicts(withoutDirection(c, PolicyType::Ingress), ps, prof);
  auto noEgress = referenceVerdicts(withoutDirection(c, PolicyType::Egress), ps, prof);
  for (size_t i = 0; i < probes.size(); ++i) {
    const Probe& p = probes[i];
    if (p.target.to.kind == Endpoint::Kind::Pod)
      if (const Pod* to = c.findPod(p.target.to.namespace_, p.target.to.name))
        if (!selectedFor(c, *to, PolicyType::Ingress))
          CHECK_MSG(all[i] == noIngress[i],
                    cellText(p) + ": destination is selected by no ingress policy");
    if (p.from.kind == Endpoint::Kind::Pod)
      if (const Pod* from = c.findPod(p.from.namespace_, p.from.name))
        if (!selectedFor(c, *from, PolicyType::Egress))
          CHECK_MSG(all[i] == noEgress[i],
                    cellText(p) + ": source is selected by no egress policy");
    // Nodes and external hosts are never egress-isolated.
    if (p.from.kind == Endpoint::Kind::Node || p.from.kind == Endpoint::Kind::External)
      RC_ASSERT(all[i] == noEgress[i]);
  }
}

RC_GTEST_PROP(OracleProperty, WithoutPoliciesEverythingIsAllowed, ()) {
  Cluster c = *arb::genCluster();
  c.policies.clear();
  Profile prof = *arb::genProfile();
  ProbeSet ps = extendedProbeSet(c);
  auto probes = probesOf(ps);
  auto v = referenceVerdicts(c, ps, prof);
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i] || isSelfCell(c, probes[i])) continue;
    CHECK_MSG(*v[i] == Verdict::Allow, cellText(probes[i]));
  }
  checkAgreement(c, ps, prof);
}

// ---------------------------------------------------------------- profile knobs

RC_GTEST_PROP(OracleProperty, LoopbackKnobOnlyAffectsSelfCells, ()) {
  Cluster c = *arb::genCluster();
  Profile a = *arb::genProfile(), b = a;
  a.loopback = Profile::Loopback::Undefined;
  b.loopback = Profile::Loopback::Policy;
  Profile allow = a;
  allow.loopback = Profile::Loopback::Allow;
  ProbeSet ps = extendedProbeSet(c);
  auto probes = probesOf(ps);
  auto va = referenceVerdicts(c, ps, a), vb = referenceVerdicts(c, ps, b),
       vallow = referenceVerdicts(c, ps, allow);
  for (size_t i = 0; i < probes.size(); ++i) {
    const Probe& p = probes[i];
    bool self = isSelfCell(c, p);
    if (!self) {
      RC_ASSERT(va[i] == vb[i]);
      RC_ASSERT(va[i] == vallow[i]);
    } else if (p.target.to.kind == Endpoint::Kind::Pod && va[i]) {
      RC_ASSERT(*va[i] == Verdict::Undefined);
      RC_ASSERT(*vallow[i] == Verdict::Allow);
      RC_ASSERT(*vb[i] != Verdict::Undefined);
    }
  }
}

RC_GTEST_PROP(OracleProperty, IpBlockKnobMattersOnlyWithIpBlocks, ()) {
  Cluster c = *arb::genCluster();
  Profile a = *arb::genProfile(), b = a;
  a.ipblockMatchesPodIps = true;
  b.ipblockMatchesPodIps = false;
  bool anyIpBlock = false;
  for (const auto& p : c.policies)
    for (const auto* rules : {&p.ingress, &p.egress})
      if (*rules)
        for (const auto& r : **rules)
          if (r.peers)
            for (const auto& peer : *r.peers) anyIpBlock = anyIpBlock || peer.ipBlock.has_value();
  ProbeSet ps = extendedProbeSet(c);
  auto va = referenceVerdicts(c, ps, a), vb = referenceVerdicts(c, ps, b);
  auto probes = probesOf(ps);
  for (size_t i = 0; i < va.size(); ++i) {
    if (!anyIpBlock) RC_ASSERT(va[i] == vb[i]);
    // Matching fewer addresses never allows more.
    if (va[i] == Verdict::Deny) CHECK_MSG(vb[i] == Verdict::Deny, cellText(probes[i]));
    // Cells between nodes and external hosts only never involve pod IPs.
    bool podFree = (probes[i].from.kind == Endpoint::Kind::Node ||
                    probes[i].from.kind == Endpoint::Kind::External) &&
                   (probes[i].target.to.kind == Endpoint::Kind::Node ||
                    probes[i].target.to.kind == Endpoint::Kind::External);
    if (podFree) RC_ASSERT(va[i] == vb[i]);
  }
}

RC_GTEST_PROP(OracleProperty, HostnetworkKnobMattersOnlyWithHostNetworkPods, ()) {
  Cluster c = *arb::genCluster();
  Profile a = *arb::genProfile(), b = a;
  a.hostnetworkSelectable = false;
  b.hostnetworkSelectable = true;
  bool anyHostNet =
      std::any_of(c.pods.begin(), c.pods.end(), [](const Pod& p) { return p.hostNetwork; });
  ProbeSet ps = extendedProbeSet(c);
  if (!anyHostNet) RC_ASSERT(referenceVerdicts(c, ps, a) == referenceVerdicts(c, ps, b));
  checkAgreement(c, ps, b);
}

RC_GTEST_PROP(OracleProperty, EgressToOwnNodeKnobOnlyAddsNodeDestinations, ()) {
  Cluster c = *arb::genCluster();
  Profile a = *arb::genProfile(), b = a;
  a.egressToOwnNode = Profile::EgressToOwnNode::Policy;
  b.egressToOwnNode = Profile::EgressToOwnNode::Allow;
  ProbeSet ps = extendedProbeSet(c);
  auto va = referenceVerdicts(c, ps, a), vb = referenceVerdicts(c, ps, b);
  auto probes = probesOf(ps);
  for (size_t i = 0; i < va.size(); ++i) {
    const Probe& p = probes[i];
    if (va[i] == Verdict::Allow) RC_ASSERT(vb[i] == Verdict::Allow);
    bool nodeLike = p.target.to.kind == Endpoint::Kind::Node;
    if (p.target.to.kind == Endpoint::Kind::Pod)
      if (const Pod* to = c.findPod(p.target.to.namespace_, p.target.to.name))
        nodeLike = to->hostNetwork;
    if (p.target.to.kind == Endpoint::Kind::Service)
      nodeLike = true;  // backends may be hostNetwork
    if (!nodeLike) CHECK_MSG(va[i] == vb[i], cellText(p));
  }
}

RC_GTEST_PROP(OracleProperty, IngressFromOwnNodeIsAlwaysAllowed, ()) {
  Cluster c = *arb::genCluster();
  Profile prof = *arb::genProfile();
  for (const auto& pod : c.pods) {
    if (pod.podIP.empty() || pod.hostNetwork) continue;
    const Node* n = c.findNode(pod.nodeName);
    if (!n) continue;
    for (const auto& ctr : pod.containers)
      for (const auto& cp : ctr.ports) {
        Probe p{Endpoint::node(n->meta.name),
                {Endpoint::pod(pod.meta.namespace_, pod.meta.name), cp.containerPort,
                 cp.effectiveProtocol()}};
        auto v = evaluateProbe(c, p, prof);
        if (v) CHECK_MSG(*v == Verdict::Allow, cellText(p));
      }
  }
}

}  // namespace
}  // namespace npf
