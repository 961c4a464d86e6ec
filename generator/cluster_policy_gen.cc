#include "generator/cluster_policy_gen.h"

#include <fmt/format.h>

#include <algorithm>

#include "generator/cluster_gen.h"
#include "model/ip.h"

namespace npf {
namespace {

// Context of the cluster-scoped policies of one case.
struct ClusterPolicyGen {
  Random& rng;
  const Cluster& c;
  const GeneratorWeights& w;
  bool v2;  // ClusterNetworkPolicy (v1alpha2) rather than ANP/BANP (v1alpha1)

  ClusterPolicyKind adminKind() const {
    return v2 ? ClusterPolicyKind::ClusterNetworkPolicy : ClusterPolicyKind::AdminNetworkPolicy;
  }
  ClusterPolicyKind baselineKind() const {
    return v2 ? ClusterPolicyKind::ClusterNetworkPolicy
              : ClusterPolicyKind::BaselineAdminNetworkPolicy;
  }

  LabelSelector namespaceSelector() {
    LabelSelector s;
    switch (rng.below(4)) {
      case 0:
        return s;  // every namespace
      case 1:
        s.matchLabels[kNamespaceNameLabel] = rng.pick(c.namespaces).meta.name;
        return s;
      case 2: {
        const auto& [key, values] = rng.pick(labelVocabulary().namespaceLabels);
        s.matchLabels[key] = rng.pick(values);
        return s;
      }
      default: {
        std::vector<std::string> names;
        for (const auto& n : c.namespaces) names.push_back(n.meta.name);
        s.matchExpressions.push_back({kNamespaceNameLabel,
                                      rng.percent(50) ? SelectorOp::In : SelectorOp::NotIn,
                                      rng.subset(names, size_t(rng.range(1, 2)))});
        return s;
      }
    }
  }

  LabelSelector podSelector() {
    LabelSelector s;
    if (rng.percent(20)) return s;
    if (rng.percent(50)) {
      s.matchLabels["pod"] = rng.pick(std::vector<std::string>{"a", "b", "c"});
    } else {
      const auto& [key, values] = rng.pick(labelVocabulary().podLabels);
      s.matchLabels[key] = rng.pick(values);
    }
    return s;
  }

  NamespacedPods pods() {
    NamespacedPods p;
    // v1alpha1 requires the namespace selector; v1alpha2 reads its absence as every namespace.
    if (!v2 || rng.percent(70)) p.namespaceSelector = namespaceSelector();
    p.podSelector = podSelector();
    return p;
  }

  ClusterPolicySubject subject() {
    ClusterPolicySubject s;
    if (rng.percent(40))
      s.namespaces = namespaceSelector();
    else
      s.pods = pods();
    return s;
  }

  // A CIDR around a pod's, a node's or an external host's address (the prefix makes it cover
  // one address or a node's whole pod subnet), or a wide one.
  std::string network() {
    std::vector<std::string> addrs;
    for (const auto& p : c.pods)
      if (!p.hostNetwork) addrs.insert(addrs.end(), p.podIPs.begin(), p.podIPs.end());
    for (const auto& n : c.nodes)
      addrs.insert(addrs.end(), n.internalIPs.begin(), n.internalIPs.end());
    for (const auto& e : c.externalHosts) addrs.push_back(e.ip);
    auto ip = addrs.empty() ? std::nullopt : parseIp(rng.pick(addrs));
    if (!ip || rng.percent(10)) return rng.percent(50) ? "0.0.0.0/0" : "10.0.0.0/8";
    const bool v4 = ip->family == IpFamily::V4;
    const int prefixes4[] = {32, 24, 16}, prefixes6[] = {128, 64, 48};
    int prefix = v4 ? rng.pick(prefixes4) : rng.pick(prefixes6);
    return toString(*parseCidr(toString(*ip) + "/" + std::to_string(prefix)));
  }

  ClusterPolicyPeer peer(bool egress) {
    ClusterPolicyPeer p;
    const int kinds[] = {35, 35, egress ? 12 : 0, egress ? 18 : 0};  // ns, pods, nodes, networks
    switch (rng.weighted(kinds)) {
      case 0:
        p.namespaces = namespaceSelector();
        break;
      case 1:
        p.pods = pods();
        break;
      case 2: {
        LabelSelector s;
        if (rng.percent(50)) s.matchLabels["kubernetes.io/hostname"] = rng.pick(c.nodes).meta.name;
        p.nodes = s;
        break;
      }
      default: {
        std::vector<std::string> nets{network()};
        if (rng.percent(25))  // a set: no duplicates
          if (std::string more = network(); more != nets[0]) nets.push_back(more);
        p.networks = nets;
      }
    }
    return p;
  }

  // Ports the pods serve, so that port matches decide real cells.
  ClusterPolicyPort port() {
    std::vector<const ContainerPort*> served;
    for (const auto& p : c.pods)
      for (const auto& ctr : p.containers)
        for (const auto& cp : ctr.ports) served.push_back(&cp);
    ClusterPolicyPort out;
    if (served.empty()) {
      out.port = 80;
      return out;
    }
    const ContainerPort& cp = *rng.pick(served);
    if (!cp.name.empty() && rng.percent(30)) {
      out.kind = ClusterPolicyPort::Kind::Named;
      out.name = cp.name;
      return out;
    }
    // v1alpha2 always names the protocol; v1alpha1 defaults it to TCP.
    if (v2 || cp.effectiveProtocol() != Protocol::TCP || rng.percent(50))
      out.protocol = cp.effectiveProtocol();
    out.port = cp.containerPort;
    if (rng.percent(25)) {
      out.kind = ClusterPolicyPort::Kind::Range;
      out.port = std::max<int32_t>(1, cp.containerPort - int32_t(rng.range(0, 10)));
      out.endPort = cp.containerPort + int32_t(rng.range(1, 100));
    }
    return out;
  }

  ClusterPolicyRule rule(bool egress, bool baseline, size_t index) {
    ClusterPolicyRule r;
    // Pass exists in the admin tier of both APIs and in v1alpha2's baseline tier.
    const bool pass = !baseline || v2;
    const int actions[] = {40, 40, pass ? 30 : 0};  // Allow, Deny, Pass
    r.action = ClusterRuleAction(rng.weighted(actions));
    if (rng.percent(50)) r.name = fmt::format("r{}", index);
    int peers = int(rng.range(1, 2));
    for (int i = 0; i < peers; ++i) r.peers.push_back(peer(egress));
    if (rng.percent(45)) {
      r.ports.emplace();
      int n = int(rng.range(1, 2));
      for (int i = 0; i < n; ++i) r.ports->push_back(port());
    }
    return r;
  }

  ClusterPolicy policy(bool baseline, const std::string& name, int32_t priority) {
    ClusterPolicy p;
    p.kind = baseline ? baselineKind() : adminKind();
    p.tier = baseline ? PolicyTier::Baseline : PolicyTier::Admin;
    p.meta.name = name;
    p.priority = p.kind == ClusterPolicyKind::BaselineAdminNetworkPolicy ? 0 : priority;
    p.subject = subject();
    bool in = rng.percent(75), eg = rng.percent(50);
    if (!in && !eg) in = true;
    for (bool egress : {false, true}) {
      if (!(egress ? eg : in)) continue;
      std::vector<ClusterPolicyRule> rules;
      // At least one, and within the CRDs' limit (25 in v1alpha2, 100 in v1alpha1).
      int n = int(rng.range(1, std::clamp(w.maxClusterRules, 1, v2 ? 25 : 100)));
      for (int i = 0; i < n; ++i) rules.push_back(rule(egress, baseline, size_t(i)));
      (egress ? p.egress : p.ingress) = std::move(rules);
    }
    return p;
  }

  // Close together on purpose: ties and near-ties are where implementations differ.
  int32_t priority(int32_t base) {
    const int32_t offsets[] = {0, 0, 1, 2, 10};
    return base + rng.pick(offsets);
  }
};

bool hasRules(const ClusterPolicy& p, bool egress) {
  const auto& rules = egress ? p.egress : p.ingress;
  return rules && rules->size() > 1;
}

}  // namespace

std::vector<ClusterPolicy> generateClusterPolicies(Random& rng, const Cluster& c,
                                                   const GeneratorWeights& w) {
  ClusterPolicyGen g{rng, c, w, rng.percent(w.clusterNetworkPolicyApi)};
  std::vector<ClusterPolicy> out;
  const int32_t base = int32_t(rng.range(0, 20));
  int admins = int(rng.range(1, std::clamp(w.maxClusterPolicies, 1, 100)));
  for (int i = 0; i < admins; ++i)
    out.push_back(g.policy(false, fmt::format("admin-{}", i + 1), g.priority(base)));
  if (rng.percent(w.baselinePolicy))
    out.push_back(g.policy(true, g.v2 ? "baseline-1" : "default", g.priority(base)));
  return out;
}

Step randomClusterPolicyStep(Random& rng, const Cluster& state, const GeneratorWeights& w,
                             int serial) {
  using A = Step::Action;
  bool v2 = std::any_of(
      state.clusterPolicies.begin(), state.clusterPolicies.end(),
      [](const ClusterPolicy& p) { return p.kind == ClusterPolicyKind::ClusterNetworkPolicy; });
  ClusterPolicyGen g{rng, state, w, v2};
  Step s;
  // Swap rule order, move a priority, replace, delete, create.
  const int weights[] = {
      state.clusterPolicies.empty() ? 0 : 35, state.clusterPolicies.empty() ? 0 : 20,
      state.clusterPolicies.empty() ? 0 : 15, state.clusterPolicies.empty() ? 0 : 10, 20};
  const size_t choice = rng.weighted(weights);
  if (choice == 4) {
    s.action = A::CreateClusterPolicy;
    const int32_t base = state.clusterPolicies.empty() ? 10 : state.clusterPolicies[0].priority;
    s.clusterPolicy = g.policy(false, fmt::format("step-admin-{}", serial), g.priority(base));
    return s;
  }
  const ClusterPolicy& old = rng.pick(state.clusterPolicies);
  if (choice == 3) {
    s.action = A::DeleteClusterPolicy;
    s.kind = old.kind;
    s.name = old.meta.name;
    return s;
  }
  s.action = A::UpdateClusterPolicy;
  ClusterPolicy next = old;
  if (choice == 0 && (hasRules(old, false) || hasRules(old, true))) {
    // The same rules in another order: only an implementation that honours the order sees a
    // change.
    bool egress = hasRules(old, true) && (!hasRules(old, false) || rng.percent(50));
    auto& rules = *(egress ? next.egress : next.ingress);
    std::reverse(rules.begin(), rules.end());
  } else if (choice <= 1 && old.kind != ClusterPolicyKind::BaselineAdminNetworkPolicy) {
    next.priority = std::clamp<int32_t>(old.priority + int32_t(rng.range(-3, 3)), 0, 1000);
    if (next.priority == old.priority) next.priority = old.priority == 0 ? 1 : old.priority - 1;
  } else {
    next = g.policy(old.tier == PolicyTier::Baseline, old.meta.name, old.priority);
    next.kind = old.kind;
  }
  s.clusterPolicy = next;
  return s;
}

}  // namespace npf
