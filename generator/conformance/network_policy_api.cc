// The network-policy-api family: the 24 conformance tests of kubernetes-sigs/network-policy-api
// v0.1.8 (conformance/tests/*.go) for AdminNetworkPolicy and BaselineAdminNetworkPolicy, one
// case per upstream test, on upstream's cluster (the houses, conformance/base/manifests.yaml)
// under upstream's policy and rule names. Upstream's subtests run in order against one set of
// objects and some patch the policy first (swap two rules, turn a Deny into a Pass, change a
// priority, insert a rule, delete the NetworkPolicy); each patch is an update step here, so a
// case's states are exactly the states upstream asserts on. The assertions themselves are
// checked cell by cell in tests/conformance_network_policy_api_test.cc.
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/cluster_builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {
namespace {

using Act = ClusterRuleAction;

const char* protoName(Protocol p) {
  return p == Protocol::TCP ? "tcp" : p == Protocol::UDP ? "udp" : "sctp";
}

// What the six per-protocol manifests (standard-{ingress,egress}-{tcp,udp,sctp}-rules.yaml)
// vary: the subject house, the house every rule of the first three matches on every port, the
// slytherin port, and the house allowed on one port and denied the rest.
struct ProtocolManifest {
  std::string name;  // ANP name (the BANP is `default`)
  int32_t priority;
  std::string subject, everything;
  Protocol proto;
  int32_t slytherinPort;
  std::string portHouse;
  int32_t port;
};

ProtocolManifest manifest(Dir d, Protocol proto) {
  const bool in = d == Dir::Ingress;
  switch (proto) {
    case Protocol::TCP:
      return in ? ProtocolManifest{"ingress-tcp", 3,  "gryffindor", "ravenclaw",
                                   proto,         80, "hufflepuff", 80}
                : ProtocolManifest{"egress-tcp", 6,  "gryffindor", "ravenclaw",
                                   proto,        80, "hufflepuff", 8080};
    case Protocol::UDP:
      return in ? ProtocolManifest{"ingress-udp", 4,    "hufflepuff", "ravenclaw",
                                   proto,         5353, "gryffindor", 53}
                : ProtocolManifest{"egress-udp", 7,    "hufflepuff", "ravenclaw",
                                   proto,        5353, "gryffindor", 53};
    default:
      return in ? ProtocolManifest{"ingress-sctp", 5,    "ravenclaw",  "gryffindor",
                                   proto,          9003, "hufflepuff", 9003}
                : ProtocolManifest{"egress-sctp", 8,    "ravenclaw",  "gryffindor",
                                   proto,         9003, "hufflepuff", 9003};
  }
}

// The rules of one per-protocol manifest: allow/deny/pass <everything>, deny/pass slytherin at
// a port, allow <portHouse> at a port, deny <portHouse> everything else. The BANP versions have
// no Pass rules.
CpRules protocolRules(Dir d, const ProtocolManifest& m, bool baseline) {
  const std::string way = d == Dir::Ingress ? "-from-" : "-to-";
  auto ns = [](const std::string& h) { return std::vector{cpNamespaces(houseNamed(h))}; };
  const CpPorts sly = std::vector{cpPort(m.proto, m.slytherinPort)};
  const CpPorts at = std::vector{cpPort(m.proto, m.port)};
  CpRules r;
  r.push_back(cpRule("allow" + way + m.everything + "-everything", Act::Allow, ns(m.everything)));
  r.push_back(cpRule("deny" + way + m.everything + "-everything", Act::Deny, ns(m.everything)));
  if (!baseline)
    r.push_back(cpRule("pass" + way + m.everything + "-everything", Act::Pass, ns(m.everything)));
  const std::string slyPort = "slytherin-at-port-" + std::to_string(m.slytherinPort);
  r.push_back(cpRule("deny" + way + slyPort, Act::Deny, ns("slytherin"), sly));
  if (!baseline) r.push_back(cpRule("pass" + way + slyPort, Act::Pass, ns("slytherin"), sly));
  r.push_back(cpRule("allow" + way + m.portHouse + "-at-port-" + std::to_string(m.port), Act::Allow,
                     ns(m.portHouse), at));
  r.push_back(cpRule("deny" + way + m.portHouse + "-everything-else", Act::Deny, ns(m.portHouse)));
  return r;
}

ClusterPolicy protocolPolicy(Dir d, Protocol proto, bool baseline) {
  const ProtocolManifest m = manifest(d, proto);
  CpRules rules = protocolRules(d, m, baseline);
  std::optional<CpRules> in, eg;
  (d == Dir::Ingress ? in : eg) = std::move(rules);
  ClusterPolicySubject subject = subjectNamespaces(houseNamed(m.subject));
  if (baseline) return banp(std::move(subject), std::move(in), std::move(eg));
  return anp(m.name, m.priority, std::move(subject), std::move(in), std::move(eg));
}

ClusterPolicy swapIn(Dir d, ClusterPolicy p, size_t i, size_t j) {
  return d == Dir::Ingress ? swapIngress(std::move(p), i, j) : swapEgress(std::move(p), i, j);
}

// standard-gress-rules-combined.yaml: ANP `gress-rules` (priority 15) or the BANP, subject
// gryffindor, the per-protocol rules over TCP, UDP and SCTP at once.
ClusterPolicy gressPolicy(bool baseline) {
  auto ns = [](const std::string& h) { return std::vector{cpNamespaces(houseNamed(h))}; };
  auto three = [](int32_t tcp, int32_t udp, int32_t sctp) {
    return CpPorts(std::vector{cpPort(Protocol::TCP, tcp), cpPort(Protocol::UDP, udp),
                               cpPort(Protocol::SCTP, sctp)});
  };
  CpRules eg, in;
  eg.push_back(cpRule("allow-to-ravenclaw-everything", Act::Allow, ns("ravenclaw")));
  eg.push_back(cpRule("deny-to-ravenclaw-everything", Act::Deny, ns("ravenclaw")));
  if (!baseline) eg.push_back(cpRule("pass-to-ravenclaw-everything", Act::Pass, ns("ravenclaw")));
  eg.push_back(cpRule("deny-to-slytherin-at-ports-80-53-9003", Act::Deny, ns("slytherin"),
                      three(80, 53, 9003)));
  if (!baseline)
    eg.push_back(cpRule("pass-to-slytherin-at-port-80-53-9003", Act::Pass, ns("slytherin"),
                        three(80, 53, 9003)));
  eg.push_back(cpRule(baseline ? "allow-to-hufflepuff-at-ports-8080-5353"
                               : "allow-to-hufflepuff-at-ports-8080-5353-9003",
                      Act::Allow, ns("hufflepuff"), three(8080, 5353, 9003)));
  eg.push_back(cpRule("deny-to-hufflepuff-everything-else", Act::Deny, ns("hufflepuff")));
  in.push_back(cpRule("allow-from-ravenclaw-everything", Act::Allow, ns("ravenclaw")));
  in.push_back(cpRule("deny-from-ravenclaw-everything", Act::Deny, ns("ravenclaw")));
  if (!baseline) in.push_back(cpRule("pass-from-ravenclaw-everything", Act::Pass, ns("ravenclaw")));
  in.push_back(cpRule("deny-from-slytherin-at-port-80-53-9003", Act::Deny, ns("slytherin"),
                      three(80, 53, 9003)));
  if (!baseline)
    in.push_back(cpRule("pass-from-slytherin-at-port-80-53-9003", Act::Pass, ns("slytherin"),
                        three(80, 53, 9003)));
  in.push_back(cpRule("allow-from-hufflepuff-at-port-80-5353-9003", Act::Allow, ns("hufflepuff"),
                      three(80, 5353, 9003)));
  in.push_back(cpRule("deny-from-hufflepuff-everything-else", Act::Deny, ns("hufflepuff")));
  ClusterPolicySubject subject = subjectNamespaces(houseNamed("gryffindor"));
  if (baseline) return banp(std::move(subject), std::move(in), std::move(eg));
  return anp("gress-rules", 15, std::move(subject), std::move(in), std::move(eg));
}

// The gryffindor pods of gryffindor (`pods` subject and peers by the house label).
ClusterPolicySubject gryffindorPods() {
  return subjectPods(houseIs("gryffindor"), houseIs("gryffindor"));
}
ClusterPolicyPeer slytherinPods() { return cpPods(houseIs("slytherin"), houseIs("slytherin")); }

// standard-egress-inline-cidr-rules.yaml.
ClusterPolicy inlineCidrPolicy(bool baseline) {
  CpRules eg{cpRule("allow-egress-to-slytherin", Act::Allow, {slytherinPods()}),
             cpRule("deny-egress-to-internet", Act::Deny, {cpNetworks({"0.0.0.0/0", "::/0"})})};
  if (baseline) return banp(subjectNamespaces(houseNamed("gryffindor")), std::nullopt, eg);
  return anp("inline-cidr-as-peers-example", 85, gryffindorPods(), std::nullopt, eg);
}

// The rule upstream's allow subtest inserts first: luna-lovegood-0 and cedric-diggory-0 by
// their pod IPs (/32, the test's mask for IPv4).
ClusterPolicy withPodIpRule(ClusterPolicy p) {
  p.egress->insert(
      p.egress->begin(),
      cpRule("allow-egress-to-specific-podIPs", Act::Allow,
             {cpNetworks({houseIp("ravenclaw", 0) + "/32", houseIp("hufflepuff", 0) + "/32"})}));
  return p;
}

// experimental-egress-selector-rules.yaml, with upstream's default host-network ports
// (HostNetworkPorts = 34345..34352).
ClusterPolicy nodePeersPolicy(bool baseline) {
  const LabelSelector linux = match({{"kubernetes.io/os", "linux"}});
  if (baseline)
    return banp(subjectNamespaces(houseNamed("gryffindor")), std::nullopt,
                CpRules{cpRule("allow-egress-to-34345-on-nodes", Act::Allow, {cpNodes(linux)},
                               std::vector{cpRange(Protocol::TCP, 34345, 34346)}),
                        cpRule("deny-egress-to-nodes-and-internet", Act::Deny,
                               {cpNodes(linux), cpNetworks({"0.0.0.0/0", "::/0"})})});
  return anp("node-and-cidr-as-peers-example", 75, gryffindorPods(), std::nullopt,
             CpRules{cpRule("allow-egress-to-34345-on-nodes", Act::Allow, {cpNodes(linux)},
                            std::vector{cpPort(Protocol::TCP, 34345)}),
                     cpRule("pass-egress-to-34347-on-nodes", Act::Pass, {cpNodes(linux)},
                            std::vector{cpPort(Protocol::UDP, 34347)}),
                     cpRule("deny-egress-to-slytherin-and-nodes-and-internet", Act::Deny,
                            {slytherinPods(), cpNodes(linux), cpNetworks({"0.0.0.0/0", "::/0"})})});
}

// `p` with the ports of rule `i` of a direction replaced by one named port.
ClusterPolicy namedPortIn(Dir d, ClusterPolicy p, size_t i, const std::string& name) {
  auto& rules = d == Dir::Ingress ? *p.ingress : *p.egress;
  rules.at(i).ports = std::vector{cpNamed(name)};
  return p;
}

}  // namespace

void networkPolicyApi(Suite& s) {
  auto add = [&](const std::string& slug, const std::string& shortName,
                 std::vector<std::string> tags, Cluster c, std::vector<Step> steps = {}) {
    tags.push_back("source:network-policy-api");
    tags.push_back("upstream-test:" + shortName);
    s.add("network-policy-api/" + slug, std::move(tags), std::move(c), std::move(steps));
  };
  const std::string tierTag[2] = {"cluster-policy:admin", "cluster-policy:baseline"};

  // {Admin,Baseline}NetworkPolicy{Ingress,Egress}{TCP,UDP,SCTP}. The ANP subtests: (1, 2) as
  // written; (3, 4) after swapping rules 0 and 1 (Deny before Allow); (5) after swapping rules
  // 0 and 2 (Pass first); (6) after swapping rules 3 and 4 (Pass before Deny for slytherin).
  // The BANP subtests stop after the first swap.
  for (bool baseline : {false, true})
    for (Dir d : kDirs)
      for (Protocol proto : {Protocol::TCP, Protocol::UDP, Protocol::SCTP}) {
        const std::string kind =
            baseline ? "baseline-admin-network-policy" : "admin-network-policy";
        const std::string shortKind =
            baseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy";
        std::string protoUpper = protoName(proto);
        for (auto& ch : protoUpper) ch = static_cast<char>(ch - 'a' + 'A');
        const std::string dirUpper = d == Dir::Ingress ? "Ingress" : "Egress";
        ClusterPolicy p = protocolPolicy(d, proto, baseline);
        std::vector<Step> steps;
        ClusterPolicy s1 = swapIn(d, p, 0, 1);
        steps.push_back(updateClusterPolicy(s1));
        if (!baseline) {
          ClusterPolicy s2 = swapIn(d, s1, 0, 2);
          steps.push_back(updateClusterPolicy(s2));
          steps.push_back(updateClusterPolicy(swapIn(d, s2, 3, 4)));
        }
        add(kind + "-" + dirName(d) + "-" + protoName(proto), shortKind + dirUpper + protoUpper,
            {tierTag[baseline], dirTag(d)}, withCluster(houses(), {p}), std::move(steps));
      }

  // {Admin,Baseline}NetworkPolicyGress: the same, both directions in one object; the ANP swaps
  // 0/1, then 0/2, then 3/4 of both directions, the BANP 0/1.
  for (bool baseline : {false, true}) {
    ClusterPolicy p = gressPolicy(baseline);
    auto swapBoth = [](ClusterPolicy q, size_t i, size_t j) {
      return swapEgress(swapIngress(std::move(q), i, j), i, j);
    };
    std::vector<Step> steps;
    ClusterPolicy s1 = swapBoth(p, 0, 1);
    steps.push_back(updateClusterPolicy(s1));
    if (!baseline) {
      ClusterPolicy s2 = swapBoth(s1, 0, 2);
      steps.push_back(updateClusterPolicy(s2));
      steps.push_back(updateClusterPolicy(swapBoth(s2, 3, 4)));
    }
    add(std::string(baseline ? "baseline-" : "") + "admin-network-policy-gress",
        baseline ? "BaselineAdminNetworkPolicyGress" : "AdminNetworkPolicyGress",
        {tierTag[baseline], "direction:ingress", "direction:egress"}, withCluster(houses(), {p}),
        std::move(steps));
  }

  // {Admin,Baseline}NetworkPolicyEgressInlineCIDRPeers: networks 0.0.0.0/0 and ::/0 deny what
  // the slytherin pods rule did not allow, pods included; then an Allow of two pod IPs first.
  for (bool baseline : {false, true}) {
    ClusterPolicy p = inlineCidrPolicy(baseline);
    add(std::string(baseline ? "baseline-" : "") + "admin-network-policy-egress-inline-cidr-peers",
        baseline ? "BaselineAdminNetworkPolicyEgressInlineCIDRPeers"
                 : "AdminNetworkPolicyEgressInlineCIDRPeers",
        {tierTag[baseline], "direction:egress", "cluster-policy:networks"},
        withCluster(houses(), {p}), {updateClusterPolicy(withPodIpRule(p))});
  }

  // {Admin,Baseline}NetworkPolicy{Ingress,Egress}NamedPort (experimental channel): a fresh
  // per-protocol manifest whose port rule is rewritten to a named port before any probe.
  add("admin-network-policy-ingress-named-port", "AdminNetworkPolicyIngressNamedPort",
      {tierTag[0], "direction:ingress", "port:named"},
      withCluster(houses(), {protocolPolicy(Dir::Ingress, Protocol::UDP, false)}),
      {updateClusterPolicy(namedPortIn(
          Dir::Ingress, protocolPolicy(Dir::Ingress, Protocol::UDP, false), 5, "dns"))});
  add("admin-network-policy-egress-named-port", "AdminNetworkPolicyEgressNamedPort",
      {tierTag[0], "direction:egress", "port:named"},
      withCluster(houses(), {protocolPolicy(Dir::Egress, Protocol::TCP, false)}),
      {updateClusterPolicy(
          namedPortIn(Dir::Egress, protocolPolicy(Dir::Egress, Protocol::TCP, false), 5, "web"))});
  add("baseline-admin-network-policy-ingress-named-port",
      "BaselineAdminNetworkPolicyIngressNamedPort", {tierTag[1], "direction:ingress", "port:named"},
      withCluster(houses(), {protocolPolicy(Dir::Ingress, Protocol::TCP, true)}),
      {updateClusterPolicy(
          namedPortIn(Dir::Ingress, protocolPolicy(Dir::Ingress, Protocol::TCP, true), 3, "web"))});
  add("baseline-admin-network-policy-egress-named-port",
      "BaselineAdminNetworkPolicyEgressNamedPort", {tierTag[1], "direction:egress", "port:named"},
      withCluster(houses(), {protocolPolicy(Dir::Egress, Protocol::UDP, true)}),
      {updateClusterPolicy(
          namedPortIn(Dir::Egress, protocolPolicy(Dir::Egress, Protocol::UDP, true), 3, "dns"))});

  // {Admin,Baseline}NetworkPolicyEgressNodePeers (experimental channel): the host-network
  // centaurs of forbidden-forrest stand for the nodes.
  HouseOptions centaurs;
  centaurs.centaurs = true;
  for (bool baseline : {false, true})
    add(std::string(baseline ? "baseline-" : "") + "admin-network-policy-egress-node-peers",
        baseline ? "BaselineAdminNetworkPolicyEgressNodePeers"
                 : "AdminNetworkPolicyEgressNodePeers",
        {tierTag[baseline], "direction:egress", "cluster-policy:nodes", "nodes:probed"},
        withCluster(houses(centaurs), {nodePeersPolicy(baseline)}));

  // AdminNetworkPolicyIntegration (api_integration/standard-anp-np-banp.yaml): ANP
  // `pass-example` denies slytherin both ways; a NetworkPolicy in gryffindor allows it; the BANP
  // denies it. Steps: the ingress rule becomes Pass (the NetworkPolicy decides), the egress rule
  // becomes Pass, the NetworkPolicy is deleted (the BANP decides).
  {
    ClusterPolicy pass = anp("pass-example", 10, subjectNamespaces(houseIs("gryffindor")),
                             CpRules{cpRule("deny-all-ingress-from-slytherin", Act::Deny,
                                            {cpNamespaces(houseIs("slytherin"))})},
                             CpRules{cpRule("deny-all-egress-to-slytherin", Act::Deny,
                                            {cpNamespaces(houseIs("slytherin"))})});
    ClusterPolicy base = banp(subjectNamespaces(houseIs("gryffindor")),
                              CpRules{cpRule("deny-all-ingress-from-slytherin", Act::Deny,
                                             {cpNamespaces(houseIs("slytherin"))})},
                              CpRules{cpRule("deny-all-egress-to-slytherin", Act::Deny,
                                             {cpNamespaces(houseIs("slytherin"))})});
    NetworkPolicy np = policy(houseNs("gryffindor"), "allow-gress-from-to-slytherin-to-gryffindor",
                              all(), Rules{rule(std::vector{namespaces(houseIs("slytherin"))})},
                              Rules{rule(std::vector{namespaces(houseIs("slytherin"))})});
    ClusterPolicy inPass = pass;
    inPass.ingress->at(0).action = Act::Pass;
    ClusterPolicy bothPass = inPass;
    bothPass.egress->at(0).action = Act::Pass;
    add("admin-network-policy-integration", "AdminNetworkPolicyIntegration",
        {tierTag[0], tierTag[1], "direction:ingress", "direction:egress", "cluster-policy:pass"},
        withCluster(with(houses(), {np}), {pass, base}),
        {updateClusterPolicy(inPass), updateClusterPolicy(bothPass),
         deletePolicy(houseNs("gryffindor"), "allow-gress-from-to-slytherin-to-gryffindor")});
  }

  // AdminNetworkPolicyPriorityField (standard-priority-field.yaml): a Deny at priority 50, a
  // Pass at 60 and a BANP Allow; the Pass's priority becomes 40 and the BANP decides.
  {
    ClusterPolicy deny50 =
        anp("priority-50-example", 50, gryffindorPods(),
            CpRules{cpRule("deny-all-ingress-from-slytherin", Act::Deny, {slytherinPods()})},
            CpRules{cpRule("deny-all-egress-to-slytherin", Act::Deny, {slytherinPods()})});
    ClusterPolicy pass60 =
        anp("old-priority-60-new-priority-40-example", 60, gryffindorPods(),
            CpRules{cpRule("pass-all-ingress-from-slytherin", Act::Pass, {slytherinPods()})},
            CpRules{cpRule("pass-all-egress-to-slytherin", Act::Pass, {slytherinPods()})});
    ClusterPolicy allow =
        banp(gryffindorPods(),
             CpRules{cpRule("allow-all-ingress-from-slytherin", Act::Allow, {slytherinPods()})},
             CpRules{cpRule("allow-all-egress-to-slytherin", Act::Allow, {slytherinPods()})});
    ClusterPolicy pass40 = pass60;
    pass40.priority = 40;
    add("admin-network-policy-priority-field", "AdminNetworkPolicyPriorityField",
        {tierTag[0], tierTag[1], "direction:ingress", "direction:egress",
         "cluster-policy:priority"},
        withCluster(houses(), {deny50, pass60, allow}), {updateClusterPolicy(pass40)});
  }
}

}  // namespace npf::conformance
