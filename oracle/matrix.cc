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
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>

#include "model/ip.h"
#include "model/service_backends.h"

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
};

struct CPeer {
  enum class Kind { Pods, Block, Never } kind = Kind::Never;
  int podsIdx = -1;                             // Pods: index into the engine's pod bitsets
  const std::vector<uint64_t>* pods = nullptr;  // ... bound once compilation is done
  Net cidr;
  std::vector<Net> excepts;
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

// A column's port: what port entries are judged against.
struct PortClass {
  int32_t port;
  Protocol proto;
  std::vector<int> names;  // names of matching container ports on a named-port-capable pod
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

class Engine {
 public:
  Engine(const Cluster& c, const Profile& prof) : c_(c), prof_(prof) { compile(); }

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
  bool portMatches(const CRule& r, const PortClass& pc) const;
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
  // Peers referenced pod bitsets by index while the cache grew; bind the pointers now.
  for (auto& pol : policies_)
    for (auto* rules : {&pol.ingress, &pol.egress})
      for (auto& r : *rules)
        for (auto& p : r.peers)
          if (p.kind == CPeer::Kind::Pods) p.pods = &podBitsCache_[size_t(p.podsIdx)];
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
    if (e.proto != pc.proto) continue;
    switch (e.kind) {
      case CPort::Kind::All:
        return true;
      case CPort::Kind::Range:
        if (pc.port >= e.lo && pc.port <= e.hi) return true;
        break;
      case CPort::Kind::Named:
        for (int n : pc.names)
          if (n == e.nameId) return true;
        break;
    }
  }
  return false;
}

// Cells of one source against one column, for the slow (per-cell) path.
enum : uint8_t { kDeny = 0, kAllow = 1, kUndef = 2, kSkip = 3 };

void Engine::block(const ProbeBlock& b, size_t base, Matrix& m) {
  const size_t S = b.sources.size(), T = b.targets.size();
  if (S == 0 || T == 0) return;

  // ---- sources
  std::vector<SrcInfo> src(S);
  std::vector<std::vector<int>> srcOfPod(P_);
  std::unordered_map<int, std::vector<int>> srcOfNodeIdent;
  for (size_t s = 0; s < S; ++s) {
    const Endpoint& e = b.sources[s];
    SrcInfo& si = src[s];
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
      srcOfPod[size_t(si.pod)].push_back(int(s));
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
    if (si.nodeIdent >= 0) srcOfNodeIdent[si.nodeIdent].push_back(int(s));
  }

  // ---- columns: direct targets first, in target order, then Service backends
  std::vector<Column> cols;
  std::vector<PortClass> classes;
  std::map<std::tuple<int32_t, int, std::vector<int>>, int> classIds;
  std::map<std::tuple<int, std::string, int32_t, int>, int> colIds;  // (kind, who, port, proto)
  std::vector<std::vector<int>> colsOfPod(P_);
  auto columnFor = [&](const Endpoint& e, int podIdx, int32_t port, Protocol proto) -> int {
    std::string who = podIdx >= 0 ? std::to_string(podIdx) : e.name;
    int kind = podIdx >= 0 ? 0 : int(e.kind) + 1;
    auto [it, fresh] = colIds.try_emplace({kind, who, port, int(proto)}, int(cols.size()));
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
      colsOfPod[size_t(podIdx)].push_back(int(cols.size()));
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
    auto [cit, cfresh] = classIds.try_emplace({port, int(proto), names}, int(classes.size()));
    if (cfresh) classes.push_back({port, proto, names});
    col.cls = cit->second;
    cols.push_back(col);
    return it->second;
  };

  // Target j -> column (>= 0), or -1 skip; Service targets -> list of backend columns.
  std::vector<int> targetCol(T, -1);
  std::vector<std::vector<int>> svcCols(T);
  std::vector<char> isSvc(T, 0);
  for (size_t j = 0; j < T; ++j) {
    const Target& t = b.targets[j];
    if (t.to.kind == Endpoint::Kind::Pod) {
      auto it = podIndex_.find(t.to.namespace_ + '\0' + t.to.name);
      if (it != podIndex_.end()) targetCol[j] = columnFor(t.to, it->second, t.port, t.protocol);
    } else if (t.to.kind == Endpoint::Kind::Node || t.to.kind == Endpoint::Kind::External) {
      targetCol[j] = columnFor(t.to, -1, t.port, t.protocol);
    } else {
      isSvc[j] = 1;
    }
  }
  std::map<std::tuple<std::string, std::string, int32_t, int>, std::vector<int>> svcMemo;
  for (size_t j = 0; j < T; ++j) {
    if (!isSvc[j]) continue;
    const Target& t = b.targets[j];
    auto [it, fresh] = svcMemo.try_emplace({t.to.namespace_, t.to.name, t.port, int(t.protocol)});
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
              columnFor(Endpoint{}, int(be.pod - c_.pods.data()), be.port, t.protocol));
    }
    svcCols[j] = it->second;
  }

  const size_t C = cols.size();
  if (C == 0) {
    for (size_t s = 0; s < S; ++s)
      for (size_t j = 0; j < T; ++j) m.set(base + s * T + j, Matrix::Cell::Skip);
    return;
  }
  const size_t SW = wordsFor(S), CW = wordsFor(C);

  // Columns per family, invalid columns; node-identity columns per node.
  std::vector<uint64_t> famCols[2] = {std::vector<uint64_t>(CW, 0), std::vector<uint64_t>(CW, 0)};
  std::vector<uint64_t> invalidCols(CW, 0);
  for (size_t ci = 0; ci < C; ++ci) {
    if (!cols[ci].valid)
      setBit(invalidCols.data(), ci);
    else
      setBit(famCols[cols[ci].addr.fam].data(), ci);
  }

  // ---- ingress: per isolated column, the sources allowed by its pod's ingress rules
  std::vector<int> colSlot(C, -1);
  size_t nSlots = 0;
  for (size_t ci = 0; ci < C; ++ci)
    if (cols[ci].valid && cols[ci].isPod && ingressIsolated_[size_t(cols[ci].pod)])
      colSlot[ci] = int(nSlots++);
  std::vector<uint64_t> ing(nSlots * SW, 0);

  std::vector<uint64_t> peerSrc[2];
  std::vector<int> targetsOfRule;
  for (const auto& pol : policies_) {
    if (!pol.ingressType) continue;
    for (const auto& rule : pol.ingress) {
      targetsOfRule.clear();
      bool needFam[2] = {false, false};
      for (int p : pol.selected)
        for (int ci : colsOfPod[size_t(p)])
          if (colSlot[size_t(ci)] >= 0 &&
              portMatches(rule, classes[size_t(cols[size_t(ci)].cls)])) {
            targetsOfRule.push_back(ci);
            needFam[cols[size_t(ci)].addr.fam] = true;
          }
      if (targetsOfRule.empty()) continue;
      for (int f = 0; f < 2; ++f) {
        if (!needFam[f]) continue;
        auto& ps = peerSrc[f];
        ps.assign(SW, 0);
        if (rule.allPeers) {
          std::fill(ps.begin(), ps.end(), ~uint64_t(0));
          continue;
        }
        for (const auto& peer : rule.peers) {
          if (peer.kind == CPeer::Kind::Pods) {
            forEachSetBit(peer.pods->data(), PW(), [&](size_t p) {
              for (int s : srcOfPod[p]) setBit(ps.data(), size_t(s));
            });
          } else if (peer.kind == CPeer::Kind::Block && peer.cidr.fam == f) {
            for (size_t s = 0; s < S; ++s) {
              const SrcInfo& si = src[s];
              if (!si.valid || si.addr[f].fam < 0) continue;
              if (si.podIpForBlock && !prof_.ipblockMatchesPodIps) continue;
              if (!peer.cidr.contains(si.addr[f])) continue;
              bool excluded = false;
              for (const auto& ex : peer.excepts) excluded = excluded || ex.contains(si.addr[f]);
              if (!excluded) setBit(ps.data(), s);
            }
          }
        }
      }
      for (int ci : targetsOfRule) {
        uint64_t* slot = &ing[size_t(colSlot[size_t(ci)]) * SW];
        const uint64_t* ps = peerSrc[cols[size_t(ci)].addr.fam].data();
        for (size_t k = 0; k < SW; ++k) slot[k] |= ps[k];
      }
    }
  }
  // Ingress from the pod's own node (a node, or a hostNetwork pod on it) is always allowed.
  for (size_t ci = 0; ci < C; ++ci) {
    if (colSlot[ci] < 0) continue;
    int node = pods_[size_t(cols[ci].pod)].node;
    if (node < 0) continue;
    auto it = srcOfNodeIdent.find(node);
    if (it == srcOfNodeIdent.end()) continue;
    for (int s : it->second) setBit(&ing[size_t(colSlot[ci]) * SW], size_t(s));
  }

  // ---- egress: per isolated source, the columns allowed by its egress rules
  std::vector<int> srcSlot(S, -1);
  size_t nESlots = 0;
  for (size_t s = 0; s < S; ++s)
    if (src[s].valid && src[s].isPod && egressIsolated_[size_t(src[s].pod)])
      srcSlot[s] = int(nESlots++);
  std::vector<uint64_t> egr(nESlots * CW, 0);
  std::vector<uint64_t> ruleCols(CW);
  std::vector<int> rowsOfPolicy;
  for (const auto& pol : policies_) {
    if (!pol.egressType) continue;
    rowsOfPolicy.clear();
    for (int p : pol.selected)
      for (int s : srcOfPod[size_t(p)]) rowsOfPolicy.push_back(s);
    if (rowsOfPolicy.empty()) continue;
    for (const auto& rule : pol.egress) {
      std::fill(ruleCols.begin(), ruleCols.end(), 0);
      if (rule.allPeers) {
        for (size_t ci = 0; ci < C; ++ci) setBit(ruleCols.data(), ci);
      } else {
        for (const auto& peer : rule.peers) {
          if (peer.kind == CPeer::Kind::Pods) {
            forEachSetBit(peer.pods->data(), PW(), [&](size_t p) {
              for (int ci : colsOfPod[p]) setBit(ruleCols.data(), size_t(ci));
            });
          } else if (peer.kind == CPeer::Kind::Block) {
            for (size_t ci = 0; ci < C; ++ci) {
              const Column& col = cols[ci];
              if (!col.valid || (col.podIpForBlock && !prof_.ipblockMatchesPodIps)) continue;
              if (!peer.cidr.contains(col.addr)) continue;
              bool excluded = false;
              for (const auto& ex : peer.excepts) excluded = excluded || ex.contains(col.addr);
              if (!excluded) setBit(ruleCols.data(), ci);
            }
          }
        }
      }
      if (!rule.allPorts) {
        for (size_t k = 0; k < CW; ++k) {
          uint64_t x = ruleCols[k];
          while (x) {
            size_t ci = k * 64 + size_t(__builtin_ctzll(x));
            x &= x - 1;
            if (!portMatches(rule, classes[size_t(cols[ci].cls)]))
              ruleCols[k] &= ~(uint64_t(1) << (ci & 63));
          }
        }
      }
      for (int s : rowsOfPolicy) {
        uint64_t* row = &egr[size_t(srcSlot[size_t(s)]) * CW];
        for (size_t k = 0; k < CW; ++k) row[k] |= ruleCols[k];
      }
    }
  }
  if (prof_.egressToOwnNode == Profile::EgressToOwnNode::Allow) {
    for (size_t s = 0; s < S; ++s) {
      if (srcSlot[s] < 0) continue;
      int node = pods_[size_t(src[s].pod)].node;
      if (node < 0) continue;
      for (size_t ci = 0; ci < C; ++ci)
        if (cols[ci].nodeIdent == node) setBit(&egr[size_t(srcSlot[s]) * CW], ci);
    }
  }

  // ---- combine, one stripe of 64 sources at a time
  // Fast path: the longest prefix of targets that are columns 0, 1, 2, ... in order.
  size_t identity = 0;
  while (identity < T && targetCol[identity] == int(identity)) ++identity;
  const bool loopbackPatch = prof_.loopback != Profile::Loopback::Policy;
  const uint8_t loopCell = prof_.loopback == Profile::Loopback::Allow ? kAllow : kUndef;

  std::vector<uint64_t> tr(64 * CW);  // transposed ingress: row j of the stripe, by column
  std::vector<uint64_t> row(CW), skip(CW);
  uint64_t tile[64];
  for (size_t s0 = 0; s0 < S; s0 += 64) {
    const size_t k = s0 / 64;
    for (size_t g = 0; g < CW; ++g) {
      for (size_t i = 0; i < 64; ++i) {
        size_t ci = g * 64 + i;
        tile[i] = ci < C && colSlot[ci] >= 0 ? ing[size_t(colSlot[ci]) * SW + k] : ~uint64_t(0);
      }
      transpose64(tile);
      for (size_t j = 0; j < 64; ++j) tr[j * CW + g] = tile[j];
    }
    for (size_t s = s0; s < std::min(S, s0 + 64); ++s) {
      const SrcInfo& si = src[s];
      const uint64_t* in = &tr[(s - s0) * CW];
      const uint64_t* eg = srcSlot[s] >= 0 ? &egr[size_t(srcSlot[s]) * CW] : nullptr;
      for (size_t g = 0; g < CW; ++g) {
        row[g] = in[g] & (eg ? eg[g] : ~uint64_t(0));
        skip[g] = !si.valid ? ~uint64_t(0)
                            : invalidCols[g] | (si.addr[0].fam < 0 ? famCols[0][g] : 0) |
                                  (si.addr[1].fam < 0 ? famCols[1][g] : 0);
      }
      auto cellOf = [&](int ci) -> uint8_t {
        if (ci < 0 || testBit(skip.data(), size_t(ci))) return kSkip;
        if (loopbackPatch && si.isPod && cols[size_t(ci)].isPod && cols[size_t(ci)].pod == si.pod)
          return loopCell;
        return testBit(row.data(), size_t(ci)) ? kAllow : kDeny;
      };
      const size_t rowBase = base + s * T;
      size_t j = 0;
      for (; j + 32 <= identity; j += 32) {
        uint64_t a = spread2(bits32(row.data(), j)), sk = spread2(bits32(skip.data(), j));
        m.set32(rowBase + j, a | sk | (sk << 1));
      }
      for (; j < identity; ++j) m.set(rowBase + j, Matrix::Cell(cellOf(int(j))));
      if (loopbackPatch && si.isPod)
        for (int ci : colsOfPod[size_t(si.pod)])
          if (size_t(ci) < (identity / 32) * 32)
            m.set(rowBase + size_t(ci), Matrix::Cell(cellOf(ci)));
      for (j = identity; j < T; ++j) {
        uint8_t cell;
        if (!isSvc[j]) {
          cell = cellOf(targetCol[j]);
        } else {
          cell = kSkip;
          for (int ci : svcCols[j]) {
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
  }
}

}  // namespace

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
