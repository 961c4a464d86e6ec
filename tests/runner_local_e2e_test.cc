// End-to-end tests of the local backend: a real dataplane (network namespaces, the ptp CNI
// plugin, nftables) and real packets. Expected outcomes are written by hand from SEMANTICS.md.
// Needs root; skipped otherwise.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <set>

#include "generator/case_gen.h"
#include "model/case.h"
#include "runner/local/local_backend.h"
#include "runner/local/netns_ops.h"
#include "runner/local/prober.h"
#include "tests/support/runner_cases.h"
#include "tests/support/runner_probe.h"

namespace npf::runner::local {
namespace {

using npf::testing::Cell;
using npf::testing::clusterFromYaml;
using npf::testing::expectCells;
using npf::testing::smallClusterYaml;
using K = ProbeResult::Kind;
constexpr Protocol TCP = Protocol::TCP;
constexpr Protocol UDP = Protocol::UDP;

class RunnerLocalE2E : public ::testing::Test {
 protected:
  void SetUp() override { NPF_REQUIRE_ROOT(); }

  // Sets up `yaml` (the small cluster plus policies) with external hosts 192.0.2.10 and .20.
  LocalBackend& up(const std::string& policies, LocalOptions opts = {}) {
    Cluster c = clusterFromYaml(smallClusterYaml() + policies);
    c.externalHosts = {{"ext-1", "192.0.2.10"}, {"ext-2", "192.0.2.20"}};
    cluster = c;
    backend = std::make_unique<LocalBackend>(opts);
    std::string err = backend->setUp(c);
    EXPECT_EQ(err, "");
    return *backend;
  }

  void TearDown() override {
    if (!backend) return;
    std::string run = backend->runId();
    backend->tearDown();
    EXPECT_TRUE(listNamespaces(run).empty()) << "namespaces of " << run << " left behind";
  }

  Cluster cluster;
  std::unique_ptr<LocalBackend> backend;
};

TEST_F(RunnerLocalE2E, WithoutPoliciesEverythingConnectsAndClosedPortsAreRefused) {
  auto& b = up("");
  Cluster a = b.actual();
  EXPECT_EQ(a.pods[0].podIP, "10.0.1.1") << "pods get exactly the case's addresses";
  expectCells(b, {
                     {"x/a", "x/b", 80, TCP, K::Connected},  // cross-node
                     {"x/a", "y/c", 80, TCP, K::Connected},  // same node
                     {"x/a", "x/b", 80, UDP, K::Connected},  // UDP echo
                     {"x/a", "x/b", 8081, TCP, K::Connected},
                     {"x/a", "x/b", 8080, TCP, K::Refused},  // not served on b
                     {"x/a", "x/b", 8080, UDP, K::Refused},  // ICMP port unreachable
                     {"node/node-2", "x/a", 80, TCP, K::Connected},
                     {"ip/192.0.2.10", "x/a", 80, UDP, K::Connected},
                     {"x/a", "ip/192.0.2.20", 80, TCP, K::Connected},
                     {"x/a", "x/a", 80, TCP, K::Connected},  // loopback
                     {"x/a", "x/b", 81, Protocol::SCTP, K::Skipped},
                 });
}

TEST_F(RunnerLocalE2E, DefaultDenyIngressDropsButExemptsTheOwnNode) {
  auto& b = up(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: "x"}
spec:
  podSelector: {}
)");
  expectCells(b, {
                     {"y/c", "x/a", 80, TCP, K::Timeout},  // same node, dropped (not rejected)
                     {"y/c", "x/b", 80, TCP, K::Timeout},  // other node
                     {"y/c", "x/b", 80, UDP, K::Timeout},
                     {"x/a", "x/b", 80, TCP, K::Timeout},    // same namespace too
                     {"x/a", "y/c", 80, TCP, K::Connected},  // egress not isolated; y not isolated
                     {"node/node-1", "x/a", 80, TCP, K::Connected},  // own node: kubelet exemption
                     {"node/node-2", "x/a", 80, TCP, K::Timeout},    // other node: policy
                     {"node/node-2", "x/b", 80, TCP, K::Connected},
                     {"ip/192.0.2.10", "x/a", 80, TCP, K::Timeout},
                     {"x/b", "x/b", 80, TCP, K::Connected},  // loopback never leaves the pod
                 });
}

TEST_F(RunnerLocalE2E, NamedPortsResolveOnEachDestinationPod) {
  auto& b = up(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-http, namespace: "y"}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {ns: x}}}]
    ports: [{port: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ingress-http, namespace: "x"}
spec:
  podSelector: {}
  ingress: [{ports: [{port: http}]}]
)");
  expectCells(
      b, {
             {"y/c", "x/a", 8080, TCP, K::Connected},  // "http" is 8080 on a
             {"y/c", "x/b", 8081, TCP, K::Connected},  // ... and 8081 on b
             {"y/c", "x/b", 8080, TCP, K::Timeout},    // 8080 is not b's http: denied, not refused
             {"y/c", "x/a", 80, TCP, K::Timeout},
             {"x/a", "x/b", 8081, TCP, K::Connected},
             {"x/a", "x/b", 80, TCP, K::Timeout},
         });
}

TEST_F(RunnerLocalE2E, ServicesTranslatePortsAndPolicySeesTheBackendPort) {
  // y/c may only talk to TCP 80; x accepts only TCP 80 from y.
  auto& b = up(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-80, namespace: "y"}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{ports: [{port: 80}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-y-80, namespace: "x"}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: "y"}}}]
    ports: [{port: 80}]
)");
  std::vector<Cell> cells;
  for (int i = 0; i < 4; ++i) {  // several connections: both random backends get used
    cells.push_back({"y/c", "svc/x/web", 8000, TCP, K::Connected});  // -> 80 on a or b
    cells.push_back({"y/c", "svc/x/web", 9000, TCP, K::Timeout});    // -> http (8080/8081): denied
    cells.push_back({"x/a", "svc/x/web", 8000, TCP, K::Timeout});  // x is not y (hairpin included)
  }
  cells.push_back(
      {"y/c", "svc/x/web", 8001, TCP, K::Refused});  // ClusterIP port without a Service port
  expectCells(b, cells);

  // Without policies the named targetPort reaches every backend on its own number.
  Cluster open = cluster;
  open.policies.clear();
  ASSERT_EQ(b.reconcile(open), "");
  std::vector<Cell> again;
  for (int i = 0; i < 6; ++i) again.push_back({"y/c", "svc/x/web", 9000, TCP, K::Connected});
  again.push_back({"x/a", "svc/x/web", 8000, TCP, K::Connected});  // hairpin for half of them
  expectCells(b, again, "no policies");
}

TEST_F(RunnerLocalE2E, IpBlockToExternalHostWithExcept) {
  auto& b = up(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: to-docs, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 192.0.2.0/24, except: [192.0.2.20/32]}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-ext-1, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from: [{ipBlock: {cidr: 192.0.2.0/28}}]
)");
  expectCells(b, {
                     {"x/a", "ip/192.0.2.10", 80, TCP, K::Connected},
                     {"x/a", "ip/192.0.2.20", 80, TCP, K::Timeout},  // excepted
                     {"x/a", "ip/192.0.2.20", 53, UDP, K::Timeout},
                     {"x/a", "y/c", 80, TCP, K::Timeout},              // not in the block
                     {"y/c", "ip/192.0.2.20", 80, TCP, K::Connected},  // y/c is not isolated
                     {"ip/192.0.2.10", "x/b", 80, TCP, K::Connected},
                     {"ip/192.0.2.20", "x/b", 80, TCP, K::Timeout},  // outside /28
                     {"x/a", "x/b", 80, TCP, K::Timeout},            // a's egress: b not in block
                     {"y/c", "x/b", 80, TCP, K::Timeout},            // b's ingress: only the block
                 });
}

// Both families on one dataplane: x/a IPv6-primary dual stack, x/b IPv4-primary dual stack, y/c
// IPv6 only; dual-stack nodes; one external host per family; Service x/web at an IPv6
// ClusterIP. Each cell goes over its destination's family, from the source's address of it.
TEST_F(RunnerLocalE2E, DualStackAndIpv6OnlyPodsAreProbedOverTheirOwnFamily) {
  Cluster c = clusterFromYaml(smallClusterYaml() + R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-y-c-v6, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{ipBlock: {cidr: "fd00:10::3/128"}}, {ipBlock: {cidr: 10.0.0.0/8}}]
    ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-v6-ext, namespace: "y"}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: "2001:db8::/32"}}, {podSelector: {}, namespaceSelector: {}}]
)");
  c.nodes[0].internalIPs = {"172.18.0.2", "fd00:172:18::2"};
  c.nodes[1].internalIPs = {"172.18.0.3", "fd00:172:18::3"};
  c.pods[0].podIP = "fd00:10::1";
  c.pods[0].podIPs = {"fd00:10::1", "10.0.1.1"};
  c.pods[1].podIPs = {"10.0.1.2", "fd00:10::2"};
  c.pods[2].podIP = "fd00:10::3";
  c.pods[2].podIPs = {"fd00:10::3"};
  c.services[0].clusterIP = "fd00:96::10";
  c.externalHosts = {{"ext-1", "192.0.2.10"}, {"ext-6", "2001:db8::10"}};
  backend = std::make_unique<LocalBackend>();
  ASSERT_EQ(backend->setUp(c), "");
  auto& b = *backend;
  expectCells(
      b, {
             // x/a is reached over IPv6: y/c's address is in the IPv6 block...
             {"y/c", "x/a", 80, TCP, K::Connected},
             // ... x/b's IPv6 address is not (10.0.0.0/8 matches no IPv6 traffic).
             {"x/b", "x/a", 80, TCP, K::Timeout},
             {"y/c", "x/a", 80, UDP, K::Timeout},            // `port: 80` is TCP
             {"node/node-2", "x/a", 80, TCP, K::Timeout},    // fd00:172:18::3
             {"node/node-1", "x/a", 80, TCP, K::Connected},  // own node
             {"ip/2001:db8::10", "x/a", 80, TCP, K::Timeout},
             // x/b over IPv4, not isolated; y/c has no IPv4 address to come from.
             {"x/a", "x/b", 80, TCP, K::Connected},
             {"ip/192.0.2.10", "x/b", 80, UDP, K::Connected},
             {"x/b", "x/b", 81, UDP,
              K::Refused},  // nothing serves 81
                            // y/c's egress: pods and the IPv6 documentation block only.
             {"y/c", "ip/2001:db8::10", 80, TCP, K::Connected},
             {"y/c", "x/b", 80, TCP, K::Skipped},
             {"y/c", "node/node-1", 80, TCP,
              K::Skipped},  // reached at 172.18.0.2
                            // The IPv6 ClusterIP goes to a backend's IPv6 address on the target
                            // port; x/a's ingress then decides (x/b backend: not isolated).
             {"node/node-1", "svc/x/web", 8000, TCP, K::Connected},
             {"x/a", "ip/2001:db8::10", 53, UDP, K::Connected},
             {"node/node-2", "node/node-1", 9, TCP, K::Refused},  // over IPv4
         });
}

TEST_F(RunnerLocalE2E, UdpAndTcpAreJudgedSeparately) {
  auto& b = up(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: udp-only, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress: [{ports: [{protocol: UDP, port: 80}]}]
)");
  expectCells(b, {
                     {"x/a", "x/b", 80, UDP, K::Connected},
                     {"x/a", "x/b", 80, TCP, K::Timeout},
                     {"y/c", "x/b", 80, UDP, K::Connected},
                     {"y/c", "x/b", 8081, TCP, K::Timeout},
                     {"x/b", "x/a", 80, TCP, K::Connected},  // replies of b's own connections pass
                 });
}

TEST_F(RunnerLocalE2E, HostNetworkPodServesOnItsNodeAndEgressToOwnNodeFollowsPolicy) {
  auto& b = up(R"(---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: "x", labels: {pod: agent}}
spec:
  nodeName: node-1
  hostNetwork: true
  containers: [{name: c, image: i, ports: [{containerPort: 9100}, {containerPort: 9100, protocol: UDP}]}]
status: {podIP: 172.18.0.2}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-egress, namespace: "y"}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {}, namespaceSelector: {}}]}]
)");
  expectCells(b, {
                     {"x/a", "x/agent", 9100, TCP, K::Connected},  // pod -> own node (input hook)
                     {"x/b", "x/agent", 9100, UDP, K::Connected},  // other node
                     {"x/b", "node/node-1", 9100, TCP, K::Connected},
                     {"y/c", "x/agent", 9100, TCP, K::Timeout},  // selectors never match a node
                     {"y/c", "x/a", 80, TCP, K::Connected},
                     {"x/agent", "x/a", 80, TCP, K::Connected},            // its node's traffic
                     {"node/node-1", "node/node-2", 22, TCP, K::Refused},  // nodes reach each other
                 });
}

TEST_F(RunnerLocalE2E, ReconcileAppliesLabelsPodDeletionAndCreation) {
  std::string policy = R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: clients-only, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}]}]
)";
  auto& b = up(policy);
  expectCells(b, {{"y/c", "x/b", 80, TCP, K::Timeout}, {"x/a", "x/b", 80, TCP, K::Timeout}},
              "initial");

  Cluster c = cluster;
  Step relabel{Step::Action::RelabelPod, {}, {}, "y", "c", {{"pod", "c"}, {"role", "client"}}};
  ASSERT_EQ(applyStep(c, relabel), "");
  ASSERT_EQ(b.reconcile(c), "");
  expectCells(b, {{"y/c", "x/b", 80, TCP, K::Connected}, {"x/a", "x/b", 80, TCP, K::Timeout}},
              "after relabel");

  // Delete x/a and create y/d (a client) reusing its address on the other node.
  Step del{Step::Action::DeletePod, {}, {}, "x", "a", {}};
  ASSERT_EQ(applyStep(c, del), "");
  Pod d = *c.findPod("y", "c");
  d.meta.name = "d";
  d.nodeName = "node-2";
  d.podIP = "10.0.1.1";
  d.podIPs = {"10.0.1.1"};
  Step create{Step::Action::CreatePod, {}, d, "", "", {}};
  ASSERT_EQ(applyStep(c, create), "");
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(b.reconcile(c), "");
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  RecordProperty("reconcile_pod_churn_ms", std::to_string(ms));
  expectCells(b,
              {
                  {"y/d", "x/b", 80, TCP, K::Connected},  // same node now
                  {"y/d", "y/c", 80, TCP, K::Connected},
                  {"x/b", "y/d", 80, TCP, K::Connected},
                  {"x/b", "x/a", 80, TCP, K::Skipped},  // gone
              },
              "after pod churn");
  EXPECT_EQ(b.timings().podsCreated, 1u);
  EXPECT_EQ(b.timings().podsDeleted, 1u);
}

// A flow accepted under earlier rules does not count as established under new ones: a UDP
// probe that reuses an earlier probe's source port is judged by the current policy.
TEST_F(RunnerLocalE2E, ReusedSourcePortIsJudgedByTheCurrentRules) {
  auto& b = up("");
  SocketProbe p;
  p.netns = b.namespaceOf(Endpoint::pod("x", "a"));
  p.dst = *parseIp("10.0.1.2");
  p.port = 80;
  p.protocol = UDP;
  p.sourcePort = 40123;
  ProbeOptions o = npf::testing::testProbeOptions();
  ASSERT_EQ(runSocketProbes({p}, o)[0].kind, K::Connected);
  Cluster deny = clusterFromYaml(smallClusterYaml() + R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: "x"}
spec:
  podSelector: {}
)");
  deny.externalHosts = cluster.externalHosts;
  ASSERT_EQ(b.reconcile(deny), "");
  EXPECT_EQ(runSocketProbes({p}, o)[0].kind, K::Timeout)
      << "conntrack kept the old flow established";
}

// The false discrepancy of issue 18: a new probe that reuses the 5-tuple of a flow from an
// earlier state must be judged as a new connection, replies included. Before the fix the
// destination's reply was judged as a new egress connection of the destination (an old
// conntrack entry whose mark no longer matched), so a destination whose egress policy allows
// no UDP dropped the echo: node-2 -> x/a:80/UDP timed out although x/a allows all ingress.
TEST_F(RunnerLocalE2E, ReusedSourcePortsReplyIsNotJudgedAsTheDestinationsEgress) {
  auto& b = up("");
  struct Source {
    Endpoint from;
    std::optional<IpAddress> bindTo;
  };
  for (const Source& s : {Source{Endpoint::node("node-2"), parseIp("172.18.0.3")},
                          Source{Endpoint::pod("y", "c"), std::nullopt}}) {
    SCOPED_TRACE(toString(s.from));
    SocketProbe p;
    p.netns = b.namespaceOf(s.from);
    p.bindTo = s.bindTo;
    p.dst = *parseIp("10.0.1.1");  // x/a on node-1
    p.port = 80;
    p.protocol = UDP;
    p.sourcePort = 40124;
    ProbeOptions o = npf::testing::testProbeOptions();
    ASSERT_EQ(b.reconcile(cluster), "");
    ASSERT_EQ(runSocketProbes({p}, o)[0].kind, K::Connected);
    // x/a may send TCP only; nothing restricts its ingress.
    Cluster egressTcpOnly = clusterFromYaml(smallClusterYaml() + R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-tcp-only, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - ports: [{}]
)");
    egressTcpOnly.externalHosts = cluster.externalHosts;
    ASSERT_EQ(b.reconcile(egressTcpOnly), "");
    EXPECT_EQ(runSocketProbes({p}, o)[0].kind, K::Connected)
        << "the reply of an allowed connection was dropped (judged by the destination's egress)";
  }
}

TEST(RunnerSourcePorts, RotatePerNamespaceOverTheEphemeralRangeAndWrapAround) {
  SourcePorts ports;
  EXPECT_EQ(ports.next("a"), SourcePorts::kFirst);
  EXPECT_EQ(ports.next("a"), SourcePorts::kFirst + 1);
  EXPECT_EQ(ports.next("b"), SourcePorts::kFirst) << "each namespace has its own rotation";
  for (int i = SourcePorts::kFirst + 2; i < SourcePorts::kLast; ++i) ports.next("a");
  EXPECT_EQ(ports.next("a"), SourcePorts::kLast);
  EXPECT_EQ(ports.next("a"), SourcePorts::kFirst);
  ports.forget("b");
  EXPECT_EQ(ports.next("b"), SourcePorts::kFirst) << "a forgotten namespace starts over";
}

// A re-probe never repeats the 5-tuple of the attempt before it: source ports rotate per source
// namespace instead of being left to the kernel's random choice.
TEST_F(RunnerLocalE2E, ConsecutiveAttemptsOfACellUseFreshSourcePorts) {
  auto& b = up("");
  std::vector<Probe> cells = {npf::testing::toProbe({"x/b", "x/a", 80, UDP, K::Connected}),
                              npf::testing::toProbe({"node/node-2", "x/a", 80, TCP, K::Connected})};
  // Left to the kernel, every probe from these namespaces would now get port 50000.
  for (const auto& c : cells)
    ASSERT_EQ(runInNetns(b.namespaceOf(c.from),
                         [] {
                           FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "w");
                           ASSERT_NE(f, nullptr);
                           std::fputs("50000 50000", f);
                           std::fclose(f);
                         }),
              "");
  std::vector<std::set<uint16_t>> seen(cells.size());
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto results = b.probe(cells, npf::testing::testProbeOptions());
    for (size_t i = 0; i < cells.size(); ++i) {
      const ProbeResult& r = results[i];
      EXPECT_EQ(r.kind, K::Connected) << r.detail;
      EXPECT_GE(r.sourcePort, SourcePorts::kFirst);
      EXPECT_LE(r.sourcePort, SourcePorts::kLast);
      EXPECT_TRUE(seen[i].insert(r.sourcePort).second)
          << toString(cells[i].from) << ": source port " << r.sourcePort << " used again";
    }
  }
}

// A timeout counts as a drop only when the destination answers from inside its own namespace;
// a destination that answers nobody (here: its own firewall drops UDP 80, as a stalled server
// would) gives an error, never a discrepancy. Timeouts of a policy that drops stay timeouts.
TEST_F(RunnerLocalE2E, TimeoutOfADestinationThatAnswersNobodyIsAnError) {
  auto& b = up(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: "y"}
spec:
  podSelector: {}
)");
  auto r = RealProcessRunner().run(
      {"nft", "-f", "-"}, {},
      "table inet mute {\n chain in {\n  type filter hook input priority 0; policy accept;\n"
      "  th dport 80 drop\n }\n}\n",
      b.namespaceOf(Endpoint::pod("x", "a")));
  ASSERT_TRUE(r.ok()) << r.err;
  auto results = expectCells(b, {{"x/b", "x/a", 80, UDP, K::Error},
                                 {"node/node-2", "x/a", 80, TCP, K::Error},
                                 {"x/b", "x/a", 8080, TCP, K::Connected},
                                 {"x/a", "y/c", 80, UDP, K::Timeout}});
  EXPECT_NE(results[0].detail.find("did not answer from inside its own network namespace"),
            std::string::npos)
      << results[0].detail;
  // A Service port whose backends include the muted pod: never a timeout (DNAT picks x/a or x/b).
  std::vector<Probe> viaService(
      8, npf::testing::toProbe({"y/c", "svc/x/web", 8000, TCP, K::Connected}));
  for (const ProbeResult& res : b.probe(viaService, npf::testing::testProbeOptions()))
    EXPECT_TRUE(res.kind == K::Connected || res.kind == K::Error)
        << toString(res.kind) << " " << res.detail;
}

// Many cells at once, denied ones included: every probe answers (no error), and the rate is
// printed for the record.
TEST_F(RunnerLocalE2E, ProbeThroughput) {
  auto& b = up(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
)");
  ProbeSet set = defaultProbeSet(b.actual());
  std::vector<Probe> one = expandProbes(set);
  std::vector<Probe> probes;
  while (probes.size() < 6000) probes.insert(probes.end(), one.begin(), one.end());
  ProbeOptions o;  // defaults: 250 ms, 256 in flight per source
  auto t0 = std::chrono::steady_clock::now();
  auto res = b.probe(probes, o);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  size_t counts[5] = {};
  for (const auto& r : res) counts[int(r.kind)]++;
  double rate = double(probes.size()) / s;
  std::printf(
      "probe throughput: %zu cells in %.3f s = %.0f/s (connected %zu, timeout %zu, refused %zu, "
      "error %zu)\n",
      probes.size(), s, rate, counts[0], counts[1], counts[2], counts[3]);
  RecordProperty("probes_per_second", std::to_string(int(rate)));
  EXPECT_EQ(counts[int(K::Error)], 0u);
  EXPECT_GT(counts[int(K::Timeout)], 0u);
  // No threshold on `rate`: a figure measured in a unit test next to other work says nothing
  // about the dataplane, and a busy CI machine must not fail here (bench/ measures speed).
}

// A cluster reused for the next case: every pod of the new case reaches every other (no policy
// in the way), whichever pods were kept, moved or created again. Seed 1 cases 338 -> 339 once
// left z/b (re-created at a new address) unable to reach x/a (kept).
TEST_F(RunnerLocalE2E, AClusterReconciledToTheNextCaseReachesEveryPod) {
  NPF_REQUIRE_ROOT();
  Cluster before = generateCase(1, 338, ClusterSize::Small, GeneratorWeights{}).cluster;
  Cluster after = generateCase(1, 339, ClusterSize::Small, GeneratorWeights{}).cluster;
  before.policies.clear();
  before.clusterPolicies.clear();
  after.policies.clear();
  after.clusterPolicies.clear();
  backend = std::make_unique<LocalBackend>();
  ASSERT_EQ(backend->setUp(before), "");
  ASSERT_EQ(backend->reconcile(after), "");
  std::vector<npf::testing::Cell> cells;
  for (const auto& from : after.pods)
    for (const auto& to : after.pods)
      if (&from != &to)
        cells.push_back({from.meta.namespace_ + "/" + from.meta.name,
                         to.meta.namespace_ + "/" + to.meta.name, 80, TCP, K::Connected});
  expectCells(*backend, cells, "after reconciling case 338 to case 339");
}

// Between cases a node's IPv6 address and the external hosts change without a new set-up
// (LocalBackend::canReconcile): the moved address routes both ways, an external host at a
// removed one's address (under another name) is reached, a removed one is gone, and going back
// restores the first cluster.
TEST_F(RunnerLocalE2E, ReconcileMovesNodeIpv6AddressesAndReplacesExternalHosts) {
  if (!kernelHasIpv6()) GTEST_SKIP() << "the kernel has no IPv6";
  up("");
  Cluster dual = cluster;
  dual.nodes[0].internalIPs = {"fd00:172:18::2", "172.18.0.2"};  // reached over IPv6
  dual.nodes[1].internalIPs = {"172.18.0.3", "fd00:172:18::3"};
  dual.externalHosts = {{"ext-renamed", "192.0.2.10"}, {"ext-6", "2001:db8::10"}};
  ASSERT_TRUE(backend->canReconcile(cluster, dual));
  ASSERT_EQ(backend->reconcile(dual), "");
  auto& b = *backend;
  expectCells(b,
              {
                  {"node/node-2", "node/node-1", 9, TCP, K::Refused},  // fd00:172:18::3 -> ::2
                  {"ip/2001:db8::10", "node/node-1", 9, TCP, K::Refused},
                  {"ip/192.0.2.10", "x/b", 80, TCP, K::Connected},
                  {"x/b", "ip/192.0.2.10", 80, UDP, K::Connected},
                  {"ip/192.0.2.20", "x/b", 80, TCP, K::Skipped},  // removed
                  {"x/a", "x/b", 80, TCP, K::Connected},
              },
              "after the reconcile to dual-stack nodes and other external hosts");
  ASSERT_EQ(backend->reconcile(cluster), "");
  expectCells(b,
              {
                  {"node/node-2", "node/node-1", 9, TCP, K::Refused},  // over IPv4 again
                  {"ip/192.0.2.20", "x/b", 80, TCP, K::Connected},
                  {"x/b", "ip/192.0.2.10", 80, TCP, K::Connected},
                  {"ip/2001:db8::10", "x/b", 80, TCP, K::Skipped},
              },
              "after the reconcile back");
  // A pod at a removed external host's address, on another node than the prober: the fabric
  // routes it to the pod's node at once, not to the host's dying link.
  Cluster podAtHostAddress = cluster;
  podAtHostAddress.externalHosts = {{"ext-1", "192.0.2.10"}};
  podAtHostAddress.pods[1].podIP = "192.0.2.20";
  podAtHostAddress.pods[1].podIPs = {"192.0.2.20"};
  ASSERT_EQ(backend->reconcile(podAtHostAddress), "");
  expectCells(b,
              {
                  {"x/a", "x/b", 80, TCP, K::Connected},
                  {"ip/192.0.2.10", "x/b", 80, TCP, K::Connected},
              },
              "after a pod took a removed external host's address");
  Cluster otherIpv4 = cluster;
  otherIpv4.nodes[1].internalIPs = {"172.18.0.9"};
  EXPECT_FALSE(backend->canReconcile(cluster, otherIpv4));
  EXPECT_NE(backend->reconcile(otherIpv4), "");
}

}  // namespace
}  // namespace npf::runner::local
