// The cluster-policy family: what network-policy-api's own conformance tests never check, on
// the same houses cluster. Equal priorities (undefined by default, the first name under
// `cluster-policy-ties=name`) and near-ties; Pass into the BaselineAdminNetworkPolicy, and the
// NetworkPolicy that takes over from it; Pass inside a ClusterNetworkPolicy Baseline tier; a
// hairpin through a Service (subject to cluster-scoped policy) next to a pod's own IP (not);
// nodes peers (the host-network pods on the nodes, never the other pods) and networks peers
// (which cover pod IPs); named ports resolved on each destination pod; deleting the policy that
// allowed something; and ClusterNetworkPolicy (v1alpha2) versions of upstream scenarios, with
// the same steps. A case holds v1alpha1 or v1alpha2 objects, never both.
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

std::vector<ClusterPolicyPeer> from(const std::string& house) {
  return {cpNamespaces(houseIs(house))};
}
ClusterPolicySubject house(const std::string& h) { return subjectNamespaces(houseIs(h)); }

Profile tiesByName() {
  Profile p;
  p.clusterPolicyTies = Profile::ClusterPolicyTies::Name;
  return p;
}

// Four ANPs on gryffindor in two equal-priority pairs: ingress from slytherin Allow vs Deny
// (priority 10; by name, Allow first), egress to ravenclaw Deny vs Pass (priority 20; by name,
// Deny first); and egress to hufflepuff Pass vs Allow (priority 30), which agree.
std::vector<ClusterPolicy> tiedPairs() {
  return {
      anp("allow-from-slytherin", 10, house("gryffindor"),
          CpRules{cpRule("allow", Act::Allow, from("slytherin"))}, std::nullopt),
      anp("deny-from-slytherin", 10, house("gryffindor"),
          CpRules{cpRule("deny", Act::Deny, from("slytherin"))}, std::nullopt),
      anp("deny-to-ravenclaw", 20, house("gryffindor"), std::nullopt,
          CpRules{cpRule("deny", Act::Deny, from("ravenclaw"))}),
      anp("pass-to-ravenclaw", 20, house("gryffindor"), std::nullopt,
          CpRules{cpRule("pass", Act::Pass, from("ravenclaw"))}),
      anp("allow-to-hufflepuff", 30, house("gryffindor"), std::nullopt,
          CpRules{cpRule("allow", Act::Allow, from("hufflepuff"))}),
      anp("pass-to-hufflepuff", 30, house("gryffindor"), std::nullopt,
          CpRules{cpRule("pass", Act::Pass, from("hufflepuff"))}),
  };
}

// A ClusterIP Service in front of harry-potter-0 alone.
Service harrySvc() {
  Service s;
  s.meta.name = "harry-potter-0";
  s.meta.namespace_ = houseNs("gryffindor");
  s.clusterIP = "10.96.0.10";
  s.selector = Labels{{"statefulset.kubernetes.io/pod-name", housePod("gryffindor", 0)}};
  s.ports = {ServicePort{"web", 80, Protocol::TCP, std::nullopt}};
  return s;
}

// The houses with ravenclaw's `web` moved to 8080 (80 left unnamed), so that `web` means 80
// on the other pods and 8080 on luna-lovegood's.
Cluster webOn8080InRavenclaw() {
  Cluster c = houses();
  for (auto& p : c.pods) {
    if (p.meta.namespace_ != houseNs("ravenclaw")) continue;
    for (auto& ctr : p.containers)
      for (auto& port : ctr.ports) {
        if (port.containerPort == 80) port.name = "";
        if (port.containerPort == 8080) port.name = "web";
      }
  }
  return c;
}

}  // namespace

void clusterPolicyFamily(Suite& s) {
  auto add = [&](const std::string& slug, std::vector<std::string> tags, Cluster c,
                 std::vector<Step> steps = {}, std::optional<Profile> profile = std::nullopt) {
    s.add("cluster-policy/" + slug, std::move(tags), std::move(c), std::move(steps), std::nullopt,
          profile);
  };
  const LabelSelector linux = match({{"kubernetes.io/os", "linux"}});
  HouseOptions centaurs;
  centaurs.centaurs = true;

  // Equal priorities: undefined where the orders disagree, a verdict where they agree; the
  // same objects under cluster-policy-ties=name; a near-tie (10 vs 11) decided by priority, then
  // the deny moved to 12 (after the allow) and the allow to 13 (after it again).
  add("ties/equal-priority", {"cluster-policy:admin", "cluster-policy:ties", "verdict:undefined"},
      withCluster(houses(), tiedPairs()));
  add("ties/equal-priority-name-order",
      {"cluster-policy:admin", "cluster-policy:ties", "profile:cluster-policy-ties=name"},
      withCluster(houses(), tiedPairs()), {}, tiesByName());
  {
    ClusterPolicy deny = anp("deny-from-slytherin", 10, house("gryffindor"),
                             CpRules{cpRule("deny", Act::Deny, from("slytherin"))}, std::nullopt);
    ClusterPolicy allow =
        anp("allow-from-slytherin", 11, house("gryffindor"),
            CpRules{cpRule("allow", Act::Allow, from("slytherin"))}, std::nullopt);
    ClusterPolicy deny12 = deny, allow13 = allow;
    deny12.priority = 12;
    allow13.priority = 13;
    add("ties/near-tie-priority-decides", {"cluster-policy:admin", "cluster-policy:priority"},
        withCluster(houses(), {deny, allow}),
        {updateClusterPolicy(deny12), updateClusterPolicy(allow13)});
  }

  // Pass into the baseline: the BANP decides; a NetworkPolicy selecting the pod then decides
  // instead (the BANP is skipped, even where the NetworkPolicy allows nothing); without it the
  // BANP is back.
  {
    ClusterPolicy pass =
        anp("pass-slytherin", 10, house("gryffindor"),
            CpRules{cpRule("pass-from-slytherin", Act::Pass, from("slytherin"))}, std::nullopt);
    ClusterPolicy base =
        banp(house("gryffindor"),
             CpRules{cpRule("deny-from-slytherin", Act::Deny, from("slytherin")),
                     cpRule("deny-from-hufflepuff", Act::Deny, from("hufflepuff"))},
             std::nullopt);
    NetworkPolicy np =
        ingressPolicy(houseNs("gryffindor"), "allow-slytherin-web", all(),
                      {rule(std::vector{namespaces(houseIs("slytherin"))}, std::vector{tcp(80)})});
    add("pass/anp-pass-to-banp-then-network-policy",
        {"cluster-policy:admin", "cluster-policy:baseline", "cluster-policy:pass"},
        withCluster(houses(), {pass, base}),
        {createPolicy(np), deletePolicy(houseNs("gryffindor"), "allow-slytherin-web")});
  }

  // Pass in a ClusterNetworkPolicy Baseline tier goes to the default (allow), past the later
  // Baseline policies; Pass in the Admin tier goes to the Baseline tier.
  add("pass/cnp-baseline-tier-pass",
      {"cluster-policy:baseline", "cluster-policy:pass", "cluster-policy:v1alpha2"},
      withCluster(
          houses(),
          {cnp("admin-pass-ravenclaw", PolicyTier::Admin, 5, house("gryffindor"),
               CpRules{cpRule("pass-from-ravenclaw", Act::Pass, from("ravenclaw"))}, std::nullopt),
           cnp("baseline-pass-slytherin", PolicyTier::Baseline, 10, house("gryffindor"),
               CpRules{cpRule("pass-from-slytherin", Act::Pass, from("slytherin"))}, std::nullopt),
           cnp("baseline-deny", PolicyTier::Baseline, 20, house("gryffindor"),
               CpRules{cpRule("deny-from-slytherin", Act::Deny, from("slytherin")),
                       cpRule("deny-from-hufflepuff", Act::Deny, from("hufflepuff")),
                       cpRule("deny-from-ravenclaw", Act::Deny, from("ravenclaw"))},
               std::nullopt)}));

  // A pod through its own Service is subject to the ClusterNetworkPolicy; to its own pod IP it
  // is not (NetworkPolicy alone decides, under loopback=policy).
  {
    Cluster c = withCluster(
        houses(), {cnp("deny-within-gryffindor", PolicyTier::Admin, 10, house("gryffindor"),
                       CpRules{cpRule("deny-from-gryffindor", Act::Deny, from("gryffindor"))},
                       std::nullopt)});
    c.services.push_back(harrySvc());
    Profile p;
    p.loopback = Profile::Loopback::Policy;
    add("hairpin/cnp-service-hairpin-versus-own-ip",
        {"cluster-policy:admin", "cluster-policy:v1alpha2", "service:cluster-ip", "service:hairpin",
         "profile:loopback=policy"},
        std::move(c), {}, p);
  }

  // nodes peers match the nodes' addresses, so the host-network centaurs, never the pods on
  // those nodes; networks peers match pod IPs; namespaces peers never match host-network pods.
  add("peers/nodes-and-networks",
      {"cluster-policy:admin", "cluster-policy:nodes", "cluster-policy:networks", "nodes:probed"},
      withCluster(
          houses(centaurs),
          {anp(
              "nodes-and-networks", 20, house("gryffindor"),
              CpRules{cpRule("deny-from-forbidden-forrest", Act::Deny, from("forbidden-forrest"))},
              CpRules{cpRule("allow-nodes-34345", Act::Allow, {cpNodes(linux)},
                             std::vector{cpPort(Protocol::TCP, 34345)}),
                      cpRule("deny-nodes", Act::Deny, {cpNodes(linux)}),
                      cpRule("allow-slytherin-network-web", Act::Allow,
                             {cpNetworks({"10.0.2.0/24"})}, std::vector{cpPort(Protocol::TCP, 80)}),
                      cpRule("deny-pod-network", Act::Deny, {cpNetworks({"10.0.0.0/16"})})})}));

  // A named port is resolved on each destination pod: `web` is 80 except on luna-lovegood's
  // pods (8080); `dns` stays UDP.
  add("ports/named-port-per-destination-pod", {"cluster-policy:admin", "port:named"},
      withCluster(webOn8080InRavenclaw(),
                  {anp("egress-web", 20, house("gryffindor"), std::nullopt,
                       CpRules{cpRule("allow-web", Act::Allow, {cpNamespaces(all())},
                                      std::vector{cpNamed("web")}),
                               cpRule("deny-the-rest", Act::Deny, {cpNamespaces(all())})}),
                   anp("ingress-web", 21,
                       subjectNamespaces(
                           expr("conformance-house", SelectorOp::In, {"ravenclaw", "slytherin"})),
                       CpRules{cpRule("allow-web-from-hufflepuff", Act::Allow, from("hufflepuff"),
                                      std::vector{cpNamed("web")}),
                               cpRule("deny-hufflepuff", Act::Deny, from("hufflepuff"))},
                       std::nullopt)}));

  // Deleting the ANP that allowed ravenclaw leaves the deny below it; deleting the BANP then
  // changes nothing the ANP decides.
  add("actions/delete-the-allowing-anp", {"cluster-policy:admin"},
      withCluster(
          houses(),
          {anp("allow-from-ravenclaw", 5, house("gryffindor"),
               CpRules{cpRule("allow", Act::Allow, from("ravenclaw"))}, std::nullopt),
           anp("deny-from-every-house", 10, house("gryffindor"),
               CpRules{cpRule("deny", Act::Deny, {cpNamespaces(all())})}, std::nullopt),
           banp(house("gryffindor"),
                CpRules{cpRule("allow-ravenclaw", Act::Allow, from("ravenclaw"))}, std::nullopt)}),
      {deleteClusterPolicy(ClusterPolicyKind::AdminNetworkPolicy, "allow-from-ravenclaw"),
       deleteClusterPolicy(ClusterPolicyKind::BaselineAdminNetworkPolicy, "default")});

  // ClusterNetworkPolicy (v1alpha2) versions of upstream scenarios, with upstream's steps.
  {
    // AdminNetworkPolicyIngressTCP as an Admin-tier CNP: rule order, then the three swaps.
    auto ns = [](const std::string& h) { return std::vector{cpNamespaces(houseNamed(h))}; };
    const CpPorts p80 = std::vector{cpPort(Protocol::TCP, 80)};
    ClusterPolicy in =
        cnp("ingress-tcp", PolicyTier::Admin, 3, subjectNamespaces(houseNamed("gryffindor")),
            CpRules{cpRule("allow-from-ravenclaw-everything", Act::Allow, ns("ravenclaw")),
                    cpRule("deny-from-ravenclaw-everything", Act::Deny, ns("ravenclaw")),
                    cpRule("pass-from-ravenclaw-everything", Act::Pass, ns("ravenclaw")),
                    cpRule("deny-from-slytherin-at-port-80", Act::Deny, ns("slytherin"), p80),
                    cpRule("pass-from-slytherin-at-port-80", Act::Pass, ns("slytherin"), p80),
                    cpRule("allow-from-hufflepuff-at-port-80", Act::Allow, ns("hufflepuff"), p80),
                    cpRule("deny-from-hufflepuff-everything-else", Act::Deny, ns("hufflepuff"))},
            std::nullopt);
    ClusterPolicy s1 = swapIngress(in, 0, 1), s2 = swapIngress(s1, 0, 2);
    add("cnp/admin-ingress-tcp",
        {"cluster-policy:admin", "cluster-policy:v1alpha2", "direction:ingress",
         "source:network-policy-api"},
        withCluster(houses(), {in}),
        {updateClusterPolicy(s1), updateClusterPolicy(s2),
         updateClusterPolicy(swapIngress(s2, 3, 4))});

    // BaselineAdminNetworkPolicyEgressUDP as a Baseline-tier CNP.
    const CpPorts u5353 = std::vector{cpPort(Protocol::UDP, 5353)};
    const CpPorts u53 = std::vector{cpPort(Protocol::UDP, 53)};
    ClusterPolicy eg =
        cnp("egress-udp", PolicyTier::Baseline, 7, subjectNamespaces(houseNamed("hufflepuff")),
            std::nullopt,
            CpRules{cpRule("allow-to-ravenclaw-everything", Act::Allow, ns("ravenclaw")),
                    cpRule("deny-to-ravenclaw-everything", Act::Deny, ns("ravenclaw")),
                    cpRule("deny-to-slytherin-at-port-5353", Act::Deny, ns("slytherin"), u5353),
                    cpRule("allow-to-gryffindor-at-port-53", Act::Allow, ns("gryffindor"), u53),
                    cpRule("deny-to-gryffindor-everything-else", Act::Deny, ns("gryffindor"))});
    add("cnp/baseline-egress-udp",
        {"cluster-policy:baseline", "cluster-policy:v1alpha2", "direction:egress",
         "source:network-policy-api"},
        withCluster(houses(), {eg}), {updateClusterPolicy(swapEgress(eg, 0, 1))});

    // AdminNetworkPolicyIntegration with CNPs: Admin Deny → Pass, NetworkPolicy, Baseline Deny.
    ClusterPolicy pass =
        cnp("pass-example", PolicyTier::Admin, 10, subjectNamespaces(houseIs("gryffindor")),
            CpRules{cpRule("deny-all-ingress-from-slytherin", Act::Deny, from("slytherin"))},
            CpRules{cpRule("deny-all-egress-to-slytherin", Act::Deny, from("slytherin"))});
    ClusterPolicy base =
        cnp("default", PolicyTier::Baseline, 10, subjectNamespaces(houseIs("gryffindor")),
            CpRules{cpRule("deny-all-ingress-from-slytherin", Act::Deny, from("slytherin"))},
            CpRules{cpRule("deny-all-egress-to-slytherin", Act::Deny, from("slytherin"))});
    NetworkPolicy np = policy(houseNs("gryffindor"), "allow-gress-from-to-slytherin-to-gryffindor",
                              all(), Rules{rule(std::vector{namespaces(houseIs("slytherin"))})},
                              Rules{rule(std::vector{namespaces(houseIs("slytherin"))})});
    ClusterPolicy inPass = pass;
    inPass.ingress->at(0).action = Act::Pass;
    ClusterPolicy bothPass = inPass;
    bothPass.egress->at(0).action = Act::Pass;
    add("cnp/integration",
        {"cluster-policy:admin", "cluster-policy:baseline", "cluster-policy:pass",
         "cluster-policy:v1alpha2", "source:network-policy-api"},
        withCluster(with(houses(), {np}), {pass, base}),
        {updateClusterPolicy(inPass), updateClusterPolicy(bothPass),
         deletePolicy(houseNs("gryffindor"), "allow-gress-from-to-slytherin-to-gryffindor")});

    // AdminNetworkPolicyPriorityField with CNPs; the subjects' and peers' pods leave the
    // namespaceSelector out (every namespace; v1alpha2 allows it).
    const ClusterPolicySubject gryffindorPods = subjectPods(std::nullopt, houseIs("gryffindor"));
    const std::vector<ClusterPolicyPeer> slytherinPods = {
        cpPods(std::nullopt, houseIs("slytherin"))};
    ClusterPolicy deny50 =
        cnp("priority-50-example", PolicyTier::Admin, 50, gryffindorPods,
            CpRules{cpRule("deny-all-ingress-from-slytherin", Act::Deny, slytherinPods)},
            CpRules{cpRule("deny-all-egress-to-slytherin", Act::Deny, slytherinPods)});
    ClusterPolicy pass60 =
        cnp("old-priority-60-new-priority-40-example", PolicyTier::Admin, 60, gryffindorPods,
            CpRules{cpRule("pass-all-ingress-from-slytherin", Act::Pass, slytherinPods)},
            CpRules{cpRule("pass-all-egress-to-slytherin", Act::Pass, slytherinPods)});
    ClusterPolicy allow =
        cnp("default", PolicyTier::Baseline, 0, gryffindorPods,
            CpRules{cpRule("allow-all-ingress-from-slytherin", Act::Allow, slytherinPods)},
            CpRules{cpRule("allow-all-egress-to-slytherin", Act::Allow, slytherinPods)});
    ClusterPolicy pass40 = pass60;
    pass40.priority = 40;
    add("cnp/priority-field",
        {"cluster-policy:admin", "cluster-policy:baseline", "cluster-policy:priority",
         "cluster-policy:v1alpha2", "source:network-policy-api"},
        withCluster(houses(), {deny50, pass60, allow}), {updateClusterPolicy(pass40)});
  }
}

}  // namespace npf::conformance
