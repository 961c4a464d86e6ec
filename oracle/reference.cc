// The reference evaluator: SEMANTICS.md transcribed rule by rule, one probe at a time, with no
// indexes, caches or precomputation. Speed is irrelevant here; obviousness is the point.
//
// Decisions where SEMANTICS.md leaves room (each mirrored by the matrix engine):
//  * A pod's addresses are status.podIP followed by status.podIPs (duplicates and unparsable
//    entries dropped). As a destination a pod is reached at the first of them; a node at its
//    first InternalIP; an external host at its address. That address fixes the IP family, and
//    the source uses its first address of that family (none: the probe cannot be made).
//  * `policyTypes: []` is treated as absent (the apiserver defaults on an empty list too).
//  * A hostNetwork pod is never isolated. Unless hostnetwork-selectable, it has its node's
//    identity: selectors do not match it and named ports never resolve on it (as for nodes).
//    In both cases its address is a node address, so ipBlocks match it whatever
//    ipblock-matches-pod-ips says, and it counts as its node for the own-node exemptions.
//  * An external endpoint is an address outside the cluster, even if it equals a pod's IP.
//  * A Service is reached at its backends' pod addresses; backends that the source cannot
//    reach (no address of the backend's family) are left out, and with none left the probe
//    cannot be made. The clusterIP's own family plays no role.
//  * An ipBlock whose cidr does not parse matches nothing; an except that does not parse or
//    is of the other family excludes nothing. A peer with neither selector nor ipBlock
//    matches nothing; a peer with an ipBlock is judged by the ipBlock alone.
//  * Cluster-scoped policy (docs/cluster-policy.md), per direction: admin tier, NetworkPolicy,
//    baseline tier, allow. A tier's policies that select the pod go by priority, each rule in
//    order; the first match decides (Pass: on to the next tier). Host-network pods are never
//    subjects and never match namespaces/pods peers; nodes peers match the selected nodes'
//    InternalIPs; networks match every address, pod IPs included, whatever
//    ipblock-matches-pod-ips says; a named port resolves on the destination pod. A pod's
//    connection to its own IP is not subject to them; a hairpin through a Service is.
#include "oracle/reference.h"

#include <algorithm>
#include <tuple>

#include "model/ip.h"
#include "model/service_backends.h"

namespace npf {
namespace {

// ---------------------------------------------------------------- labels and selectors

bool requirementMatches(const LabelSelectorRequirement& r, const Labels& labels) {
  auto it = labels.find(r.key);
  bool present = it != labels.end();
  bool inValues =
      present && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
  switch (r.op) {
    case SelectorOp::In:
      return inValues;
    case SelectorOp::NotIn:
      return !inValues;
    case SelectorOp::Exists:
      return present;
    case SelectorOp::DoesNotExist:
      return !present;
  }
  return false;
}

bool selectorMatches(const LabelSelector& s, const Labels& labels) {
  for (const auto& [k, v] : s.matchLabels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const auto& r : s.matchExpressions)
    if (!requirementMatches(r, labels)) return false;
  return true;
}

std::string joined(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// kubectl's selector spelling: "app=web,tier in (a,b),!debug"; "{}" matches everything.
std::string selectorText(const LabelSelector& s) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : s.matchLabels) parts.push_back(k + "=" + v);
  for (const auto& r : s.matchExpressions) {
    std::string vals = "(" + joined(r.values, ",") + ")";
    switch (r.op) {
      case SelectorOp::In:
        parts.push_back(r.key + " in " + vals);
        break;
      case SelectorOp::NotIn:
        parts.push_back(r.key + " notin " + vals);
        break;
      case SelectorOp::Exists:
        parts.push_back(r.key);
        break;
      case SelectorOp::DoesNotExist:
        parts.push_back("!" + r.key);
        break;
    }
  }
  return parts.empty() ? "{}" : joined(parts, ",");
}

std::string labelsText(const Labels& labels) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : labels) parts.push_back(k + "=" + v);
  return parts.empty() ? "none" : joined(parts, ",");
}

// A namespace's labels as the apiserver has them; an undeclared namespace has only the
// implicit name label.
Labels namespaceLabels(const Cluster& c, const std::string& ns) {
  if (const Namespace* n = c.findNamespace(ns)) return effectiveNamespaceLabels(*n);
  return {{kNamespaceNameLabel, ns}};
}

// ---------------------------------------------------------------- endpoints

std::vector<IpAddress> parsedAddresses(const std::vector<std::string>& texts) {
  std::vector<IpAddress> out;
  for (const auto& t : texts)
    if (auto ip = parseIp(t))
      if (std::find(out.begin(), out.end(), *ip) == out.end()) out.push_back(*ip);
  return out;
}

std::vector<IpAddress> podAddresses(const Pod& p) {
  std::vector<std::string> texts;
  if (!p.podIP.empty()) texts.push_back(p.podIP);
  texts.insert(texts.end(), p.podIPs.begin(), p.podIPs.end());
  return parsedAddresses(texts);
}

std::optional<IpAddress> firstOfFamily(const std::vector<IpAddress>& ips, IpFamily f) {
  for (const auto& ip : ips)
    if (ip.family == f) return ip;
  return std::nullopt;
}

const char* familyName(IpFamily f) { return f == IpFamily::V4 ? "IPv4" : "IPv6"; }

// One side of a connection, resolved: what it is and the address it uses.
struct Party {
  enum class Kind { Pod, Node, External } kind = Kind::Pod;
  const Pod* pod = nullptr;
  const Node* node = nullptr;
  IpAddress ip;
  std::string name;  // as in reports: "ns/pod", "node/NAME", "ip/ADDR"

  bool isHostNetworkPod() const { return kind == Kind::Pod && pod->hostNetwork; }
  // Has a pod identity: pod/namespace selectors can match it and named ports resolve on it.
  bool selectable(const Profile& prof) const {
    return kind == Kind::Pod && (!pod->hostNetwork || prof.hostnetworkSelectable);
  }
  // The node whose identity this party carries (a node, or a hostNetwork pod); "" if none.
  std::string nodeIdentity() const {
    if (kind == Kind::Node) return node->meta.name;
    if (isHostNetworkPod()) return pod->nodeName;
    return "";
  }
};

// ---------------------------------------------------------------- peers

std::string peerText(const NetworkPolicyPeer& peer) {
  if (peer.ipBlock) {
    std::string s = "ipBlock " + peer.ipBlock->cidr;
    if (!peer.ipBlock->except.empty()) s += " except " + joined(peer.ipBlock->except, ",");
    return s;
  }
  std::vector<std::string> parts;
  if (peer.namespaceSelector)
    parts.push_back("namespaceSelector " + selectorText(*peer.namespaceSelector));
  if (peer.podSelector) parts.push_back("podSelector " + selectorText(*peer.podSelector));
  return parts.empty() ? "empty peer" : joined(parts, " + ");
}

// nullopt when `peer` of a rule of `pol` matches `other`; otherwise why not.
std::optional<std::string> peerMismatch(const Cluster& c, const NetworkPolicy& pol,
                                        const NetworkPolicyPeer& peer, const Party& other,
                                        const Profile& prof) {
  const std::string head = peerText(peer) + " does not match " + other.name;
  if (peer.ipBlock) {
    auto cidr = parseCidr(peer.ipBlock->cidr);
    if (!cidr) return head + " (cidr does not parse)";
    if (cidr->base.family != other.ip.family)
      return head + " (" + familyName(other.ip.family) + " traffic, " +
             familyName(cidr->base.family) + " cidr)";
    if (other.kind == Party::Kind::Pod && !other.pod->hostNetwork && !prof.ipblockMatchesPodIps)
      return head + " (profile ipblock-matches-pod-ips=false: ipBlocks never match pod IPs)";
    if (!cidr->contains(other.ip))
      return head + " (" + toString(other.ip) + " is outside the cidr)";
    for (const auto& e : peer.ipBlock->except) {
      auto ex = parseCidr(e);
      if (ex && ex->base.family == other.ip.family && ex->contains(other.ip))
        return head + " (" + toString(other.ip) + " is in except " + e + ")";
    }
    return std::nullopt;
  }
  if (!peer.podSelector && !peer.namespaceSelector)
    return head + " (a peer needs a selector or an ipBlock)";
  if (other.kind != Party::Kind::Pod) return head + " (selectors match pods only)";
  if (!other.selectable(prof))
    return head +
           " (hostNetwork pod: its traffic is its node's, profile hostnetwork-selectable=false)";
  const Pod& pod = *other.pod;
  if (peer.namespaceSelector) {
    Labels nsLabels = namespaceLabels(c, pod.meta.namespace_);
    if (!selectorMatches(*peer.namespaceSelector, nsLabels))
      return head + " (namespace " + pod.meta.namespace_ + " has labels " + labelsText(nsLabels) +
             ")";
  } else if (pod.meta.namespace_ != pol.meta.namespace_) {
    return head + " (podSelector alone selects in namespace " + pol.meta.namespace_ + " only)";
  }
  if (peer.podSelector && !selectorMatches(*peer.podSelector, pod.meta.labels))
    return head + " (labels " + labelsText(pod.meta.labels) + ")";
  return std::nullopt;
}

// ---------------------------------------------------------------- ports

std::string portText(const NetworkPolicyPort& e) {
  std::string s = toString(e.protocol.value_or(Protocol::TCP));
  if (!e.port) return s + " all ports";
  if (!e.port->isNumber()) return s + " '" + e.port->name() + "'";
  s += " " + std::to_string(e.port->number());
  if (e.endPort) s += ".." + std::to_string(*e.endPort);
  return s;
}

// nullopt when port entry `e` matches `port`/`proto` on destination `dst`; otherwise why not.
std::optional<std::string> portMismatch(const NetworkPolicyPort& e, const Party& dst, int32_t port,
                                        Protocol proto, const Profile& prof) {
  Protocol want = e.protocol.value_or(Protocol::TCP);
  if (want != proto) return std::string("protocol ") + toString(want) + " ≠ " + toString(proto);
  if (!e.port) return std::nullopt;
  if (e.port->isNumber()) {
    int32_t lo = e.port->number(), hi = e.endPort.value_or(lo);
    if (port < lo || port > hi)
      return "port " + std::to_string(port) + " not in " + std::to_string(lo) + ".." +
             std::to_string(hi);
    return std::nullopt;
  }
  const std::string& name = e.port->name();
  if (!dst.selectable(prof))
    return "named port '" + name + "' never matches " + dst.name +
           (dst.kind == Party::Kind::Pod ? " (hostNetwork pod, treated as its node)"
                                         : " (not a pod)");
  std::vector<std::string> numbers;
  for (const auto& ctr : dst.pod->containers)
    for (const auto& cp : ctr.ports)
      if (cp.name == name && cp.effectiveProtocol() == proto) {
        if (cp.containerPort == port) return std::nullopt;
        numbers.push_back(std::to_string(cp.containerPort));
      }
  if (numbers.empty())
    return "named port '" + name + "' is not defined on " + dst.name + " for " + toString(proto);
  return "named port '" + name + "' is " + joined(numbers, ",") + " on " + dst.name + ", not " +
         std::to_string(port);
}

// ---------------------------------------------------------------- policies

bool hasType(const NetworkPolicy& p, PolicyType t) {
  if (p.policyTypes && !p.policyTypes->empty())
    return std::find(p.policyTypes->begin(), p.policyTypes->end(), t) != p.policyTypes->end();
  if (t == PolicyType::Ingress) return true;
  return p.egress && !p.egress->empty();
}

bool selectsPod(const NetworkPolicy& p, const Pod& pod) {
  if (pod.hostNetwork) return false;  // NetworkPolicy does not apply to hostNetwork pods
  if (p.meta.namespace_ != pod.meta.namespace_) return false;
  return !p.podSelector || selectorMatches(*p.podSelector, pod.meta.labels);
}

std::string policyName(const NetworkPolicy& p) { return p.meta.namespace_ + "/" + p.meta.name; }

// What NetworkPolicy says of one direction: nothing (the pod is not isolated, so the
// baseline tier decides), or allowed / denied.
enum class NpResult { NotIsolated, Allowed, Denied };

// Judges one direction by NetworkPolicy. `self` is the isolated side's pod (the source for
// egress, the destination for ingress), `peer` the other side; `dst` is the destination (ports
// resolve on it).
NpResult judgeNetworkPolicy(const Cluster& c, PolicyType dir, const Party& self, const Party& peer,
                            const Party& dst, int32_t port, Protocol proto, const Profile& prof,
                            std::vector<std::string>& lines) {
  const bool ingress = dir == PolicyType::Ingress;
  const char* dirName = ingress ? "ingress" : "egress";
  const std::string role = ingress ? "destination " : "source ";
  if (self.kind != Party::Kind::Pod) {
    lines.push_back(role + self.name + " is not a pod: no " + dirName + " isolation");
    return NpResult::NotIsolated;
  }
  if (self.pod->hostNetwork) {
    lines.push_back(role + self.name + " is a hostNetwork pod: NetworkPolicy does not apply to it");
    return NpResult::NotIsolated;
  }
  std::vector<const NetworkPolicy*> isolating;
  for (const auto& pol : c.policies)
    if (hasType(pol, dir) && selectsPod(pol, *self.pod)) isolating.push_back(&pol);
  if (isolating.empty()) {
    lines.push_back(role + self.name + " is not isolated for " + dirName +
                    " (no policy selects it for " + dirName + ")");
    return NpResult::NotIsolated;
  }
  std::vector<std::string> names;
  for (const auto* pol : isolating) names.push_back(policyName(*pol));
  lines.push_back(role + self.name + " is isolated for " + dirName + " by " + joined(names, ", "));

  const std::string selfNode = self.pod->nodeName;
  if (ingress && !selfNode.empty() && peer.nodeIdentity() == selfNode) {
    lines.push_back("allowed: ingress from the destination's own node " + selfNode +
                    " is always allowed (" + peer.name + ")");
    return NpResult::Allowed;
  }
  if (!ingress && !selfNode.empty() && dst.nodeIdentity() == selfNode &&
      prof.egressToOwnNode == Profile::EgressToOwnNode::Allow) {
    lines.push_back("allowed: egress to the source's own node " + selfNode + " (" + dst.name +
                    ") under profile egress-to-own-node=allow");
    return NpResult::Allowed;
  }

  std::vector<std::string> allowedBy, reasons;
  for (const auto* pol : isolating) {
    const auto& rules = ingress ? pol->ingress : pol->egress;
    if (!rules || rules->empty()) {
      reasons.push_back(policyName(*pol) + " has no " + dirName + " rules (allows nothing)");
      continue;
    }
    for (size_t ri = 0; ri < rules->size(); ++ri) {
      const NetworkPolicyRule& rule = (*rules)[ri];
      const std::string where = policyName(*pol) + " " + dirName + " rule " + std::to_string(ri);
      std::string peerPart, portPart;
      std::vector<std::string> peerWhy, portWhy;
      bool peerOk = false, portOk = false;
      if (!rule.peers || rule.peers->empty()) {
        peerOk = true;
        peerPart = std::string("every peer (") + (ingress ? "from" : "to") +
                   (rule.peers ? " is empty)" : " absent)");
      } else {
        for (size_t pi = 0; pi < rule.peers->size() && !peerOk; ++pi) {
          auto why = peerMismatch(c, *pol, (*rule.peers)[pi], peer, prof);
          if (!why) {
            peerOk = true;
            peerPart = "peer " + std::to_string(pi) + " (" + peerText((*rule.peers)[pi]) + ")";
          } else {
            peerWhy.push_back("peer " + std::to_string(pi) + " " + *why);
          }
        }
      }
      if (!rule.ports || rule.ports->empty()) {
        portOk = true;
        portPart = std::string("every port (ports ") + (rule.ports ? "empty)" : "absent)");
      } else {
        for (size_t qi = 0; qi < rule.ports->size() && !portOk; ++qi) {
          auto why = portMismatch((*rule.ports)[qi], dst, port, proto, prof);
          if (!why) {
            portOk = true;
            portPart = "port " + std::to_string(qi) + " (" + portText((*rule.ports)[qi]) + ")";
          } else {
            portWhy.push_back("port " + std::to_string(qi) + ": " + *why);
          }
        }
      }
      if (peerOk && portOk) {
        allowedBy.push_back("allowed by " + where + ", " + peerPart + ", " + portPart);
      } else {
        std::vector<std::string> why = peerWhy;
        why.insert(why.end(), portWhy.begin(), portWhy.end());
        reasons.push_back(where + ": " + joined(why, "; "));
      }
    }
  }
  if (!allowedBy.empty()) {
    lines.insert(lines.end(), allowedBy.begin(), allowedBy.end());
    return NpResult::Allowed;
  }
  lines.push_back(std::string("denied: no ") + dirName + " rule allows it");
  for (auto& r : reasons) lines.push_back("  " + r);
  return NpResult::Denied;
}

// ---------------------------------------------------------------- cluster-scoped policy

std::string clusterPolicyName(const ClusterPolicy& cp) {
  std::string s = std::string(toString(cp.kind)) + " " + cp.meta.name;
  if (cp.kind != ClusterPolicyKind::BaselineAdminNetworkPolicy)
    s += " (" + std::string(toString(cp.tier)) + " tier, priority " + std::to_string(cp.priority) +
         ")";
  return s;
}

bool namespacedPodsMatch(const Cluster& c, const NamespacedPods& sel, const Pod& pod) {
  if (sel.namespaceSelector &&
      !selectorMatches(*sel.namespaceSelector, namespaceLabels(c, pod.meta.namespace_)))
    return false;
  return selectorMatches(sel.podSelector, pod.meta.labels);
}

// Host-network pods are never subjects, and namespaces/pods peers never match them.
bool subjectSelects(const Cluster& c, const ClusterPolicy& cp, const Pod& pod) {
  if (pod.hostNetwork) return false;
  if (cp.subject.namespaces)
    return selectorMatches(*cp.subject.namespaces, namespaceLabels(c, pod.meta.namespace_));
  return cp.subject.pods && namespacedPodsMatch(c, *cp.subject.pods, pod);
}

bool clusterPeerMatches(const Cluster& c, const ClusterPolicyPeer& peer, const Party& other) {
  const bool podPeer = other.kind == Party::Kind::Pod && !other.pod->hostNetwork;
  if (peer.namespaces)
    return podPeer &&
           selectorMatches(*peer.namespaces, namespaceLabels(c, other.pod->meta.namespace_));
  if (peer.pods) return podPeer && namespacedPodsMatch(c, *peer.pods, *other.pod);
  if (peer.nodes) {
    // The IPs in the selected nodes' status.addresses: nodes and their host-network pods.
    for (const auto& n : c.nodes) {
      if (!selectorMatches(*peer.nodes, n.meta.labels)) continue;
      for (const auto& ip : parsedAddresses(n.internalIPs))
        if (ip == other.ip) return true;
    }
    return false;
  }
  if (peer.networks) {
    // Every address, pod IPs included (the API: "cluster-internal traffic will be checked").
    for (const auto& text : *peer.networks) {
      auto cidr = parseCidr(text);
      if (cidr && cidr->base.family == other.ip.family && cidr->contains(other.ip)) return true;
    }
    return false;
  }
  return false;  // domainNames (refused by validation) or an empty peer: no traffic
}

bool clusterPortMatches(const ClusterPolicyPort& e, const Party& dst, int32_t port,
                        Protocol proto) {
  using Kind = ClusterPolicyPort::Kind;
  if (e.kind == Kind::Named) {
    // Resolved on the destination pod (a named port carries its own protocol).
    if (dst.kind != Party::Kind::Pod || dst.pod->hostNetwork) return false;
    for (const auto& ctr : dst.pod->containers)
      for (const auto& cp : ctr.ports)
        if (cp.name == e.name && cp.effectiveProtocol() == proto && cp.containerPort == port)
          return true;
    return false;
  }
  if (e.effectiveProtocol() != proto) return false;
  if (e.kind == Kind::Number) return port == e.port;
  return e.port <= port && port <= e.endPort;  // v1alpha1 lets start > end: matches nothing
}

std::string clusterPortText(const ClusterPolicyPort& e) {
  using Kind = ClusterPolicyPort::Kind;
  if (e.kind == Kind::Named) return "named port '" + e.name + "'";
  std::string s = std::string(toString(e.effectiveProtocol())) + " " + std::to_string(e.port);
  if (e.kind == Kind::Range) s += ".." + std::to_string(e.endPort);
  return s;
}

// The first rule of `cp` for `dir` that matches, or nullopt.
std::optional<size_t> firstMatchingRule(const Cluster& c, const ClusterPolicy& cp, PolicyType dir,
                                        const Party& peer, const Party& dst, int32_t port,
                                        Protocol proto) {
  const auto& rules = dir == PolicyType::Ingress ? cp.ingress : cp.egress;
  if (!rules) return std::nullopt;
  for (size_t ri = 0; ri < rules->size(); ++ri) {
    const ClusterPolicyRule& r = (*rules)[ri];
    bool peerOk = false;
    for (const auto& p : r.peers) peerOk = peerOk || clusterPeerMatches(c, p, peer);
    if (!peerOk) continue;
    bool portOk = !r.ports;
    if (r.ports)
      for (const auto& e : *r.ports) portOk = portOk || clusterPortMatches(e, dst, port, proto);
    if (portOk) return ri;
  }
  return std::nullopt;
}

// What one tier can decide for one direction: the actions some allowed order of its policies
// takes (empty: no rule matches, the tier passes the connection on).
struct TierDecision {
  bool allow = false, deny = false, pass = false;
  bool any() const { return allow || deny || pass; }
};

// The tier's policies that select `self`, by priority; the first priority with a matching rule
// decides. Equal priorities that match: each one's action is possible, unless the profile
// orders them by name.
TierDecision judgeTier(const Cluster& c, PolicyTier tier, PolicyType dir, const Party& self,
                       const Party& peer, const Party& dst, int32_t port, Protocol proto,
                       const Profile& prof, std::vector<std::string>& lines) {
  const char* dirName = dir == PolicyType::Ingress ? "ingress" : "egress";
  const std::string tierName = tier == PolicyTier::Admin ? "admin tier" : "baseline tier";
  TierDecision d;
  std::vector<const ClusterPolicy*> selecting;
  for (const auto& cp : c.clusterPolicies)
    if (cp.tier == tier && subjectSelects(c, cp, *self.pod)) selecting.push_back(&cp);
  if (selecting.empty()) return d;
  std::stable_sort(
      selecting.begin(), selecting.end(), [](const ClusterPolicy* a, const ClusterPolicy* b) {
        return std::tie(a->priority, a->meta.name) < std::tie(b->priority, b->meta.name);
      });
  std::vector<std::string> looked;
  for (size_t i = 0; i < selecting.size();) {
    size_t j = i;
    while (j < selecting.size() && selecting[j]->priority == selecting[i]->priority) ++j;
    std::vector<std::string> deciders;
    for (size_t k = i; k < j; ++k) {
      const ClusterPolicy& cp = *selecting[k];
      auto ri = firstMatchingRule(c, cp, dir, peer, dst, port, proto);
      if (!ri) {
        looked.push_back(clusterPolicyName(cp));
        continue;
      }
      const ClusterPolicyRule& r = (*(dir == PolicyType::Ingress ? cp.ingress : cp.egress))[*ri];
      std::string text = clusterPolicyName(cp) + " " + dirName + " rule " + std::to_string(*ri) +
                         (r.name.empty() ? "" : " '" + r.name + "'") + ": " +
                         toString(r.action, cp.kind);
      if (r.ports) {
        for (const auto& e : *r.ports)
          if (clusterPortMatches(e, dst, port, proto)) {
            text += " (" + clusterPortText(e) + ")";
            break;
          }
      }
      bool first = deciders.empty();
      deciders.push_back(text);
      if (!first && prof.clusterPolicyTies == Profile::ClusterPolicyTies::Name) continue;
      d.allow = d.allow || r.action == ClusterRuleAction::Allow;
      d.deny = d.deny || r.action == ClusterRuleAction::Deny;
      d.pass = d.pass || r.action == ClusterRuleAction::Pass;
    }
    if (!deciders.empty()) {
      if (!looked.empty())
        lines.push_back(tierName + ": no rule matches in " + joined(looked, ", "));
      if (deciders.size() == 1) {
        lines.push_back(tierName + ": decided by " + deciders.front());
      } else if (prof.clusterPolicyTies == Profile::ClusterPolicyTies::Name) {
        lines.push_back(tierName +
                        ": equal priorities, the first by name under profile "
                        "cluster-policy-ties=name: " +
                        deciders.front());
      } else {
        lines.push_back(tierName +
                        ": equal priorities, any may apply (profile "
                        "cluster-policy-ties=undefined): " +
                        joined(deciders, "; "));
      }
      return d;
    }
    i = j;
  }
  lines.push_back(tierName + ": no rule matches in " + joined(looked, ", "));
  return d;
}

// The verdicts one direction can have: admin tier, then NetworkPolicy, then the baseline tier,
// then allow. Both possible: undefined.
struct DirectionVerdicts {
  bool allow = false, deny = false;
};

DirectionVerdicts judgeDirection(const Cluster& c, PolicyType dir, const Party& self,
                                 const Party& peer, const Party& dst, int32_t port, Protocol proto,
                                 const Profile& prof, bool clusterTiers,
                                 std::vector<std::string>& lines) {
  DirectionVerdicts v;
  const bool tiers = clusterTiers && !c.clusterPolicies.empty() && self.kind == Party::Kind::Pod &&
                     !self.pod->hostNetwork;
  TierDecision admin;
  if (tiers)
    admin = judgeTier(c, PolicyTier::Admin, dir, self, peer, dst, port, proto, prof, lines);
  v.allow = admin.allow;
  v.deny = admin.deny;
  if (admin.any() && !admin.pass) return v;
  if (admin.pass) lines.push_back("admin tier passes: NetworkPolicy decides next");
  NpResult np = judgeNetworkPolicy(c, dir, self, peer, dst, port, proto, prof, lines);
  if (np != NpResult::NotIsolated) {
    (np == NpResult::Allowed ? v.allow : v.deny) = true;
    return v;
  }
  TierDecision base;
  if (tiers)
    base = judgeTier(c, PolicyTier::Baseline, dir, self, peer, dst, port, proto, prof, lines);
  v.allow = v.allow || base.allow || base.pass || !base.any();
  v.deny = v.deny || base.deny;
  if (base.pass) lines.push_back("baseline tier passes: allowed by default");
  return v;
}

std::string loopbackName(Profile::Loopback l) {
  switch (l) {
    case Profile::Loopback::Undefined:
      return "undefined";
    case Profile::Loopback::Allow:
      return "allow";
    case Profile::Loopback::Policy:
      return "policy";
  }
  return "?";
}

// The pod, node or external host behind a non-Service endpoint, with all its addresses
// (ip unset). nullopt + note when the cluster has no such object. `role`: "source" or
// "destination", for the note.
std::optional<Party> resolveParty(const Cluster& c, const Endpoint& e, const char* role,
                                  std::vector<IpAddress>& ips, std::vector<std::string>& notes) {
  Party p;
  p.name = toString(e);
  switch (e.kind) {
    case Endpoint::Kind::Pod:
      p.kind = Party::Kind::Pod;
      p.pod = c.findPod(e.namespace_, e.name);
      if (!p.pod) {
        notes.push_back(std::string(role) + " " + p.name + " is not a pod of the cluster");
        return std::nullopt;
      }
      ips = podAddresses(*p.pod);
      return p;
    case Endpoint::Kind::Node:
      p.kind = Party::Kind::Node;
      p.node = c.findNode(e.name);
      if (!p.node) {
        notes.push_back(std::string(role) + " " + p.name + " is not a node of the cluster");
        return std::nullopt;
      }
      ips = parsedAddresses(p.node->internalIPs);
      return p;
    case Endpoint::Kind::External:
      p.kind = Party::Kind::External;
      ips = parsedAddresses({e.name});
      return p;
    case Endpoint::Kind::Service:
      break;
  }
  return std::nullopt;
}

// Resolves the source endpoint to its address of `family`. nullopt + note when impossible.
std::optional<Party> resolveSource(const Cluster& c, const Endpoint& e, IpFamily family,
                                   std::vector<std::string>& notes) {
  if (e.kind == Endpoint::Kind::Service) {
    notes.push_back("a Service cannot be a probe source");
    return std::nullopt;
  }
  std::vector<IpAddress> ips;
  auto p = resolveParty(c, e, "source", ips, notes);
  if (!p) return std::nullopt;
  auto ip = firstOfFamily(ips, family);
  if (!ip) {
    notes.push_back("source " + p->name + " has no " + familyName(family) + " address");
    return std::nullopt;
  }
  p->ip = *ip;
  return p;
}

// A destination that is not a Service (the caller handles those); nullopt + note when it
// has no address.
std::optional<Party> resolveDestination(const Cluster& c, const Endpoint& e,
                                        std::vector<std::string>& notes) {
  std::vector<IpAddress> ips;
  auto p = resolveParty(c, e, "destination", ips, notes);
  if (!p) return std::nullopt;
  if (ips.empty()) {
    notes.push_back("destination " + p->name + " has no address");
    return std::nullopt;
  }
  p->ip = ips.front();
  return p;
}

// One connection to a resolved non-Service destination. `viaService`: reached through a
// Service (a hairpin back to the source is subject to cluster-scoped policy; a pod's connection
// to its own IP is not).
std::optional<Verdict> evaluateDirect(const Cluster& c, const Endpoint& from, const Party& dst,
                                      int32_t port, Protocol proto, const Profile& prof,
                                      Explanation& why, const std::string& prefix,
                                      bool viaService) {
  auto src = resolveSource(c, from, dst.ip.family, why.notes);
  if (!src) return std::nullopt;
  if (src->kind == Party::Kind::Pod && dst.kind == Party::Kind::Pod && src->pod == dst.pod) {
    if (prof.loopback != Profile::Loopback::Policy) {
      why.notes.push_back(prefix + src->name +
                          " connects to itself: " + loopbackName(prof.loopback) +
                          " under profile loopback=" + loopbackName(prof.loopback));
      return prof.loopback == Profile::Loopback::Allow ? Verdict::Allow : Verdict::Undefined;
    }
    why.notes.push_back(prefix + src->name +
                        " connects to itself: judged by policy under profile loopback=policy");
    if (!viaService && !c.clusterPolicies.empty())
      why.notes.push_back(prefix +
                          "a pod's connection to its own IP is not subject to "
                          "cluster-scoped policy");
  }
  const bool self = src->kind == Party::Kind::Pod && dst.kind == Party::Kind::Pod &&
                    src->pod == dst.pod && !viaService;
  std::vector<std::string> eg, in;
  auto egress = judgeDirection(c, PolicyType::Egress, *src, dst, dst, port, proto, prof, !self, eg);
  auto ingress =
      judgeDirection(c, PolicyType::Ingress, dst, *src, dst, port, proto, prof, !self, in);
  for (auto& l : eg) why.egress.push_back(prefix + l);
  for (auto& l : in) why.ingress.push_back(prefix + l);
  // Denied if either direction surely denies; allowed if both surely allow.
  if ((egress.deny && !egress.allow) || (ingress.deny && !ingress.allow)) return Verdict::Deny;
  if (!egress.deny && !ingress.deny) return Verdict::Allow;
  why.notes.push_back(prefix +
                      "equal-priority cluster-scoped policies decide differently: "
                      "undefined");
  return Verdict::Undefined;
}

}  // namespace

std::optional<Verdict> evaluateProbe(const Cluster& c, const Probe& p, const Profile& profile,
                                     Explanation* why) {
  Explanation local;
  Explanation& ex = why ? *why : local;
  const Target& t = p.target;
  if (t.to.kind != Endpoint::Kind::Service) {
    auto dst = resolveDestination(c, t.to, ex.notes);
    if (!dst) return std::nullopt;
    return evaluateDirect(c, p.from, *dst, t.port, t.protocol, profile, ex, "", false);
  }

  const std::string svcName = toString(t.to);
  const Service* svc = c.findService(t.to.namespace_, t.to.name);
  if (!svc) {
    ex.notes.push_back(svcName + " is not a Service of the cluster");
    return std::nullopt;
  }
  const ServicePort* sp = nullptr;
  for (const auto& q : svc->ports)
    if (q.port == t.port && q.effectiveProtocol() == t.protocol) {
      sp = &q;
      break;
    }
  if (!sp) {
    ex.notes.push_back(svcName + " has no port " + std::to_string(t.port) + "/" +
                       toString(t.protocol));
    return std::nullopt;
  }
  auto backends = serviceBackends(c, *svc, *sp);
  if (backends.empty()) {
    ex.notes.push_back(svcName + " port " + std::to_string(t.port) + "/" + toString(t.protocol) +
                       " has no backends");
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const auto& b : backends)
    names.push_back(b.pod->meta.namespace_ + "/" + b.pod->meta.name + ":" + std::to_string(b.port));
  ex.notes.push_back(svcName + " port " + std::to_string(t.port) + "/" + toString(t.protocol) +
                     " is translated to backend" + (backends.size() > 1 ? "s " : " ") +
                     joined(names, ", ") + "; policy is judged on the backend pod and target port");

  std::vector<Verdict> verdicts;
  for (size_t i = 0; i < backends.size(); ++i) {
    const Backend& b = backends[i];
    const std::string prefix = backends.size() > 1 ? "backend " + names[i] + ": " : "";
    // The backend pod itself (not a lookup by name), at its first address.
    Party dst;
    dst.kind = Party::Kind::Pod;
    dst.pod = b.pod;
    dst.name = b.pod->meta.namespace_ + "/" + b.pod->meta.name;
    auto ips = podAddresses(*b.pod);
    if (ips.empty()) continue;  // serviceBackends only returns pods with an IP
    dst.ip = ips.front();
    auto v = evaluateDirect(c, p.from, dst, b.port, t.protocol, profile, ex, prefix, true);
    if (!v) {
      ex.notes.push_back(prefix + "not reachable from " + toString(p.from) +
                         " (no address of its family)");
      continue;
    }
    if (backends.size() > 1) ex.notes.push_back(prefix + toString(*v));
    verdicts.push_back(*v);
  }
  if (verdicts.empty()) return std::nullopt;
  for (Verdict v : verdicts)
    if (v != verdicts.front()) {
      ex.notes.push_back(
          "backends disagree: undefined (the proxy picks one backend per connection)");
      return Verdict::Undefined;
    }
  return verdicts.front();
}

std::string renderExplanation(const Probe& p, std::optional<Verdict> v, const Explanation& why) {
  std::string out = toString(p.from) + " -> " + toString(p.target.to) + " " +
                    std::to_string(p.target.port) + "/" + toString(p.target.protocol) + ": " +
                    (v ? toString(*v) : "not probed") + "\n";
  auto section = [&](const char* title, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    out += std::string("  ") + title + ":\n";
    for (const auto& l : lines) out += "    " + l + "\n";
  };
  section("egress", why.egress);
  section("ingress", why.ingress);
  section("notes", why.notes);
  return out;
}

}  // namespace npf
