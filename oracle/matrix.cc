// The matrix engine. Where the reference walks every policy for every probe, this computes a
// whole probe block from bitsets:
//
//   * every selector is evaluated once per distinct label set (pods) or namespace, giving
//     bitsets over pods; each peer becomes a pod bitset or a parsed ipBlock;
//   * per block, columns are the distinct direct destinations (pod/node/external, port,
//     protocol), including the backends of Service targets;
//   * ingress: for each isolated column a bitset over sources, the OR of the source bitsets of
//     the ingress rules whose policy selects the column's pod and whose ports match it, plus
//     the sources carrying the pod's node identity;
//   * egress: for each egress-isolated source a bitset over columns, the OR of the column
//     bitsets of the egress rules that apply to it;
//   * a cell is egress-row bit AND ingress-column bit; the ingress side is transposed in
//     64x64 tiles, one stripe of 64 sources at a time; loopback, family mismatch (skip) and
//     Service targets (combining backend cells) are patched in while writing.
//
// It shares no matching code with reference.cc on purpose: agreement between two independent
// implementations is what the property tests check.
#include "oracle/matrix.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>

#include "model/ip.h"
#include "model/service_backends.h"
#include "oracle/reference.h"

namespace npf {
namespace {

// ---------------------------------------------------------------- bit helpers

inline size_t wordsFor(size_t bits) { return (bits + 63) / 64; }
inline void setBit(uint64_t* w, size_t i) { w[i >> 6] |= uint64_t(1) << (i & 63); }
inline bool testBit(const uint64_t* w, size_t i) { return (w[i >> 6] >> (i & 63)) & 1; }

template <typename F>
inline void forEachSetBit(const uint64_t* w, size_t nWords, F&& f) {
  for (size_t k = 0; k < nWords; ++k) {
    uint64_t x = w[k];
    while (x) {
      f(k * 64 + size_t(__builtin_ctzll(x)));
      x &= x - 1;
    }
  }
}

// In place: bit j of a[i] becomes bit i of a[j].
inline void transpose64(uint64_t a[64]) {
  uint64_t m = 0x00000000FFFFFFFFULL;
  for (int j = 32; j != 0; j >>= 1, m ^= (m << j)) {
    for (int k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      uint64_t t = ((a[k] >> j) ^ a[k | j]) & m;
      a[k] ^= t << j;
      a[k | j] ^= t;
    }
  }
}

// Spreads the low 32 bits of x to the even bits of the result (bit k -> bit 2k).
inline uint64_t spread2(uint64_t x) {
  x &= 0xFFFFFFFFULL;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}

// Bits [first, first + 32) of a bitset, as the low 32 bits.
inline uint64_t bits32(const uint64_t* w, size_t first) {
  size_t k = first >> 6;
  int sh = int(first & 63);
  uint64_t lo = w[k] >> sh;
  if (sh > 32) lo |= w[k + 1] << (64 - sh);
  return lo & 0xFFFFFFFFULL;
}

// ---------------------------------------------------------------- addresses

// An address as two 64-bit halves; family 0 = IPv4, 1 = IPv6.
struct Addr {
  int fam = -1;  // -1: none
  uint64_t hi = 0, lo = 0;
};

Addr toAddr(const IpAddress& ip) {
  Addr a;
  a.fam = ip.family == IpFamily::V4 ? 0 : 1;
  for (int i = 0; i < 8; ++i) a.hi = (a.hi << 8) | ip.bytes[size_t(i)];
  for (int i = 8; i < 16; ++i) a.lo = (a.lo << 8) | ip.bytes[size_t(i)];
  return a;
}

Addr parseAddr(const std::string& s) {
  auto ip = parseIp(s);
  return ip ? toAddr(*ip) : Addr{};
}

struct Net {
  int fam = -1;
  uint64_t hi = 0, lo = 0, mhi = 0, mlo = 0;
  bool contains(const Addr& a) const {
    return a.fam == fam && (a.hi & mhi) == hi && (a.lo & mlo) == lo;
  }
};

Net toNet(const Cidr& c) {
  Net n;
  Addr b = toAddr(c.base);
  n.fam = b.fam;
  int len = c.prefixLength;
  n.mhi = len >= 64 ? ~uint64_t(0) : len == 0 ? 0 : ~uint64_t(0) << (64 - len);
  int l2 = len - 64;
  n.mlo = l2 >= 64 ? ~uint64_t(0) : l2 <= 0 ? 0 : ~uint64_t(0) << (64 - l2);
  n.hi = b.hi & n.mhi;
  n.lo = b.lo & n.mlo;
  return n;
}

// Up to one address per family, first of each family in declaration order, and the first
// address overall (a destination's).
struct AddrSet {
  Addr byFam[2];
  Addr first;
  void add(const Addr& a) {
    if (a.fam < 0) return;
    if (first.fam < 0) first = a;
    if (byFam[a.fam].fam < 0) byFam[a.fam] = a;
  }
};

// ---------------------------------------------------------------- selectors

// A selector compiled against an interning of label sets.
bool exprHolds(const LabelSelectorRequirement& r, const Labels& l) {
  auto it = l.find(r.key);
  if (r.op == SelectorOp::Exists) return it != l.end();
  if (r.op == SelectorOp::DoesNotExist) return it == l.end();
  bool member = false;
  if (it != l.end())
    for (const auto& v : r.values) member = member || v == it->second;
  return r.op == SelectorOp::In ? member : !member;
}

bool labelSelectorHolds(const LabelSelector& s, const Labels& l) {
  for (const auto& kv : s.matchLabels) {
    auto it = l.find(kv.first);
    if (it == l.end() || !(it->second == kv.second)) return false;
  }
  for (const auto& r : s.matchExpressions)
    if (!exprHolds(r, l)) return false;
  return true;
}

std::string selectorKey(const LabelSelector& s) {
  std::string k;
  for (const auto& [a, b] : s.matchLabels) k += a + '\x01' + b + '\x02';
  k += '\x03';
  for (const auto& r : s.matchExpressions) {
    k += r.key + '\x01' + char('0' + int(r.op));
    for (const auto& v : r.values) k += '\x04' + v;
    k += '\x02';
  }
  return k;
}

// ---------------------------------------------------------------- compiled policies

struct CPort {
  Protocol proto = Protocol::TCP;
  enum class Kind { All, Range, Named } kind = Kind::All;
  int32_t lo = 0, hi = 0;
  int nameId = -1;
  bool needsPod = false;  // cluster-scoped named port: never on a host-network pod
};

struct CPeer {
  enum class Kind { Pods, Block, Addrs, Never } kind = Kind::Never;
  int podsIdx = -1;                             // Pods: index into the engine's pod bitsets
  const std::vector<uint64_t>* pods = nullptr;  // ... bound once compilation is done
  Net cidr;
  std::vector<Net> excepts;
  bool anyAddress = false;  // Block of a cluster-scoped `networks`: pod IPs whatever the profile
  std::vector<Addr> addrs;  // Addrs: a cluster-scoped `nodes` peer's node addresses
};

struct CRule {
  bool allPeers = false;
  std::vector<CPeer> peers;
  bool allPorts = false;
  std::vector<CPort> ports;
};

struct CPolicy {
  std::vector<int> selected;  // pods (not hostNetwork) the policy applies to
  bool ingressType = false, egressType = false;
  std::vector<CRule> ingress, egress;
};

// A cluster-scoped policy's rule: what it matches and what it then does.
struct CClusterRule {
  ClusterRuleAction action = ClusterRuleAction::Allow;
  CRule match;
};

struct CClusterPolicy {
  int32_t priority = 0;
  std::vector<CClusterRule> rules[2];  // by direction: 0 ingress, 1 egress
};

// A column's port: what port entries are judged against.
struct PortClass {
  int32_t port;
  Protocol proto;
  std::vector<int> names;  // names of matching container ports on a named-port-capable pod
  bool onPod = false;      // the column is a pod that is not host-network (cluster named ports)
};

// What one tier can decide for one direction, as bitsets over cells (columns of a source row,
// or sources of a column): the actions some allowed order of its policies takes, and `any`:
// some rule matched (else the tier passes the cell on).
struct TierBits {
  std::vector<uint64_t> allow, deny, pass, any;
  explicit TierBits(size_t words = 0) : allow(words), deny(words), pass(words), any(words) {}
};

// The cluster-scoped policies that select a pod, per tier and direction: ids of interned lists
// of indices into the engine's compiled policies, by priority then name (the order they are
// walked in). Pods with the same lists share every tier computation.
struct TierSignature {
  int of[2][2] = {{0, 0}, {0, 0}};  // [tier][direction]; 0 is the empty list
};

struct Pod_ {
  int ns = -1, labelSet = -1, node = -1;
  bool hostNet = false, selectable = false;
  AddrSet addrs;
};

struct SrcInfo {
  bool valid = false;
  bool isPod = false;
  int pod = -1;
  int nodeIdent = -1;          // node identity (node, or hostNetwork pod), -1 none
  bool podIpForBlock = false;  // non-hostNetwork pod: subject to ipblock-matches-pod-ips
  bool selectable = false;
  Addr addr[2];
};

struct Column {
  bool valid = false;
  bool isPod = false;
  int pod = -1;
  int nodeIdent = -1;
  bool podIpForBlock = false;
  bool selectable = false;
  Addr addr;
  int cls = -1;
};

// ---------------------------------------------------------------- one probe block

// A block's sources, and which of them each pod and each node identity is.
struct BlockSources {
  std::vector<SrcInfo> info;                              // by source index
  std::vector<std::vector<int>> ofPod;                    // pod -> its sources
  std::unordered_map<int, std::vector<int>> ofNodeIdent;  // node identity -> its sources
};

// A block's columns, the distinct direct destinations: the direct targets first, in target
// order (so that the common block writes its cells 32 at a time), then the Services' backends.
struct BlockColumns {
  std::vector<Column> list;
  std::vector<PortClass> classes;           // Column::cls indexes here
  std::vector<std::vector<int>> ofPod;      // pod -> its columns
  std::vector<int> ofTarget;                // target -> column; -1 skip, or a Service
  std::vector<char> isService;              // target is a Service: its cell combines backends
  std::vector<std::vector<int>> ofService;  // Service target -> its backends' columns
  std::vector<uint64_t> ofFamily[2];        // bitsets over columns: by address family,
  std::vector<uint64_t> invalid;            // ... and those that have no address
};

// What columns, port classes and Service targets are shared under while columns are built.
struct ColumnKeys {
  std::map<std::tuple<int, std::string, int32_t, int>, int> column;  // (kind, who, port, proto)
  std::map<std::tuple<int32_t, int, std::vector<int>, bool>, int> portClass;
  std::map<std::tuple<std::string, std::string, int32_t, int>, std::vector<int>> service;
};

// Ingress of a block: for each ingress-isolated column (given a slot), a bitset over sources.
struct IngressBits {
  std::vector<int> slotOfColumn;  // -1: not isolated, every source is allowed in
  size_t words = 0;               // per slot
  std::vector<uint64_t> bits;     // slot after slot
};

// Egress of a block: for each egress-isolated source (given a slot), a bitset over columns.
struct EgressBits {
  std::vector<int> slotOfSource;  // -1: not isolated, every column may be reached
  std::vector<uint64_t> bits;     // slot after slot, wordsFor(columns) each
};

class Engine {
 public:
  Engine(const Cluster& c, const Profile& prof) : c_(c), prof_(prof) { compile(); }

  // Writes the cells of block `b`, the first at `base`: its sources, its columns, which
  // sources each isolated column lets in, which columns each isolated source may reach, and
  // the cells as both together.
  void block(const ProbeBlock& b, size_t base, Matrix& m);

 private:
  const Cluster& c_;
  const Profile& prof_;
  size_t P_ = 0;
  std::vector<Pod_> pods_;
  std::unordered_map<std::string, int> podIndex_;  // "ns\0name" -> first pod
  std::unordered_map<std::string, int> nsIds_;
  std::vector<Labels> nsLabels_;
  std::vector<std::vector<uint64_t>> podsOfNs_;
  std::unordered_map<std::string, int> nodeIds_;
  std::unordered_map<std::string, int> declaredNode_;  // name -> first Node object
  std::map<Labels, int> labelSetIds_;
  std::vector<const Labels*> labelSets_;
  std::vector<std::vector<int>> podsOfLabelSet_;
  std::unordered_map<std::string, int> nameIds_;
  std::vector<std::vector<uint64_t>> podBitsCache_;  // owned bitsets referenced by peers
  std::unordered_map<std::string, int> podSelCache_, nsSelCache_, peerCache_;
  std::vector<CPolicy> policies_;
  std::vector<char> ingressIsolated_, egressIsolated_;
  std::vector<CClusterPolicy> clusterPolicies_;
  std::vector<TierSignature> tiersOfPod_;  // empty when the cluster has no cluster-scoped policy
  std::vector<std::vector<int>> policyLists_;  // TierSignature ids to policy lists

  size_t PW() const { return wordsFor(P_); }
  int nsId(const std::string& ns) {
    auto [it, fresh] = nsIds_.try_emplace(ns, int(nsLabels_.size()));
    if (fresh) {
      nsLabels_.push_back({{kNamespaceNameLabel, ns}});
      podsOfNs_.emplace_back(PW(), 0);  // P_ is known before any namespace
    }
    return it->second;
  }
  int nodeId(const std::string& n) {
    if (n.empty()) return -1;
    return nodeIds_.try_emplace(n, int(nodeIds_.size())).first->second;
  }
  int nameId(const std::string& n) {
    return nameIds_.try_emplace(n, int(nameIds_.size())).first->second;
  }

  void compile();
  const std::vector<uint64_t>& podSelectorBits(const LabelSelector& s);
  const std::vector<uint64_t>& nsSelectorBits(const LabelSelector& s);
  CPeer compilePeer(const NetworkPolicyPeer& peer, int policyNs);
  CRule compileRule(const NetworkPolicyRule& r, int policyNs);
  void compileClusterPolicies();
  // Pods (not host-network) a cluster-scoped namespaces or pods selection takes in.
  std::vector<uint64_t> clusterPods(const std::optional<LabelSelector>& namespaces,
                                    const std::optional<NamespacedPods>& pods);
  CRule compileClusterRule(const ClusterPolicyRule& r);
  bool portMatches(const CRule& r, const PortClass& pc) const;

  BlockSources blockSources(const std::vector<Endpoint>& sources) const;
  BlockColumns blockColumns(const std::vector<Target>& targets);
  // The column of a direct destination (a pod when podIdx >= 0), shared when already made.
  int columnFor(const Endpoint& e, int podIdx, int32_t port, Protocol proto, BlockColumns& cols,
                ColumnKeys& keys);
  // The columns of a Service target's backends (none when the Service or port is unknown).
  std::vector<int> serviceColumns(const Target& t, BlockColumns& cols, ColumnKeys& keys);
  IngressBits ingressBits(const BlockSources& src, const BlockColumns& cols) const;
  // The sources of family `fam` that an ingress rule's peers let in, into `out` (reused).
  void ruleSources(const CRule& rule, int fam, const BlockSources& src,
                   std::vector<uint64_t>& out) const;
  EgressBits egressBits(const BlockSources& src, const BlockColumns& cols) const;
  // The columns an egress rule lets out to (peers and ports), into `out` (reused, sized).
  void ruleColumns(const CRule& rule, const BlockColumns& cols, std::vector<uint64_t>& out) const;
  void writeCells(const BlockSources& src, const BlockColumns& cols, const IngressBits& ing,
                  const EgressBits& egr, size_t base, Matrix& m) const;
  // One tier's decision for a direction over `words` words of cells, `matches(rule, out)`
  // giving a rule's cells.
  template <typename Matches>
  TierBits walkTier(const std::vector<int>& policies, int dir, size_t words,
                    Matches&& matches) const;
  // With cluster-scoped policies: every cell from both directions' tiers, one at a time.
  void writeCellsTiered(const BlockSources& src, const BlockColumns& cols, const IngressBits& ing,
                        const EgressBits& egr, size_t base, Matrix& m) const;
  // One source's cells, from its row of allowed columns and its columns to skip.
  void writeRow(const SrcInfo& si, const std::vector<uint64_t>& row,
                const std::vector<uint64_t>& skip, const BlockColumns& cols, size_t identity,
                size_t rowBase, Matrix& m) const;
};

void Engine::compile() {
  P_ = c_.pods.size();
  // Namespaces: declared ones carry their labels plus the implicit name label.
  for (const auto& ns : c_.namespaces) {
    auto it = nsIds_.find(ns.meta.name);
    if (it != nsIds_.end()) continue;  // the first declaration wins, as findNamespace
    int id = nsId(ns.meta.name);
    Labels l = ns.meta.labels;
    l[kNamespaceNameLabel] = ns.meta.name;
    nsLabels_[size_t(id)] = std::move(l);
  }
  for (size_t i = 0; i < c_.nodes.size(); ++i) {
    declaredNode_.try_emplace(c_.nodes[i].meta.name, int(i));
    nodeId(c_.nodes[i].meta.name);
  }
  pods_.resize(P_);
  for (size_t i = 0; i < P_; ++i) {
    const Pod& p = c_.pods[i];
    Pod_& q = pods_[i];
    q.ns = nsId(p.meta.namespace_);
    q.node = nodeId(p.nodeName);
    q.hostNet = p.hostNetwork;
    q.selectable = !p.hostNetwork || prof_.hostnetworkSelectable;
    if (!p.podIP.empty()) q.addrs.add(parseAddr(p.podIP));
    for (const auto& ip : p.podIPs) q.addrs.add(parseAddr(ip));
    auto [it, fresh] = labelSetIds_.try_emplace(p.meta.labels, int(labelSets_.size()));
    if (fresh) {
      labelSets_.push_back(&it->first);
      podsOfLabelSet_.emplace_back();
    }
    q.labelSet = it->second;
    podsOfLabelSet_[size_t(q.labelSet)].push_back(int(i));
    podIndex_.try_emplace(p.meta.namespace_ + '\0' + p.meta.name, int(i));
  }
  for (size_t i = 0; i < P_; ++i) setBit(podsOfNs_[size_t(pods_[i].ns)].data(), i);

  ingressIsolated_.assign(P_, 0);
  egressIsolated_.assign(P_, 0);
  policies_.reserve(c_.policies.size());
  for (const auto& pol : c_.policies) {
    CPolicy cp;
    int ns = nsId(pol.meta.namespace_);
    if (pol.policyTypes && !pol.policyTypes->empty()) {
      for (PolicyType t : *pol.policyTypes)
        (t == PolicyType::Ingress ? cp.ingressType : cp.egressType) = true;
    } else {
      cp.ingressType = true;
      cp.egressType = pol.egress.has_value() && !pol.egress->empty();
    }
    const std::vector<uint64_t>* sel =
        pol.podSelector ? &podSelectorBits(*pol.podSelector) : nullptr;
    const auto& inNs = podsOfNs_[size_t(ns)];
    for (size_t k = 0; k < PW(); ++k) {
      uint64_t x = inNs[k] & (sel ? (*sel)[k] : ~uint64_t(0));
      while (x) {
        size_t i = k * 64 + size_t(__builtin_ctzll(x));
        x &= x - 1;
        if (!pods_[i].hostNet) cp.selected.push_back(int(i));
      }
    }
    if (cp.ingressType && pol.ingress)
      for (const auto& r : *pol.ingress) cp.ingress.push_back(compileRule(r, ns));
    if (cp.egressType && pol.egress)
      for (const auto& r : *pol.egress) cp.egress.push_back(compileRule(r, ns));
    for (int i : cp.selected) {
      if (cp.ingressType) ingressIsolated_[size_t(i)] = 1;
      if (cp.egressType) egressIsolated_[size_t(i)] = 1;
    }
    policies_.push_back(std::move(cp));
  }
  compileClusterPolicies();
  // Peers referenced pod bitsets by index while the cache grew; bind the pointers now.
  auto bind = [&](CRule& r) {
    for (auto& p : r.peers)
      if (p.kind == CPeer::Kind::Pods) p.pods = &podBitsCache_[size_t(p.podsIdx)];
  };
  for (auto& pol : policies_)
    for (auto* rules : {&pol.ingress, &pol.egress})
      for (auto& r : *rules) bind(r);
  for (auto& cp : clusterPolicies_)
    for (auto& rules : cp.rules)
      for (auto& r : rules) bind(r.match);
}

void Engine::compileClusterPolicies() {
  if (c_.clusterPolicies.empty()) return;
  // Walked by priority, then name: the order the profile's tie rule and the reference use.
  std::vector<const ClusterPolicy*> order;
  for (const auto& cp : c_.clusterPolicies) order.push_back(&cp);
  std::stable_sort(order.begin(), order.end(), [](const ClusterPolicy* a, const ClusterPolicy* b) {
    return a->priority != b->priority ? a->priority < b->priority : a->meta.name < b->meta.name;
  });
  std::vector<std::array<std::array<std::vector<int>, 2>, 2>> lists(P_);
  for (const ClusterPolicy* cp : order) {
    CClusterPolicy out;
    out.priority = cp->priority;
    for (int dir = 0; dir < 2; ++dir) {
      const auto& rules = dir == 0 ? cp->ingress : cp->egress;
      if (rules)
        for (const auto& r : *rules) out.rules[dir].push_back({r.action, compileClusterRule(r)});
    }
    const int idx = int(clusterPolicies_.size());
    const int tier = cp->tier == PolicyTier::Admin ? 0 : 1;
    std::vector<uint64_t> subject = clusterPods(cp->subject.namespaces, cp->subject.pods);
    forEachSetBit(subject.data(), PW(), [&](size_t p) {
      for (int dir = 0; dir < 2; ++dir)
        if (!out.rules[dir].empty()) lists[p][size_t(tier)][size_t(dir)].push_back(idx);
    });
    clusterPolicies_.push_back(std::move(out));
  }
  std::map<std::vector<int>, int> ids{{{}, 0}};
  policyLists_.emplace_back();
  tiersOfPod_.assign(P_, {});
  for (size_t p = 0; p < P_; ++p)
    for (int tier = 0; tier < 2; ++tier)
      for (int dir = 0; dir < 2; ++dir) {
        auto& list = lists[p][size_t(tier)][size_t(dir)];
        auto [it, fresh] = ids.try_emplace(list, int(policyLists_.size()));
        if (fresh) policyLists_.push_back(std::move(list));
        tiersOfPod_[p].of[tier][dir] = it->second;
      }
}

std::vector<uint64_t> Engine::clusterPods(const std::optional<LabelSelector>& namespaces,
                                          const std::optional<NamespacedPods>& pods) {
  std::vector<uint64_t> bits(PW(), 0);
  // Copies: the cache vector may reallocate while selectors are added.
  if (namespaces) {
    bits = nsSelectorBits(*namespaces);
  } else if (pods) {
    if (pods->namespaceSelector)
      bits = nsSelectorBits(*pods->namespaceSelector);
    else
      for (size_t i = 0; i < P_; ++i) setBit(bits.data(), i);
    const auto& ps = podSelectorBits(pods->podSelector);
    for (size_t k = 0; k < PW(); ++k) bits[k] &= ps[k];
  }
  for (size_t i = 0; i < P_; ++i)
    if (pods_[i].hostNet) bits[i >> 6] &= ~(uint64_t(1) << (i & 63));
  return bits;
}

CRule Engine::compileClusterRule(const ClusterPolicyRule& r) {
  CRule cr;
  for (const auto& peer : r.peers) {
    if (peer.namespaces || peer.pods) {
      std::string key = "C";
      if (peer.namespaces) {
        key += "N" + selectorKey(*peer.namespaces);
      } else {
        key += "P" +
               (peer.pods->namespaceSelector ? selectorKey(*peer.pods->namespaceSelector) : "*") +
               '\x05' + selectorKey(peer.pods->podSelector);
      }
      auto [it, fresh] = peerCache_.try_emplace(key, -1);
      if (fresh) {
        std::vector<uint64_t> bits = clusterPods(peer.namespaces, peer.pods);
        it->second = int(podBitsCache_.size());
        podBitsCache_.push_back(std::move(bits));
      }
      CPeer cp;
      cp.kind = CPeer::Kind::Pods;
      cp.podsIdx = it->second;
      cr.peers.push_back(cp);
    } else if (peer.nodes) {
      CPeer cp;
      cp.kind = CPeer::Kind::Addrs;
      for (const auto& n : c_.nodes)
        if (labelSelectorHolds(*peer.nodes, n.meta.labels))
          for (const auto& ip : n.internalIPs)
            if (Addr a = parseAddr(ip); a.fam >= 0) cp.addrs.push_back(a);
      cr.peers.push_back(std::move(cp));
    } else if (peer.networks) {
      for (const auto& text : *peer.networks)
        if (auto cidr = parseCidr(text)) {
          CPeer cp;
          cp.kind = CPeer::Kind::Block;
          cp.cidr = toNet(*cidr);
          cp.anyAddress = true;
          cr.peers.push_back(std::move(cp));
        }
    }
  }
  cr.allPorts = !r.ports;
  if (r.ports)
    for (const auto& e : *r.ports) {
      CPort cp;
      cp.proto = e.effectiveProtocol();
      if (e.kind == ClusterPolicyPort::Kind::Named) {
        cp.kind = CPort::Kind::Named;
        cp.nameId = nameId(e.name);
        cp.needsPod = true;
      } else {
        cp.kind = CPort::Kind::Range;
        cp.lo = e.port;
        cp.hi = e.kind == ClusterPolicyPort::Kind::Range ? e.endPort : e.port;
      }
      cr.ports.push_back(cp);
    }
  return cr;
}

const std::vector<uint64_t>& Engine::podSelectorBits(const LabelSelector& s) {
  auto [it, fresh] = podSelCache_.try_emplace(selectorKey(s), int(podBitsCache_.size()));
  if (fresh) {
    std::vector<uint64_t> bits(PW(), 0);
    for (size_t ls = 0; ls < labelSets_.size(); ++ls)
      if (labelSelectorHolds(s, *labelSets_[ls]))
        for (int p : podsOfLabelSet_[ls]) setBit(bits.data(), size_t(p));
    podBitsCache_.push_back(std::move(bits));
  }
  return podBitsCache_[size_t(it->second)];
}

const std::vector<uint64_t>& Engine::nsSelectorBits(const LabelSelector& s) {
  auto [it, fresh] = nsSelCache_.try_emplace(selectorKey(s), int(podBitsCache_.size()));
  if (fresh) {
    std::vector<uint64_t> bits(PW(), 0);
    for (size_t ns = 0; ns < nsLabels_.size(); ++ns)
      if (labelSelectorHolds(s, nsLabels_[ns]))
        for (size_t k = 0; k < PW(); ++k) bits[k] |= podsOfNs_[ns][k];
    podBitsCache_.push_back(std::move(bits));
  }
  return podBitsCache_[size_t(it->second)];
}

CPeer Engine::compilePeer(const NetworkPolicyPeer& peer, int policyNs) {
  CPeer cp;
  if (peer.ipBlock) {
    auto cidr = parseCidr(peer.ipBlock->cidr);
    if (!cidr) return cp;  // Never
    cp.kind = CPeer::Kind::Block;
    cp.cidr = toNet(*cidr);
    for (const auto& e : peer.ipBlock->except)
      if (auto ex = parseCidr(e)) cp.excepts.push_back(toNet(*ex));
    return cp;
  }
  if (!peer.podSelector && !peer.namespaceSelector) return cp;  // Never
  std::string key = std::to_string(policyNs) + '\x05' +
                    (peer.podSelector ? "P" + selectorKey(*peer.podSelector) : "-") + '\x05' +
                    (peer.namespaceSelector ? "N" + selectorKey(*peer.namespaceSelector) : "-");
  auto [it, fresh] = peerCache_.try_emplace(key, -1);
  if (fresh) {
    // Computed in a local first: the cache vector may reallocate while selectors are added.
    std::vector<uint64_t> bits = peer.namespaceSelector ? nsSelectorBits(*peer.namespaceSelector)
                                                        : podsOfNs_[size_t(policyNs)];
    if (peer.podSelector) {
      const auto& ps = podSelectorBits(*peer.podSelector);
      for (size_t k = 0; k < PW(); ++k) bits[k] &= ps[k];
    }
    for (size_t i = 0; i < P_; ++i)
      if (!pods_[i].selectable) bits[i >> 6] &= ~(uint64_t(1) << (i & 63));
    it->second = int(podBitsCache_.size());
    podBitsCache_.push_back(std::move(bits));
  }
  cp.kind = CPeer::Kind::Pods;
  cp.podsIdx = it->second;
  return cp;
}

CRule Engine::compileRule(const NetworkPolicyRule& r, int policyNs) {
  CRule cr;
  cr.allPeers = !r.peers || r.peers->empty();
  if (!cr.allPeers)
    for (const auto& p : *r.peers) cr.peers.push_back(compilePeer(p, policyNs));
  cr.allPorts = !r.ports || r.ports->empty();
  if (!cr.allPorts)
    for (const auto& e : *r.ports) {
      CPort cp;
      cp.proto = e.protocol.value_or(Protocol::TCP);
      if (!e.port) {
        cp.kind = CPort::Kind::All;
      } else if (e.port->isNumber()) {
        cp.kind = CPort::Kind::Range;
        cp.lo = e.port->number();
        cp.hi = e.endPort ? *e.endPort : cp.lo;
      } else {
        cp.kind = CPort::Kind::Named;
        cp.nameId = nameId(e.port->name());
      }
      cr.ports.push_back(cp);
    }
  return cr;
}

bool Engine::portMatches(const CRule& r, const PortClass& pc) const {
  if (r.allPorts) return true;
  for (const auto& e : r.ports) {
    // A cluster-scoped named port has no protocol of its own: the container port's decides,
    // and pc.names holds only names of the column's port and protocol.
    if (e.proto != pc.proto && !e.needsPod) continue;
    switch (e.kind) {
      case CPort::Kind::All:
        return true;
      case CPort::Kind::Range:
        if (pc.port >= e.lo && pc.port <= e.hi) return true;
        break;
      case CPort::Kind::Named:
        if (e.needsPod && !pc.onPod) break;
        for (int n : pc.names)
          if (n == e.nameId) return true;
        break;
    }
  }
  return false;
}

// Cells of one source against one column, for the slow (per-cell) path.
enum : uint8_t { kDeny = 0, kAllow = 1, kUndef = 2, kSkip = 3 };

// Numbers the endpoints (sources or columns) that are pods isolated by `isolated` 0, 1, 2, ...
// into `slots`, the others -1, so that only those get a bitset; returns how many there are.
template <typename Endpoints>
size_t slotsOfIsolated(const Endpoints& endpoints, const std::vector<char>& isolated,
                       std::vector<int>& slots) {
  slots.assign(endpoints.size(), -1);
  size_t n = 0;
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const auto& e = endpoints[i];
    if (e.valid && e.isPod && isolated[size_t(e.pod)]) slots[i] = int(n++);
  }
  return n;
}

// The ingress bits of the stripe of 64 sources `stripe`, transposed: row j of `tr` (CW words)
// is the stripe's source j over the columns. Done 64x64 bits at a time because the ingress is
// built per column but the cells are written per source.
void transposeStripe(const IngressBits& ing, size_t C, size_t stripe, std::vector<uint64_t>& tr) {
  const size_t CW = wordsFor(C), SW = ing.words;
  uint64_t tile[64];
  for (size_t g = 0; g < CW; ++g) {
    for (size_t i = 0; i < 64; ++i) {
      size_t ci = g * 64 + i;
      int slot = ci < C ? ing.slotOfColumn[ci] : -1;
      tile[i] = slot >= 0 ? ing.bits[size_t(slot) * SW + stripe] : ~uint64_t(0);
    }
    transpose64(tile);
    for (size_t j = 0; j < 64; ++j) tr[j * CW + g] = tile[j];
  }
}

void Engine::block(const ProbeBlock& b, size_t base, Matrix& m) {
  if (b.sources.empty() || b.targets.empty()) return;
  const BlockSources src = blockSources(b.sources);
  const BlockColumns cols = blockColumns(b.targets);
  if (cols.list.empty()) {  // no target can be probed
    for (size_t i = 0; i < b.cellCount(); ++i) m.set(base + i, Matrix::Cell::Skip);
    return;
  }
  const IngressBits ing = ingressBits(src, cols);
  const EgressBits egr = egressBits(src, cols);
  if (tiersOfPod_.empty())
    writeCells(src, cols, ing, egr, base, m);
  else
    writeCellsTiered(src, cols, ing, egr, base, m);
}

BlockSources Engine::blockSources(const std::vector<Endpoint>& sources) const {
  const size_t S = sources.size();
  BlockSources src;
  src.info.resize(S);
  src.ofPod.resize(P_);
  for (size_t s = 0; s < S; ++s) {
    const Endpoint& e = sources[s];
    SrcInfo& si = src.info[s];
    AddrSet as;
    if (e.kind == Endpoint::Kind::Pod) {
      auto it = podIndex_.find(e.namespace_ + '\0' + e.name);
      if (it == podIndex_.end()) continue;
      const Pod_& q = pods_[size_t(it->second)];
      si.isPod = true;
      si.pod = it->second;
      si.nodeIdent = q.hostNet ? q.node : -1;
      si.podIpForBlock = !q.hostNet;
      si.selectable = q.selectable;
      as = q.addrs;
      src.ofPod[size_t(si.pod)].push_back(int(s));
    } else if (e.kind == Endpoint::Kind::Node) {
      auto it = declaredNode_.find(e.name);
      if (it == declaredNode_.end()) continue;
      for (const auto& ip : c_.nodes[size_t(it->second)].internalIPs) as.add(parseAddr(ip));
      si.nodeIdent = nodeIds_.at(e.name);
    } else if (e.kind == Endpoint::Kind::External) {
      as.add(parseAddr(e.name));
    } else {
      continue;  // a Service is no source
    }
    si.valid = true;
    si.addr[0] = as.byFam[0];
    si.addr[1] = as.byFam[1];
    if (si.nodeIdent >= 0) src.ofNodeIdent[si.nodeIdent].push_back(int(s));
  }
  return src;
}

BlockColumns Engine::blockColumns(const std::vector<Target>& targets) {
  const size_t T = targets.size();
  BlockColumns cols;
  ColumnKeys keys;
  cols.ofPod.resize(P_);
  cols.ofTarget.assign(T, -1);
  cols.isService.assign(T, 0);
  cols.ofService.resize(T);
  for (size_t j = 0; j < T; ++j) {
    const Target& t = targets[j];
    if (t.to.kind == Endpoint::Kind::Pod) {
      auto it = podIndex_.find(t.to.namespace_ + '\0' + t.to.name);
      if (it != podIndex_.end())
        cols.ofTarget[j] = columnFor(t.to, it->second, t.port, t.protocol, cols, keys);
    } else if (t.to.kind == Endpoint::Kind::Node || t.to.kind == Endpoint::Kind::External) {
      cols.ofTarget[j] = columnFor(t.to, -1, t.port, t.protocol, cols, keys);
    } else {
      cols.isService[j] = 1;
    }
  }
  // Only now, so that the direct targets' columns come first.
  for (size_t j = 0; j < T; ++j)
    if (cols.isService[j]) cols.ofService[j] = serviceColumns(targets[j], cols, keys);

  const size_t C = cols.list.size(), CW = wordsFor(C);
  cols.ofFamily[0].assign(CW, 0);
  cols.ofFamily[1].assign(CW, 0);
  cols.invalid.assign(CW, 0);
  for (size_t ci = 0; ci < C; ++ci) {
    if (!cols.list[ci].valid)
      setBit(cols.invalid.data(), ci);
    else
      setBit(cols.ofFamily[cols.list[ci].addr.fam].data(), ci);
  }
  return cols;
}

int Engine::columnFor(const Endpoint& e, int podIdx, int32_t port, Protocol proto,
                      BlockColumns& cols, ColumnKeys& keys) {
  std::string who = podIdx >= 0 ? std::to_string(podIdx) : e.name;
  int kind = podIdx >= 0 ? 0 : int(e.kind) + 1;
  auto [it, fresh] = keys.column.try_emplace({kind, who, port, int(proto)}, int(cols.list.size()));
  if (!fresh) return it->second;
  Column col;
  std::vector<int> names;
  if (podIdx >= 0) {
    const Pod_& q = pods_[size_t(podIdx)];
    col.isPod = true;
    col.pod = podIdx;
    col.addr = q.addrs.first;
    col.nodeIdent = q.hostNet ? q.node : -1;
    col.podIpForBlock = !q.hostNet;
    col.selectable = q.selectable;
    if (q.selectable)
      for (const auto& ctr : c_.pods[size_t(podIdx)].containers)
        for (const auto& cp : ctr.ports)
          if (cp.containerPort == port && cp.effectiveProtocol() == proto)
            names.push_back(nameId(cp.name));
    std::sort(names.begin(), names.end());
    cols.ofPod[size_t(podIdx)].push_back(int(cols.list.size()));
  } else if (e.kind == Endpoint::Kind::Node) {
    auto nit = declaredNode_.find(e.name);
    if (nit != declaredNode_.end()) {
      for (const auto& ip : c_.nodes[size_t(nit->second)].internalIPs) {
        Addr a = parseAddr(ip);
        if (a.fam >= 0) {
          col.addr = a;
          break;
        }
      }
      col.nodeIdent = nodeIds_.at(e.name);
    }
  } else if (e.kind == Endpoint::Kind::External) {
    col.addr = parseAddr(e.name);
  }
  col.valid = col.addr.fam >= 0;
  const bool onPod = podIdx >= 0 && !pods_[size_t(podIdx)].hostNet;
  auto [cit, cfresh] =
      keys.portClass.try_emplace({port, int(proto), names, onPod}, int(cols.classes.size()));
  if (cfresh) cols.classes.push_back({port, proto, names, onPod});
  col.cls = cit->second;
  cols.list.push_back(col);
  return it->second;
}

std::vector<int> Engine::serviceColumns(const Target& t, BlockColumns& cols, ColumnKeys& keys) {
  auto [it, fresh] =
      keys.service.try_emplace({t.to.namespace_, t.to.name, t.port, int(t.protocol)});
  if (fresh) {
    const Service* svc = nullptr;
    for (const auto& s : c_.services)
      if (s.meta.namespace_ == t.to.namespace_ && s.meta.name == t.to.name) {
        svc = &s;
        break;
      }
    const ServicePort* sp = nullptr;
    if (svc)
      for (const auto& q : svc->ports)
        if (q.port == t.port && q.effectiveProtocol() == t.protocol) {
          sp = &q;
          break;
        }
    if (sp)
      for (const Backend& be : serviceBackends(c_, *svc, *sp))
        it->second.push_back(
            columnFor(Endpoint{}, int(be.pod - c_.pods.data()), be.port, t.protocol, cols, keys));
  }
  return it->second;
}

IngressBits Engine::ingressBits(const BlockSources& src, const BlockColumns& cols) const {
  // Sizes in locals: the bit stores below would otherwise make the compiler reload them.
  const size_t C = cols.list.size(), SW = wordsFor(src.info.size());
  IngressBits ing;
  ing.words = SW;
  const size_t nSlots = slotsOfIsolated(cols.list, ingressIsolated_, ing.slotOfColumn);
  ing.bits.assign(nSlots * SW, 0);

  std::vector<uint64_t> peerSrc[2];
  std::vector<int> targetsOfRule;
  for (const auto& pol : policies_) {
    if (!pol.ingressType) continue;
    for (const auto& rule : pol.ingress) {
      targetsOfRule.clear();
      bool needFam[2] = {false, false};
      for (int p : pol.selected)
        for (int ci : cols.ofPod[size_t(p)])
          if (ing.slotOfColumn[size_t(ci)] >= 0 &&
              portMatches(rule, cols.classes[size_t(cols.list[size_t(ci)].cls)])) {
            targetsOfRule.push_back(ci);
            needFam[cols.list[size_t(ci)].addr.fam] = true;
          }
      if (targetsOfRule.empty()) continue;
      for (int f = 0; f < 2; ++f)
        if (needFam[f]) ruleSources(rule, f, src, peerSrc[f]);
      for (int ci : targetsOfRule) {
        uint64_t* slot = &ing.bits[size_t(ing.slotOfColumn[size_t(ci)]) * SW];
        const uint64_t* ps = peerSrc[cols.list[size_t(ci)].addr.fam].data();
        for (size_t k = 0; k < SW; ++k) slot[k] |= ps[k];
      }
    }
  }
  // Ingress from the pod's own node (a node, or a hostNetwork pod on it) is always allowed.
  for (size_t ci = 0; ci < C; ++ci) {
    if (ing.slotOfColumn[ci] < 0) continue;
    int node = pods_[size_t(cols.list[ci].pod)].node;
    if (node < 0) continue;
    auto it = src.ofNodeIdent.find(node);
    if (it == src.ofNodeIdent.end()) continue;
    for (int s : it->second) setBit(&ing.bits[size_t(ing.slotOfColumn[ci]) * SW], size_t(s));
  }
  return ing;
}

void Engine::ruleSources(const CRule& rule, int fam, const BlockSources& src,
                         std::vector<uint64_t>& out) const {
  const size_t S = src.info.size();
  out.assign(wordsFor(S), 0);
  if (rule.allPeers) {
    std::fill(out.begin(), out.end(), ~uint64_t(0));
    return;
  }
  for (const auto& peer : rule.peers) {
    if (peer.kind == CPeer::Kind::Pods) {
      forEachSetBit(peer.pods->data(), PW(), [&](size_t p) {
        for (int s : src.ofPod[p]) setBit(out.data(), size_t(s));
      });
    } else if (peer.kind == CPeer::Kind::Addrs) {
      for (size_t s = 0; s < S; ++s) {
        const Addr& a = src.info[s].addr[fam];
        if (!src.info[s].valid || a.fam < 0) continue;
        for (const Addr& b : peer.addrs)
          if (a.fam == b.fam && a.hi == b.hi && a.lo == b.lo) setBit(out.data(), s);
      }
    } else if (peer.kind == CPeer::Kind::Block && peer.cidr.fam == fam) {
      for (size_t s = 0; s < S; ++s) {
        const SrcInfo& si = src.info[s];
        if (!si.valid || si.addr[fam].fam < 0) continue;
        if (si.podIpForBlock && !prof_.ipblockMatchesPodIps && !peer.anyAddress) continue;
        if (!peer.cidr.contains(si.addr[fam])) continue;
        bool excluded = false;
        for (const auto& ex : peer.excepts) excluded = excluded || ex.contains(si.addr[fam]);
        if (!excluded) setBit(out.data(), s);
      }
    }
  }
}

EgressBits Engine::egressBits(const BlockSources& src, const BlockColumns& cols) const {
  const size_t S = src.info.size(), C = cols.list.size(), CW = wordsFor(C);
  EgressBits egr;
  const size_t nSlots = slotsOfIsolated(src.info, egressIsolated_, egr.slotOfSource);
  egr.bits.assign(nSlots * CW, 0);

  std::vector<uint64_t> ruleCols(CW);
  std::vector<int> rowsOfPolicy;
  for (const auto& pol : policies_) {
    if (!pol.egressType) continue;
    rowsOfPolicy.clear();
    for (int p : pol.selected)
      for (int s : src.ofPod[size_t(p)]) rowsOfPolicy.push_back(s);
    if (rowsOfPolicy.empty()) continue;
    for (const auto& rule : pol.egress) {
      ruleColumns(rule, cols, ruleCols);
      for (int s : rowsOfPolicy) {
        uint64_t* row = &egr.bits[size_t(egr.slotOfSource[size_t(s)]) * CW];
        for (size_t k = 0; k < CW; ++k) row[k] |= ruleCols[k];
      }
    }
  }
  if (prof_.egressToOwnNode == Profile::EgressToOwnNode::Allow) {
    for (size_t s = 0; s < S; ++s) {
      if (egr.slotOfSource[s] < 0) continue;
      int node = pods_[size_t(src.info[s].pod)].node;
      if (node < 0) continue;
      for (size_t ci = 0; ci < C; ++ci)
        if (cols.list[ci].nodeIdent == node)
          setBit(&egr.bits[size_t(egr.slotOfSource[s]) * CW], ci);
    }
  }
  return egr;
}

void Engine::ruleColumns(const CRule& rule, const BlockColumns& cols,
                         std::vector<uint64_t>& out) const {
  const size_t C = cols.list.size(), CW = wordsFor(C);
  std::fill(out.begin(), out.end(), 0);
  if (rule.allPeers) {
    for (size_t ci = 0; ci < C; ++ci) setBit(out.data(), ci);
  } else {
    for (const auto& peer : rule.peers) {
      if (peer.kind == CPeer::Kind::Pods) {
        forEachSetBit(peer.pods->data(), PW(), [&](size_t p) {
          for (int ci : cols.ofPod[p]) setBit(out.data(), size_t(ci));
        });
      } else if (peer.kind == CPeer::Kind::Addrs) {
        for (size_t ci = 0; ci < C; ++ci) {
          const Addr& a = cols.list[ci].addr;
          if (!cols.list[ci].valid) continue;
          for (const Addr& b : peer.addrs)
            if (a.fam == b.fam && a.hi == b.hi && a.lo == b.lo) setBit(out.data(), ci);
        }
      } else if (peer.kind == CPeer::Kind::Block) {
        for (size_t ci = 0; ci < C; ++ci) {
          const Column& col = cols.list[ci];
          if (!col.valid || (col.podIpForBlock && !prof_.ipblockMatchesPodIps && !peer.anyAddress))
            continue;
          if (!peer.cidr.contains(col.addr)) continue;
          bool excluded = false;
          for (const auto& ex : peer.excepts) excluded = excluded || ex.contains(col.addr);
          if (!excluded) setBit(out.data(), ci);
        }
      }
    }
  }
  if (!rule.allPorts) {
    for (size_t k = 0; k < CW; ++k) {
      uint64_t x = out[k];
      while (x) {
        size_t ci = k * 64 + size_t(__builtin_ctzll(x));
        x &= x - 1;
        if (!portMatches(rule, cols.classes[size_t(cols.list[ci].cls)]))
          out[k] &= ~(uint64_t(1) << (ci & 63));
      }
    }
  }
}

template <typename Matches>
TierBits Engine::walkTier(const std::vector<int>& policies, int dir, size_t words,
                          Matches&& matches) const {
  TierBits t(words);
  const bool byName = prof_.clusterPolicyTies == Profile::ClusterPolicyTies::Name;
  std::vector<uint64_t> reach(words, ~uint64_t(0)), taken(words), mine(words), m(words);
  for (size_t i = 0; i < policies.size();) {
    // One priority at a time: the first with a matching rule decides the cell.
    size_t j = i;
    const int32_t priority = clusterPolicies_[size_t(policies[i])].priority;
    while (j < policies.size() && clusterPolicies_[size_t(policies[j])].priority == priority) ++j;
    std::fill(taken.begin(), taken.end(), 0);
    for (size_t k = i; k < j; ++k) {
      std::fill(mine.begin(), mine.end(), 0);  // cells this policy's earlier rules took
      for (const auto& rule : clusterPolicies_[size_t(policies[k])].rules[dir]) {
        matches(rule.match, m);
        auto& act = rule.action == ClusterRuleAction::Allow  ? t.allow
                    : rule.action == ClusterRuleAction::Deny ? t.deny
                                                             : t.pass;
        for (size_t w = 0; w < words; ++w) {
          // Equal priorities: each policy's action is possible, unless the first by name wins.
          uint64_t x = m[w] & reach[w] & ~mine[w] & (byName ? ~taken[w] : ~uint64_t(0));
          act[w] |= x;
          mine[w] |= x;
        }
      }
      for (size_t w = 0; w < words; ++w) taken[w] |= mine[w];
    }
    for (size_t w = 0; w < words; ++w) reach[w] &= ~taken[w];
    i = j;
  }
  for (size_t w = 0; w < words; ++w) t.any[w] = ~reach[w];
  return t;
}

// One direction's possible verdicts from its tiers: the admin tier; where it passes or has no
// match, NetworkPolicy when it isolates (npAllow), else the baseline tier (no match: allow).
void combineTiers(const TierBits& admin, const TierBits& base, bool isolated,
                  const uint64_t* npAllow, size_t words, std::vector<uint64_t>& canAllow,
                  std::vector<uint64_t>& canDeny) {
  canAllow.resize(words);
  canDeny.resize(words);
  for (size_t w = 0; w < words; ++w) {
    const uint64_t on = admin.pass[w] | ~admin.any[w];
    const uint64_t lowerAllow = isolated ? npAllow[w] : base.allow[w] | base.pass[w] | ~base.any[w];
    const uint64_t lowerDeny = isolated ? ~npAllow[w] : base.deny[w];
    canAllow[w] = admin.allow[w] | (on & lowerAllow);
    canDeny[w] = admin.deny[w] | (on & lowerDeny);
  }
}

void Engine::writeCellsTiered(const BlockSources& src, const BlockColumns& cols,
                              const IngressBits& ing, const EgressBits& egr, size_t base,
                              Matrix& m) const {
  const size_t S = src.info.size(), T = cols.ofTarget.size(), C = cols.list.size();
  const size_t CW = wordsFor(C), SW = wordsFor(S);
  const TierBits emptyS(SW), emptyC(CW);
  const std::vector<uint64_t> allOnesS(SW, ~uint64_t(0));
  // Each rule's sources (per family) and columns, once per block.
  std::map<std::pair<const CRule*, int>, std::vector<uint64_t>> sourcesOfRule;
  std::map<const CRule*, std::vector<uint64_t>> columnsOfRule;

  // Ingress, per column over sources, what the tiers make possible: allowed, denied. Laid out
  // as IngressBits (every column its own slot) to be transposed like NetworkPolicy's.
  IngressBits inAllow, inDeny;
  for (IngressBits* b : {&inAllow, &inDeny}) {
    b->words = SW;
    b->slotOfColumn.resize(C);
    for (size_t ci = 0; ci < C; ++ci) b->slotOfColumn[ci] = int(ci);
    b->bits.resize(C * SW);
  }
  std::map<std::tuple<int, int, int, int>, std::pair<TierBits, TierBits>> inTiers;
  std::vector<uint64_t> canAllow, canDeny;
  for (size_t ci = 0; ci < C; ++ci) {
    const Column& col = cols.list[ci];
    const int slot = ing.slotOfColumn[ci];
    const uint64_t* npAllow = slot >= 0 ? &ing.bits[size_t(slot) * SW] : allOnesS.data();
    const TierSignature* sig =
        col.isPod && !pods_[size_t(col.pod)].hostNet ? &tiersOfPod_[size_t(col.pod)] : nullptr;
    const int admin = sig ? sig->of[0][0] : 0, baseline = sig ? sig->of[1][0] : 0;
    auto key = std::tuple{admin, baseline, col.cls, col.valid ? col.addr.fam : 0};
    auto it = inTiers.find(key);
    if (it == inTiers.end()) {
      const PortClass& pc = cols.classes[size_t(col.cls)];
      const int fam = std::get<3>(key);
      auto matches = [&](const CRule& rule, std::vector<uint64_t>& out) {
        if (!portMatches(rule, pc)) {
          out.assign(SW, 0);
          return;
        }
        auto [rit, fresh] = sourcesOfRule.try_emplace({&rule, fam});
        if (fresh) ruleSources(rule, fam, src, rit->second);
        out = rit->second;
      };
      TierBits a = admin == 0 ? emptyS : walkTier(policyLists_[size_t(admin)], 0, SW, matches);
      TierBits b =
          baseline == 0 ? emptyS : walkTier(policyLists_[size_t(baseline)], 0, SW, matches);
      it = inTiers.emplace(key, std::pair{std::move(a), std::move(b)}).first;
    }
    combineTiers(it->second.first, it->second.second, slot >= 0, npAllow, SW, canAllow, canDeny);
    std::copy_n(canAllow.begin(), SW, &inAllow.bits[ci * SW]);
    std::copy_n(canDeny.begin(), SW, &inDeny.bits[ci * SW]);
  }

  // Per source row over columns: egress the same way, then each cell from both directions.
  std::map<std::pair<int, int>, std::pair<TierBits, TierBits>> egTiers;
  std::vector<uint64_t> egNp(CW), egAllow, egDeny, skip(CW), allow(CW), undef(CW);
  std::vector<uint64_t> trAllow(64 * CW), trDeny(64 * CW);
  const bool loopbackPatch = prof_.loopback != Profile::Loopback::Policy;
  const uint8_t loopCell = prof_.loopback == Profile::Loopback::Allow ? kAllow : kUndef;
  // Fast path: the longest prefix of targets that are columns 0, 1, 2, ... in order.
  size_t identity = 0;
  while (identity < T && cols.ofTarget[identity] == int(identity)) ++identity;
  for (size_t s0 = 0; s0 < S; s0 += 64) {
    transposeStripe(inAllow, C, s0 / 64, trAllow);
    transposeStripe(inDeny, C, s0 / 64, trDeny);
    for (size_t s = s0; s < std::min(S, s0 + 64); ++s) {
      const SrcInfo& si = src.info[s];
      const int slot = egr.slotOfSource[s];
      std::fill(egNp.begin(), egNp.end(), ~uint64_t(0));
      if (slot >= 0) std::copy_n(&egr.bits[size_t(slot) * CW], CW, egNp.begin());
      const TierSignature* sig =
          si.isPod && !pods_[size_t(si.pod)].hostNet ? &tiersOfPod_[size_t(si.pod)] : nullptr;
      const TierBits* admin = &emptyC;
      const TierBits* baseline = &emptyC;
      if (sig) {
        const int a = sig->of[0][1], b = sig->of[1][1];
        auto it = egTiers.find({a, b});
        if (it == egTiers.end()) {
          auto matches = [&](const CRule& rule, std::vector<uint64_t>& out) {
            auto [rit, fresh] = columnsOfRule.try_emplace(&rule);
            if (fresh) {
              rit->second.resize(CW);
              ruleColumns(rule, cols, rit->second);
            }
            out = rit->second;
          };
          TierBits ta = a == 0 ? emptyC : walkTier(policyLists_[size_t(a)], 1, CW, matches);
          TierBits tb = b == 0 ? emptyC : walkTier(policyLists_[size_t(b)], 1, CW, matches);
          it = egTiers.emplace(std::pair{a, b}, std::pair{std::move(ta), std::move(tb)}).first;
        }
        admin = &it->second.first;
        baseline = &it->second.second;
      }
      combineTiers(*admin, *baseline, slot >= 0, egNp.data(), CW, egAllow, egDeny);
      const uint64_t* ia = &trAllow[(s - s0) * CW];
      const uint64_t* id = &trDeny[(s - s0) * CW];
      for (size_t g = 0; g < CW; ++g) {
        skip[g] = !si.valid ? ~uint64_t(0)
                            : cols.invalid[g] | (si.addr[0].fam < 0 ? cols.ofFamily[0][g] : 0) |
                                  (si.addr[1].fam < 0 ? cols.ofFamily[1][g] : 0);
        // Denied when a direction can only deny; allowed when neither can deny.
        const uint64_t deny = (egDeny[g] & ~egAllow[g]) | (id[g] & ~ia[g]);
        allow[g] = ~egDeny[g] & ~id[g];
        undef[g] = ~deny & ~allow[g];
      }
      auto cellOf = [&](int ci, bool viaService) -> uint8_t {
        if (ci < 0 || testBit(skip.data(), size_t(ci))) return kSkip;
        const size_t c = size_t(ci);
        if (si.isPod && cols.list[c].isPod && cols.list[c].pod == si.pod) {
          if (loopbackPatch) return loopCell;
          // A pod's connection to its own IP: NetworkPolicy only (a hairpin goes on below).
          if (!viaService) {
            const int inSlot = ing.slotOfColumn[c];
            const bool in = inSlot < 0 || testBit(&ing.bits[size_t(inSlot) * SW], s);
            return in && testBit(egNp.data(), c) ? kAllow : kDeny;
          }
        }
        return testBit(allow.data(), c) ? kAllow : testBit(undef.data(), c) ? kUndef : kDeny;
      };
      const size_t rowBase = base + s * T;
      size_t j = 0;
      for (; j + 32 <= identity; j += 32) {
        uint64_t a = spread2(bits32(allow.data(), j)), u = spread2(bits32(undef.data(), j));
        uint64_t sk = spread2(bits32(skip.data(), j));
        m.set32(rowBase + j, a | (u << 1) | sk | (sk << 1));
      }
      for (; j < identity; ++j) m.set(rowBase + j, Matrix::Cell(cellOf(int(j), false)));
      // The 32-at-a-time writes above knew nothing of a pod's own cells.
      if (si.isPod)
        for (int ci : cols.ofPod[size_t(si.pod)])
          if (size_t(ci) < (identity / 32) * 32)
            m.set(rowBase + size_t(ci), Matrix::Cell(cellOf(ci, false)));
      for (j = identity; j < T; ++j) {
        uint8_t cell;
        if (!cols.isService[j]) {
          cell = cellOf(cols.ofTarget[j], false);
        } else {
          cell = kSkip;  // the backends' cells: agreeing, or undefined
          for (int ci : cols.ofService[j]) {
            uint8_t v = cellOf(ci, true);
            if (v == kSkip) continue;
            cell = cell == kSkip ? v : cell == v ? cell : kUndef;
          }
        }
        m.set(rowBase + j, Matrix::Cell(cell));
      }
    }
  }
}

void Engine::writeCells(const BlockSources& src, const BlockColumns& cols, const IngressBits& ing,
                        const EgressBits& egr, size_t base, Matrix& m) const {
  const size_t S = src.info.size(), T = cols.ofTarget.size(), C = cols.list.size();
  const size_t CW = wordsFor(C);
  // Fast path: the longest prefix of targets that are columns 0, 1, 2, ... in order.
  size_t identity = 0;
  while (identity < T && cols.ofTarget[identity] == int(identity)) ++identity;

  std::vector<uint64_t> tr(64 * CW);  // transposed ingress: row j of the stripe, by column
  std::vector<uint64_t> row(CW), skip(CW);
  for (size_t s0 = 0; s0 < S; s0 += 64) {
    transposeStripe(ing, C, s0 / 64, tr);
    for (size_t s = s0; s < std::min(S, s0 + 64); ++s) {
      const SrcInfo& si = src.info[s];
      const uint64_t* in = &tr[(s - s0) * CW];
      const int slot = egr.slotOfSource[s];
      const uint64_t* eg = slot >= 0 ? &egr.bits[size_t(slot) * CW] : nullptr;
      for (size_t g = 0; g < CW; ++g) {
        row[g] = in[g] & (eg ? eg[g] : ~uint64_t(0));
        skip[g] = !si.valid ? ~uint64_t(0)
                            : cols.invalid[g] | (si.addr[0].fam < 0 ? cols.ofFamily[0][g] : 0) |
                                  (si.addr[1].fam < 0 ? cols.ofFamily[1][g] : 0);
      }
      writeRow(si, row, skip, cols, identity, base + s * T, m);
    }
  }
}

void Engine::writeRow(const SrcInfo& si, const std::vector<uint64_t>& row,
                      const std::vector<uint64_t>& skip, const BlockColumns& cols, size_t identity,
                      size_t rowBase, Matrix& m) const {
  const size_t T = cols.ofTarget.size();
  const bool loopbackPatch = prof_.loopback != Profile::Loopback::Policy;
  const uint8_t loopCell = prof_.loopback == Profile::Loopback::Allow ? kAllow : kUndef;
  auto cellOf = [&](int ci) -> uint8_t {
    if (ci < 0 || testBit(skip.data(), size_t(ci))) return kSkip;
    if (loopbackPatch && si.isPod && cols.list[size_t(ci)].isPod &&
        cols.list[size_t(ci)].pod == si.pod)
      return loopCell;
    return testBit(row.data(), size_t(ci)) ? kAllow : kDeny;
  };
  size_t j = 0;
  for (; j + 32 <= identity; j += 32) {
    uint64_t a = spread2(bits32(row.data(), j)), sk = spread2(bits32(skip.data(), j));
    m.set32(rowBase + j, a | sk | (sk << 1));
  }
  for (; j < identity; ++j) m.set(rowBase + j, Matrix::Cell(cellOf(int(j))));
  // The 32-at-a-time writes above knew nothing of loopback.
  if (loopbackPatch && si.isPod)
    for (int ci : cols.ofPod[size_t(si.pod)])
      if (size_t(ci) < (identity / 32) * 32) m.set(rowBase + size_t(ci), Matrix::Cell(cellOf(ci)));
  for (j = identity; j < T; ++j) {
    uint8_t cell;
    if (!cols.isService[j]) {
      cell = cellOf(cols.ofTarget[j]);
    } else {
      // A Service's cell agrees with its backends, or is undefined when they disagree.
      cell = kSkip;
      for (int ci : cols.ofService[j]) {
        uint8_t v = cellOf(ci);
        if (v == kSkip) continue;
        if (cell == kSkip)
          cell = v;
        else if (cell != v)
          cell = kUndef;
      }
    }
    m.set(rowBase + j, Matrix::Cell(cell));
  }
}

}  // namespace

Matrix referenceMatrix(const Cluster& c, const ProbeSet& probes, const Profile& profile) {
  Matrix m(probes.cellCount());
  size_t i = 0;
  probes.forEach([&](const Probe& p) {
    auto v = evaluateProbe(c, p, profile);
    m.set(i++, !v                         ? Matrix::Cell::Skip
               : *v == Verdict::Allow     ? Matrix::Cell::Allow
               : *v == Verdict::Undefined ? Matrix::Cell::Undefined
                                          : Matrix::Cell::Deny);
  });
  return m;
}

Matrix computeMatrix(const Cluster& c, const ProbeSet& probes, const Profile& profile) {
  Matrix m(probes.cellCount());
  Engine engine(c, profile);
  size_t base = 0;
  for (const auto& b : probes.blocks) {
    engine.block(b, base, m);
    base += b.cellCount();
  }
  return m;
}

}  // namespace npf
