#include "runner/local/nft_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string_view>

#include "model/service_backends.h"

namespace npf::runner::local {

const std::vector<std::string>& compilerFaults() {
  static const std::vector<std::string> v{
      "NAMED_PORT_RESOLUTION",
      "ENDPORT_IGNORED",
      "EMPTY_PORT",
      "PROTOCOL_CONFUSION",
      "IPBLOCK_EXCEPT_AS_DENY",
      "MULTI_PEER_DROPPED",
      "RULE_CROSS_PRODUCT",
      "POLICYTYPES",
      "NS_AND_POD_SELECTOR",
      "MATCHEXPRESSIONS",
      "SERVICE_PRE_DNAT",
      "NODE_TO_POD",
      // Cluster-scoped policy (docs/cluster-policy.md).
      "PASS_AS_ALLOW",
      "PRIORITY_INVERTED",
      "BANP_OVER_NP",
      "RULE_ORDER_IGNORED",
      "ANP_IMPLICIT_ISOLATION",
  };
  return v;
}

std::optional<IpAddress> firstOfFamily(const std::vector<std::string>& addresses, IpFamily family) {
  for (const auto& a : addresses)
    if (auto ip = parseIp(a); ip && ip->family == family) return ip;
  return std::nullopt;
}

std::optional<IpAddress> firstOfFamily(const Pod& p, IpFamily family) {
  std::vector<std::string> all;
  if (!p.podIP.empty()) all.push_back(p.podIP);
  all.insert(all.end(), p.podIPs.begin(), p.podIPs.end());
  return firstOfFamily(all, family);
}

namespace {

enum class Dir { Ingress, Egress };

constexpr IpFamily kFamilies[] = {IpFamily::V4, IpFamily::V6};

// nft's spelling of a family: the address match keyword and the suffix of this table's
// per-family sets and maps (pod_ips / pod_ips6, ...).
const char* ipKeyword(IpFamily f) { return f == IpFamily::V4 ? "ip" : "ip6"; }
const char* setSuffix(IpFamily f) { return f == IpFamily::V4 ? "" : "6"; }
const char* addrType(IpFamily f) { return f == IpFamily::V4 ? "ipv4_addr" : "ipv6_addr"; }

// An address as nft writes it after `dnat ip6 to` (brackets keep the port apart).
std::string dnatAddress(const IpAddress& ip) {
  return ip.family == IpFamily::V4 ? toString(ip) : "[" + toString(ip) + "]";
}

const char* protoName(Protocol p) {
  switch (p) {
    case Protocol::TCP:
      return "tcp";
    case Protocol::UDP:
      return "udp";
    case Protocol::SCTP:
      return "sctp";
  }
  return "tcp";
}

// Comments carry object names; keep them to characters nft strings never choke on.
std::string commentText(const std::string& s) {
  std::string out;
  for (char ch : s)
    out += (std::isalnum(static_cast<unsigned char>(ch)) ||
            std::string_view("/._-[]: ").find(ch) != std::string_view::npos)
               ? ch
               : '_';
  if (out.size() > 120) out.resize(120);
  return out;
}

std::string setOf(const std::vector<std::string>& items) {
  if (items.size() == 1) return items.front();
  std::string s = "{ ";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  return s + " }";
}

struct PodInfo {
  const Pod* pod = nullptr;
  std::optional<IpAddress> v4, v6;
  size_t index = 0;
  const std::optional<IpAddress>& address(IpFamily f) const { return f == IpFamily::V4 ? v4 : v6; }
  bool hasAddress() const { return v4 || v6; }
};

// One alternative of a rule's `ports`: nullopt entry = every port and protocol.
using PortAlt = std::optional<NetworkPolicyPort>;

class Compiler {
 public:
  Compiler(const Cluster& c, std::string node, std::string table, const Profile& profile,
           const std::set<std::string>& faults, bool withPolicy)
      : c_(c),
        node_(std::move(node)),
        table_(std::move(table)),
        withPolicy_(withPolicy),
        profile_(profile),
        faults_(faults) {
    for (const auto& ns : c_.namespaces) {
      Labels l = ns.meta.labels;
      l[kNamespaceNameLabel] = ns.meta.name;
      nsLabels_[ns.meta.name] = l;
    }
    std::set<IpAddress> seen;
    for (size_t i = 0; i < c_.pods.size(); ++i) {
      const Pod& pod = c_.pods[i];
      pods_.push_back(
          PodInfo{&pod, firstOfFamily(pod, IpFamily::V4), firstOfFamily(pod, IpFamily::V6), i});
    }
    for (const auto& p : pods_) {
      if (!p.hasAddress()) continue;
      if (!p.pod->hostNetwork)
        for (IpFamily f : kFamilies)
          if (p.address(f)) podIps_.insert(*p.address(f));
      if (selectable(p)) selectable_.push_back(&p);
    }
  }

  std::string compile() {
    std::string out;
    out += fmt::format("table inet {0}\ndelete table inet {0}\ntable inet {0} {{\n", table_);
    compileServices(out);
    if (withPolicy_)
      compilePolicy(out);
    else
      compileServiceRejects(out);
    out += "}\n";
    return out;
  }

 private:
  bool fault(const char* name) const { return faults_.count(name) > 0; }

  // Pods that namespace/pod selectors can match: with an address, not hostNetwork (their
  // traffic is their node's) unless the profile says otherwise.
  bool selectable(const PodInfo& p) const {
    return p.hasAddress() && (!p.pod->hostNetwork || profile_.hostnetworkSelectable);
  }

  const Labels& namespaceLabels(const std::string& ns) {
    auto it = nsLabels_.find(ns);
    if (it != nsLabels_.end()) return it->second;
    // A pod in an undeclared namespace: the namespace exists with only its implicit label.
    Labels& l = nsLabels_[ns];
    l[kNamespaceNameLabel] = ns;
    return l;
  }

  bool selectorMatches(const LabelSelector& s, const Labels& labels) const {
    for (const auto& [k, v] : s.matchLabels) {
      auto it = labels.find(k);
      if (it == labels.end() || it->second != v) return false;
    }
    if (fault("MATCHEXPRESSIONS")) return true;
    for (const auto& r : s.matchExpressions) {
      auto it = labels.find(r.key);
      bool present = it != labels.end();
      bool listed =
          present && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
      bool ok = true;
      switch (r.op) {
        case SelectorOp::In:
          ok = listed;
          break;
        case SelectorOp::NotIn:
          ok = !listed;
          break;
        case SelectorOp::Exists:
          ok = present;
          break;
        case SelectorOp::DoesNotExist:
          ok = !present;
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  // Which policy types a policy has (defaulting as the apiserver does).
  std::pair<bool, bool> policyTypes(const NetworkPolicy& p) const {
    bool hasEgressRules = p.egress && !p.egress->empty();
    if (p.policyTypes && !p.policyTypes->empty() && !fault("POLICYTYPES")) {
      bool in = false, eg = false;
      for (PolicyType t : *p.policyTypes) (t == PolicyType::Ingress ? in : eg) = true;
      return {in, eg};
    }
    return {true, hasEgressRules};
  }

  bool selectsPod(const NetworkPolicy& pol, const PodInfo& p) const {
    if (p.pod->hostNetwork) return false;  // policies never isolate hostNetwork pods
    if (pol.meta.namespace_ != p.pod->meta.namespace_) return false;
    return !pol.podSelector || selectorMatches(*pol.podSelector, p.pod->meta.labels);
  }

  // Pods a selector peer matches (never nodes, external hosts or hostNetwork pods).
  std::vector<const PodInfo*> peerPods(const NetworkPolicy& pol, const NetworkPolicyPeer& peer) {
    std::vector<const PodInfo*> out;
    for (const PodInfo* q : selectable_) {
      const std::string& qns = q->pod->meta.namespace_;
      bool ok;
      if (peer.namespaceSelector && peer.podSelector && fault("NS_AND_POD_SELECTOR")) {
        ok =
            selectorMatches(*peer.namespaceSelector, namespaceLabels(qns)) ||
            (qns == pol.meta.namespace_ && selectorMatches(*peer.podSelector, q->pod->meta.labels));
      } else {
        bool nsOk = peer.namespaceSelector
                        ? selectorMatches(*peer.namespaceSelector, namespaceLabels(qns))
                        : qns == pol.meta.namespace_;
        bool podOk = !peer.podSelector || selectorMatches(*peer.podSelector, q->pod->meta.labels);
        ok = nsOk && podOk;
      }
      if (ok) out.push_back(q);
    }
    return out;
  }

  struct Block {
    Cidr cidr;
    std::vector<Cidr> excepts;
    bool contains(const IpAddress& ip) const {
      if (!cidr.contains(ip)) return false;
      for (const auto& e : excepts)
        if (e.contains(ip)) return false;
      return true;
    }
  };

  // An ipBlock, matching traffic of its cidr's family only; excepts of the other family
  // exclude nothing. nullopt when the cidr does not parse (it matches nothing).
  static std::optional<Block> parseBlock(const IPBlock& b) {
    auto cidr = parseCidr(b.cidr);
    if (!cidr) return std::nullopt;
    Block out{*cidr, {}};
    for (const auto& e : b.except)
      if (auto ex = parseCidr(e); ex && ex->base.family == cidr->base.family)
        out.excepts.push_back(*ex);
    return out;
  }

  // Named port lookup on one pod.
  static std::optional<int32_t> namedPort(const Pod& p, const std::string& name, Protocol proto,
                                          bool ignoreProtocol) {
    for (const auto& ctr : p.containers)
      for (const auto& cp : ctr.ports)
        if (cp.name == name && (ignoreProtocol || cp.effectiveProtocol() == proto))
          return cp.containerPort;
    return std::nullopt;
  }

  Protocol entryProtocol(const NetworkPolicyPort& e) const {
    Protocol p = e.protocol.value_or(Protocol::TCP);
    if (fault("PROTOCOL_CONFUSION") && p != Protocol::UDP) p = Protocol::TCP;
    return p;
  }

  // The match for one port entry; `resolveOn` resolves a named port. nullopt: matches nothing.
  std::optional<std::string> portMatch(const PortAlt& alt, const Pod* resolveOn,
                                       bool ignoreProtocol) const {
    if (!alt) return std::string();
    const NetworkPolicyPort& e = *alt;
    Protocol proto = entryProtocol(e);
    const char* pn = protoName(proto);
    if (!e.port) return fmt::format("meta l4proto {}", pn);
    if (e.port->isNumber()) {
      int32_t from = e.port->number();
      if (e.endPort && *e.endPort > from && !fault("ENDPORT_IGNORED"))
        return fmt::format("{} dport {}-{}", pn, from, *e.endPort);
      return fmt::format("{} dport {}", pn, from);
    }
    if (!resolveOn) return std::nullopt;
    auto n = namedPort(*resolveOn, e.port->name(), proto, ignoreProtocol);
    if (!n) return std::nullopt;
    return fmt::format("{} dport {}", pn, *n);
  }

  static bool isNamed(const PortAlt& alt) { return alt && alt->port && !alt->port->isNumber(); }

  // The alternatives of a rule's ports: {nullopt} for "all ports", empty for "nothing".
  std::vector<PortAlt> portAlts(const NetworkPolicyRule& r) const {
    std::vector<PortAlt> out;
    if (!r.ports || r.ports->empty()) {
      out.push_back(std::nullopt);
      return out;
    }
    for (const auto& e : *r.ports) {
      if (fault("EMPTY_PORT") && !e.port) continue;  // `{}` and protocol-only entries dropped
      out.push_back(e);
    }
    return out;
  }

  struct ChainText {
    std::vector<std::string> denyFirst;
    std::vector<std::string> allows;
  };

  void emit(ChainText& ch, const std::string& addr, const std::string& port,
            const std::string& comment) {
    std::string line;
    if (!addr.empty()) line += addr + " ";
    if (!port.empty()) line += port + " ";
    line += "return comment \"" + commentText(comment) + "\"";
    ch.allows.push_back(line);
  }

  // One rule of `pol` in direction `dir` for subject pod `s`, with peers `peers` (nullptr:
  // every peer) and port alternatives `alts`.
  void compileRule(const NetworkPolicy& pol, Dir dir, const PodInfo& s,
                   const std::vector<NetworkPolicyPeer>* peers, const std::vector<PortAlt>& alts,
                   const std::string& where, ChainText& ch) {
    auto field = [&](IpFamily f) {
      return fmt::format("{} {}", ipKeyword(f), dir == Dir::Ingress ? "saddr" : "daddr");
    };
    bool npFault = fault("NAMED_PORT_RESOLUTION");

    // Where a named port resolves for a destination pod `d` (egress) or the subject (ingress).
    auto resolvePod = [&](const PodInfo* d) -> const Pod* {
      if (dir == Dir::Ingress || npFault) return s.pod;  // buggy egress: on the source pod
      return d ? d->pod : nullptr;
    };
    bool ignoreProtocol = npFault && dir == Dir::Ingress;

    struct Peer {
      enum { Any, Pods, IpBlock } kind = Any;
      std::vector<const PodInfo*> pods;
      std::optional<Block> block;
      // Whether the peer can match traffic of family `f` (an ipBlock: its cidr's only).
      bool covers(IpFamily f) const { return kind != IpBlock || block->cidr.base.family == f; }
    };
    std::vector<Peer> resolved;
    if (!peers || peers->empty()) {
      resolved.push_back(Peer{});
    } else {
      size_t n = fault("MULTI_PEER_DROPPED") ? 1 : peers->size();
      for (size_t i = 0; i < n; ++i) {
        const NetworkPolicyPeer& p = (*peers)[i];
        Peer r;
        if (p.ipBlock) {
          r.kind = Peer::IpBlock;
          r.block = parseBlock(*p.ipBlock);
          if (!r.block) continue;  // an unparsable cidr matches nothing
          if (fault("IPBLOCK_EXCEPT_AS_DENY"))
            for (const auto& e : r.block->excepts)
              ch.denyFirst.push_back(fmt::format("{} {} drop comment \"{}\"", field(e.base.family),
                                                 toString(e),
                                                 commentText(where + " except as deny")));
        } else if (p.podSelector || p.namespaceSelector) {
          r.kind = Peer::Pods;
          r.pods = peerPods(pol, p);
          if (r.pods.empty()) continue;
        } else {
          continue;  // an empty peer matches nothing
        }
        resolved.push_back(std::move(r));
      }
    }

    for (size_t pi = 0; pi < resolved.size(); ++pi) {
      const Peer& peer = resolved[pi];
      // Destination pods a named port can resolve on for this peer (egress), each with the
      // address(es) the peer lets through.
      auto candidatePods = [&]() {
        std::vector<std::pair<const PodInfo*, IpAddress>> out;
        auto add = [&](const PodInfo* q) {
          for (IpFamily f : kFamilies)
            if (q->address(f) && peer.covers(f)) out.push_back({q, *q->address(f)});
        };
        if (peer.kind == Peer::Pods) {
          for (const PodInfo* q : peer.pods) add(q);
          return out;
        }
        for (const PodInfo* q : selectable_) {
          if (q->pod->hostNetwork) continue;  // named ports never resolve on a node's identity
          if (peer.kind == Peer::IpBlock) {
            const auto& a = q->address(peer.block->cidr.base.family);
            if (!(profile_.ipblockMatchesPodIps && a && peer.block->contains(*a))) continue;
          }
          add(q);
        }
        return out;
      };
      // The address matches of this peer, one per family it can match ("" = any address).
      std::vector<std::string> addrs;
      if (peer.kind == Peer::Any) {
        addrs.push_back("");
      } else if (peer.kind == Peer::Pods) {
        for (IpFamily f : kFamilies) {
          std::vector<std::string> ips;
          for (const PodInfo* q : peer.pods)
            if (q->address(f)) ips.push_back(toString(*q->address(f)));
          if (!ips.empty()) addrs.push_back(fmt::format("{} {}", field(f), setOf(ips)));
        }
      } else {
        IpFamily f = peer.block->cidr.base.family;
        std::string addr = fmt::format("{} {}", field(f), toString(peer.block->cidr));
        for (const auto& e : peer.block->excepts)
          addr += fmt::format(" {} != {}", field(f), toString(e));
        if (!profile_.ipblockMatchesPodIps && hasPodIps(f))
          addr += fmt::format(" {} != @pod_ips{}", field(f), setSuffix(f));
        addrs.push_back(addr);
      }
      for (size_t ai = 0; ai < alts.size(); ++ai) {
        std::string comment = fmt::format("{} peer[{}] port[{}]", where, pi, ai);
        if (dir == Dir::Egress && isNamed(alts[ai]) && !npFault) {
          // Resolved on each destination pod: one rule per pod address that has the name.
          for (const auto& [d, ip] : candidatePods()) {
            auto pm = portMatch(alts[ai], resolvePod(d), false);
            if (!pm) continue;
            emit(ch, fmt::format("{} {}", field(ip.family), toString(ip)), *pm, comment);
          }
          continue;
        }
        auto pm = portMatch(alts[ai], resolvePod(nullptr), ignoreProtocol);
        if (!pm) continue;
        for (const auto& addr : addrs) emit(ch, addr, *pm, comment);
      }
    }
  }

  bool hasPodIps(IpFamily f) const {
    for (const auto& ip : podIps_)
      if (ip.family == f) return true;
    return false;
  }

  // ---- cluster-scoped policy (docs/cluster-policy.md), independent of oracle/ ----

  bool clusterSelects(const std::optional<LabelSelector>& namespaces,
                      const std::optional<NamespacedPods>& pods, const PodInfo& p) {
    if (p.pod->hostNetwork) return false;  // never a subject, never a namespaces/pods peer
    const Labels& nsl = namespaceLabels(p.pod->meta.namespace_);
    if (namespaces) return selectorMatches(*namespaces, nsl);
    if (!pods) return false;
    if (pods->namespaceSelector && !selectorMatches(*pods->namespaceSelector, nsl)) return false;
    return selectorMatches(pods->podSelector, p.pod->meta.labels);
  }

  // The tier's policies selecting `s` that have rules for `dir`, in the order they apply.
  std::vector<const ClusterPolicy*> tierPolicies(PolicyTier tier, const PodInfo& s, Dir dir) {
    std::vector<const ClusterPolicy*> out;
    for (const auto& cp : c_.clusterPolicies) {
      const auto& rules = dir == Dir::Ingress ? cp.ingress : cp.egress;
      if (cp.tier == tier && rules && !rules->empty() &&
          clusterSelects(cp.subject.namespaces, cp.subject.pods, s))
        out.push_back(&cp);
    }
    const bool inverted = fault("PRIORITY_INVERTED");  // the highest number first
    std::stable_sort(out.begin(), out.end(),
                     [inverted](const ClusterPolicy* a, const ClusterPolicy* b) {
                       if (a->priority != b->priority)
                         return inverted ? a->priority > b->priority : a->priority < b->priority;
                       return a->meta.name < b->meta.name;
                     });
    return out;
  }

  // The nft lines of one cluster-scoped rule for subject `s`, each ending in `verdict`.
  std::vector<std::string> clusterRuleLines(const ClusterPolicyRule& r, Dir dir, const PodInfo& s,
                                            const std::string& verdict,
                                            const std::string& comment) {
    const char* side = dir == Dir::Ingress ? "saddr" : "daddr";
    // Address matches of the peers, and the pods among them (where an egress named port can
    // resolve).
    std::vector<std::string> addrs;
    std::vector<const PodInfo*> peerPods;
    std::vector<Cidr> nets;
    for (const auto& peer : r.peers) {
      if (peer.namespaces || peer.pods) {
        std::vector<std::string> ips[2];
        for (const auto& q : pods_) {
          if (!q.hasAddress() || !clusterSelects(peer.namespaces, peer.pods, q)) continue;
          peerPods.push_back(&q);
          for (IpFamily f : kFamilies)
            if (q.address(f)) ips[f == IpFamily::V4 ? 0 : 1].push_back(toString(*q.address(f)));
        }
        for (IpFamily f : kFamilies)
          if (auto& v = ips[f == IpFamily::V4 ? 0 : 1]; !v.empty())
            addrs.push_back(fmt::format("{} {} {}", ipKeyword(f), side, setOf(v)));
      } else if (peer.nodes) {
        std::vector<std::string> ips[2];
        for (const auto& n : c_.nodes)
          if (selectorMatches(*peer.nodes, n.meta.labels))
            for (const auto& text : n.internalIPs)
              if (auto ip = parseIp(text))
                ips[ip->family == IpFamily::V4 ? 0 : 1].push_back(toString(*ip));
        for (IpFamily f : kFamilies)
          if (auto& v = ips[f == IpFamily::V4 ? 0 : 1]; !v.empty()) {
            std::sort(v.begin(), v.end());
            v.erase(std::unique(v.begin(), v.end()), v.end());
            addrs.push_back(fmt::format("{} {} {}", ipKeyword(f), side, setOf(v)));
          }
      } else if (peer.networks) {
        for (const auto& text : *peer.networks)
          if (auto cidr = parseCidr(text)) {
            nets.push_back(*cidr);
            addrs.push_back(
                fmt::format("{} {} {}", ipKeyword(cidr->base.family), side, toString(*cidr)));
          }
      }
    }
    std::vector<std::string> lines;
    auto line = [&](const std::string& addr, const std::string& port) {
      lines.push_back(addr + (port.empty() ? "" : " " + port) + " " + verdict + " comment \"" +
                      commentText(comment) + "\"");
    };
    if (!r.ports) {
      for (const auto& a : addrs) line(a, "");
      return lines;
    }
    for (const auto& e : *r.ports) {
      const char* pn = protoName(e.effectiveProtocol());
      switch (e.kind) {
        case ClusterPolicyPort::Kind::Number:
          for (const auto& a : addrs) line(a, fmt::format("{} dport {}", pn, e.port));
          break;
        case ClusterPolicyPort::Kind::Range:
          if (e.port > e.endPort) break;  // v1alpha1 accepts it; it matches nothing
          for (const auto& a : addrs)
            line(a, e.port == e.endPort ? fmt::format("{} dport {}", pn, e.port)
                                        : fmt::format("{} dport {}-{}", pn, e.port, e.endPort));
          break;
        case ClusterPolicyPort::Kind::Named: {
          // Resolved on the destination pod: the subject (ingress) or each peer pod (egress),
          // and pods that a networks peer covers.
          auto resolved = [&](const Pod& pod) {
            std::vector<std::string> out;
            for (const auto& ctr : pod.containers)
              for (const auto& cp : ctr.ports)
                if (cp.name == e.name)
                  out.push_back(fmt::format("{} dport {}", protoName(cp.effectiveProtocol()),
                                            cp.containerPort));
            return out;
          };
          if (dir == Dir::Ingress) {
            for (const auto& port : resolved(*s.pod))
              for (const auto& a : addrs) line(a, port);
            break;
          }
          // Each destination address a peer covers: a selected pod's, or a pod's address of a
          // network's family inside it.
          std::vector<std::pair<const PodInfo*, IpAddress>> dests;
          for (const PodInfo* d : peerPods)
            for (IpFamily f : kFamilies)
              if (d->address(f)) dests.push_back({d, *d->address(f)});
          for (const auto& q : pods_)
            if (!q.pod->hostNetwork)
              for (const auto& n : nets)
                if (const auto& a = q.address(n.base.family); a && n.contains(*a))
                  dests.push_back({&q, *a});
          std::sort(dests.begin(), dests.end(), [](const auto& x, const auto& y) {
            return std::pair{x.first->index, x.second} < std::pair{y.first->index, y.second};
          });
          dests.erase(std::unique(dests.begin(), dests.end()), dests.end());
          for (const auto& [d, ip] : dests)
            for (const auto& port : resolved(*d->pod))
              line(fmt::format("{} daddr {}", ipKeyword(ip.family), toString(ip)), port);
          break;
        }
      }
    }
    return lines;
  }

  // The lines of a tier's policies for `s` in `dir`; Pass goes to `passTarget`.
  std::vector<std::string> tierLines(const std::vector<const ClusterPolicy*>& policies, Dir dir,
                                     const PodInfo& s, const std::string& passTarget) {
    std::vector<std::string> out;
    for (const ClusterPolicy* cp : policies) {
      const auto& rules = *(dir == Dir::Ingress ? cp->ingress : cp->egress);
      std::vector<size_t> order(rules.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      if (fault("RULE_ORDER_IGNORED"))  // by action, Deny first, as if rules were unordered
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
          auto rank = [](ClusterRuleAction x) {
            return x == ClusterRuleAction::Deny ? 0 : x == ClusterRuleAction::Allow ? 1 : 2;
          };
          return rank(rules[a].action) < rank(rules[b].action);
        });
      for (size_t ri : order) {
        const ClusterPolicyRule& r = rules[ri];
        // Pass: on to the next tier's chain (none after the baseline tier: allowed).
        std::string verdict = r.action == ClusterRuleAction::Allow           ? "return"
                              : r.action == ClusterRuleAction::Deny          ? "drop"
                              : passTarget.empty() || fault("PASS_AS_ALLOW") ? "return"
                                                                             : "goto " + passTarget;
        std::string comment = fmt::format("{} {} {}[{}] {}", toString(cp->kind), cp->meta.name,
                                          dir == Dir::Ingress ? "ingress" : "egress", ri,
                                          toString(r.action, cp->kind));
        for (auto& l : clusterRuleLines(r, dir, s, verdict, comment)) out.push_back(std::move(l));
      }
    }
    return out;
  }

  // The chain body for subject `s` in `dir`, or nullopt when no policy isolates it.
  std::optional<ChainText> chainFor(const PodInfo& s, Dir dir) {
    bool isolated = false;
    ChainText ch;
    for (const auto& pol : c_.policies) {
      if (!selectsPod(pol, s)) continue;
      auto [in, eg] = policyTypes(pol);
      if (!(dir == Dir::Ingress ? in : eg)) continue;
      isolated = true;
      const auto& rules = dir == Dir::Ingress ? pol.ingress : pol.egress;
      if (!rules) continue;
      std::string polName = pol.meta.namespace_ + "/" + pol.meta.name;
      const char* dn = dir == Dir::Ingress ? "ingress" : "egress";
      std::vector<PortAlt> allAlts;  // RULE_CROSS_PRODUCT: every rule's ports for every peer
      if (fault("RULE_CROSS_PRODUCT"))
        for (const auto& r : *rules)
          for (auto& a : portAlts(r)) allAlts.push_back(a);
      for (size_t ri = 0; ri < rules->size(); ++ri) {
        const NetworkPolicyRule& r = (*rules)[ri];
        std::string where = fmt::format("{} {}[{}]", polName, dn, ri);
        const auto* peers = r.peers ? &*r.peers : nullptr;
        compileRule(pol, dir, s, peers, fault("RULE_CROSS_PRODUCT") ? allAlts : portAlts(r), where,
                    ch);
      }
    }
    if (!isolated) return std::nullopt;
    return ch;
  }

  void compileServices(std::string& out) {
    // Per family: ClusterIPs, their (ip . proto . port) keys and the verdict map to them.
    struct FamilySets {
      std::vector<std::string> clusterIps, keys, vmapElems;
    };
    std::map<IpFamily, FamilySets> sets;
    std::string chains;
    std::set<std::string> seenIps, seenKeys;
    for (size_t si = 0; si < c_.services.size(); ++si) {
      const Service& svc = c_.services[si];
      auto ip = parseIp(svc.clusterIP);
      if (!ip) continue;
      const IpFamily f = ip->family;
      FamilySets& fs = sets[f];
      std::string cip = toString(*ip);
      if (seenIps.insert(cip).second) fs.clusterIps.push_back(cip);
      for (size_t pi = 0; pi < svc.ports.size(); ++pi) {
        const ServicePort& sp = svc.ports[pi];
        const char* pn = protoName(sp.effectiveProtocol());
        std::string key = fmt::format("{} . {} . {}", cip, pn, sp.port);
        if (!seenKeys.insert(key).second) continue;
        // Endpoints: pods selected by the Service with an address of the ClusterIP's family
        // (as the EndpointSlices of that family), each with its own resolved target port.
        std::vector<std::pair<IpAddress, int32_t>> eps;
        for (const auto& b : serviceBackends(c_, svc, sp))
          if (auto a = firstOfFamily(*b.pod, f)) eps.push_back({*a, b.port});
        if (eps.empty()) continue;  // no endpoints: rejected like any unknown ClusterIP port
        fs.keys.push_back(key);
        std::string svcChain = fmt::format("svc_{}_{}", si, pi);
        fs.vmapElems.push_back(fmt::format("{} : goto {}", key, svcChain));
        std::vector<std::string> branches;
        for (size_t ei = 0; ei < eps.size(); ++ei) {
          std::string epChain = fmt::format("ep_{}_{}_{}", si, pi, ei);
          branches.push_back(fmt::format("{} : goto {}", ei, epChain));
          chains += fmt::format(
              "  chain {} {{\n"
              "    {} saddr {} meta mark set meta mark | 0x4000\n"
              "    meta l4proto {} dnat {} to {}:{}\n"
              "  }}\n",
              epChain, ipKeyword(f), toString(eps[ei].first), pn, ipKeyword(f),
              dnatAddress(eps[ei].first), eps[ei].second);
        }
        chains += fmt::format("  chain {} {{\n    comment \"{}\"\n", svcChain,
                              commentText(svc.meta.namespace_ + "/" + svc.meta.name + " " +
                                          std::to_string(sp.port) + "/" + pn));
        if (eps.size() == 1)
          chains += fmt::format("    goto ep_{}_{}_0\n  }}\n", si, pi);
        else
          chains +=
              fmt::format("    numgen random mod {} vmap {}\n  }}\n", eps.size(), setOf(branches));
      }
    }
    for (IpFamily f : kFamilies) {
      const FamilySets& fs = sets[f];
      const char* sfx = setSuffix(f);
      out += fmt::format("  set cluster_ips{} {{\n    type {}\n", sfx, addrType(f));
      if (!fs.clusterIps.empty()) out += "    elements = { " + join(fs.clusterIps) + " }\n";
      out += "  }\n";
      out += fmt::format("  set svc_keys{} {{\n    type {} . inet_proto . inet_service\n", sfx,
                         addrType(f));
      if (!fs.keys.empty()) out += "    elements = { " + join(fs.keys) + " }\n";
      out += "  }\n";
      out += fmt::format("  map svc_vmap{} {{\n    type {} . inet_proto . inet_service : verdict\n",
                         sfx, addrType(f));
      if (!fs.vmapElems.empty()) out += "    elements = { " + join(fs.vmapElems) + " }\n";
      out += "  }\n";
    }
    out += chains;
    out +=
        "  chain services {\n"
        "    ip daddr . meta l4proto . th dport vmap @svc_vmap\n"
        "    ip6 daddr . meta l4proto . th dport vmap @svc_vmap6\n  }\n"
        "  chain nat_prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n  "
        "  jump services\n  }\n"
        "  chain nat_output {\n    type nat hook output priority -100; policy accept;\n    jump "
        "services\n  }\n"
        "  chain nat_postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n"
        "    meta mark & 0x4000 == 0x4000 masquerade comment \"hairpin\"\n  }\n";
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return s;
  }

  // A ClusterIP port without endpoints rejects (kube-proxy's filter).
  static std::string noEndpointsRejects() {
    return "    ip daddr @cluster_ips reject comment \"ClusterIP port without endpoints\"\n"
           "    ip6 daddr @cluster_ips6 reject comment \"ClusterIP port without endpoints\"\n";
  }

  // IPv6 neighbour discovery: never policy's business (the link would not work without it).
  static std::string neighbourDiscovery() {
    return "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, "
           "nd-router-advert } accept\n";
  }

  // Without policy, only what kube-proxy filters: a ClusterIP port without endpoints rejects.
  void compileServiceRejects(std::string& out) {
    out +=
        "  chain filter_forward {\n    type filter hook forward priority filter; policy accept;\n" +
        noEndpointsRejects() + "  }\n";
    out +=
        "  chain filter_output {\n    type filter hook output priority filter; policy accept;\n" +
        noEndpointsRejects() + "  }\n";
  }

  void compilePolicy(std::string& out) {
    std::map<IpFamily, std::vector<std::string>> ingressElems, egressElems;
    std::string chains;
    std::set<IpAddress> seenLocal;
    for (const auto& p : pods_) {
      if (p.pod->nodeName != node_ || p.pod->hostNetwork || !p.hasAddress()) continue;
      // A duplicate address: the first pod that has it wins it.
      std::vector<IpAddress> own;
      for (IpFamily f : kFamilies)
        if (p.address(f) && seenLocal.insert(*p.address(f)).second) own.push_back(*p.address(f));
      if (own.empty()) continue;
      std::string name = p.pod->meta.namespace_ + "/" + p.pod->meta.name;
      for (Dir dir : {Dir::Ingress, Dir::Egress}) {
        auto ch = chainFor(p, dir);
        auto admin = tierPolicies(PolicyTier::Admin, p, dir);
        auto baseline = tierPolicies(PolicyTier::Baseline, p, dir);
        const bool tiers = !admin.empty() || !baseline.empty();
        if (!ch && !tiers) continue;
        std::string chainName = fmt::format("{}_{}", dir == Dir::Ingress ? "in" : "eg", p.index);
        for (const auto& ip : own)
          (dir == Dir::Ingress ? ingressElems : egressElems)[ip.family].push_back(
              fmt::format("{} : jump {}", toString(ip), chainName));
        const std::string what = name + (dir == Dir::Ingress ? " ingress" : " egress");
        // With cluster-scoped policy: the admin tier, then NetworkPolicy (its own chain, which
        // a Pass jumps to), then the baseline tier; allowed traffic returns, denied drops.
        const std::string npChain = tiers ? chainName + "_np" : chainName;
        const std::string baseChain = chainName + "_base";
        if (tiers) {
          chains += fmt::format("  chain {} {{\n    comment \"{}\"\n", chainName,
                                commentText(what + " admin tier"));
          for (const auto& l : tierLines(admin, dir, p, npChain)) chains += "    " + l + "\n";
          // The fault: a pod an admin-tier policy selects is isolated as by a NetworkPolicy.
          chains += !ch && !admin.empty() && fault("ANP_IMPLICIT_ISOLATION")
                        ? "    counter drop\n  }\n"
                        : "    goto " + npChain + "\n  }\n";
        }
        chains += fmt::format("  chain {} {{\n    comment \"{}\"\n", npChain,
                              commentText(what + (tiers ? " NetworkPolicy" : "")));
        if (ch) {
          if (!c_.clusterPolicies.empty() && dir == Dir::Egress &&
              profile_.egressToOwnNode == Profile::EgressToOwnNode::Allow)
            chains += "    fib daddr type local return comment \"egress to own node\"\n";
          if (fault("BANP_OVER_NP"))  // the baseline tier judged before NetworkPolicy
            for (const auto& l : tierLines(baseline, dir, p, "")) chains += "    " + l + "\n";
          for (const auto& l : ch->denyFirst) chains += "    " + l + "\n";
          for (const auto& l : ch->allows) chains += "    " + l + "\n";
          chains += "    counter drop\n  }\n";
        } else {
          chains += "    goto " + baseChain + "\n  }\n";
        }
        if (tiers && !ch) {  // NetworkPolicy decides for a pod it isolates: no baseline
          chains += fmt::format("  chain {} {{\n    comment \"{}\"\n", baseChain,
                                commentText(what + " baseline tier"));
          for (const auto& l : tierLines(baseline, dir, p, "")) chains += "    " + l + "\n";
          chains += "    return\n  }\n";
        }
      }
    }
    for (IpFamily f : kFamilies) {
      const char* sfx = setSuffix(f);
      std::vector<std::string> podIps;
      for (const auto& ip : podIps_)
        if (ip.family == f) podIps.push_back(toString(ip));
      out += fmt::format("  set pod_ips{} {{\n    type {}\n", sfx, addrType(f));
      if (!podIps.empty()) out += "    elements = { " + join(podIps) + " }\n";
      out += "  }\n";
      for (auto* elems : {&ingressElems, &egressElems}) {
        out += fmt::format("  map {}_local{} {{\n    type {} : verdict\n",
                           elems == &ingressElems ? "ingress" : "egress", sfx, addrType(f));
        if (!(*elems)[f].empty()) out += "    elements = { " + join((*elems)[f]) + " }\n";
        out += "  }\n";
      }
    }
    out += chains;

    bool preDnat = fault("SERVICE_PRE_DNAT");
    // Replies and related packets of accepted connections pass. The backend flushes conntrack
    // whenever it loads a ruleset, so every entry was accepted by the rules in force.
    const std::string established = "    ct state established,related accept\n";
    // Egress judged on the ClusterIP and Service port (before DNAT) instead of the backend.
    if (preDnat)
      out +=
          "  chain filter_prerouting {\n"
          "    type filter hook prerouting priority -150; policy accept;\n" +
          established +
          "    ip daddr . meta l4proto . th dport @svc_keys ip saddr vmap @egress_local\n"
          "    ip6 daddr . meta l4proto . th dport @svc_keys6 ip6 saddr vmap @egress_local6\n"
          "  }\n";
    const std::string notDnat = preDnat ? "ct status & dnat == 0 " : "";
    const std::string egressRule = "    " + notDnat + "ip saddr vmap @egress_local\n    " +
                                   notDnat + "ip6 saddr vmap @egress_local6\n";
    const std::string ingressRule =
        "    ip daddr vmap @ingress_local\n    ip6 daddr vmap @ingress_local6\n";
    out +=
        "  chain filter_forward {\n"
        "    type filter hook forward priority filter; policy accept;\n" +
        established + "    ct state invalid drop\n" + noEndpointsRejects() + egressRule +
        ingressRule + "  }\n";
    // Pod -> its own node (and hostNetwork pods there): egress policy applies.
    out +=
        "  chain filter_input {\n"
        "    type filter hook input priority filter; policy accept;\n" +
        established + neighbourDiscovery();
    // Under egress-to-own-node=allow only NetworkPolicy exempts it (in each chain, above): the
    // cluster-scoped tiers still judge it.
    if (profile_.egressToOwnNode == Profile::EgressToOwnNode::Policy || !c_.clusterPolicies.empty())
      out += egressRule;
    out += "  }\n";
    // Node-originated traffic: exempt from its pods' ingress policy unless NODE_TO_POD.
    out +=
        "  chain filter_output {\n"
        "    type filter hook output priority filter; policy accept;\n" +
        established + neighbourDiscovery() + noEndpointsRejects();
    if (fault("NODE_TO_POD")) out += ingressRule;
    out += "  }\n";
  }

  const Cluster& c_;
  std::string node_, table_;
  bool withPolicy_;
  Profile profile_;
  const std::set<std::string>& faults_;
  std::map<std::string, Labels> nsLabels_;
  std::vector<PodInfo> pods_;
  std::vector<const PodInfo*> selectable_;
  std::set<IpAddress> podIps_;
};

}  // namespace

std::string compileNodeRuleset(const Cluster& view, const std::string& node,
                               const std::string& table, const Profile& profile,
                               const std::set<std::string>& faults, bool withPolicy) {
  return Compiler(view, node, table, profile, faults, withPolicy).compile();
}

}  // namespace npf::runner::local
