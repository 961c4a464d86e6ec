#include "generator/features.h"

#include <algorithm>
#include <map>

#include "model/ip.h"

namespace npf {

const std::vector<std::string>& expressibleBugClasses() {
  static const std::vector<std::string> classes = {
      "NAMED_PORT_RESOLUTION",
      "ENDPORT_IGNORED",
      "EMPTY_PORT",
      "PROTOCOL_CONFUSION",
      "IPBLOCK_EXCEPT_AS_DENY",
      "MULTI_PEER_DROPPED",
      "RULE_CROSS_PRODUCT",
      "MULTI_POLICY_UNION",
      "POLICYTYPES",
      "NS_AND_POD_SELECTOR",
      "MATCHEXPRESSIONS",
      "NS_SELECTOR_SCOPE",
      "EGRESS_DIRECTION",
      "SERVICE_PRE_DNAT",
      "NODE_TO_POD",
      "LABEL_UPDATE_STALE",
      "POD_IP_REUSE",
      "NEW_POD_RACE",
      "DELETE_STALE",
      "REPLY_TRAFFIC",
      "IPBLOCK_POD_IP",
      "LOOPBACK",
      "IPV6",
      "PASS_AS_ALLOW",
      "PRIORITY_INVERTED",
      "BANP_OVER_NP",
      "RULE_ORDER_IGNORED",
      "ANP_IMPLICIT_ISOLATION",
  };
  return classes;
}

namespace {

// A small selector matcher of its own: tagging must not lean on the oracle.
bool matches(const LabelSelector& s, const Labels& labels) {
  for (const auto& [k, v] : s.matchLabels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const auto& r : s.matchExpressions) {
    auto it = labels.find(r.key);
    bool in = it != labels.end() &&
              std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    bool ok = r.op == SelectorOp::In       ? in
              : r.op == SelectorOp::NotIn  ? !in
              : r.op == SelectorOp::Exists ? it != labels.end()
                                           : it == labels.end();
    if (!ok) return false;
  }
  return true;
}

bool hasIngressType(const NetworkPolicy& p) {
  if (p.policyTypes)
    return std::find(p.policyTypes->begin(), p.policyTypes->end(), PolicyType::Ingress) !=
           p.policyTypes->end();
  return true;
}
bool hasEgressType(const NetworkPolicy& p) {
  if (p.policyTypes)
    return std::find(p.policyTypes->begin(), p.policyTypes->end(), PolicyType::Egress) !=
           p.policyTypes->end();
  return p.egress && !p.egress->empty();
}

std::vector<const Pod*> selectedPods(const Cluster& c, const NetworkPolicy& p) {
  std::vector<const Pod*> out;
  for (const auto& pod : c.pods)
    if (!pod.hostNetwork && pod.meta.namespace_ == p.meta.namespace_ &&
        matches(p.podSelector.value_or(LabelSelector{}), pod.meta.labels))
      out.push_back(&pod);
  return out;
}

// Whether a cluster-scoped subject or peer selects `pod` (host-network pods never).
bool clusterSelects(const Cluster& c, const std::optional<LabelSelector>& namespaces,
                    const std::optional<NamespacedPods>& pods, const Pod& pod) {
  if (pod.hostNetwork) return false;
  const Namespace* ns = c.findNamespace(pod.meta.namespace_);
  Labels nsLabels = ns ? ns->meta.labels : Labels{};
  nsLabels[kNamespaceNameLabel] = pod.meta.namespace_;
  if (namespaces) return matches(*namespaces, nsLabels);
  if (!pods) return false;
  if (pods->namespaceSelector && !matches(*pods->namespaceSelector, nsLabels)) return false;
  return matches(pods->podSelector, pod.meta.labels);
}

// Feature tags of cluster-scoped policies and the bug classes they expose: per pod and
// direction, which tiers select it and whether a NetworkPolicy isolates it.
void tagClusterPolicies(const Cluster& c, std::set<std::string>& tags) {
  if (c.clusterPolicies.empty()) return;
  for (const auto& p : c.clusterPolicies) {
    switch (p.kind) {
      case ClusterPolicyKind::AdminNetworkPolicy:
        tags.insert("cluster:admin-network-policy");
        break;
      case ClusterPolicyKind::BaselineAdminNetworkPolicy:
        tags.insert("cluster:baseline-admin-network-policy");
        break;
      case ClusterPolicyKind::ClusterNetworkPolicy:
        tags.insert(p.tier == PolicyTier::Admin ? "cluster:cnp-admin" : "cluster:cnp-baseline");
    }
    tags.insert(p.subject.namespaces ? "cluster-subject:namespaces" : "cluster-subject:pods");
    for (const auto* rules : {&p.ingress, &p.egress}) {
      if (!*rules) continue;
      // The fault takes rules Deny first, then Allow, then Pass: only another order can differ.
      auto rank = [](ClusterRuleAction a) {
        return a == ClusterRuleAction::Deny ? 0 : a == ClusterRuleAction::Allow ? 1 : 2;
      };
      bool byAction = true;
      for (size_t i = 1; i < (*rules)->size(); ++i)
        byAction = byAction && rank((**rules)[i - 1].action) <= rank((**rules)[i].action);
      for (const auto& r : **rules) {
        tags.insert(std::string("cluster-action:") +
                    toString(r.action, ClusterPolicyKind::AdminNetworkPolicy));
        for (const auto& peer : r.peers) {
          if (peer.namespaces) tags.insert("cluster-peer:namespaces");
          if (peer.pods) tags.insert("cluster-peer:pods");
          if (peer.nodes) tags.insert("cluster-peer:nodes");
          if (peer.networks) tags.insert("cluster-peer:networks");
        }
        if (r.ports)
          for (const auto& port : *r.ports)
            tags.insert(port.kind == ClusterPolicyPort::Kind::Named   ? "cluster-port:named"
                        : port.kind == ClusterPolicyPort::Kind::Range ? "cluster-port:range"
                                                                      : "cluster-port:number");
      }
      // Rules in order decide differently from rules taken by action.
      if (!byAction) tags.insert("RULE_ORDER_IGNORED");
    }
  }
  for (const auto& pod : c.pods) {
    if (pod.hostNetwork) continue;
    for (bool egress : {false, true}) {
      bool npIsolates = false;
      for (const auto& np : c.policies)
        if (np.meta.namespace_ == pod.meta.namespace_ &&
            matches(np.podSelector.value_or(LabelSelector{}), pod.meta.labels) &&
            (egress ? hasEgressType(np) : hasIngressType(np)))
          npIsolates = true;
      std::map<int32_t, std::set<ClusterRuleAction>> adminByPriority, baselineByPriority;
      bool pass = false, baseline = false, baselineDeny = false, priorityTie = false;
      for (const auto& p : c.clusterPolicies) {
        const auto& rules = egress ? p.egress : p.ingress;
        if (!rules || rules->empty() ||
            !clusterSelects(c, p.subject.namespaces, p.subject.pods, pod))
          continue;
        std::set<ClusterRuleAction> actions;
        for (const auto& r : *rules) actions.insert(r.action);
        if (p.tier == PolicyTier::Baseline) {
          baseline = true;
          baselineDeny = baselineDeny || actions.count(ClusterRuleAction::Deny);
          baselineByPriority[p.priority].insert(actions.begin(), actions.end());
          continue;
        }
        pass = pass || actions.count(ClusterRuleAction::Pass);
        if (adminByPriority.count(p.priority)) priorityTie = true;
        adminByPriority[p.priority].insert(actions.begin(), actions.end());
      }
      // Another decision lies behind a Pass: NetworkPolicy's, or the baseline's.
      if (pass && (npIsolates || baselineDeny)) tags.insert("PASS_AS_ALLOW");
      // Several priorities in a tier (a ClusterNetworkPolicy baseline has them too) whose
      // policies act differently.
      for (const auto* byPriority : {&adminByPriority, &baselineByPriority}) {
        if (byPriority->size() < 2) continue;
        std::set<ClusterRuleAction> all;
        for (const auto& [prio, actions] : *byPriority) all.insert(actions.begin(), actions.end());
        if (all.size() > 1) tags.insert("PRIORITY_INVERTED");
      }
      if (priorityTie) tags.insert("cluster-priority:tie");
      if (baseline && npIsolates) tags.insert("BANP_OVER_NP");
      if (!adminByPriority.empty() && !npIsolates) tags.insert("ANP_IMPLICIT_ISOLATION");
    }
  }
}

void tagCluster(const Cluster& c, std::set<std::string>& tags) {
  tagClusterPolicies(c, tags);
  // Named container ports whose number or protocol differs between pods.
  std::map<std::string, std::set<std::pair<int32_t, Protocol>>> portsByName;
  std::set<std::pair<int32_t, Protocol>> served;
  for (const auto& pod : c.pods) {
    for (const auto& ctr : pod.containers)
      for (const auto& p : ctr.ports) {
        served.insert({p.containerPort, p.effectiveProtocol()});
        if (!p.name.empty()) portsByName[p.name].insert({p.containerPort, p.effectiveProtocol()});
      }
    for (const auto& ip : pod.podIPs)
      if (auto a = parseIp(ip); a && a->family == IpFamily::V6) tags.insert("IPV6");
    if (pod.hostNetwork) tags.insert("pod:host-network");
  }
  for (const auto& s : c.services)
    for (const auto& sp : s.ports)
      if (sp.targetPort && !(sp.targetPort->isNumber() && sp.targetPort->number() == sp.port)) {
        tags.insert("SERVICE_PRE_DNAT");
        tags.insert(sp.targetPort->isNumber() ? "service:target-port-number"
                                              : "service:target-port-name");
      }
  if (!c.externalHosts.empty()) tags.insert("external-hosts");

  std::vector<IpAddress> podIps;
  for (const auto& pod : c.pods)
    if (!pod.hostNetwork)
      for (const auto& ip : pod.podIPs)
        if (auto a = parseIp(ip)) podIps.push_back(*a);

  std::map<const Pod*, int> ingressSelectors, egressSelectors;
  int peersInIngress = 0, peersInEgress = 0;
  bool exceptInIngress = false, exceptInEgress = false;
  for (const auto& p : c.policies) {
    bool ingressType = hasIngressType(p), egressType = hasEgressType(p);
    if (ingressType) tags.insert("policy:ingress");
    if (egressType) tags.insert("policy:egress");
    for (const Pod* pod : selectedPods(c, p)) {
      if (ingressType) ++ingressSelectors[pod];
      if (egressType) ++egressSelectors[pod];
    }
    if (ingressType && !c.nodes.empty()) tags.insert("NODE_TO_POD");
    if (ingressType != egressType)
      tags.insert("REPLY_TRAFFIC");  // one-way isolation: replies must still pass
    // Types that disagree with the sections present, or defaulting that adds Egress.
    if (p.policyTypes) {
      if ((p.ingress && !ingressType) || (p.egress && !egressType) || (!p.ingress && ingressType) ||
          (!p.egress && egressType))
        tags.insert("POLICYTYPES");
    } else if (p.egress) {
      tags.insert("POLICYTYPES");
    }
    if (!p.policyTypes) tags.insert("policy-types:absent");
    if (p.ingress && p.ingress->empty()) tags.insert("ingress:empty-deny-all");
    if (p.egress && p.egress->empty()) tags.insert("egress:empty-deny-all");

    for (int dir = 0; dir < 2; ++dir) {
      const auto& rules = dir == 0 ? p.ingress : p.egress;
      bool active = dir == 0 ? ingressType : egressType;
      if (!rules || !active) continue;
      int rulesWithPortsAndPeers = 0;
      for (const auto& r : *rules) {
        size_t peers = r.peers ? r.peers->size() : 0;
        (dir == 0 ? peersInIngress : peersInEgress) += int(peers);
        if (peers >= 2) tags.insert("MULTI_PEER_DROPPED");
        if (dir == 1 && peers > 0) tags.insert("EGRESS_DIRECTION");
        if (r.ports && !r.ports->empty() && peers > 0) ++rulesWithPortsAndPeers;
        if (!r.peers) tags.insert("peers:absent");
        if (r.peers && r.peers->empty()) tags.insert("peers:empty");
        if (r.ports) {
          for (const auto& port : *r.ports) {
            Protocol proto = port.protocol.value_or(Protocol::TCP);
            if (!port.port) {
              tags.insert("EMPTY_PORT");
              tags.insert(port.protocol ? "port:protocol-only" : "port:empty-entry");
            } else if (port.port->isNumber()) {
              tags.insert("port:number");
              if (port.endPort && *port.endPort > port.port->number())
                tags.insert("ENDPORT_IGNORED");
              if (proto != Protocol::TCP) {
                for (const auto& [n, pr] : served)
                  if (pr != proto && n >= port.port->number() &&
                      n <= port.endPort.value_or(port.port->number()))
                    tags.insert("PROTOCOL_CONFUSION");
              }
            } else {
              tags.insert("port:named");
              auto it = portsByName.find(port.port->name());
              if (it != portsByName.end() && it->second.size() > 1)
                tags.insert("NAMED_PORT_RESOLUTION");
            }
            if (port.protocol == Protocol::SCTP) tags.insert("protocol:sctp");
            if (port.protocol == Protocol::UDP) tags.insert("protocol:udp");
          }
        }
        if (!r.peers) continue;
        for (const auto& peer : *r.peers) {
          if (peer.ipBlock) {
            tags.insert("peer:ip-block");
            if (!peer.ipBlock->except.empty()) {
              (dir == 0 ? exceptInIngress : exceptInEgress) = true;
              tags.insert("ip-block:except");
            }
            if (auto cidr = parseCidr(peer.ipBlock->cidr))
              for (const auto& ip : podIps)
                if (cidr->contains(ip)) tags.insert("IPBLOCK_POD_IP");
          }
          if (peer.podSelector && peer.namespaceSelector)
            tags.insert("NS_AND_POD_SELECTOR");
          else if (peer.podSelector)
            tags.insert("peer:pod-selector");
          else if (peer.namespaceSelector)
            tags.insert("peer:namespace-selector");
          for (const auto* sel : {peer.podSelector ? &*peer.podSelector : nullptr,
                                  peer.namespaceSelector ? &*peer.namespaceSelector : nullptr}) {
            if (!sel) continue;
            if (!sel->matchExpressions.empty()) tags.insert("MATCHEXPRESSIONS");
            for (const auto& e : sel->matchExpressions) {
              tags.insert(std::string("operator:") + toString(e.op));
              if (e.op == SelectorOp::NotIn && e.values.size() > 1)
                tags.insert("operator:NotIn-multi-value");
              if (e.key == kNamespaceNameLabel) tags.insert("label:metadata-name");
            }
            if (sel->matchLabels.count(kNamespaceNameLabel)) tags.insert("label:metadata-name");
          }
          // Namespace selectors that could wrongly match non-pod traffic: empty or negated,
          // in a cluster that has nodes or external hosts as sources/destinations.
          if (peer.namespaceSelector && (!c.externalHosts.empty() || !c.nodes.empty())) {
            bool negatedOrAll = peer.namespaceSelector->matchLabels.empty() &&
                                peer.namespaceSelector->matchExpressions.empty();
            for (const auto& e : peer.namespaceSelector->matchExpressions)
              if (e.op == SelectorOp::NotIn || e.op == SelectorOp::DoesNotExist)
                negatedOrAll = true;
            if (negatedOrAll) tags.insert("NS_SELECTOR_SCOPE");
          }
        }
      }
      if (rulesWithPortsAndPeers >= 2) tags.insert("RULE_CROSS_PRODUCT");
    }
  }
  for (const auto& [pod, n] : ingressSelectors)
    if (n >= 2) tags.insert("MULTI_POLICY_UNION");
  for (const auto& [pod, n] : egressSelectors)
    if (n >= 2) tags.insert("MULTI_POLICY_UNION");
  // An except is a bug magnet when another peer of the same direction may allow the address.
  if ((exceptInIngress && peersInIngress >= 2) || (exceptInEgress && peersInEgress >= 2))
    tags.insert("IPBLOCK_EXCEPT_AS_DENY");
  // Every case probes pods to themselves when they serve a port.
  for (const auto& pod : c.pods)
    if (!pod.podIP.empty()) {
      for (const auto& ctr : pod.containers)
        if (!ctr.ports.empty()) tags.insert("LOOPBACK");
    }
}

}  // namespace

std::set<std::string> computeTags(const Case& cs) {
  std::set<std::string> tags;
  tagCluster(cs.cluster, tags);
  // Steps: tag each state too, and the change kinds.
  Cluster state = cs.cluster;
  std::map<std::string, std::string> deletedPodIps;  // ns/name -> IP
  for (const auto& s : cs.meta.steps) {
    using A = Step::Action;
    switch (s.action) {
      case A::RelabelPod:
      case A::RelabelNamespace:
        tags.insert("LABEL_UPDATE_STALE");
        break;
      case A::DeletePolicy:
        tags.insert("DELETE_STALE");
        break;
      case A::UpdatePolicy:
        tags.insert("step:update-policy");
        break;
      case A::CreatePolicy:
        tags.insert("step:create-policy");
        break;
      case A::DeletePod:
        if (const Pod* p = state.findPod(s.namespace_, s.name))
          deletedPodIps[p->podIP] = s.namespace_ + "/" + s.name;
        tags.insert("step:delete-pod");
        break;
      case A::CreateClusterPolicy:
      case A::UpdateClusterPolicy:
      case A::DeleteClusterPolicy:
        tags.insert(std::string("step:") + toString(s.action));
        break;
      case A::CreatePod:
        if (s.pod) {
          if (deletedPodIps.count(s.pod->podIP)) tags.insert("POD_IP_REUSE");
          for (const auto& p : state.policies)
            if (p.meta.namespace_ == s.pod->meta.namespace_ &&
                matches(p.podSelector.value_or(LabelSelector{}), s.pod->meta.labels))
              tags.insert("NEW_POD_RACE");
        }
        break;
    }
    applyStep(state, s);
    tagCluster(state, tags);
  }
  if (!cs.meta.steps.empty()) tags.insert("steps");
  return tags;
}

}  // namespace npf
