// The cluster-scoped conformance families (network-policy-api/, cluster-policy/) checked cell by
// cell against truth tables written by hand. For network-policy-api/ each table is what the
// upstream Go test (kubernetes-sigs/network-policy-api v0.1.8, conformance/tests/*.go) asserts
// with kubernetes.PokeServer(client, protocol, server IP, port, expected) in each subtest, at
// the step state the subtest runs in (a subtest that patches the policy first runs in the next
// state). For cluster-policy/ the tables are worked out by hand from docs/cluster-policy.md.
// Never computed by code; each cell is checked on the reference evaluator and the matrix engine.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "generator/conformance.h"
#include "model/case.h"
#include "model/probe.h"
#include "model/profile.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"

namespace npf {
namespace {

const std::vector<Case>& suite() {
  static const std::vector<Case> s = conformanceSuite();
  return s;
}

const Case& mustFind(const std::string& name) {
  for (const auto& c : suite())
    if (c.meta.name == name) return c;
  ADD_FAILURE() << "no case " << name;
  static const Case empty;
  return empty;
}

// The upstream pods by house and ordinal: "g0" is gryffindor's harry-potter-0, "s1" slytherin's
// draco-malfoy-1, "h" hufflepuff (cedric-diggory), "r" ravenclaw (luna-lovegood), "f"
// forbidden-forrest (centaur); "svc:g0" is the Service in front of harry-potter-0.
Endpoint pod(const std::string& p) {
  if (p.rfind("svc:", 0) == 0)
    return Endpoint::service("network-policy-conformance-gryffindor", "harry-potter-0");
  const char h = p[0];
  const std::string ord = p.substr(1);
  const std::string house = h == 'g'   ? "gryffindor"
                            : h == 's' ? "slytherin"
                            : h == 'h' ? "hufflepuff"
                            : h == 'r' ? "ravenclaw"
                                       : "forbidden-forrest";
  const std::string set = h == 'g'   ? "harry-potter"
                          : h == 's' ? "draco-malfoy"
                          : h == 'h' ? "cedric-diggory"
                          : h == 'r' ? "luna-lovegood"
                                     : "centaur";
  return Endpoint::pod("network-policy-conformance-" + house, set + "-" + ord);
}

// One PokeServer: client, server, protocol, port, and the expected outcome.
struct Poke {
  const char* client;
  const char* server;
  Protocol proto;
  int32_t port;
  Verdict expected;
};
constexpr Protocol TCP = Protocol::TCP, UDP = Protocol::UDP, SCTP = Protocol::SCTP;
constexpr Verdict T = Verdict::Allow, F = Verdict::Deny, U = Verdict::Undefined;

// The pokes each state of a case must satisfy, state 0 being the case's initial cluster.
using Table = std::vector<std::vector<Poke>>;

void checkTable(const std::string& name, const Table& table) {
  SCOPED_TRACE(name);
  const Case& c = mustFind(name);
  ASSERT_EQ(c.meta.steps.size() + 1, table.size()) << "states of " << name;
  const Profile profile = c.meta.profile.value_or(Profile{});
  Cluster state = c.cluster;
  for (size_t i = 0; i < table.size(); ++i) {
    if (i > 0) {
      ASSERT_EQ(applyStep(state, c.meta.steps[i - 1]), "");
    }
    for (const Poke& k : table[i]) {
      Probe p{pod(k.client), Target{pod(k.server), k.port, k.proto}};
      Explanation why;
      std::optional<Verdict> ref = evaluateProbe(state, p, profile, &why);
      ProbeSet ps;
      ps.blocks.push_back(ProbeBlock{{p.from}, {p.target}});
      Matrix m = computeMatrix(state, ps, profile);
      const std::string where = "state " + std::to_string(i) + ": " + k.client + " -> " + k.server +
                                ":" + std::to_string(k.port) + "/" + toString(k.proto);
      EXPECT_EQ(ref, std::optional<Verdict>(k.expected)) << where;
      EXPECT_EQ(m.verdict(0), ref) << "matrix engine disagrees, " << where;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// network-policy-api v0.1.8: the per-protocol tests. The BANP tests' first four subtests make
// the same pokes as the ANP tests' (same clients, servers and ports; read from each Go file),
// in the same two states; the ANP tests go on with the 0/2 and 3/4 swaps.
// ---------------------------------------------------------------------------------------------

// AdminNetworkPolicyIngressTCP / BaselineAdminNetworkPolicyIngressTCP (subject gryffindor).
const Table kIngressTcp = {
    {{"r0", "g0", TCP, 80, T},
     {"r1", "g0", TCP, 8080, T},  // allow-ingress, rule order
     {"h0", "g1", TCP, 80, T},
     {"h1", "g1", TCP, 8080, F}},  // allow-ingress at the port
    {{"r0", "g1", TCP, 80, F},
     {"r1", "g1", TCP, 8080, F},  // swap 0/1: deny-ingress
     {"s0", "g0", TCP, 80, F},
     {"s1", "g0", TCP, 8080, T}},                             // deny-ingress at the port
    {{"r0", "g0", TCP, 80, T}, {"r1", "g0", TCP, 8080, T}},   // swap 0/2: pass-ingress
    {{"s0", "g0", TCP, 80, T}, {"s1", "g0", TCP, 8080, T}}};  // swap 3/4: pass at the port

// ...IngressUDP (subject hufflepuff).
const Table kIngressUdp = {{{"r0", "h0", UDP, 53, T},
                            {"r1", "h0", UDP, 5353, T},
                            {"g0", "h1", UDP, 53, T},
                            {"g1", "h1", UDP, 5353, F}},
                           {{"r0", "h1", UDP, 53, F},
                            {"r1", "h1", UDP, 5353, F},
                            {"s0", "h0", UDP, 5353, F},
                            {"s1", "h0", UDP, 53, T}},
                           {{"r0", "h1", UDP, 5353, T}, {"r1", "h1", UDP, 53, T}},
                           {{"s0", "h0", UDP, 5353, T}, {"s1", "h0", UDP, 53, T}}};

// ...IngressSCTP (subject ravenclaw).
const Table kIngressSctp = {{{"g0", "r0", SCTP, 9003, T},
                             {"g1", "r0", SCTP, 9005, T},
                             {"h0", "r1", SCTP, 9003, T},
                             {"h1", "r1", SCTP, 9005, F}},
                            {{"g0", "r1", SCTP, 9003, F},
                             {"g1", "r1", SCTP, 9005, F},
                             {"s0", "r0", SCTP, 9003, F},
                             {"s1", "r0", SCTP, 9005, T}},
                            {{"g0", "r1", SCTP, 9003, T}, {"g1", "r1", SCTP, 9005, T}},
                            {{"s0", "r0", SCTP, 9003, T}, {"s1", "r0", SCTP, 9005, T}}};

// ...EgressTCP (subject gryffindor).
const Table kEgressTcp = {{{"g0", "r0", TCP, 80, T},
                           {"g1", "r0", TCP, 8080, T},
                           {"g0", "h1", TCP, 8080, T},
                           {"g1", "h1", TCP, 80, F}},
                          {{"g0", "r1", TCP, 80, F},
                           {"g1", "r1", TCP, 8080, F},
                           {"g0", "s0", TCP, 80, F},
                           {"g1", "s0", TCP, 8080, T}},
                          {{"g0", "r0", TCP, 80, T}, {"g1", "r0", TCP, 8080, T}},
                          {{"g0", "s0", TCP, 80, T}, {"g1", "s0", TCP, 8080, T}}};

// ...EgressUDP (subject hufflepuff).
const Table kEgressUdp = {{{"h0", "r0", UDP, 53, T},
                           {"h1", "r0", UDP, 5353, T},
                           {"h0", "g1", UDP, 53, T},
                           {"h1", "g1", UDP, 5353, F}},
                          {{"h0", "r1", UDP, 53, F},
                           {"h1", "r1", UDP, 5353, F},
                           {"h0", "s0", UDP, 5353, F},
                           {"h1", "s0", UDP, 53, T}},
                          {{"h0", "r1", UDP, 5353, T}, {"h1", "r1", UDP, 53, T}},
                          {{"h0", "s0", UDP, 5353, T}, {"h1", "s0", UDP, 53, T}}};

// ...EgressSCTP (subject ravenclaw).
const Table kEgressSctp = {{{"r0", "g0", SCTP, 9003, T},
                            {"r1", "g0", SCTP, 9005, T},
                            {"r0", "h1", SCTP, 9003, T},
                            {"r1", "h1", SCTP, 9005, F}},
                           {{"r0", "g1", SCTP, 9003, F},
                            {"r1", "g1", SCTP, 9005, F},
                            {"r0", "s0", SCTP, 9003, F},
                            {"r1", "s0", SCTP, 9005, T}},
                           {{"r0", "g1", SCTP, 9003, T}, {"r1", "g1", SCTP, 9005, T}},
                           {{"r0", "s0", SCTP, 9003, T}, {"r1", "s0", SCTP, 9005, T}}};

Table firstTwo(const Table& t) { return Table(t.begin(), t.begin() + 2); }

TEST(ConformanceNetworkPolicyApi, AdminPerProtocolTests) {
  checkTable("network-policy-api/admin-network-policy-ingress-tcp", kIngressTcp);
  checkTable("network-policy-api/admin-network-policy-ingress-udp", kIngressUdp);
  checkTable("network-policy-api/admin-network-policy-ingress-sctp", kIngressSctp);
  checkTable("network-policy-api/admin-network-policy-egress-tcp", kEgressTcp);
  checkTable("network-policy-api/admin-network-policy-egress-udp", kEgressUdp);
  checkTable("network-policy-api/admin-network-policy-egress-sctp", kEgressSctp);
}

TEST(ConformanceNetworkPolicyApi, BaselinePerProtocolTests) {
  checkTable("network-policy-api/baseline-admin-network-policy-ingress-tcp", firstTwo(kIngressTcp));
  checkTable("network-policy-api/baseline-admin-network-policy-ingress-udp", firstTwo(kIngressUdp));
  checkTable("network-policy-api/baseline-admin-network-policy-ingress-sctp",
             firstTwo(kIngressSctp));
  checkTable("network-policy-api/baseline-admin-network-policy-egress-tcp", firstTwo(kEgressTcp));
  checkTable("network-policy-api/baseline-admin-network-policy-egress-udp", firstTwo(kEgressUdp));
  checkTable("network-policy-api/baseline-admin-network-policy-egress-sctp", firstTwo(kEgressSctp));
}

// {Admin,Baseline}NetworkPolicyGress: each subtest pokes egress from gryffindor, then ingress
// into it.
const Table kGress = {{// allow-gress: ravenclaw both ways
                       {"g0", "r0", TCP, 80, T},
                       {"g1", "r0", UDP, 53, T},
                       {"g0", "r0", SCTP, 9003, T},
                       {"r0", "g0", TCP, 80, T},
                       {"r1", "g0", UDP, 53, T},
                       {"r1", "g0", SCTP, 9003, T},
                       // allow-gress at the ports: hufflepuff
                       {"g0", "h1", TCP, 8080, T},
                       {"g1", "h1", TCP, 80, F},
                       {"g0", "h1", UDP, 5353, T},
                       {"g1", "h1", UDP, 53, F},
                       {"g0", "h1", SCTP, 9003, T},
                       {"g1", "h1", SCTP, 9005, F},
                       {"h0", "g1", TCP, 80, T},
                       {"h1", "g1", TCP, 8080, F},
                       {"h0", "g1", UDP, 5353, T},
                       {"h1", "g1", UDP, 53, F},
                       {"h0", "g1", SCTP, 9003, T},
                       {"h1", "g1", SCTP, 9005, F}},
                      {// swap 0/1 both ways: deny-gress
                       {"g0", "r1", TCP, 80, F},
                       {"g1", "r1", UDP, 53, F},
                       {"g0", "r1", SCTP, 9003, F},
                       {"r0", "g1", TCP, 80, F},
                       {"r1", "g1", UDP, 53, F},
                       {"r1", "g1", SCTP, 9003, F},
                       // deny-gress at the ports: slytherin
                       {"g0", "s0", TCP, 80, F},
                       {"g1", "s0", TCP, 8080, T},
                       {"g0", "s0", UDP, 53, F},
                       {"g1", "s0", UDP, 5353, T},
                       {"g0", "s0", SCTP, 9003, F},
                       {"g1", "s0", SCTP, 9005, T},
                       {"s0", "g0", TCP, 80, F},
                       {"s1", "g0", TCP, 8080, T},
                       {"s0", "g0", UDP, 53, F},
                       {"s1", "g0", UDP, 5353, T},
                       {"s0", "g0", SCTP, 9003, F},
                       {"s1", "g0", SCTP, 9005, T}},
                      {// swap 0/2 both ways: pass-gress
                       {"g0", "r0", TCP, 80, T},
                       {"g0", "r0", UDP, 5353, T},
                       {"g0", "r0", SCTP, 9003, T},
                       {"r0", "g0", TCP, 80, T},
                       {"r1", "g0", UDP, 53, T},
                       {"r1", "g0", SCTP, 9003, T}},
                      {// swap 3/4 both ways: pass-gress at the ports
                       {"g0", "s0", TCP, 80, T},
                       {"g1", "s0", TCP, 8080, T},
                       {"g0", "s0", UDP, 53, T},
                       {"g1", "s0", UDP, 5353, T},
                       {"g0", "s0", SCTP, 9003, T},
                       {"g1", "s0", SCTP, 9005, T},
                       {"s0", "g0", TCP, 80, T},
                       {"s1", "g0", TCP, 8080, T},
                       {"s0", "g0", UDP, 53, T},
                       {"s1", "g0", UDP, 5353, T},
                       {"s0", "g0", SCTP, 9003, T},
                       {"s1", "g0", SCTP, 9005, T}}};

TEST(ConformanceNetworkPolicyApi, GressTests) {
  checkTable("network-policy-api/admin-network-policy-gress", kGress);
  checkTable("network-policy-api/baseline-admin-network-policy-gress", firstTwo(kGress));
}

// {Admin,Baseline}NetworkPolicyEgressInlineCIDRPeers: harry-potter-1 to one pod of ravenclaw,
// hufflepuff and slytherin; then to the two pods whose IPs the inserted rule allows, and to the
// other two.
const Table kInlineCidr = {{{"g1", "r0", TCP, 80, F},
                            {"g1", "r0", UDP, 53, F},
                            {"g1", "r0", SCTP, 9003, F},
                            {"g1", "h0", TCP, 80, F},
                            {"g1", "h0", UDP, 53, F},
                            {"g1", "h0", SCTP, 9003, F},
                            {"g1", "s0", TCP, 80, T},
                            {"g1", "s0", UDP, 53, T},
                            {"g1", "s0", SCTP, 9003, T}},
                           {{"g1", "r0", TCP, 80, T},
                            {"g1", "r0", UDP, 53, T},
                            {"g1", "r0", SCTP, 9003, T},
                            {"g1", "h0", TCP, 80, T},
                            {"g1", "h0", UDP, 53, T},
                            {"g1", "h0", SCTP, 9003, T},
                            {"g1", "r1", TCP, 80, F},
                            {"g1", "r1", UDP, 53, F},
                            {"g1", "r1", SCTP, 9003, F},
                            {"g1", "h1", TCP, 80, F},
                            {"g1", "h1", UDP, 53, F},
                            {"g1", "h1", SCTP, 9003, F}}};

TEST(ConformanceNetworkPolicyApi, InlineCidrPeerTests) {
  checkTable("network-policy-api/admin-network-policy-egress-inline-cidr-peers", kInlineCidr);
  checkTable("network-policy-api/baseline-admin-network-policy-egress-inline-cidr-peers",
             kInlineCidr);
}

// The named-port tests assert only after their patch (state 1).
TEST(ConformanceNetworkPolicyApi, NamedPortTests) {
  checkTable("network-policy-api/admin-network-policy-ingress-named-port",
             {{}, {{"g0", "h1", UDP, 53, T}, {"g1", "h1", UDP, 5353, F}}});
  checkTable("network-policy-api/admin-network-policy-egress-named-port",
             {{}, {{"g0", "h1", TCP, 80, T}, {"g1", "h1", TCP, 8080, F}}});
  checkTable("network-policy-api/baseline-admin-network-policy-ingress-named-port",
             {{}, {{"h0", "g1", TCP, 80, T}, {"h1", "g1", TCP, 8080, F}}});
  checkTable("network-policy-api/baseline-admin-network-policy-egress-named-port",
             {{}, {{"h0", "g1", UDP, 53, T}, {"h1", "g1", UDP, 5353, F}}});
}

// HostNetworkPorts[0..7] = 34345..34352 (upstream's default range); the server is centaur-1.
TEST(ConformanceNetworkPolicyApi, NodePeerTests) {
  checkTable("network-policy-api/admin-network-policy-egress-node-peers",
             {{{"g1", "f1", TCP, 34345, T},
               {"g1", "f1", UDP, 34347, T},  // Pass, and nothing below the admin tier
               {"g1", "f1", TCP, 34346, F},
               {"g1", "f1", UDP, 34349, F},
               {"g1", "f1", SCTP, 34351, F}}});
  checkTable("network-policy-api/baseline-admin-network-policy-egress-node-peers",
             {{{"g0", "f1", TCP, 34345, T},
               {"g1", "f1", TCP, 34346, T},
               {"g1", "f1", UDP, 34349, F},
               {"g1", "f1", SCTP, 34351, F}}});
}

// AdminNetworkPolicyIntegration: ANP Deny; ingress rule to Pass (the NetworkPolicy allows);
// egress rule to Pass; NetworkPolicy deleted (the BANP denies).
const Table kIntegration = {{{"s0", "g0", TCP, 80, F},
                             {"s1", "g0", TCP, 8080, F},
                             {"g0", "s0", TCP, 80, F},
                             {"g1", "s0", TCP, 8080, F}},
                            {{"s0", "g0", TCP, 80, T}, {"s1", "g0", TCP, 8080, T}},
                            {{"g0", "s0", TCP, 80, T}, {"g1", "s0", TCP, 8080, T}},
                            {{"s0", "g0", TCP, 80, F},
                             {"s1", "g0", TCP, 8080, F},
                             {"g0", "s0", TCP, 80, F},
                             {"g1", "s0", TCP, 8080, F}}};

// AdminNetworkPolicyPriorityField: Deny at 50 before Pass at 60; Pass moved to 40.
const Table kPriority = {{{"s0", "g0", TCP, 80, F},
                          {"s1", "g0", TCP, 8080, F},
                          {"g0", "s0", TCP, 80, F},
                          {"g1", "s0", TCP, 8080, F}},
                         {{"s0", "g0", TCP, 80, T},
                          {"s1", "g0", TCP, 8080, T},
                          {"g0", "s0", TCP, 80, T},
                          {"g1", "s0", TCP, 8080, T}}};

TEST(ConformanceNetworkPolicyApi, IntegrationAndPriorityTests) {
  checkTable("network-policy-api/admin-network-policy-integration", kIntegration);
  checkTable("network-policy-api/admin-network-policy-priority-field", kPriority);
}

TEST(ConformanceNetworkPolicyApi, TranscribesAllTwentyFourUpstreamTests) {
  std::vector<std::string> shortNames;
  for (const auto& c : suite())
    for (const auto& t : c.meta.tags)
      if (t.rfind("upstream-test:", 0) == 0 && c.meta.name.rfind("network-policy-api/", 0) == 0)
        shortNames.push_back(t.substr(14));
  EXPECT_EQ(shortNames.size(), 24u);
  for (const char* n :
       {"AdminNetworkPolicyIngressTCP", "AdminNetworkPolicyEgressSCTP", "AdminNetworkPolicyGress",
        "AdminNetworkPolicyEgressInlineCIDRPeers", "AdminNetworkPolicyEgressNodePeers",
        "AdminNetworkPolicyIngressNamedPort", "AdminNetworkPolicyIntegration",
        "AdminNetworkPolicyPriorityField", "BaselineAdminNetworkPolicyIngressUDP",
        "BaselineAdminNetworkPolicyGress", "BaselineAdminNetworkPolicyEgressNamedPort",
        "BaselineAdminNetworkPolicyEgressNodePeers"})
    EXPECT_NE(std::find(shortNames.begin(), shortNames.end(), n), shortNames.end()) << n;
}

// ---------------------------------------------------------------------------------------------
// cluster-policy/: ours, worked out from docs/cluster-policy.md
// ---------------------------------------------------------------------------------------------

TEST(ConformanceClusterPolicy, EqualPrioritiesAreUndefinedUnlessOrderedByName) {
  // Allow vs Deny and Deny vs Pass (nothing below) disagree; Pass vs Allow agree.
  checkTable("cluster-policy/ties/equal-priority", {{{"s0", "g0", TCP, 80, U},
                                                     {"g0", "r0", TCP, 80, U},
                                                     {"g0", "h0", TCP, 80, T},
                                                     {"h0", "g0", TCP, 80, T}}});
  // By name: allow-from-slytherin < deny-from-slytherin; deny-to-ravenclaw < pass-to-ravenclaw.
  const Case& named = mustFind("cluster-policy/ties/equal-priority-name-order");
  ASSERT_TRUE(named.meta.profile);
  EXPECT_EQ(named.meta.profile->clusterPolicyTies, Profile::ClusterPolicyTies::Name);
  checkTable("cluster-policy/ties/equal-priority-name-order",
             {{{"s0", "g0", TCP, 80, T}, {"g0", "r0", TCP, 80, F}, {"g0", "h0", TCP, 80, T}}});
  // Deny 10 / Allow 11; Deny 12 / Allow 11; Deny 12 / Allow 13.
  checkTable("cluster-policy/ties/near-tie-priority-decides",
             {{{"s0", "g0", TCP, 80, F}}, {{"s0", "g0", TCP, 80, T}}, {{"s1", "g1", UDP, 53, F}}});
}

TEST(ConformanceClusterPolicy, PassGoesToNetworkPolicyOrElseTheBaseline) {
  checkTable("cluster-policy/pass/anp-pass-to-banp-then-network-policy",
             {// ANP Pass, no NetworkPolicy: the BANP decides.
              {{"s0", "g0", TCP, 80, F}, {"h0", "g0", TCP, 80, F}, {"r0", "g0", TCP, 80, T}},
              // A NetworkPolicy isolates gryffindor: it decides, the BANP is skipped.
              {{"s0", "g0", TCP, 80, T},
               {"s0", "g0", TCP, 8080, F},
               {"h0", "g0", TCP, 80, F},
               {"r0", "g0", TCP, 80, F}},
              // Deleted: the BANP again.
              {{"s0", "g0", TCP, 80, F}, {"s0", "g0", TCP, 8080, F}, {"r0", "g0", TCP, 80, T}}});
  // Baseline-tier Pass goes to the default, past the later Baseline Deny; Admin Pass of
  // ravenclaw reaches that Deny.
  checkTable("cluster-policy/pass/cnp-baseline-tier-pass", {{{"s0", "g0", TCP, 80, T},
                                                             {"h0", "g0", TCP, 80, F},
                                                             {"r0", "g0", TCP, 80, F},
                                                             {"s0", "h0", TCP, 80, T}}});
}

TEST(ConformanceClusterPolicy, HairpinThroughServiceIsSubjectOwnIpIsNot) {
  const Case& c = mustFind("cluster-policy/hairpin/cnp-service-hairpin-versus-own-ip");
  ASSERT_TRUE(c.meta.profile);
  EXPECT_EQ(c.meta.profile->loopback, Profile::Loopback::Policy);
  checkTable(c.meta.name, {{{"g0", "svc:g0", TCP, 80, F},
                            {"g0", "g0", TCP, 80, T},
                            {"g1", "svc:g0", TCP, 80, F},
                            {"g1", "g0", TCP, 80, F},
                            {"s0", "svc:g0", TCP, 80, T}}});
}

TEST(ConformanceClusterPolicy, NodesNetworksAndNamedPortsPerDestination) {
  checkTable("cluster-policy/peers/nodes-and-networks",
             {{{"g0", "f1", TCP, 34345, T},
               {"g0", "f1", TCP, 34346, F},  // deny-nodes
               {"g0", "s0", TCP, 80, T},     // deny-nodes did not match a pod on node-1
               {"g0", "s0", TCP, 8080, F},   // deny-pod-network
               {"g0", "r0", TCP, 80, F},
               {"f1", "g0", TCP, 80, T},  // a namespaces peer never matches a host-network pod
               {"r0", "s0", TCP, 8080, T}}});
  checkTable("cluster-policy/ports/named-port-per-destination-pod",
             {{{"g0", "s0", TCP, 80, T},
               {"g0", "s0", TCP, 8080, F},
               {"g0", "r0", TCP, 8080, T},  // luna-lovegood's web is 8080
               {"g0", "r0", TCP, 80, F},
               {"g0", "s0", UDP, 53, F},  // web is TCP
               {"h0", "r0", TCP, 8080, T},
               {"h0", "r0", TCP, 80, F},
               {"h0", "s0", TCP, 80, T},
               {"h0", "s0", TCP, 8080, F}}});
}

TEST(ConformanceClusterPolicy, DeletingTheAllowingPolicy) {
  checkTable("cluster-policy/actions/delete-the-allowing-anp",
             {{{"r0", "g0", TCP, 80, T}, {"s0", "g0", TCP, 80, F}, {"g1", "g0", TCP, 80, F}},
              {{"r0", "g0", TCP, 80, F}},
              {{"r0", "g0", TCP, 80, F}, {"h1", "g0", UDP, 53, F}}});
}

// The v1alpha2 versions answer as upstream's v1alpha1 tests do.
TEST(ConformanceClusterPolicy, ClusterNetworkPolicyVersionsOfUpstreamTests) {
  checkTable("cluster-policy/cnp/admin-ingress-tcp", kIngressTcp);
  checkTable("cluster-policy/cnp/baseline-egress-udp", firstTwo(kEgressUdp));
  checkTable("cluster-policy/cnp/integration", kIntegration);
  checkTable("cluster-policy/cnp/priority-field", kPriority);
}

}  // namespace
}  // namespace npf
