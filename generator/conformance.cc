#include "generator/conformance.h"

#include <fmt/format.h>

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "generator/features.h"

namespace npf {
namespace {

constexpr const char* kImage = "registry.k8s.io/e2e-test-images/agnhost:2.53";
constexpr const char* kNameLabel = kNamespaceNameLabel;  // kubernetes.io/metadata.name

// ---------------------------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------------------------

int nsIndex(const std::string& ns) { return ns == "x" ? 1 : ns == "y" ? 2 : ns == "z" ? 3 : 4; }
int podIndex(const std::string& pod) {
  if (pod.size() == 1 && pod[0] >= 'a' && pod[0] <= 'z') return pod[0] - 'a' + 1;
  return 9;
}
std::string ip4(const std::string& ns, const std::string& pod) {
  return fmt::format("10.0.{}.{}", nsIndex(ns), podIndex(pod));
}
std::string ip6(const std::string& ns, const std::string& pod) {
  return fmt::format("fd00:10::{}:{}", nsIndex(ns), podIndex(pod));
}

Container container(const std::string& name, const std::string& portName, int32_t port,
                    Protocol proto) {
  Container c;
  c.name = name;
  c.image = kImage;
  c.ports.push_back(ContainerPort{portName, port, proto});
  return c;
}

// A pod of the 3x3 shape (also for pods that steps create, e.g. x/d at 10.0.1.4).
Pod makePod(const std::string& ns, const std::string& name, const ConformanceClusterOptions& o,
            Labels labels = {}) {
  Pod p;
  p.meta.name = name;
  p.meta.namespace_ = ns;
  p.meta.labels = labels.empty() ? Labels{{"pod", name}} : std::move(labels);
  p.nodeName = podIndex(name) % 2 == 0 ? "node-2" : "node-1";
  std::vector<Protocol> protos = {Protocol::TCP, Protocol::UDP};
  if (o.sctp) protos.push_back(Protocol::SCTP);
  for (int32_t port : {80, 81})
    for (Protocol proto : protos) {
      std::string lower = proto == Protocol::TCP ? "tcp" : proto == Protocol::UDP ? "udp" : "sctp";
      std::string suffix = fmt::format("{}-{}", port, lower);
      p.containers.push_back(container("cont-" + suffix, "serve-" + suffix, port, proto));
    }
  if (o.namedPortVariants) {
    int i = podIndex(name);
    int32_t num = i == 2 ? 8081 : 8080;
    Protocol proto = i == 3 ? Protocol::UDP : Protocol::TCP;
    p.containers.push_back(container("cont-http", "http", num, proto));
  }
  if (o.dualStack) {
    p.podIP = ip6(ns, name);
    p.podIPs = {ip6(ns, name), ip4(ns, name)};
  } else {
    p.podIP = ip4(ns, name);
    p.podIPs = {p.podIP};
  }
  return p;
}

}  // namespace

Cluster conformanceCluster(const ConformanceClusterOptions& o) {
  Cluster c;
  for (int i = 1; i <= 2; ++i) {
    Node n;
    n.meta.name = fmt::format("node-{}", i);
    n.internalIPs.push_back(fmt::format("172.18.0.{}", i + 1));
    if (o.dualStack) n.internalIPs.push_back(fmt::format("fd00:172:18::{}", i + 1));
    c.nodes.push_back(n);
  }
  for (const char* ns : {"x", "y", "z"}) {
    Namespace n;
    n.meta.name = ns;
    n.meta.labels = {{"ns", ns}};
    c.namespaces.push_back(n);
  }
  for (const char* ns : {"x", "y", "z"})
    for (const char* pod : {"a", "b", "c"}) c.pods.push_back(makePod(ns, pod, o));
  c.externalHosts.push_back({"ext-1", "192.0.2.10"});
  c.externalHosts.push_back({"ext-2", "203.0.113.20"});
  if (o.dualStack) c.externalHosts.push_back({"ext-v6", "2001:db8::10"});
  return c;
}

const std::vector<std::string>& conformanceFamilies() {
  static const std::vector<std::string> f = {
      "target-selection", "rules",          "policy-types", "peers",   "ports",
      "named-ports",      "namespaces",     "conflicts",    "actions", "upstream-e2e",
      "services",         "external-hosts", "nodes",        "ipv6",
  };
  return f;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Building blocks: selectors, peers, ports, rules, policies, steps
// ---------------------------------------------------------------------------------------------

enum class Dir { Ingress, Egress };
const char* dirName(Dir d) { return d == Dir::Ingress ? "ingress" : "egress"; }
constexpr Dir kDirs[] = {Dir::Ingress, Dir::Egress};

LabelSelector all() { return {}; }
LabelSelector match(Labels l) {
  LabelSelector s;
  s.matchLabels = std::move(l);
  return s;
}
LabelSelector podIs(const std::string& v) { return match({{"pod", v}}); }
LabelSelector nsIs(const std::string& v) { return match({{"ns", v}}); }
LabelSelector nsNamed(const std::string& v) { return match({{kNameLabel, v}}); }
LabelSelector expr(std::string key, SelectorOp op, std::vector<std::string> values = {}) {
  LabelSelector s;
  s.matchExpressions.push_back({std::move(key), op, std::move(values)});
  return s;
}
LabelSelector exprs(std::vector<LabelSelectorRequirement> rs) {
  LabelSelector s;
  s.matchExpressions = std::move(rs);
  return s;
}

NetworkPolicyPeer pods(LabelSelector s) {
  NetworkPolicyPeer p;
  p.podSelector = std::move(s);
  return p;
}
NetworkPolicyPeer namespaces(LabelSelector s) {
  NetworkPolicyPeer p;
  p.namespaceSelector = std::move(s);
  return p;
}
NetworkPolicyPeer podsIn(LabelSelector pod, LabelSelector ns) {
  NetworkPolicyPeer p;
  p.podSelector = std::move(pod);
  p.namespaceSelector = std::move(ns);
  return p;
}
NetworkPolicyPeer ipBlock(std::string cidr, std::vector<std::string> except = {}) {
  NetworkPolicyPeer p;
  p.ipBlock = IPBlock{std::move(cidr), std::move(except)};
  return p;
}

NetworkPolicyPort num(int32_t port, std::optional<Protocol> proto = std::nullopt) {
  NetworkPolicyPort p;
  p.protocol = proto;
  p.port = PortRef{port};
  return p;
}
NetworkPolicyPort tcp(int32_t port) { return num(port, Protocol::TCP); }
NetworkPolicyPort udp(int32_t port) { return num(port, Protocol::UDP); }
NetworkPolicyPort sctp(int32_t port) { return num(port, Protocol::SCTP); }
NetworkPolicyPort named(std::string name, std::optional<Protocol> proto = std::nullopt) {
  NetworkPolicyPort p;
  p.protocol = proto;
  p.port = PortRef{std::move(name)};
  return p;
}
NetworkPolicyPort protocolOnly(std::optional<Protocol> proto) {
  NetworkPolicyPort p;
  p.protocol = proto;
  return p;
}
NetworkPolicyPort range(int32_t from, int32_t to, std::optional<Protocol> proto = std::nullopt) {
  NetworkPolicyPort p = num(from, proto);
  p.endPort = to;
  return p;
}

using Peers = std::optional<std::vector<NetworkPolicyPeer>>;
using Ports = std::optional<std::vector<NetworkPolicyPort>>;
using Rules = std::vector<NetworkPolicyRule>;
const Peers kAnyPeer = std::nullopt;
const Ports kAnyPort = std::nullopt;

NetworkPolicyRule rule(Peers peers, Ports ports = std::nullopt) {
  NetworkPolicyRule r;
  r.peers = std::move(peers);
  r.ports = std::move(ports);
  return r;
}
NetworkPolicyRule allowAll() { return {}; }

// A policy with explicit policyTypes matching the sections given (as upstream's helpers do).
NetworkPolicy policy(const std::string& ns, const std::string& name,
                     std::optional<LabelSelector> target, std::optional<Rules> ingress,
                     std::optional<Rules> egress) {
  NetworkPolicy p;
  p.meta.name = name;
  p.meta.namespace_ = ns;
  p.podSelector = std::move(target);
  std::vector<PolicyType> types;
  if (ingress) types.push_back(PolicyType::Ingress);
  if (egress) types.push_back(PolicyType::Egress);
  p.policyTypes = types;
  p.ingress = std::move(ingress);
  p.egress = std::move(egress);
  return p;
}
NetworkPolicy ingressPolicy(const std::string& ns, const std::string& name, LabelSelector target,
                            Rules rules) {
  return policy(ns, name, std::move(target), std::move(rules), std::nullopt);
}
NetworkPolicy egressPolicy(const std::string& ns, const std::string& name, LabelSelector target,
                           Rules rules) {
  return policy(ns, name, std::move(target), std::nullopt, std::move(rules));
}
NetworkPolicy dirPolicy(Dir d, const std::string& ns, const std::string& name,
                        std::optional<LabelSelector> target, Rules rules) {
  if (d == Dir::Ingress) return policy(ns, name, std::move(target), std::move(rules), std::nullopt);
  return policy(ns, name, std::move(target), std::nullopt, std::move(rules));
}
// Raw spelling: policyTypes exactly as given (nullopt = absent), sections as given.
NetworkPolicy rawPolicy(const std::string& ns, const std::string& name, LabelSelector target,
                        std::optional<std::vector<PolicyType>> types, std::optional<Rules> ingress,
                        std::optional<Rules> egress) {
  NetworkPolicy p;
  p.meta.name = name;
  p.meta.namespace_ = ns;
  p.podSelector = std::move(target);
  p.policyTypes = std::move(types);
  p.ingress = std::move(ingress);
  p.egress = std::move(egress);
  return p;
}

using A = Step::Action;
Step createPolicy(NetworkPolicy p) {
  Step s;
  s.action = A::CreatePolicy;
  s.policy = std::move(p);
  return s;
}
Step updatePolicy(NetworkPolicy p) {
  Step s;
  s.action = A::UpdatePolicy;
  s.policy = std::move(p);
  return s;
}
Step deletePolicy(const std::string& ns, const std::string& name) {
  Step s;
  s.action = A::DeletePolicy;
  s.namespace_ = ns;
  s.name = name;
  return s;
}
Step relabelPod(const std::string& ns, const std::string& name, Labels labels) {
  Step s;
  s.action = A::RelabelPod;
  s.namespace_ = ns;
  s.name = name;
  s.labels = std::move(labels);
  return s;
}
Step relabelNamespace(const std::string& name, Labels labels) {
  Step s;
  s.action = A::RelabelNamespace;
  s.name = name;
  s.labels = std::move(labels);
  return s;
}
Step deletePod(const std::string& ns, const std::string& name) {
  Step s;
  s.action = A::DeletePod;
  s.namespace_ = ns;
  s.name = name;
  return s;
}
Step createPod(Pod p) {
  Step s;
  s.action = A::CreatePod;
  s.pod = std::move(p);
  return s;
}

Cluster base(const ConformanceClusterOptions& o = {}) { return conformanceCluster(o); }
Cluster with(Cluster c, std::vector<NetworkPolicy> ps) {
  for (auto& p : ps) c.policies.push_back(std::move(p));
  return c;
}
ConformanceClusterOptions withSctp() {
  ConformanceClusterOptions o;
  o.sctp = true;
  return o;
}
ConformanceClusterOptions withNamedPorts() {
  ConformanceClusterOptions o;
  o.namedPortVariants = true;
  return o;
}

// The default probe set, plus every external host to every declared pod port, plus every pod
// to every external host on `externalPorts`, plus every pod to every node on `nodePorts`.
ProbeSet probesWithOutside(const Cluster& c,
                           const std::vector<std::pair<int32_t, Protocol>>& externalPorts,
                           const std::vector<std::pair<int32_t, Protocol>>& nodePorts = {}) {
  ProbeSet set = defaultProbeSet(c);
  std::vector<Endpoint> podSources;
  std::vector<Target> podTargets;
  for (const auto& p : c.pods) {
    if (p.podIP.empty()) continue;
    podSources.push_back(Endpoint::pod(p.meta.namespace_, p.meta.name));
    std::set<std::pair<int32_t, Protocol>> seen;
    for (const auto& ctr : p.containers)
      for (const auto& port : ctr.ports)
        if (seen.insert({port.containerPort, port.effectiveProtocol()}).second)
          podTargets.push_back({Endpoint::pod(p.meta.namespace_, p.meta.name), port.containerPort,
                                port.effectiveProtocol()});
  }
  if (!c.externalHosts.empty()) {
    ProbeBlock in;
    for (const auto& e : c.externalHosts) in.sources.push_back(Endpoint::external(e.ip));
    in.targets = podTargets;
    ProbeBlock out;
    out.sources = podSources;
    for (const auto& e : c.externalHosts)
      for (const auto& [port, proto] : externalPorts)
        out.targets.push_back({Endpoint::external(e.ip), port, proto});
    if (in.cellCount()) set.blocks.push_back(std::move(in));
    if (out.cellCount()) set.blocks.push_back(std::move(out));
  }
  if (!nodePorts.empty()) {
    ProbeBlock toNodes;
    toNodes.sources = podSources;
    for (const auto& n : c.nodes)
      for (const auto& [port, proto] : nodePorts)
        toNodes.targets.push_back({Endpoint::node(n.meta.name), port, proto});
    if (toNodes.cellCount()) set.blocks.push_back(std::move(toNodes));
  }
  return set;
}
const std::vector<std::pair<int32_t, Protocol>> kExternalPorts = {
    {80, Protocol::TCP}, {81, Protocol::TCP}, {80, Protocol::UDP}};

// ---------------------------------------------------------------------------------------------
// The suite under construction
// ---------------------------------------------------------------------------------------------

class Suite {
 public:
  void add(const std::string& name, std::vector<std::string> tags, Cluster c,
           std::vector<Step> steps = {}, std::optional<ProbeSet> probes = std::nullopt) {
    Case cs;
    cs.cluster = std::move(c);
    cs.meta.name = name;
    cs.meta.present = true;
    cs.meta.generator = kConformanceGenerator;
    cs.meta.steps = std::move(steps);
    cs.meta.probes = std::move(probes);
    std::set<std::string> t(tags.begin(), tags.end());
    t.insert("conformance");
    t.insert("family:" + name.substr(0, name.find('/')));
    for (const auto& s : cs.meta.steps) t.insert(std::string("action:") + toString(s.action));
    for (auto& computed : computeTags(cs)) t.insert(computed);
    cs.meta.tags.assign(t.begin(), t.end());
    cases_.push_back(std::move(cs));
  }
  std::vector<Case> take() { return std::move(cases_); }

 private:
  std::vector<Case> cases_;
};

std::string dirTag(Dir d) { return std::string("direction:") + dirName(d); }

// ---------------------------------------------------------------------------------------------
// Families mirrored from Cyclonus
// ---------------------------------------------------------------------------------------------

// The "typical" rule the target-selection cases keep fixed: from/to y/b on TCP 80.
NetworkPolicyRule typicalRule() {
  return rule(std::vector{podsIn(podIs("b"), nsIs("y"))}, std::vector{tcp(80)});
}

void targetSelection(Suite& s) {
  struct TargetVariant {
    const char* slug;
    const char* ns;
    std::optional<LabelSelector> sel;
    const char* tag;
  };
  const std::vector<TargetVariant> targets = {
      {"namespace-y", "y", podIs("a"), "target:namespace"},
      {"namespace-z", "z", podIs("a"), "target:namespace"},
      {"pod-selector-empty", "x", all(), "target:all-pods"},
      {"pod-selector-absent", "x", std::nullopt, "target:all-pods"},
      {"pod-selector-match-labels", "x", podIs("a"), "target:pods-by-label"},
      {"pod-selector-match-expressions-in", "x", expr("pod", SelectorOp::In, {"a", "b"}),
       "target:pods-by-expression"},
      {"pod-selector-match-expressions-not-in", "x", expr("pod", SelectorOp::NotIn, {"a"}),
       "target:pods-by-expression"},
      {"pod-selector-match-expressions-exists", "x", expr("pod", SelectorOp::Exists),
       "target:pods-by-expression"},
      {"pod-selector-match-expressions-does-not-exist", "x", expr("pod", SelectorOp::DoesNotExist),
       "target:pods-by-expression"},
      {"pod-selector-two-expressions", "x",
       exprs({{"pod", SelectorOp::In, {"a", "b"}}, {"pod", SelectorOp::NotIn, {"b"}}}),
       "target:pods-by-expression"},
      {"pod-selector-no-match", "x", podIs("d"), "target:pods-by-label"},
  };
  for (Dir d : kDirs)
    for (const auto& t : targets)
      s.add(fmt::format("target-selection/{}/{}", dirName(d), t.slug),
            {dirTag(d), t.tag, "source:cyclonus"},
            with(base(), {dirPolicy(d, t.ns, "target", t.sel, {typicalRule()})}));
}

void rules(Suite& s) {
  for (Dir d : kDirs) {
    std::string dn = dirName(d);
    s.add(fmt::format("rules/{}/deny-all", dn), {dirTag(d), "rule:deny-all", "source:cyclonus"},
          with(base(), {dirPolicy(d, "x", "deny-all", podIs("a"), {})}));
    s.add(fmt::format("rules/{}/allow-all", dn), {dirTag(d), "rule:allow-all", "source:cyclonus"},
          with(base(), {dirPolicy(d, "x", "allow-all", podIs("a"), {allowAll()})}));
    // Several rules: each rule's ports belong to its own peers only; rules only add.
    s.add(fmt::format("rules/{}/two-rules-each-with-ports-and-peers", dn),
          {dirTag(d), "rule:multi"},
          with(base(),
               {dirPolicy(d, "x", "two-rules", podIs("a"),
                          {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(80)}),
                           rule(std::vector{namespaces(nsIs("z"))}, std::vector{tcp(81)})})}));
    s.add(fmt::format("rules/{}/rule-with-peers-and-rule-with-ports", dn),
          {dirTag(d), "rule:multi"},
          with(base(), {dirPolicy(d, "x", "two-rules", podIs("a"),
                                  {rule(std::vector{pods(podIs("b"))}),
                                   rule(kAnyPeer, std::vector{udp(80)})})}));
    s.add(fmt::format("rules/{}/three-rules", dn), {dirTag(d), "rule:multi"},
          with(base(),
               {dirPolicy(d, "x", "three-rules", podIs("a"),
                          {rule(std::vector{pods(podIs("b"))}, std::vector{tcp(80)}),
                           rule(std::vector{namespaces(nsIs("y"))}, std::vector{udp(81)}),
                           rule(std::vector{ipBlock("10.0.3.0/24")}, std::vector{tcp(81)})})}));
    s.add(fmt::format("rules/{}/two-rules-same-port", dn), {dirTag(d), "rule:multi"},
          with(base(),
               {dirPolicy(d, "x", "two-rules", podIs("a"),
                          {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(80)}),
                           rule(std::vector{namespaces(nsIs("z"))}, std::vector{tcp(80)})})}));
  }
  s.add("rules/both/deny-all", {"direction:both", "rule:deny-all"},
        with(base(), {policy("x", "deny-all", podIs("a"), Rules{}, Rules{})}));
  s.add("rules/both/allow-all", {"direction:both", "rule:allow-all"},
        with(base(), {policy("x", "allow-all", podIs("a"), Rules{allowAll()}, Rules{allowAll()})}));
}

void policyTypes(Suite& s) {
  using PT = PolicyType;
  auto add = [&](const char* slug, NetworkPolicy p) {
    s.add(std::string("policy-types/") + slug, {"policy-types"}, with(base(), {std::move(p)}));
  };
  add("absent-with-ingress-rules",
      rawPolicy("x", "types", podIs("a"), std::nullopt, Rules{rule(std::vector{pods(podIs("b"))})},
                std::nullopt));
  add("absent-with-egress-rules", rawPolicy("x", "types", podIs("a"), std::nullopt, std::nullopt,
                                            Rules{rule(std::vector{namespaces(nsIs("y"))})}));
  add("absent-with-ingress-and-egress-rules",
      rawPolicy("x", "types", podIs("a"), std::nullopt, Rules{rule(std::vector{pods(podIs("b"))})},
                Rules{rule(std::vector{namespaces(nsIs("y"))})}));
  add("absent-with-empty-egress", rawPolicy("x", "types", podIs("a"), std::nullopt,
                                            Rules{rule(std::vector{pods(podIs("b"))})}, Rules{}));
  add("egress-only-ignores-ingress-rules",
      rawPolicy("x", "types", podIs("a"), std::vector{PT::Egress},
                Rules{rule(std::vector{pods(podIs("c"))})},
                Rules{rule(std::vector{namespaces(nsIs("y"))})}));
  add("ingress-only-ignores-egress-rules",
      rawPolicy("x", "types", podIs("a"), std::vector{PT::Ingress},
                Rules{rule(std::vector{namespaces(nsIs("y"))})}, Rules{}));
  add("ingress-listed-with-only-egress-section",
      rawPolicy("x", "types", podIs("a"), std::vector{PT::Ingress}, std::nullopt,
                Rules{rule(std::vector{pods(podIs("b"))})}));
  add("egress-listed-without-sections",
      rawPolicy("x", "types", podIs("a"), std::vector{PT::Egress}, std::nullopt, std::nullopt));
  add("both-listed-without-sections",
      rawPolicy("x", "types", podIs("a"), std::vector{PT::Ingress, PT::Egress}, std::nullopt,
                std::nullopt));
}

struct NamedPeer {
  std::string slug;
  NetworkPolicyPeer peer;
  std::vector<std::string> tags;
};

// Cyclonus's peer set: the 8 pod/namespace selector combinations and 2 ipBlocks (these are
// also paired). ns y and pod b make the excepted address (y/b) reachable through another peer.
std::vector<NamedPeer> pairablePeers() {
  return {
      {"pod-selector-empty", pods(all()), {"peer:all-pods", "peer:policy-namespace"}},
      {"pod-selector-match-labels",
       pods(podIs("b")),
       {"peer:pods-by-label", "peer:policy-namespace"}},
      {"namespace-selector-empty", namespaces(all()), {"peer:all-pods", "peer:all-namespaces"}},
      {"namespace-selector-match-labels",
       namespaces(nsIs("y")),
       {"peer:all-pods", "peer:namespaces-by-label"}},
      {"pod-empty-and-namespace-empty",
       podsIn(all(), all()),
       {"peer:all-pods", "peer:all-namespaces"}},
      {"pod-match-labels-and-namespace-empty",
       podsIn(podIs("b"), all()),
       {"peer:pods-by-label", "peer:all-namespaces"}},
      {"pod-empty-and-namespace-match-labels",
       podsIn(all(), nsIs("y")),
       {"peer:all-pods", "peer:namespaces-by-label"}},
      {"pod-and-namespace-match-labels",
       podsIn(podIs("b"), nsIs("y")),
       {"peer:pods-by-label", "peer:namespaces-by-label"}},
      {"ip-block", ipBlock("10.0.2.0/24"), {"peer:ip-block-no-except"}},
      {"ip-block-except", ipBlock("10.0.2.0/24", {"10.0.2.2/32"}), {"peer:ip-block-with-except"}},
  };
}

// Further single peers: expressions, nodes, everything.
std::vector<NamedPeer> extraPeers() {
  return {
      {"pod-selector-match-expressions",
       pods(expr("pod", SelectorOp::In, {"b", "c"})),
       {"peer:pods-by-expression"}},
      {"pod-selector-does-not-exist-all-namespaces",
       podsIn(expr("pod", SelectorOp::DoesNotExist), all()),
       {"peer:pods-by-expression", "peer:all-namespaces"}},
      {"namespace-selector-match-expressions-not-in",
       namespaces(expr("ns", SelectorOp::NotIn, {"x"})),
       {"peer:namespaces-by-expression"}},
      {"namespace-selector-match-expressions-not-in-multi",
       namespaces(expr("ns", SelectorOp::NotIn, {"x", "y"})),
       {"peer:namespaces-by-expression"}},
      {"namespace-selector-match-expressions-exists",
       namespaces(expr("ns", SelectorOp::Exists)),
       {"peer:namespaces-by-expression"}},
      {"pod-and-namespace-match-expressions",
       podsIn(expr("pod", SelectorOp::In, {"a", "b"}), expr("ns", SelectorOp::In, {"y", "z"})),
       {"peer:pods-by-expression", "peer:namespaces-by-expression"}},
      {"ip-block-all-addresses", ipBlock("0.0.0.0/0"), {"peer:ip-block-no-except"}},
      {"ip-block-nodes", ipBlock("172.18.0.0/24"), {"peer:ip-block-no-except", "peer:nodes"}},
  };
}

void peersFamily(Suite& s) {
  for (Dir d : kDirs) {
    std::string dn = dirName(d);
    s.add(fmt::format("peers/{}/none/absent", dn), {dirTag(d), "peer:any"},
          with(base(), {dirPolicy(d, "x", "peers", podIs("a"), {rule(kAnyPeer)})}));
    s.add(fmt::format("peers/{}/none/empty-list", dn), {dirTag(d), "peer:any"},
          with(base(),
               {dirPolicy(d, "x", "peers", podIs("a"), {rule(std::vector<NetworkPolicyPeer>{})})}));
  }
  std::vector<NamedPeer> singles = pairablePeers();
  for (auto& p : extraPeers()) singles.push_back(p);
  for (Dir d : kDirs)
    for (const auto& p : singles) {
      std::vector<std::string> tags = p.tags;
      tags.push_back(dirTag(d));
      tags.push_back("peers:single");
      s.add(fmt::format("peers/{}/single/{}", dirName(d), p.slug), tags,
            with(base(), {dirPolicy(d, "x", "peers", podIs("a"), {rule(std::vector{p.peer})})}));
    }
  const auto pairable = pairablePeers();
  for (Dir d : kDirs)
    for (size_t i = 0; i < pairable.size(); ++i)
      for (size_t j = i + 1; j < pairable.size(); ++j) {
        std::vector<std::string> tags = pairable[i].tags;
        tags.insert(tags.end(), pairable[j].tags.begin(), pairable[j].tags.end());
        tags.push_back(dirTag(d));
        tags.push_back("peers:multi");
        s.add(fmt::format("peers/{}/pair/{}+{}", dirName(d), pairable[i].slug, pairable[j].slug),
              tags,
              with(base(), {dirPolicy(d, "x", "peers", podIs("a"),
                                      {rule(std::vector{pairable[i].peer, pairable[j].peer})})}));
      }
}

struct NamedPort {
  std::string slug;
  NetworkPolicyPort port;
};

void portsFamily(Suite& s) {
  // Every pod serves 80 and 81 on TCP, UDP and SCTP here.
  const Cluster c = base(withSctp());
  auto add = [&](Dir d, const std::string& kind, const std::string& slug,
                 std::vector<NetworkPolicyPort> ports, std::vector<std::string> tags) {
    tags.push_back(dirTag(d));
    tags.push_back("ports:" + kind);
    s.add(fmt::format("ports/{}/{}/{}", dirName(d), kind, slug), tags,
          with(c, {dirPolicy(d, "x", "ports", podIs("a"), {rule(kAnyPeer, std::move(ports))})}));
  };
  for (Dir d : kDirs) {
    s.add(fmt::format("ports/{}/none/absent", dirName(d)), {dirTag(d), "port:any", "ports:none"},
          with(c, {dirPolicy(d, "x", "ports", podIs("a"),
                             {rule(std::vector{pods(all()), namespaces(all())}, kAnyPort)})}));
    s.add(fmt::format("ports/{}/none/empty-list", dirName(d)),
          {dirTag(d), "port:any", "ports:none"},
          with(c, {dirPolicy(d, "x", "ports", podIs("a"),
                             {rule(std::vector{pods(all()), namespaces(all())},
                                   std::vector<NetworkPolicyPort>{})})}));
  }
  // Cyclonus: protocol {absent, TCP, UDP, SCTP} x port {absent, 80, 81}, plus named ports.
  std::vector<NamedPort> singles;
  const std::vector<std::pair<const char*, std::optional<Protocol>>> protos = {
      {"", std::nullopt},
      {"tcp-", Protocol::TCP},
      {"udp-", Protocol::UDP},
      {"sctp-", Protocol::SCTP}};
  for (const auto& [prefix, proto] : protos) {
    singles.push_back(
        {proto ? std::string(prefix) + "any-port" : "empty-entry", protocolOnly(proto)});
    for (int32_t port : {80, 81})
      singles.push_back({proto ? fmt::format("{}{}", prefix, port) : fmt::format("port-{}", port),
                         num(port, proto)});
  }
  singles.push_back({"named-serve-80-tcp", named("serve-80-tcp")});
  singles.push_back({"tcp-named-serve-80-tcp", named("serve-80-tcp", Protocol::TCP)});
  singles.push_back({"tcp-named-serve-81-tcp", named("serve-81-tcp", Protocol::TCP)});
  singles.push_back({"udp-named-serve-80-udp", named("serve-80-udp", Protocol::UDP)});
  singles.push_back({"udp-named-serve-81-udp", named("serve-81-udp", Protocol::UDP)});
  singles.push_back({"sctp-named-serve-81-sctp", named("serve-81-sctp", Protocol::SCTP)});
  const std::vector<NamedPort> pathological = {
      {"tcp-named-port-with-udp-name", named("serve-81-udp", Protocol::TCP)},
      {"named-udp-port-with-default-protocol", named("serve-80-udp")},
      {"tcp-named-port-not-served", named("serve-7981-udp", Protocol::TCP)},
      {"tcp-numbered-port-not-served", tcp(7981)},
      {"udp-numbered-port-not-served", udp(7981)},
  };
  // Cyclonus's pairs: all/all, implicit/explicit protocol, all ports, numbered, named.
  const std::vector<std::pair<std::string, std::vector<NetworkPolicyPort>>> pairs = {
      {"empty-entry+port-80", {protocolOnly(std::nullopt), num(80)}},
      {"empty-entry+named-serve-80-tcp", {protocolOnly(std::nullopt), named("serve-80-tcp")}},
      {"empty-entry+udp-any-port", {protocolOnly(std::nullopt), protocolOnly(Protocol::UDP)}},
      {"port-80+port-81", {num(80), num(81)}},
      {"port-80+named-serve-81-tcp", {num(80), named("serve-81-tcp")}},
      {"port-80+udp-named-serve-81-udp", {num(80), named("serve-81-udp", Protocol::UDP)}},
      {"udp-80+udp-named-serve-81-udp", {udp(80), named("serve-81-udp", Protocol::UDP)}},
      {"tcp-80+sctp-81", {tcp(80), sctp(81)}},
  };
  const std::vector<NamedPort> ranges = {
      {"tcp-80-to-81", range(80, 81, Protocol::TCP)},
      {"tcp-80-to-80", range(80, 80, Protocol::TCP)},
      {"port-80-to-81-default-protocol", range(80, 81)},
      {"tcp-1-to-65535", range(1, 65535, Protocol::TCP)},
      {"tcp-79-to-80", range(79, 80, Protocol::TCP)},
      {"tcp-81-to-90", range(81, 90, Protocol::TCP)},
      {"tcp-82-to-8080", range(82, 8080, Protocol::TCP)},
      {"udp-80-to-81", range(80, 81, Protocol::UDP)},
      {"sctp-80-to-81", range(80, 81, Protocol::SCTP)},
  };
  for (Dir d : kDirs) {
    for (const auto& p : singles) add(d, "single", p.slug, {p.port}, {"source:cyclonus"});
    for (const auto& p : pathological)
      add(d, "pathological", p.slug, {p.port}, {"port:pathological", "source:cyclonus"});
    for (const auto& [slug, ports] : pairs)
      add(d, "pair", slug, ports, {"port:multi", "source:cyclonus"});
    for (const auto& p : ranges) add(d, "range", p.slug, {p.port}, {"port:end-port"});
    add(d, "range", "tcp-80-to-80+udp-81-to-81",
        {range(80, 80, Protocol::TCP), range(81, 81, Protocol::UDP)},
        {"port:end-port", "port:multi"});
  }
}

void namespacesFamily(Suite& s) {
  const std::vector<std::pair<std::string, LabelSelector>> selectors = {
      {"default-label-match-labels", nsNamed("y")},
      {"default-label-in", expr(kNameLabel, SelectorOp::In, {"y", "z"})},
      {"default-label-not-in", expr(kNameLabel, SelectorOp::NotIn, {"x"})},
  };
  for (Dir d : kDirs)
    for (const auto& [slug, sel] : selectors)
      s.add(fmt::format("namespaces/{}/{}", dirName(d), slug),
            {dirTag(d), "peer:namespaces-by-default-label"},
            with(base(), {dirPolicy(d, "x", "default-label", podIs("a"),
                                    {rule(std::vector{namespaces(sel)})})}));
}

void conflicts(Suite& s) {
  // Cyclonus: source x/b, destination y/c; deny-all vs allow-all by rule, by pods, by IPs.
  const LabelSelector src = podIs("b"), dst = podIs("c");
  auto denyAll = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(d, ns, name, std::move(t), {});
  };
  auto allowAllP = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(d, ns, name, std::move(t), {allowAll()});
  };
  auto byPod = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(d, ns, name, std::move(t), {rule(std::vector{namespaces(all())})});
  };
  auto byIp = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(d, ns, name, std::move(t), {rule(std::vector{ipBlock("0.0.0.0/0")})});
  };
  auto denyByIp = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(d, ns, name, std::move(t), {rule(std::vector{ipBlock("0.0.0.0/31")})});
  };
  auto denyByPod = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(
        d, ns, name, std::move(t),
        {rule(std::vector{namespaces(match({{"this-will-never-happen", "qrs123"}}))})});
  };
  const Dir I = Dir::Ingress, E = Dir::Egress;
  auto add = [&](const std::string& slug, std::vector<NetworkPolicy> ps) {
    s.add("conflicts/" + slug, {"conflict", "source:cyclonus"}, with(base(), std::move(ps)));
  };
  add("deny-all-egress+allow-all-ingress",
      {denyAll(E, "x", "deny-all-egress", src), allowAllP(I, "y", "allow-all-ingress", dst)});
  add("allow-all-egress+deny-all-ingress",
      {allowAllP(E, "x", "allow-all-egress", src), denyAll(I, "y", "deny-all-ingress", dst)});
  add("deny-all-egress+allow-all-egress",
      {denyAll(E, "x", "deny-all-egress", src), allowAllP(E, "x", "allow-all-egress", src)});
  add("deny-all-ingress+allow-all-ingress",
      {denyAll(I, "y", "deny-all-ingress", dst), allowAllP(I, "y", "allow-all-ingress", dst)});
  add("deny-all-egress+allow-all-egress-by-pod",
      {denyAll(E, "x", "deny-all-egress", src), byPod(E, "x", "allow-all-egress-by-pod", src)});
  add("deny-all-egress+allow-all-egress-by-ip",
      {denyAll(E, "x", "deny-all-egress", src), byIp(E, "x", "allow-all-egress-by-ip", src)});
  add("deny-all-egress-by-ip+allow-all-egress-by-pod",
      {denyByIp(E, "x", "deny-all-egress-by-ip", src),
       byPod(E, "x", "allow-all-egress-by-pod", src)});
  add("deny-all-egress-by-pod+allow-all-egress-by-ip",
      {denyByPod(E, "x", "deny-all-egress-by-pod", src),
       byIp(E, "x", "allow-all-egress-by-ip", src)});
  add("deny-all-ingress+allow-all-ingress-by-pod",
      {denyAll(I, "y", "deny-all-ingress", dst), byPod(I, "y", "allow-all-ingress-by-pod", dst)});
  add("deny-all-ingress+allow-all-ingress-by-ip",
      {denyAll(I, "y", "deny-all-ingress", dst), byIp(I, "y", "allow-all-ingress-by-ip", dst)});
  add("deny-all-ingress-by-ip+allow-all-ingress-by-pod",
      {denyByIp(I, "y", "deny-all-ingress-by-ip", dst),
       byPod(I, "y", "allow-all-ingress-by-pod", dst)});
  add("deny-all-ingress-by-pod+allow-all-ingress-by-ip",
      {denyByPod(I, "y", "deny-all-ingress-by-pod", dst),
       byIp(I, "y", "allow-all-ingress-by-ip", dst)});
  add("deny-all-egress-by-ip", {denyByIp(E, "x", "deny-all-egress-by-ip", src)});
  add("deny-all-egress-by-pod", {denyByPod(E, "x", "deny-all-egress-by-pod", src)});
  add("deny-all-ingress-by-ip", {denyByIp(I, "y", "deny-all-ingress-by-ip", dst)});
  add("deny-all-ingress-by-pod", {denyByPod(I, "y", "deny-all-ingress-by-pod", dst)});
  // An except in one policy is no deny over another policy's allow.
  add("ip-block-except+other-policy-allowing-excepted-ip",
      {egressPolicy("x", "allow-cidr-except-x-b", podIs("a"),
                    {rule(std::vector{ipBlock("0.0.0.0/4", {"10.0.1.2/32"})})}),
       egressPolicy("x", "allow-x-b", podIs("a"), {rule(std::vector{ipBlock("10.0.1.2/32")})})});
  add("ingress-except+pod-selector-allowing-excepted-ip",
      {ingressPolicy("x", "allow-cidr-except-y-b", podIs("a"),
                     {rule(std::vector{ipBlock("10.0.2.0/24", {"10.0.2.2/32"})})}),
       ingressPolicy("x", "allow-y-b", podIs("a"),
                     {rule(std::vector{podsIn(podIs("b"), nsIs("y"))})})});
}

// ---------------------------------------------------------------------------------------------
// Actions as steps (Cyclonus's action cases and the classes that need time)
// ---------------------------------------------------------------------------------------------

NetworkPolicy basePolicy() {
  return policy("x", "base", podIs("a"), Rules{typicalRule()},
                Rules{typicalRule(), rule(kAnyPeer, std::vector{udp(53)})});
}

void actions(Suite& s) {
  const ConformanceClusterOptions o;
  s.add("actions/create-then-delete-policy", {"source:cyclonus"}, base(),
        {createPolicy(basePolicy()), deletePolicy("x", "base")});
  {
    NetworkPolicy updated = basePolicy();
    (*updated.ingress)[0].ports = std::vector{named("serve-81-udp", Protocol::UDP)};
    s.add("actions/create-then-update-policy", {"source:cyclonus"}, base(),
          {createPolicy(basePolicy()), updatePolicy(updated)});
  }
  s.add("actions/update-policy-changes-direction", {},
        with(base(), {ingressPolicy("x", "deny", podIs("a"), {})}),
        {updatePolicy(egressPolicy("x", "deny", podIs("a"), {}))});
  s.add("actions/update-policy-peers-to-ip-block", {},
        with(base(),
             {ingressPolicy("x", "allow", podIs("a"), {rule(std::vector{pods(podIs("b"))})})}),
        {updatePolicy(
            ingressPolicy("x", "allow", podIs("a"), {rule(std::vector{ipBlock("10.0.3.0/24")})}))});
  s.add("actions/relabel-namespace-into-and-out-of-peer-selector", {"source:cyclonus"},
        with(base(), {ingressPolicy("x", "allow-new-ns", podIs("a"),
                                    {rule(std::vector{namespaces(match({{"new-ns", "qrs"}}))})})}),
        {relabelNamespace("y", {{"ns", "y"}, {"new-ns", "qrs"}}),
         relabelNamespace("y", {{"ns", "y"}})});
  s.add("actions/relabel-pod-into-and-out-of-peer-selector", {"source:cyclonus"},
        with(base(),
             {ingressPolicy("x", "allow-new-label", podIs("a"),
                            {rule(std::vector{podsIn(match({{"new-label", "abc"}}),
                                                     expr("ns", SelectorOp::In, {"y", "z"}))})})}),
        {relabelPod("y", "b", {{"pod", "b"}, {"new-label", "abc"}}),
         relabelPod("y", "b", {{"pod", "b"}})});
  s.add("actions/relabel-pod-into-and-out-of-target-selector", {},
        with(base(), {policy("x", "isolate", match({{"target", "isolated"}}), Rules{}, Rules{})}),
        {relabelPod("x", "a", {{"pod", "a"}, {"target", "isolated"}}),
         relabelPod("x", "a", {{"pod", "a"}})});
  s.add("actions/relabel-namespace-into-and-out-of-combined-selector", {},
        with(base(),
             {egressPolicy("x", "allow-team-blue", podIs("a"),
                           {rule(std::vector{podsIn(podIs("b"), match({{"team", "blue"}}))})})}),
        {relabelNamespace("z", {{"ns", "z"}, {"team", "blue"}}),
         relabelNamespace("z", {{"ns", "z"}})});
  s.add("actions/relabel-pod-out-of-egress-peer", {},
        with(base(), {egressPolicy("x", "allow-to-b", all(),
                                   {rule(std::vector{podsIn(podIs("b"), all())})})}),
        {relabelPod("z", "b", {{"pod", "b-moved"}})});
  s.add("actions/create-then-delete-pod", {"source:cyclonus"},
        with(base(),
             {ingressPolicy("x", "allow-from-a", all(), {rule(std::vector{pods(podIs("a"))})})}),
        {createPod(makePod("x", "d", o)), deletePod("x", "d")});
  s.add("actions/create-pod-matching-peer-selector", {},
        with(base(), {ingressPolicy("x", "allow-from-d", podIs("a"),
                                    {rule(std::vector{podsIn(podIs("d"), all())})})}),
        {createPod(makePod("y", "d", o)), deletePod("y", "d")});
  s.add("actions/delete-and-recreate-isolated-pod", {},
        with(base(), {policy("x", "deny-all", podIs("a"), Rules{}, Rules{})}),
        {deletePod("x", "a"), createPod(makePod("x", "a", o))});
  {
    // y/b's address goes to a new pod y/d that no policy allows.
    Pod reuse = makePod("y", "d", o);
    reuse.podIP = ip4("y", "b");
    reuse.podIPs = {reuse.podIP};
    reuse.nodeName = "node-2";
    s.add("actions/delete-pod-then-reuse-its-ip", {},
          with(base(), {ingressPolicy("x", "allow-y-b", podIs("a"),
                                      {rule(std::vector{podsIn(podIs("b"), nsIs("y"))})}),
                        egressPolicy("z", "allow-to-y-b", podIs("a"),
                                     {rule(std::vector{podsIn(podIs("b"), nsIs("y"))})})}),
          {deletePod("y", "b"), createPod(reuse)});
    s.add("actions/reuse-ip-for-pod-with-allowed-labels", {},
          with(base(), {ingressPolicy("x", "allow-y-d", podIs("a"),
                                      {rule(std::vector{podsIn(podIs("d"), nsIs("y"))})})}),
          {deletePod("y", "b"), createPod(reuse)});
  }
  s.add("actions/delete-ingress-policy-keeps-egress-open", {},
        with(base(), {ingressPolicy("x", "deny-ingress", podIs("a"), {})}),
        {deletePolicy("x", "deny-ingress")});
  s.add("actions/delete-all-policies", {},
        with(base(), {policy("x", "deny-all", all(), Rules{}, Rules{}),
                      ingressPolicy("y", "deny-ingress", all(), {})}),
        {deletePolicy("x", "deny-all"), deletePolicy("y", "deny-ingress")});
  s.add("actions/create-second-policy-then-delete-first", {},
        with(base(),
             {ingressPolicy("x", "allow-81", podIs("a"),
                            {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(81)})})}),
        {createPolicy(
             ingressPolicy("x", "allow-80", podIs("a"),
                           {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(80)})})),
         deletePolicy("x", "allow-81")});
}

// ---------------------------------------------------------------------------------------------
// The upstream e2e suite (kubernetes test/e2e/network/netpol/network_policy.go)
// ---------------------------------------------------------------------------------------------

void upstream(Suite& s) {
  auto add = [&](const std::string& slug, std::vector<NetworkPolicy> ps,
                 std::vector<Step> steps = {}, const ConformanceClusterOptions& o = {}) {
    s.add("upstream-e2e/" + slug, {"source:upstream-e2e"}, with(base(o), std::move(ps)),
          std::move(steps));
  };
  const Rules denyAll{};
  add("default-deny-ingress", {ingressPolicy("x", "deny-ingress", all(), denyAll)});
  add("default-deny-all", {policy("x", "deny-all", all(), denyAll, denyAll)});
  add("allow-from-pods-in-server-namespace-by-pod-selector",
      {ingressPolicy("x", "x-a-allows-x-b", podIs("a"), {rule(std::vector{pods(podIs("b"))})})});
  add("allow-ingress-for-a-target", {ingressPolicy("x", "deny-all", all(), denyAll),
                                     ingressPolicy("x", "allow-all-to-a", podIs("a"),
                                                   {rule(std::vector{podsIn(all(), all())})})});
  add("allow-ingress-from-all-namespaces", {ingressPolicy("x", "allow-from-another-ns", podIs("a"),
                                                          {rule(std::vector{namespaces(all())})})});
  add("allow-from-other-namespace-by-namespace-selector",
      {ingressPolicy("x", "allow-client-a-via-ns-selector", podIs("a"),
                     {rule(std::vector{namespaces(nsIs("y"))})})});
  add("pod-selector-match-expressions",
      {ingressPolicy("x", "x-a-allows-x-b", podIs("a"),
                     {rule(std::vector{pods(expr("pod", SelectorOp::In, {"b"}))})})});
  add("namespace-selector-match-expressions",
      {ingressPolicy("x", "allow-ns-y-match-selector", podIs("a"),
                     {rule(std::vector{namespaces(expr(kNameLabel, SelectorOp::In, {"y"}))})})});
  add("pod-selector-or-namespace-selector",
      {ingressPolicy("x", "allow-ns-y-match-selector", podIs("a"),
                     {rule(std::vector{namespaces(expr(kNameLabel, SelectorOp::NotIn, {"x"})),
                                       pods(podIs("b"))})})});
  add("pod-selector-and-namespace-selector",
      {ingressPolicy(
          "x", "allow-ns-y-podselector-and-nsselector", podIs("a"),
          {rule(std::vector{podsIn(podIs("b"), expr(kNameLabel, SelectorOp::NotIn, {"x"}))})})});
  add("multiple-pod-selectors-and-namespace-selectors",
      {ingressPolicy("x", "allow-ns-y-z-pod-b-c", podIs("a"),
                     {rule(std::vector{podsIn(expr("pod", SelectorOp::In, {"b", "c"}),
                                              expr(kNameLabel, SelectorOp::NotIn, {"x"}))})})});
  add("any-pod-selectors",
      {ingressPolicy("x", "allow-ns-x-pod-b-c", podIs("a"),
                     {rule(std::vector{pods(podIs("b")), pods(podIs("c"))})})});
  add("allow-pod-in-other-namespace-by-pod-and-namespace-selector",
      {ingressPolicy("x", "allow-ns-y-pod-a-via-namespace-pod-selector", podIs("a"),
                     {rule(std::vector{podsIn(podIs("a"), nsNamed("y"))})})});
  const NetworkPolicy allow81 =
      ingressPolicy("x", "allow-client-a-via-ns-selector", podIs("a"),
                    {rule(std::vector{namespaces(nsNamed("y"))}, std::vector{tcp(81)})});
  add("ports", {allow81});
  add("stacked-policies-overlapping-pod-selectors", {allow81},
      {createPolicy(
          ingressPolicy("x", "allow-client-a-via-ns-selector-80", podIs("a"),
                        {rule(std::vector{namespaces(nsNamed("y"))}, std::vector{tcp(80)})}))});
  add("allow-all", {ingressPolicy("x", "allow-all", all(), {allowAll()})});
  add("named-port-ingress", {ingressPolicy("x", "allow-all", all(),
                                           {rule(kAnyPeer, std::vector{named("serve-81-tcp")})})});
  add("named-port-ingress-from-namespace",
      {ingressPolicy("x", "allow-client-a-via-ns-selector-80", podIs("a"),
                     {rule(std::vector{namespaces(nsNamed("y"))},
                           std::vector{named("serve-80-tcp", Protocol::TCP)})})});
  add("named-port-egress", {egressPolicy("x", "allow-egress", all(),
                                         {rule(kAnyPeer, std::vector{named("serve-80-tcp")})})});
  add("updated-policy", {ingressPolicy("x", "allow-all-mutate-to-deny-all", all(), {allowAll()})},
      {updatePolicy(ingressPolicy("x", "allow-all-mutate-to-deny-all", all(), denyAll))});
  add("ingress-from-updated-namespace",
      {ingressPolicy("x", "allow-client-a-via-ns-selector", podIs("a"),
                     {rule(std::vector{namespaces(match({{"ns2", "updated"}}))})})},
      {relabelNamespace("y", {{"ns", "y"}, {"ns2", "updated"}})});
  add("ingress-from-updated-pod",
      {ingressPolicy("x", "allow-client-a-via-pod-selector", podIs("a"),
                     {rule(std::vector{pods(match({{"pod", "b"}, {"pod2", "updated"}}))})})},
      {relabelPod("x", "b", {{"pod", "b"}, {"pod2", "updated"}})});
  add("deny-ingress-from-other-namespaces",
      {ingressPolicy("x", "deny-empty-policy", all(), {rule(std::vector{pods(all())})})});
  add("deny-ingress-to-updated-pod",
      {ingressPolicy("x", "deny-ingress-via-label-selector", match({{"target", "isolated"}}),
                     denyAll)},
      {relabelPod("x", "a", {{"pod", "a"}, {"target", "isolated"}})});
  add("deny-egress-by-pod-selector", {egressPolicy("x", "deny-egress-pod-a", podIs("a"), denyAll)});
  add("deny-egress-from-namespace", {egressPolicy("x", "deny-egress-ns-x", all(), denyAll)});
  add("ingress-and-egress-together", {policy("x", "allow-client-a-via-pod-selector", podIs("a"),
                                             Rules{rule(std::vector{pods(podIs("b"))})},
                                             Rules{rule(kAnyPeer, std::vector{num(80)})})});
  add("deny-egress-on-client-even-if-server-allows",
      {egressPolicy("x", "allow-to-ns-y-pod-a", podIs("a"),
                    {rule(std::vector{podsIn(podIs("a"), nsNamed("y"))})}),
       ingressPolicy("y", "allow-from-xa-on-ya-match-selector", podIs("a"),
                     {rule(std::vector{podsIn(podIs("a"), nsNamed("x"))})}),
       ingressPolicy("y", "allow-from-xa-on-yb-match-selector", podIs("b"),
                     {rule(std::vector{podsIn(podIs("a"), nsNamed("x"))})})});
  add("egress-to-pod-in-other-namespace-by-pod-and-namespace-selector",
      {egressPolicy("x", "allow-to-ns-y-pod-a", podIs("a"),
                    {rule(std::vector{podsIn(podIs("a"), nsNamed("y"))})})});
  add("ingress-any-port-of-protocol",
      {ingressPolicy("x", "allow-ingress-by-proto", podIs("a"),
                     {rule(kAnyPeer, std::vector{protocolOnly(Protocol::TCP)})})});
  add("multiple-ingress-policies-allow-all-wins",
      {ingressPolicy("x", "allow-ingress-port-80", all(), {rule(kAnyPeer, std::vector{num(80)})})},
      {createPolicy(ingressPolicy("x", "allow-ingress", all(), {allowAll()}))});
  add("multiple-egress-policies-allow-all-wins",
      {egressPolicy("x", "allow-egress-port-80", all(), {rule(kAnyPeer, std::vector{num(80)})})},
      {createPolicy(egressPolicy("x", "allow-egress", all(), {allowAll()}))});
  add("stop-enforcing-after-delete", {policy("x", "deny-all", all(), denyAll, denyAll)},
      {deletePolicy("x", "deny-all")});
  add("egress-to-server-in-cidr",
      {egressPolicy("x", "allow-client-a-via-cidr-egress-rule", podIs("a"),
                    {rule(std::vector{ipBlock("10.0.2.2/32")})})});
  const NetworkPolicy exceptPolicy =
      egressPolicy("x", "allow-client-a-via-cidr-egress-rule", podIs("a"),
                   {rule(std::vector{ipBlock("0.0.0.0/4", {"10.0.1.2/32"})})});
  add("egress-cidr-except", {exceptPolicy});
  add("ip-in-cidr-and-except-allowed-after-update", {exceptPolicy},
      {updatePolicy(egressPolicy("x", "allow-client-a-via-cidr-egress-rule", podIs("a"),
                                 {rule(std::vector{ipBlock("10.0.1.2/32")})}))});
  add("ingress-and-egress-policies-independent",
      {egressPolicy("x", "allow-egress-for-target", podIs("a"), {allowAll()})},
      {createPolicy(ingressPolicy("x", "deny-ingress-via-label-selector", podIs("a"), denyAll))});
  add("sctp-not-treated-as-tcp",
      {ingressPolicy("x", "deny-ingress", all(), denyAll),
       ingressPolicy("x", "allow-only-sctp-ingress-on-port-81", podIs("a"),
                     {rule(kAnyPeer, std::vector{sctp(81)})})},
      {}, withSctp());
  add("isolate-pods-selected-by-sctp-policy",
      {ingressPolicy("x", "allow-only-sctp-ingress-on-port-80", podIs("a"),
                     {rule(kAnyPeer, std::vector{sctp(80)})})},
      {}, withSctp());
  add("udp-only-does-not-allow-tcp",
      {ingressPolicy("x", "allow-only-udp-ingress-on-port-81", podIs("a"),
                     {rule(kAnyPeer, std::vector{udp(81)})})});
  add("namespace-selector-default-label-match-labels",
      {ingressPolicy("x", "allow-client-a-via-ns-selector-for-immutable-ns-label", podIs("a"),
                     {rule(std::vector{namespaces(nsNamed("y"))})})});
  add("namespace-selector-default-label-match-expressions",
      {egressPolicy("x", "allow-ns-y-match-selector-for-immutable-ns-label", podIs("a"),
                    {rule(std::vector{namespaces(expr(kNameLabel, SelectorOp::NotIn, {"y"}))})})});
  add("udp-ports",
      {ingressPolicy("x", "allow-ingress-on-port-81-ns-x", podIs("a"),
                     {rule(std::vector{namespaces(nsNamed("y"))}, std::vector{udp(81)})})});
  add("sctp-default-deny-ingress", {ingressPolicy("x", "deny-all", all(), denyAll)}, {},
      withSctp());
  add("sctp-ports",
      {ingressPolicy("x", "allow-ingress-on-port-81-ns-x", podIs("a"),
                     {rule(std::vector{namespaces(nsNamed("y"))}, std::vector{sctp(81)})})},
      {}, withSctp());
  add("sctp-pod-in-other-namespace-by-pod-and-namespace-selector",
      {ingressPolicy("x", "allow-ns-y-pod-a-via-namespace-pod-selector", podIs("a"),
                     {rule(std::vector{podsIn(podIs("a"), nsNamed("y"))})})},
      {}, withSctp());
}

// ---------------------------------------------------------------------------------------------
// Named ports that differ per pod, Services, external hosts, nodes, IPv6
// ---------------------------------------------------------------------------------------------

void namedPorts(Suite& s) {
  const Cluster c = base(withNamedPorts());
  auto add = [&](const std::string& slug, std::vector<NetworkPolicy> ps,
                 std::optional<ProbeSet> probes = std::nullopt) {
    s.add("named-ports/" + slug, {"port:named", "named-port:varies-per-pod"},
          with(c, std::move(ps)), {}, std::move(probes));
  };
  add("ingress/name-resolves-per-destination-pod",
      {ingressPolicy("x", "allow-http", all(), {rule(kAnyPeer, std::vector{named("http")})})});
  add("egress/name-resolves-on-destination-pod",
      {egressPolicy("x", "allow-http", podIs("a"), {rule(kAnyPeer, std::vector{named("http")})})});
  add("ingress/udp-name",
      {ingressPolicy("x", "allow-http-udp", all(),
                     {rule(kAnyPeer, std::vector{named("http", Protocol::UDP)})})});
  add("egress/udp-name",
      {egressPolicy("x", "allow-http-udp", podIs("a"),
                    {rule(kAnyPeer, std::vector{named("http", Protocol::UDP)})})});
  add("ingress/name-and-number",
      {ingressPolicy("x", "allow-http-and-8081", all(),
                     {rule(kAnyPeer, std::vector{named("http"), tcp(8081)})})});
  add("ingress/name-with-peer",
      {ingressPolicy("x", "allow-http-from-y", all(),
                     {rule(std::vector{namespaces(nsIs("y"))}, std::vector{named("http")})})});
  add("ingress/standard-name-with-wrong-protocol",
      {ingressPolicy("x", "allow-udp-serve-80-tcp", all(),
                     {rule(kAnyPeer, std::vector{named("serve-80-tcp", Protocol::UDP)})})});
  Cluster withPolicy = with(c, {egressPolicy("x", "allow-http", podIs("a"),
                                             {rule(kAnyPeer, std::vector{named("http")})})});
  ProbeSet probes = probesWithOutside(withPolicy, {{8080, Protocol::TCP}, {80, Protocol::TCP}});
  add("egress/name-to-external-never-matches", withPolicy.policies, probes);
}

// The Services of the services family, over pods a and b labelled app=web.
Cluster serviceCluster() {
  Cluster c = base(withNamedPorts());
  for (auto& p : c.pods)
    if (p.meta.name == "a" || p.meta.name == "b") p.meta.labels["app"] = "web";
  auto svc = [](const std::string& ns, const std::string& name, const std::string& ip, Labels sel,
                std::vector<ServicePort> ports) {
    Service s;
    s.meta.name = name;
    s.meta.namespace_ = ns;
    s.clusterIP = ip;
    s.selector = std::move(sel);
    s.ports = std::move(ports);
    return s;
  };
  // Service port 8080 to target port 80 on x/a.
  c.services.push_back(
      svc("x", "web", "10.96.0.10", {{"pod", "a"}}, {{"", 8080, Protocol::TCP, PortRef{80}}}));
  // Named targetPort `http`: 8080 on y/a, 8081 on y/b.
  c.services.push_back(svc("y", "backends", "10.96.0.11", {{"app", "web"}},
                           {{"http", 80, Protocol::TCP, PortRef{std::string("http")}}}));
  // UDP and a named standard port on z/c.
  c.services.push_back(svc("z", "dns", "10.96.0.12", {{"pod", "c"}},
                           {{"udp", 5353, Protocol::UDP, PortRef{80}},
                            {"tcp", 8081, Protocol::TCP, PortRef{std::string("serve-81-tcp")}}}));
  // Two backends x/a and x/b, port = targetPort.
  c.services.push_back(
      svc("x", "multi", "10.96.0.13", {{"app", "web"}}, {{"", 80, Protocol::TCP, std::nullopt}}));
  return c;
}

void services(Suite& s) {
  auto add = [&](const std::string& slug, std::vector<NetworkPolicy> ps,
                 std::vector<std::string> tags = {}) {
    tags.push_back("service:cluster-ip");
    s.add("services/" + slug, tags, with(serviceCluster(), std::move(ps)));
  };
  add("no-policies", {});
  add("ingress-allows-target-port",
      {ingressPolicy("x", "allow-80-from-y", podIs("a"),
                     {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(80)})})});
  add("ingress-allows-service-port-only",
      {ingressPolicy("x", "allow-8080", podIs("a"), {rule(kAnyPeer, std::vector{tcp(8080)})})});
  add("egress-allows-backend-pod-and-target-port",
      {egressPolicy("y", "allow-to-x-a", all(),
                    {rule(std::vector{podsIn(podIs("a"), nsNamed("x"))}, std::vector{tcp(80)})})},
      {"direction:egress"});
  add("egress-allows-cluster-ip-range-only",
      {egressPolicy("y", "allow-to-service-cidr", all(),
                    {rule(std::vector{ipBlock("10.96.0.0/24")})})},
      {"direction:egress"});
  add("egress-allows-service-port-only",
      {egressPolicy("y", "allow-8080", all(), {rule(kAnyPeer, std::vector{tcp(8080)})})},
      {"direction:egress"});
  add("named-target-port-allowed-by-name",
      {ingressPolicy("y", "allow-http", match({{"app", "web"}}),
                     {rule(kAnyPeer, std::vector{named("http")})})},
      {"service:several-backends"});
  add("named-target-port-allowed-by-one-number",
      {ingressPolicy("y", "allow-8080", match({{"app", "web"}}),
                     {rule(kAnyPeer, std::vector{tcp(8080)})})},
      {"service:several-backends", "verdict:undefined"});
  add("several-backends-one-isolated", {ingressPolicy("x", "deny-b", podIs("b"), {})},
      {"service:several-backends", "verdict:undefined"});
  add("several-backends-same-policy",
      {ingressPolicy("x", "allow-from-z", match({{"app", "web"}}),
                     {rule(std::vector{namespaces(nsIs("z"))})})},
      {"service:several-backends"});
  add("udp-service-port",
      {ingressPolicy("z", "allow-udp-80", podIs("c"), {rule(kAnyPeer, std::vector{udp(80)})})});
  add("egress-deny-all-client", {egressPolicy("x", "deny-egress", podIs("a"), {})},
      {"direction:egress"});
}

void externalHosts(Suite& s) {
  auto add = [&](const std::string& slug, std::vector<NetworkPolicy> ps) {
    Cluster c = with(base(), std::move(ps));
    ProbeSet probes = probesWithOutside(c, kExternalPorts);
    s.add("external-hosts/" + slug, {"external-hosts:probed"}, std::move(c), {}, std::move(probes));
  };
  add("no-policies", {});
  add("ingress-from-external-ip-block",
      {ingressPolicy("x", "allow-ext-1", podIs("a"),
                     {rule(std::vector{ipBlock("192.0.2.0/24")})})});
  add("ingress-from-everywhere-except-external",
      {ingressPolicy("x", "allow-all-but-ext-1", podIs("a"),
                     {rule(std::vector{ipBlock("0.0.0.0/0", {"192.0.2.0/24"})})})});
  add("ingress-except-external-plus-all-namespaces",
      {ingressPolicy(
          "x", "allow-all-but-ext-1", podIs("a"),
          {rule(std::vector{ipBlock("0.0.0.0/0", {"192.0.2.10/32"}), namespaces(all())})})});
  add("ingress-from-all-namespaces-excludes-external",
      {ingressPolicy("x", "allow-all-namespaces", podIs("a"),
                     {rule(std::vector{namespaces(all())})})});
  add("egress-to-external-ip-block",
      {egressPolicy("x", "allow-ext-2", podIs("a"),
                    {rule(std::vector{ipBlock("203.0.113.0/24")})})});
  add("egress-to-everywhere-except-external",
      {egressPolicy("x", "allow-all-but-ext-2", podIs("a"),
                    {rule(std::vector{ipBlock("0.0.0.0/0", {"203.0.113.20/32"})})})});
  add("egress-to-negated-namespace-selector-excludes-external",
      {egressPolicy("x", "allow-not-x", podIs("a"),
                    {rule(std::vector{namespaces(expr("ns", SelectorOp::NotIn, {"x"}))})})});
  add("egress-named-port-never-matches-external",
      {egressPolicy("x", "allow-serve-80-tcp", podIs("a"),
                    {rule(kAnyPeer, std::vector{named("serve-80-tcp")})})});
  add("egress-numbered-port-matches-external",
      {egressPolicy("x", "allow-80", podIs("a"), {rule(kAnyPeer, std::vector{tcp(80)})})});
  add("default-deny-all", {policy("x", "deny-all", all(), Rules{}, Rules{})});
}

void nodes(Suite& s) {
  const std::vector<std::pair<int32_t, Protocol>> nodePorts = {{80, Protocol::TCP}};
  auto add = [&](const std::string& slug, Cluster c) {
    ProbeSet probes = probesWithOutside(c, {}, nodePorts);
    s.add("nodes/" + slug, {"nodes:probed"}, std::move(c), {}, std::move(probes));
  };
  add("ingress-deny-all-allows-own-node",
      with(base(), {ingressPolicy("x", "deny-ingress", all(), {})}));
  add("ingress-from-node-ip-block",
      with(base(), {ingressPolicy("x", "allow-nodes", all(),
                                  {rule(std::vector{ipBlock("172.18.0.0/24")})})}));
  add("ingress-from-all-namespaces-excludes-nodes",
      with(base(),
           {ingressPolicy("x", "allow-pods", all(), {rule(std::vector{namespaces(all())})})}));
  add("egress-deny-all-to-nodes", with(base(), {egressPolicy("x", "deny-egress", all(), {})}));
  add("egress-to-one-node",
      with(base(), {egressPolicy("x", "allow-node-2", all(),
                                 {rule(std::vector{ipBlock("172.18.0.3/32")})})}));
  {
    Cluster c = base();
    Pod host;
    host.meta.name = "host";
    host.meta.namespace_ = "x";
    host.meta.labels = {{"pod", "host"}};
    host.nodeName = "node-2";
    host.hostNetwork = true;
    host.containers.push_back(container("cont-8080-tcp", "serve-8080-tcp", 8080, Protocol::TCP));
    host.podIP = "172.18.0.3";
    host.podIPs = {host.podIP};
    c.pods.push_back(host);
    add("host-network-pod-is-node-traffic",
        with(std::move(c),
             {ingressPolicy("x", "allow-from-pods", all(), {rule(std::vector{pods(all())})})}));
  }
}

void ipv6(Suite& s) {
  ConformanceClusterOptions o;
  o.dualStack = true;
  auto add = [&](const std::string& slug, std::vector<NetworkPolicy> ps) {
    Cluster c = with(base(o), std::move(ps));
    ProbeSet probes = probesWithOutside(c, {{80, Protocol::TCP}});
    s.add("ipv6/" + slug, {"ip-family:dual-stack"}, std::move(c), {}, std::move(probes));
  };
  add("default-deny-ingress", {ingressPolicy("x", "deny-ingress", all(), {})});
  add("ingress-from-ipv6-block", {ingressPolicy("x", "allow-y", podIs("a"),
                                                {rule(std::vector{ipBlock("fd00:10::2:0/112")})})});
  add("ingress-from-ipv4-block-only",
      {ingressPolicy("x", "allow-y-v4", podIs("a"), {rule(std::vector{ipBlock("10.0.2.0/24")})})});
  add("ingress-from-both-families",
      {ingressPolicy("x", "allow-y", podIs("a"),
                     {rule(std::vector{ipBlock("10.0.2.0/24"), ipBlock("fd00:10::2:0/112")})})});
  add("egress-ipv6-block-except",
      {egressPolicy("x", "allow-pods-but-x-b", podIs("a"),
                    {rule(std::vector{ipBlock("fd00:10::/96", {"fd00:10::1:2/128"})})})});
  add("egress-to-external-ipv6", {egressPolicy("x", "allow-ext-v6", podIs("a"),
                                               {rule(std::vector{ipBlock("2001:db8::/32")})})});
}

}  // namespace

std::vector<Case> conformanceSuite() {
  Suite s;
  targetSelection(s);
  rules(s);
  policyTypes(s);
  peersFamily(s);
  portsFamily(s);
  namedPorts(s);
  namespacesFamily(s);
  conflicts(s);
  actions(s);
  upstream(s);
  services(s);
  externalHosts(s);
  nodes(s);
  ipv6(s);
  return s.take();
}

}  // namespace npf
