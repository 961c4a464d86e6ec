#include "generator/policy_gen.h"

#include <fmt/format.h>

#include <set>

#include "generator/cluster_gen.h"
#include "model/ip.h"

namespace npf {
namespace {

// Context of one policy being generated.
struct PolicyGen {
  Random& rng;
  const Cluster& c;
  const GeneratorWeights& w;
  std::string ns;
  std::vector<std::string> ipSources;  // lines of kIpBlockSourcesAnnotation

  LabelSelector podLabelSelector(bool allowEmpty) {
    LabelSelector s;
    if (allowEmpty && rng.percent(w.selectorEmpty)) return s;
    const auto& vocab = labelVocabulary().podLabels;
    if (rng.percent(w.matchExpressions)) {
      s.matchExpressions.push_back(expression(vocab, podNameValues()));
      if (rng.percent(25)) s.matchExpressions.push_back(expression(vocab, podNameValues()));
    } else if (rng.percent(50)) {
      s.matchLabels["pod"] = rng.pick(podNameValues());
    } else {
      const auto& [key, values] = rng.pick(vocab);
      s.matchLabels[key] = rng.pick(values);
    }
    if (rng.percent(10)) {  // labels and expressions together (ANDed)
      const auto& [key, values] = rng.pick(vocab);
      s.matchLabels[key] = rng.pick(values);
    }
    return s;
  }

  LabelSelector namespaceLabelSelector(bool allowEmpty) {
    LabelSelector s;
    if (allowEmpty && rng.percent(w.selectorEmpty)) return s;
    const auto& vocab = labelVocabulary().namespaceLabels;
    std::vector<std::string> names;
    for (const auto& n : c.namespaces) names.push_back(n.meta.name);
    if (rng.percent(w.matchExpressions)) {
      // The implicit kubernetes.io/metadata.name label is a favourite of real policies.
      if (rng.percent(50)) {
        LabelSelectorRequirement r{kNamespaceNameLabel,
                                   rng.percent(50) ? SelectorOp::In : SelectorOp::NotIn,
                                   rng.subset(names, size_t(rng.range(1, 2)))};
        s.matchExpressions.push_back(r);
      } else {
        s.matchExpressions.push_back(expression(vocab, names));
      }
    } else {
      switch (rng.below(3)) {
        case 0:
          s.matchLabels["ns"] = rng.pick(names);
          break;
        case 1:
          s.matchLabels[kNamespaceNameLabel] = rng.pick(names);
          break;
        default: {
          const auto& [key, values] = rng.pick(vocab);
          s.matchLabels[key] = rng.pick(values);
        }
      }
    }
    return s;
  }

  const std::vector<std::string>& podNameValues() {
    static const std::vector<std::string> names = {"a", "b", "c", "d"};
    return names;
  }

  // One matchExpressions term over the vocabulary, with every operator and multi-value NotIn.
  LabelSelectorRequirement expression(
      const std::vector<std::pair<std::string, std::vector<std::string>>>& vocab,
      const std::vector<std::string>& nameValues) {
    LabelSelectorRequirement r;
    bool byName = rng.percent(30);
    const std::vector<std::string>* values = nullptr;
    if (byName) {
      r.key = vocab.size() == 3 ? "pod" : "ns";
      values = &nameValues;
    } else {
      const auto& entry = rng.pick(vocab);
      r.key = entry.first;
      values = &entry.second;
    }
    const int opWeights[] = {30, 35, 20, 15};  // In, NotIn, Exists, DoesNotExist
    r.op = SelectorOp(rng.weighted(opWeights));
    if (r.op == SelectorOp::In || r.op == SelectorOp::NotIn)
      r.values = rng.subset(*values, size_t(rng.range(1, std::min<int64_t>(3, values->size()))));
    return r;
  }

  // An address to derive an ipBlock from: a pod, a node or an external host, of `family`.
  struct Source {
    std::string spec;  // pod:NS/NAME, node:NAME, ip:NAME
    IpAddress ip;
  };
  std::vector<Source> sources(IpFamily family) {
    std::vector<Source> out;
    auto add = [&](std::string spec, const std::string& text) {
      auto ip = parseIp(text);
      if (ip && ip->family == family) out.push_back({std::move(spec), *ip});
    };
    for (const auto& p : c.pods)
      if (!p.hostNetwork)
        for (const auto& ip : p.podIPs) add("pod:" + p.meta.namespace_ + "/" + p.meta.name, ip);
    for (const auto& n : c.nodes)
      for (const auto& ip : n.internalIPs) add("node:" + n.meta.name, ip);
    for (const auto& e : c.externalHosts) add("ip:" + e.name, e.ip);
    return out;
  }

  IpFamily primaryFamily() {
    for (const auto& p : c.pods)
      if (auto ip = parseIp(p.podIP)) return ip->family;
    return IpFamily::V4;
  }

  // The prefix of length `prefix` around `ip`, host bits cleared.
  static std::string cidrOf(const IpAddress& ip, int prefix) {
    return toString(*parseCidr(toString(ip) + "/" + std::to_string(prefix)));
  }

  IPBlock ipBlock(const std::string& path) {
    IpFamily family = primaryFamily();
    auto all = sources(family);
    IPBlock b;
    if (all.empty()) {
      b.cidr = family == IpFamily::V4 ? "0.0.0.0/0" : "::/0";
      return b;
    }
    const Source& src = rng.pick(all);
    bool v4 = family == IpFamily::V4;
    // /32 hits one host, /24 (/64) a node's pod subnet, /16 (/48) every pod; 0/0 everything.
    const int v4Prefixes[] = {32, 24, 16, 0}, v6Prefixes[] = {128, 64, 48, 0};
    const int prefixWeights[] = {35, 35, 20, 10};
    size_t pi = rng.weighted(prefixWeights);
    int prefix = v4 ? v4Prefixes[pi] : v6Prefixes[pi];
    b.cidr = cidrOf(src.ip, prefix);
    if (prefix > 0) ipSources.push_back(fmt::format("{}.cidr={}/{}", path, src.spec, prefix));
    if (prefix < src.ip.bitLength() && rng.percent(w.exceptInIpBlock)) {
      // Except a host or a narrower prefix inside the cidr, often one another peer allows.
      Cidr outer = *parseCidr(b.cidr);
      std::vector<const Source*> inside;
      for (const auto& s : all)
        if (outer.contains(s.ip)) inside.push_back(&s);
      const Source& ex = *rng.pick(inside);
      int exPrefix = v4 ? (prefix < 24 && rng.percent(40) ? 24 : 32)
                        : (prefix < 64 && rng.percent(40) ? 64 : 128);
      b.except.push_back(cidrOf(ex.ip, exPrefix));
      ipSources.push_back(fmt::format("{}.except[0]={}/{}", path, ex.spec, exPrefix));
    }
    return b;
  }

  NetworkPolicyPeer peer(const std::string& path) {
    NetworkPolicyPeer p;
    const int shapeWeights[] = {
        w.peerIpBlock, w.peerPodOnly, w.peerNamespaceOnly,
        std::max(0, 100 - w.peerIpBlock - w.peerPodOnly - w.peerNamespaceOnly)};
    switch (rng.weighted(shapeWeights)) {
      case 0:
        p.ipBlock = ipBlock(path + ".ipBlock");
        break;
      case 1:
        p.podSelector = podLabelSelector(true);
        break;
      case 2:
        p.namespaceSelector = namespaceLabelSelector(true);
        break;
      default:
        p.podSelector = podLabelSelector(true);
        p.namespaceSelector = namespaceLabelSelector(true);
    }
    return p;
  }

  NetworkPolicyPort portEntry() {
    NetworkPolicyPort p;
    const int kindWeights[] = {
        w.portNamed, w.portRange, w.portProtocolOnly, w.portEmptyEntry,
        std::max(0, 100 - w.portNamed - w.portRange - w.portProtocolOnly - w.portEmptyEntry)};
    const Protocol protocols[] = {Protocol::TCP, Protocol::UDP, Protocol::SCTP};
    const int protocolWeights[] = {60, 30, 10};
    auto protocol = [&] { return protocols[rng.weighted(protocolWeights)]; };
    switch (rng.weighted(kindWeights)) {
      case 0: {  // named: canonical names, the per-pod varying ones, or a name no pod has
        static const std::vector<std::string> names = {
            "serve-80-tcp", "serve-80-udp", "serve-81-tcp", "serve-81-udp", "serve-81-sctp",
            "http",         "metrics",      "dns",          "no-such-port"};
        std::string name = rng.pick(names);
        p.port = PortRef{name};
        if (name.find("udp") != std::string::npos || name == "dns")
          p.protocol = Protocol::UDP;
        else if (name.find("sctp") != std::string::npos)
          p.protocol = Protocol::SCTP;
        else if (name == "metrics")
          p.protocol = rng.percent(50) ? Protocol::TCP : Protocol::UDP;
        // Sometimes a name with the wrong protocol: it must match nothing.
        if (rng.percent(15)) p.protocol = protocol();
        break;
      }
      case 1: {  // endPort range
        static const std::vector<std::pair<int32_t, int32_t>> ranges = {
            {80, 81}, {81, 82}, {80, 82}, {8080, 8081}, {79, 80}, {1, 1024}, {9000, 9100}};
        auto [lo, hi] = rng.pick(ranges);
        p.port = PortRef{lo};
        p.endPort = hi;
        p.protocol = protocol();
        break;
      }
      case 2:
        p.protocol = protocol();
        break;  // protocol only: every port of it
      case 3:
        break;  // {}: every TCP port
      default: {
        static const std::vector<int32_t> numbers = {80, 81, 82, 53, 8080, 8081, 9090, 9100, 443};
        p.port = PortRef{rng.pick(numbers)};
        p.protocol = protocol();
      }
    }
    if (p.protocol == Protocol::TCP && p.port && rng.percent(w.protocolAbsent)) p.protocol.reset();
    return p;
  }

  NetworkPolicyRule rule(const std::string& path, const char* peersField) {
    NetworkPolicyRule r;
    const int peerWeights[] = {w.peersAbsent, w.peersEmpty,
                               std::max(0, 100 - w.peersAbsent - w.peersEmpty)};
    switch (rng.weighted(peerWeights)) {
      case 0:
        break;
      case 1:
        r.peers.emplace();
        break;
      default: {
        r.peers.emplace();
        int n = int(rng.range(1, w.maxPeers));
        for (int i = 0; i < n; ++i)
          r.peers->push_back(peer(fmt::format("{}.{}[{}]", path, peersField, i)));
      }
    }
    const int portWeights[] = {w.portsAbsent, w.portsEmpty,
                               std::max(0, 100 - w.portsAbsent - w.portsEmpty)};
    switch (rng.weighted(portWeights)) {
      case 0:
        break;
      case 1:
        r.ports.emplace();
        break;
      default: {
        r.ports.emplace();
        int n = int(rng.range(1, w.maxPorts));
        for (int i = 0; i < n; ++i) r.ports->push_back(portEntry());
      }
    }
    return r;
  }

  std::optional<std::vector<NetworkPolicyRule>> rules(int absent, int empty, const char* section,
                                                      const char* peersField) {
    const int weights[] = {absent, empty, std::max(0, 100 - absent - empty)};
    switch (rng.weighted(weights)) {
      case 0:
        return std::nullopt;
      case 1:
        return std::vector<NetworkPolicyRule>{};
      default: {
        std::vector<NetworkPolicyRule> out;
        int n = int(rng.range(1, w.maxRules));
        for (int i = 0; i < n; ++i)
          out.push_back(rule(fmt::format("spec.{}[{}]", section, i), peersField));
        return out;
      }
    }
  }
};

}  // namespace

NetworkPolicy generatePolicy(Random& rng, const Cluster& c, const GeneratorWeights& w,
                             const std::string& ns, const std::string& name) {
  PolicyGen g{rng, c, w, ns, {}};
  NetworkPolicy p;
  p.meta.namespace_ = ns;
  p.meta.name = name;
  if (rng.percent(w.podSelectorAbsent)) {
    // spec.podSelector omitted: behaves as {}.
  } else if (rng.percent(w.podSelectorEmpty)) {
    p.podSelector = LabelSelector{};
  } else {
    p.podSelector = g.podLabelSelector(false);
  }
  p.ingress = g.rules(w.ingressAbsent, w.ingressEmpty, "ingress", "from");
  p.egress = g.rules(w.egressAbsent, w.egressEmpty, "egress", "to");
  if (!rng.percent(w.policyTypesAbsent)) {
    // Explicit types: usually matching the sections, sometimes not (rules of an unlisted type
    // must be ignored; a listed type without a section isolates).
    std::vector<PolicyType> types;
    bool ingress = p.ingress.has_value(), egress = p.egress.has_value();
    if (rng.percent(25)) {
      ingress = rng.percent(50);
      egress = !ingress || rng.percent(50);
    }
    if (!ingress && !egress) ingress = true;
    if (ingress) types.push_back(PolicyType::Ingress);
    if (egress) types.push_back(PolicyType::Egress);
    if (types.size() == 2 && rng.percent(20)) std::swap(types[0], types[1]);
    p.policyTypes = types;
  }
  if (!g.ipSources.empty()) {
    std::string lines;
    for (const auto& l : g.ipSources) lines += l + "\n";
    p.meta.annotations[kIpBlockSourcesAnnotation] = lines;
  }
  return p;
}

std::vector<NetworkPolicy> generatePolicies(Random& rng, const Cluster& c,
                                            const GeneratorWeights& w) {
  std::vector<NetworkPolicy> out;
  int n = int(rng.range(w.minPolicies, w.maxPolicies));
  std::set<std::pair<std::string, std::string>> taken;
  for (const auto& p : c.policies) taken.insert({p.meta.namespace_, p.meta.name});
  int serial = 1;
  for (int i = 0; i < n; ++i) {
    // Policies cluster in the first two namespaces so that several select the same pods.
    size_t choices =
        rng.percent(75) ? std::min<size_t>(c.namespaces.size(), 2) : c.namespaces.size();
    const std::string& ns = c.namespaces[rng.below(choices)].meta.name;
    std::string name;
    do name = fmt::format("p{}", serial++);
    while (taken.count({ns, name}));
    taken.insert({ns, name});
    out.push_back(generatePolicy(rng, c, w, ns, name));
  }
  return out;
}

}  // namespace npf
