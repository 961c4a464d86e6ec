// RapidCheck generators for valid clusters and profiles (header-only).
//
// genCluster() produces clusters that pass model/validate.h: DNS-1123 names, valid label keys and
// values, IANA port names, ports 1..65535, unique valid IPs (hostNetwork pods share their node's),
// ipBlock excepts that are strict subsets of their cidr. Vocabularies are tiny so that selectors
// overlap, and sizes are small so that shrinking finds short counterexamples. Every optional
// feature is decided by `chance()`, which shrinks towards "absent", and every count by `pick()`,
// which shrinks towards the minimum.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "model/ip.h"
#include "model/objects.h"
#include "model/profile.h"

namespace npf::arb {

// ---- primitive choices (only valid inside rc::gen::exec or a property) ----

// Uniform in [lo, hi], shrinking towards lo. RapidCheck's inRange scales the range down with
// the test's size parameter; the explicit ranges here already bound the sizes, so it is pinned.
inline int pick(int lo, int hi) { return *rc::gen::resize(100, rc::gen::inRange(lo, hi + 1)); }
// True with probability pct%; shrinks to false.
inline bool chance(int pct) { return pick(0, 99) >= 100 - pct; }
template <typename T>
const T& choose(const std::vector<T>& v) {
  return v[size_t(pick(0, int(v.size()) - 1))];
}

// ---- addresses, built numerically so that the generator needs no parser ----

struct Addr {
  bool v6 = false;
  std::array<uint8_t, 16> b{};
  int bits() const { return v6 ? 128 : 32; }
};

inline Addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  Addr x;
  x.b[0] = a, x.b[1] = b, x.b[2] = c, x.b[3] = d;
  return x;
}
// An IPv6 address from eight 16-bit groups.
inline Addr v6(std::array<uint16_t, 8> g) {
  Addr x;
  x.v6 = true;
  for (int i = 0; i < 8; ++i) x.b[2 * i] = uint8_t(g[i] >> 8), x.b[2 * i + 1] = uint8_t(g[i]);
  return x;
}

inline Addr masked(Addr a, int prefix) {
  for (int i = 0; i < 16; ++i) {
    int keep = std::clamp(prefix - 8 * i, 0, 8);
    a.b[i] &= uint8_t(keep == 0 ? 0 : 0xff << (8 - keep));
  }
  return a;
}

inline bool sameBits(const Addr& a, const Addr& b) { return a.v6 == b.v6 && a.b == b.b; }

// Canonical text (RFC 5952 for IPv6: lower case, longest run of >= 2 zero groups as "::").
inline std::string format(const Addr& a) {
  if (!a.v6)
    return std::to_string(a.b[0]) + "." + std::to_string(a.b[1]) + "." + std::to_string(a.b[2]) +
           "." + std::to_string(a.b[3]);
  uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = uint16_t(a.b[2 * i] << 8 | a.b[2 * i + 1]);
  int bestStart = -1, bestLen = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > bestLen && j - i >= 2) bestStart = i, bestLen = j - i;
    i = j;
  }
  static const char* hex = "0123456789abcdef";
  auto group = [&](uint16_t v) {
    std::string s;
    bool started = false;
    for (int sh = 12; sh >= 0; sh -= 4) {
      int d = (v >> sh) & 15;
      if (d || started || sh == 0) s += hex[d], started = true;
    }
    return s;
  };
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == bestStart) {
      out += "::";
      i += bestLen - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += group(g[i]);
  }
  return out;
}

struct Prefix {
  Addr base;  // host bits cleared
  int len = 0;
  bool contains(const Addr& a) const { return a.v6 == base.v6 && sameBits(masked(a, len), base); }
  // A strict subset: same family, longer prefix, inside.
  bool strictlyContains(const Prefix& p) const { return p.len > len && contains(p.base); }
  std::string text() const { return format(base) + "/" + std::to_string(len); }
};

// ---- vocabularies ----

inline const std::vector<std::string>& nsNamePool() {
  static const std::vector<std::string> v = {"x", "y", "z", "w"};
  return v;
}
inline const std::vector<std::string>& podLabelKeys() {
  static const std::vector<std::string> v = {"app", "tier", "example.com/role"};
  return v;
}
inline const std::vector<std::string>& podLabelValues() {
  static const std::vector<std::string> v = {"web", "db", "api"};
  return v;
}
inline const std::vector<std::string>& nsLabelKeys() {
  static const std::vector<std::string> v = {"team", "env"};
  return v;
}
inline const std::vector<std::string>& nsLabelValues() {
  static const std::vector<std::string> v = {"a", "b"};
  return v;
}
inline const std::vector<std::string>& portNames() {
  static const std::vector<std::string> v = {"http", "dns", "metrics", "web-alt"};
  return v;
}
inline const std::vector<int32_t>& portNumbers() {
  static const std::vector<int32_t> v = {80, 81, 443, 8080, 53, 9090};
  return v;
}

inline Protocol genProtocolValue() {
  int r = pick(0, 9);  // TCP most of the time
  return r < 6 ? Protocol::TCP : r < 8 ? Protocol::UDP : Protocol::SCTP;
}
// Absent (means TCP), or explicit.
inline std::optional<Protocol> genOptProtocol() {
  if (!chance(50)) return std::nullopt;
  return genProtocolValue();
}

// A selector over a key/value vocabulary: matchLabels, matchExpressions with all four
// operators (multi-value In/NotIn), or {}.
inline LabelSelector genSelector(const std::vector<std::string>& keys,
                                 const std::vector<std::string>& values) {
  LabelSelector s;
  int nLabels = pick(0, 1);
  for (int i = 0; i < nLabels; ++i) s.matchLabels[choose(keys)] = choose(values);
  int nExpr = chance(50) ? pick(1, 2) : 0;
  for (int i = 0; i < nExpr; ++i) {
    LabelSelectorRequirement r;
    r.key = choose(keys);
    r.op = SelectorOp(pick(0, 3));
    if (r.op == SelectorOp::In || r.op == SelectorOp::NotIn) {
      std::set<std::string> vals;
      int n = pick(1, 2);
      for (int k = 0; k < n; ++k) vals.insert(choose(values));
      r.values.assign(vals.begin(), vals.end());
    }
    s.matchExpressions.push_back(std::move(r));
  }
  return s;
}

struct GenContext {
  std::vector<std::string> nsNames;  // declared and undeclared namespaces used by pods
  std::vector<std::string> podNs;    // each pod's namespace (policies mostly go where pods are)
  std::vector<Addr> anchors;         // every address in the cluster, for ipBlocks
  bool dualStack = false;
};

inline Prefix genPrefix(const GenContext& ctx) {
  int shape = pick(0, 9);
  if (shape == 0 || ctx.anchors.empty()) {
    // The whole family, or a wide range.
    if (ctx.dualStack && chance(40)) {
      int len = pick(0, 1) ? 0 : 16;
      return {masked(v6({0xfd00, 0, 0, 0, 0, 0, 0, 0}), len), len};
    }
    static const std::vector<Prefix> wide = {
        {v4(0, 0, 0, 0), 0}, {v4(10, 0, 0, 0), 8}, {v4(10, 0, 0, 0), 16}, {v4(192, 168, 0, 0), 16}};
    return choose(wide);
  }
  Addr a = choose(ctx.anchors);
  static const std::vector<int> lens4 = {0, 8, 16, 24, 28, 31, 32};
  static const std::vector<int> lens6 = {0, 16, 64, 112, 120, 127, 128};
  int len = choose(a.v6 ? lens6 : lens4);
  return {masked(a, len), len};
}

inline IPBlock genIpBlock(const GenContext& ctx) {
  Prefix p = genPrefix(ctx);
  IPBlock b;
  b.cidr = p.text();
  if (chance(50)) {
    // Strict subsets around addresses inside the cidr.
    std::vector<Addr> inside;
    for (const auto& a : ctx.anchors)
      if (p.contains(a)) inside.push_back(a);
    int n = inside.empty() ? 0 : pick(1, 2);
    std::set<std::string> seen;
    for (int i = 0; i < n; ++i) {
      Addr a = choose(inside);
      std::vector<int> lens;
      for (int l :
           a.v6 ? std::vector<int>{64, 112, 120, 128} : std::vector<int>{16, 24, 28, 30, 32})
        if (l > p.len) lens.push_back(l);
      if (lens.empty()) continue;
      int len = choose(lens);
      Prefix e{masked(a, len), len};
      if (!p.strictlyContains(e)) continue;
      if (seen.insert(e.text()).second) b.except.push_back(e.text());
    }
  }
  return b;
}

inline NetworkPolicyPeer genPeer(const GenContext& ctx) {
  NetworkPolicyPeer peer;
  int shape = pick(0, 3);
  auto nsSelector = [&] {
    // Namespace label vocabulary, plus the implicit name label.
    std::vector<std::string> keys = nsLabelKeys();
    std::vector<std::string> values = nsLabelValues();
    if (chance(40)) {
      keys = {kNamespaceNameLabel};
      values = nsNamePool();
    }
    return genSelector(keys, values);
  };
  switch (shape) {
    case 0:
      peer.podSelector = genSelector(podLabelKeys(), podLabelValues());
      break;
    case 1:
      peer.namespaceSelector = nsSelector();
      break;
    case 2:
      peer.podSelector = genSelector(podLabelKeys(), podLabelValues());
      peer.namespaceSelector = nsSelector();
      break;
    default:
      peer.ipBlock = genIpBlock(ctx);
      break;
  }
  return peer;
}

inline NetworkPolicyPort genPolicyPort() {
  NetworkPolicyPort p;
  p.protocol = genOptProtocol();
  int shape = pick(0, 9);
  if (shape <= 1) return p;  // protocol-only, or {} when protocol is absent
  if (shape <= 4) {
    std::vector<std::string> names = portNames();
    names.push_back("nope");  // defined on no pod
    p.port = PortRef{choose(names)};
    return p;
  }
  int32_t n = chance(85) ? choose(portNumbers()) : pick(1, 65535);
  p.port = PortRef{n};
  if (chance(35)) {
    std::vector<int32_t> ends = {n, n + 1, 443, 8080, 9090, 65535};
    std::vector<int32_t> ok;
    for (int32_t e : ends)
      if (e >= n && e <= 65535) ok.push_back(e);
    p.endPort = choose(ok);
  }
  return p;
}

inline NetworkPolicyRule genRule(const GenContext& ctx) {
  NetworkPolicyRule r;
  int portsShape = pick(0, 9);
  if (portsShape >= 5) {
    r.ports.emplace();
    int n = pick(1, 2);
    for (int i = 0; i < n; ++i) r.ports->push_back(genPolicyPort());
  } else if (portsShape == 4) {
    r.ports.emplace();  // present but empty: all ports
  }
  int peersShape = pick(0, 9);
  if (peersShape >= 4) {
    r.peers.emplace();
    int n = pick(1, 2);
    for (int i = 0; i < n; ++i) r.peers->push_back(genPeer(ctx));
  } else if (peersShape == 3) {
    r.peers.emplace();  // present but empty: every peer
  }
  return r;
}

inline std::optional<std::vector<NetworkPolicyRule>> genRules(const GenContext& ctx) {
  int shape = pick(0, 9);
  if (shape <= 2) return std::nullopt;  // absent
  std::vector<NetworkPolicyRule> rules;
  if (shape == 3) return rules;  // present but empty: deny all
  int n = pick(1, 2);
  for (int i = 0; i < n; ++i) rules.push_back(genRule(ctx));
  return rules;
}

inline NetworkPolicy genPolicy(const GenContext& ctx, int index) {
  NetworkPolicy p;
  p.meta.name = "pol-" + std::to_string(index);
  p.meta.namespace_ = !ctx.podNs.empty() && chance(80) ? choose(ctx.podNs) : choose(ctx.nsNames);
  if (!chance(10))
    p.podSelector = chance(25) ? LabelSelector{} : genSelector(podLabelKeys(), podLabelValues());
  if (chance(50)) {
    static const std::vector<std::vector<PolicyType>> shapes = {
        {PolicyType::Ingress},
        {PolicyType::Egress},
        {PolicyType::Ingress, PolicyType::Egress},
        {PolicyType::Egress, PolicyType::Ingress},
        {}};
    p.policyTypes = choose(shapes);
  }
  p.ingress = genRules(ctx);
  p.egress = genRules(ctx);
  return p;
}

inline Pod genPod(GenContext& ctx, const std::vector<Node>& nodes, int index) {
  Pod pod;
  pod.meta.name = "pod-" + std::to_string(index);
  pod.meta.namespace_ = choose(ctx.nsNames);
  int nodeIdx = pick(0, int(nodes.size()) - 1);
  pod.nodeName = nodes[size_t(nodeIdx)].meta.name;
  for (const auto& k : podLabelKeys())
    if (chance(60)) pod.meta.labels[k] = choose(podLabelValues());
  pod.hostNetwork = chance(10);
  if (pod.hostNetwork) {
    const Node& n = nodes[size_t(nodeIdx)];
    pod.podIP = n.internalIPs.front();
    pod.podIPs = n.internalIPs;
  } else if (!chance(4)) {  // rarely a pod without IP (pending)
    std::string a4 = format(v4(10, 0, uint8_t(nodeIdx), uint8_t(10 + index)));
    Addr six = v6({0xfd00, 0, 0, 0, 0, 0, uint16_t(nodeIdx), uint16_t(10 + index)});
    if (ctx.dualStack && chance(15)) {
      pod.podIP = format(six);  // IPv6 only
      pod.podIPs = {pod.podIP};
      ctx.anchors.push_back(six);
    } else {
      pod.podIP = a4;
      pod.podIPs = {a4};
      ctx.anchors.push_back(v4(10, 0, uint8_t(nodeIdx), uint8_t(10 + index)));
      if (ctx.dualStack && chance(70)) {
        pod.podIPs.push_back(format(six));
        ctx.anchors.push_back(six);
      }
    }
  }
  int nContainers = pick(1, 2);
  std::set<std::pair<int32_t, Protocol>> usedPorts;
  std::set<std::string> usedNames;
  for (int ci = 0; ci < nContainers; ++ci) {
    Container ctr;
    ctr.name = "c" + std::to_string(ci);
    ctr.image = "registry.k8s.io/e2e-test-images/agnhost:2.43";
    int nPorts = ci == 0 ? pick(1, 3) : pick(0, 2);
    for (int k = 0; k < nPorts; ++k) {
      ContainerPort cp;
      cp.containerPort = chance(90) ? choose(portNumbers()) : pick(1, 65535);
      cp.protocol = genOptProtocol();
      if (!usedPorts.insert({cp.containerPort, cp.effectiveProtocol()}).second) continue;
      if (chance(55)) {
        std::string name = choose(portNames());
        if (usedNames.insert(name).second) cp.name = name;
      }
      ctr.ports.push_back(cp);
    }
    pod.containers.push_back(std::move(ctr));
  }
  return pod;
}

inline Service genService(const GenContext& ctx, int index) {
  Service s;
  s.meta.name = "svc-" + std::to_string(index);
  s.meta.namespace_ = choose(ctx.nsNames);
  s.clusterIP = format(v4(10, 96, 0, uint8_t(10 + index)));
  if (!chance(15)) {
    Labels sel;
    if (chance(95)) {
      sel[choose(podLabelKeys())] = choose(podLabelValues());
      if (chance(20)) sel[choose(podLabelKeys())] = choose(podLabelValues());
    }
    s.selector = sel;
  }
  int n = pick(1, 2);
  std::set<std::pair<int32_t, Protocol>> used;
  for (int i = 0; i < n; ++i) {
    ServicePort sp;
    sp.port = chance(80) ? choose(portNumbers()) : int32_t(5000 + i);
    sp.protocol = chance(70) ? std::nullopt : std::optional<Protocol>(genProtocolValue());
    if (!used.insert({sp.port, sp.effectiveProtocol()}).second) continue;
    sp.name = (n > 1 || chance(50)) ? "p" + std::to_string(i) : "";
    int t = pick(0, 2);
    if (t == 1)
      sp.targetPort = PortRef{int32_t(chance(80) ? choose(portNumbers()) : pick(1, 65535))};
    if (t == 2) sp.targetPort = PortRef{choose(portNames())};
    s.ports.push_back(sp);
  }
  // A Service with several ports needs every port named.
  if (s.ports.size() > 1)
    for (size_t i = 0; i < s.ports.size(); ++i) s.ports[i].name = "p" + std::to_string(i);
  return s;
}

// The generation context of an existing cluster: its namespaces and every address in it.
inline GenContext contextOf(const Cluster& c) {
  GenContext ctx;
  std::set<std::string> seen;
  for (const auto& n : c.namespaces)
    if (seen.insert(n.meta.name).second) ctx.nsNames.push_back(n.meta.name);
  for (const auto& p : c.pods) {
    if (seen.insert(p.meta.namespace_).second) ctx.nsNames.push_back(p.meta.namespace_);
    ctx.podNs.push_back(p.meta.namespace_);
  }
  if (ctx.nsNames.empty()) ctx.nsNames.push_back("x");
  auto addIp = [&](const std::string& text) {
    auto ip = parseIp(text);
    if (!ip) return;
    Addr a;
    a.v6 = ip->family == IpFamily::V6;
    a.b = ip->bytes;
    if (a.v6) ctx.dualStack = true;
    ctx.anchors.push_back(a);
  };
  for (const auto& n : c.nodes)
    for (const auto& ip : n.internalIPs) addIp(ip);
  for (const auto& p : c.pods)
    if (!p.hostNetwork)
      for (const auto& ip : p.podIPs) addIp(ip);
  for (const auto& h : c.externalHosts) addIp(h.ip);
  return ctx;
}

// One more policy for an existing cluster (name "extra-N", unique).
inline rc::Gen<NetworkPolicy> genPolicyFor(const Cluster& c) {
  return rc::gen::exec([c] {
    NetworkPolicy p = genPolicy(contextOf(c), 0);
    p.meta.name = "extra-" + std::to_string(c.policies.size());
    return p;
  });
}

// One more rule (ingress or egress alike) for an existing cluster.
inline rc::Gen<NetworkPolicyRule> genRuleFor(const Cluster& c) {
  return rc::gen::exec([c] { return genRule(contextOf(c)); });
}

// A valid cluster exercising every feature the oracle reads.
inline rc::Gen<Cluster> genCluster() {
  return rc::gen::exec([] {
    Cluster c;
    GenContext ctx;
    ctx.dualStack = chance(25);
    int nNs = pick(1, 4);
    for (int i = 0; i < nNs; ++i) {
      Namespace ns;
      ns.meta.name = nsNamePool()[size_t(i)];
      for (const auto& k : nsLabelKeys())
        if (chance(60)) ns.meta.labels[k] = choose(nsLabelValues());
      if (chance(10))
        ns.meta.labels[kNamespaceNameLabel] = ns.meta.name;  // explicit implicit label
      c.namespaces.push_back(ns);
      ctx.nsNames.push_back(ns.meta.name);
    }
    if (nNs < 4 && chance(10)) ctx.nsNames.push_back(nsNamePool()[size_t(nNs)]);  // undeclared

    int nNodes = pick(1, 3);
    for (int i = 0; i < nNodes; ++i) {
      Node n;
      n.meta.name = "node-" + std::to_string(i);
      Addr a = v4(192, 168, 0, uint8_t(10 + i));
      n.internalIPs.push_back(format(a));
      ctx.anchors.push_back(a);
      if (ctx.dualStack && chance(70)) {
        Addr b = v6({0xfd01, 0, 0, 0, 0, 0, 0, uint16_t(10 + i)});
        n.internalIPs.push_back(format(b));
        ctx.anchors.push_back(b);
      }
      c.nodes.push_back(n);
    }

    int nPods = pick(1, 8);
    for (int i = 0; i < nPods; ++i) {
      c.pods.push_back(genPod(ctx, c.nodes, i));
      ctx.podNs.push_back(c.pods.back().meta.namespace_);
    }

    int nExt = pick(0, 2);
    for (int i = 0; i < nExt; ++i) {
      ExternalHost h;
      h.name = "ext-" + std::to_string(i);
      Addr a = ctx.dualStack && chance(30) ? v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, uint16_t(10 + i)})
                                           : v4(203, 0, 113, uint8_t(10 + i));
      h.ip = format(a);
      ctx.anchors.push_back(a);
      c.externalHosts.push_back(h);
    }

    int nSvc = pick(0, 3);
    for (int i = 0; i < nSvc; ++i) {
      Service s = genService(ctx, i);
      if (!s.ports.empty()) c.services.push_back(std::move(s));
    }

    int nPol = pick(0, 6);
    for (int i = 0; i < nPol; ++i) c.policies.push_back(genPolicy(ctx, i));
    return c;
  });
}

inline rc::Gen<Profile> genProfile() {
  return rc::gen::exec([] {
    Profile p;
    p.ipblockMatchesPodIps = !chance(30);
    p.loopback = Profile::Loopback(pick(0, 2));
    p.egressToOwnNode = Profile::EgressToOwnNode(pick(0, 1));
    p.hostnetworkSelectable = chance(30);
    p.clusterPolicyTies = Profile::ClusterPolicyTies(pick(0, 1));
    return p;
  });
}

// ---- cluster-scoped policies ----

inline LabelSelector genNsSelector() {
  if (chance(40)) return genSelector({kNamespaceNameLabel}, nsNamePool());
  return genSelector(nsLabelKeys(), nsLabelValues());
}

inline NamespacedPods genNamespacedPods(bool namespaceOptional) {
  NamespacedPods p;
  if (!namespaceOptional || chance(70)) p.namespaceSelector = genNsSelector();
  p.podSelector = genSelector(podLabelKeys(), podLabelValues());
  return p;
}

inline ClusterPolicyPeer genClusterPeer(const GenContext& ctx, bool egress, bool v2) {
  ClusterPolicyPeer peer;
  switch (pick(0, egress ? 3 : 1)) {
    case 0:
      peer.namespaces = chance(30) ? LabelSelector{} : genNsSelector();
      break;
    case 1:
      peer.pods = genNamespacedPods(v2);
      break;
    case 2: {
      // Nodes by name or by a label no node has (the generated nodes carry none).
      LabelSelector s;
      if (chance(70))
        s.matchLabels["kubernetes.io/hostname"] = "node-" + std::to_string(pick(0, 2));
      peer.nodes = s;
      if (chance(30)) peer.nodes = LabelSelector{};
      break;
    }
    default: {
      std::set<std::string> nets;
      int n = pick(1, 2);
      for (int i = 0; i < n; ++i) nets.insert(genPrefix(ctx).text());
      peer.networks = std::vector<std::string>(nets.begin(), nets.end());
      break;
    }
  }
  return peer;
}

inline ClusterPolicyPort genClusterPort(bool v2) {
  ClusterPolicyPort p;
  int shape = pick(0, 9);
  if (shape <= 2) {
    std::vector<std::string> names = portNames();
    names.push_back("nope");
    p.kind = ClusterPolicyPort::Kind::Named;
    p.name = choose(names);
    return p;
  }
  p.protocol = v2 || chance(70) ? std::optional(genProtocolValue()) : std::nullopt;
  p.port = chance(85) ? choose(portNumbers()) : pick(1, 65535);
  if (shape <= 5) return p;
  p.kind = ClusterPolicyPort::Kind::Range;
  std::vector<int32_t> ends = {p.port + 1, 443, 8080, 9090, 65535};
  if (!v2) ends.push_back(p.port - 1);  // v1alpha1 accepts start > end: matches nothing
  std::vector<int32_t> ok;
  for (int32_t e : ends)
    if (e >= 1 && e <= 65535 && (!v2 || e > p.port)) ok.push_back(e);
  if (ok.empty()) {
    p.kind = ClusterPolicyPort::Kind::Number;
    return p;
  }
  p.endPort = choose(ok);
  return p;
}

inline std::optional<std::vector<ClusterPolicyRule>> genClusterRules(const GenContext& ctx,
                                                                     ClusterPolicyKind kind,
                                                                     bool egress) {
  if (chance(30)) return std::nullopt;
  const bool v2 = kind == ClusterPolicyKind::ClusterNetworkPolicy;
  std::vector<ClusterPolicyRule> rules;
  int n = pick(0, 3);
  for (int i = 0; i < n; ++i) {
    ClusterPolicyRule r;
    r.name = chance(30) ? "rule-" + std::to_string(i) : "";
    r.action =
        ClusterRuleAction(pick(0, kind == ClusterPolicyKind::BaselineAdminNetworkPolicy ? 1 : 2));
    int nPeers = pick(1, 2);
    for (int k = 0; k < nPeers; ++k) r.peers.push_back(genClusterPeer(ctx, egress, v2));
    if (chance(55)) {
      r.ports.emplace();
      int nPorts = pick(1, 2);
      for (int k = 0; k < nPorts; ++k) r.ports->push_back(genClusterPort(v2));
    }
    rules.push_back(std::move(r));
  }
  return rules;
}

// One to five cluster-scoped policies, all v1alpha1 or all v1alpha2, with priorities from a
// small range so that ties are common.
inline std::vector<ClusterPolicy> genClusterPolicies(const GenContext& ctx) {
  std::vector<ClusterPolicy> out;
  const bool v2 = chance(50);
  int n = pick(1, 5);
  bool haveBanp = false;
  for (int i = 0; i < n; ++i) {
    ClusterPolicy cp;
    if (v2) {
      cp.kind = ClusterPolicyKind::ClusterNetworkPolicy;
      cp.tier = chance(60) ? PolicyTier::Admin : PolicyTier::Baseline;
    } else if (!haveBanp && chance(30)) {
      cp.kind = ClusterPolicyKind::BaselineAdminNetworkPolicy;
      cp.tier = PolicyTier::Baseline;
      haveBanp = true;
    } else {
      cp.kind = ClusterPolicyKind::AdminNetworkPolicy;
    }
    const bool banp = cp.kind == ClusterPolicyKind::BaselineAdminNetworkPolicy;
    cp.meta.name = banp ? "default" : "cp-" + std::to_string(i);
    if (!banp) cp.priority = pick(0, 2) / 2;  // mostly 0: ties that overlap
    if (chance(30))
      cp.subject.namespaces = LabelSelector{};  // every pod: subjects that overlap
    else if (chance(50))
      cp.subject.namespaces = genNsSelector();
    else
      cp.subject.pods = genNamespacedPods(v2);
    cp.ingress = genClusterRules(ctx, cp.kind, false);
    cp.egress = genClusterRules(ctx, cp.kind, true);
    out.push_back(std::move(cp));
  }
  return out;
}

inline rc::Gen<std::vector<ClusterPolicy>> genClusterPoliciesFor(const Cluster& c) {
  return rc::gen::exec([c] { return genClusterPolicies(contextOf(c)); });
}

// ---- compact printing for counterexamples ----

inline std::string describe(const LabelSelector& s) {
  std::string out;
  auto add = [&](const std::string& t) { out += (out.empty() ? "" : ",") + t; };
  for (const auto& [k, v] : s.matchLabels) add(k + "=" + v);
  for (const auto& r : s.matchExpressions) {
    std::string vals;
    for (const auto& v : r.values) vals += (vals.empty() ? "" : ",") + v;
    switch (r.op) {
      case SelectorOp::In:
        add(r.key + " in (" + vals + ")");
        break;
      case SelectorOp::NotIn:
        add(r.key + " notin (" + vals + ")");
        break;
      case SelectorOp::Exists:
        add(r.key);
        break;
      case SelectorOp::DoesNotExist:
        add("!" + r.key);
        break;
    }
  }
  return "{" + out + "}";
}

inline void dumpCluster(const Cluster& c, std::ostream& os) {
  auto labels = [](const Labels& l) {
    std::string s;
    for (const auto& [k, v] : l) s += (s.empty() ? "" : ",") + k + "=" + v;
    return "{" + s + "}";
  };
  os << "\n";
  for (const auto& n : c.namespaces)
    os << "ns " << n.meta.name << " " << labels(n.meta.labels) << "\n";
  for (const auto& n : c.nodes) {
    os << "node " << n.meta.name;
    for (const auto& ip : n.internalIPs) os << " " << ip;
    os << "\n";
  }
  for (const auto& p : c.pods) {
    os << "pod " << p.meta.namespace_ << "/" << p.meta.name << " " << labels(p.meta.labels)
       << " on " << p.nodeName << (p.hostNetwork ? " hostNetwork" : "") << " ip=" << p.podIP
       << " ips=[";
    for (const auto& ip : p.podIPs) os << ip << " ";
    os << "] ports:";
    for (const auto& ctr : p.containers)
      for (const auto& cp : ctr.ports)
        os << " " << (cp.name.empty() ? "" : cp.name + "=") << cp.containerPort << "/"
           << (cp.protocol ? toString(*cp.protocol) : "(TCP)");
    os << "\n";
  }
  for (const auto& s : c.services) {
    os << "svc " << s.meta.namespace_ << "/" << s.meta.name << " " << s.clusterIP
       << " sel=" << (s.selector ? labels(*s.selector) : "absent") << " ports:";
    for (const auto& sp : s.ports) {
      os << " " << sp.name << ":" << sp.port << "/"
         << (sp.protocol ? toString(*sp.protocol) : "(TCP)");
      if (sp.targetPort)
        os << "->"
           << (sp.targetPort->isNumber() ? std::to_string(sp.targetPort->number())
                                         : sp.targetPort->name());
    }
    os << "\n";
  }
  for (const auto& h : c.externalHosts) os << "external " << h.name << " " << h.ip << "\n";
  auto rules = [&](const char* what, const std::optional<std::vector<NetworkPolicyRule>>& rs) {
    if (!rs) {
      os << "  " << what << ": absent\n";
      return;
    }
    os << "  " << what << ": " << rs->size() << " rules\n";
    for (const auto& r : *rs) {
      os << "   - peers: ";
      if (!r.peers)
        os << "absent";
      else if (r.peers->empty())
        os << "[]";
      for (const auto& pr : r.peers ? *r.peers : std::vector<NetworkPolicyPeer>{}) {
        os << "[";
        if (pr.podSelector) os << "pod" << describe(*pr.podSelector) << " ";
        if (pr.namespaceSelector) os << "ns" << describe(*pr.namespaceSelector) << " ";
        if (pr.ipBlock) {
          os << "ipBlock " << pr.ipBlock->cidr;
          for (const auto& e : pr.ipBlock->except) os << " -" << e;
        }
        os << "] ";
      }
      os << " ports: ";
      if (!r.ports)
        os << "absent";
      else if (r.ports->empty())
        os << "[]";
      for (const auto& pt : r.ports ? *r.ports : std::vector<NetworkPolicyPort>{}) {
        os << "[" << (pt.protocol ? toString(*pt.protocol) : "(TCP)");
        if (pt.port)
          os << " " << (pt.port->isNumber() ? std::to_string(pt.port->number()) : pt.port->name());
        if (pt.endPort) os << ".." << *pt.endPort;
        os << "] ";
      }
      os << "\n";
    }
  };
  for (const auto& p : c.policies) {
    os << "policy " << p.meta.namespace_ << "/" << p.meta.name
       << " podSelector=" << (p.podSelector ? describe(*p.podSelector) : "absent")
       << " policyTypes=";
    if (!p.policyTypes)
      os << "absent";
    else {
      os << "[";
      for (auto t : *p.policyTypes) os << toString(t) << " ";
      os << "]";
    }
    os << "\n";
    rules("ingress", p.ingress);
    rules("egress", p.egress);
  }
}

}  // namespace npf::arb

namespace npf {
// Found by RapidCheck through ADL when printing counterexamples.
inline void showValue(const Cluster& c, std::ostream& os) { arb::dumpCluster(c, os); }
inline void showValue(const Profile& p, std::ostream& os) {
  const char* lb[] = {"undefined", "allow", "policy"};
  os << "ipblock-matches-pod-ips=" << p.ipblockMatchesPodIps << " loopback=" << lb[int(p.loopback)]
     << " egress-to-own-node="
     << (p.egressToOwnNode == Profile::EgressToOwnNode::Policy ? "policy" : "allow")
     << " hostnetwork-selectable=" << p.hostnetworkSelectable;
}
}  // namespace npf
