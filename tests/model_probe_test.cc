#include <gtest/gtest.h>

#include "model/probe.h"
#include "model/service_backends.h"

namespace npf {
namespace {

TEST(ModelProbe, EndpointSpellingsRoundTrip) {
  for (const char* s :
       {"x/a", "svc/x/web", "node/kind-worker", "ip/192.0.2.10", "ip/2001:db8::1"}) {
    auto e = parseEndpoint(s);
    ASSERT_TRUE(e) << s;
    EXPECT_EQ(toString(*e), s);
  }
  EXPECT_EQ(parseEndpoint("x/a")->kind, Endpoint::Kind::Pod);
  EXPECT_EQ(parseEndpoint("svc/x/web")->kind, Endpoint::Kind::Service);
  EXPECT_EQ(parseEndpoint("node/n1")->kind, Endpoint::Kind::Node);
  EXPECT_EQ(parseEndpoint("ip/1.2.3.4")->kind, Endpoint::Kind::External);
}

TEST(ModelProbe, ExplicitPodSpellingForNamespacesNamedLikeKinds) {
  auto e = parseEndpoint("pod/svc/a");
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, Endpoint::pod("svc", "a"));
}

TEST(ModelProbe, RejectsMalformedEndpoints) {
  for (const char* s :
       {"", "x", "x/", "/a", "x/a/b", "svc/x", "node/", "ip/", "ip/10.0.0.0/8", "a//b"})
    EXPECT_FALSE(parseEndpoint(s)) << s;
}

Pod makePod(std::string ns, std::string name, std::string ip, Labels labels,
            std::vector<ContainerPort> ports) {
  Pod p;
  p.meta.namespace_ = std::move(ns);
  p.meta.name = std::move(name);
  p.meta.labels = std::move(labels);
  p.podIP = ip;
  p.podIPs = {ip};
  p.nodeName = "n1";
  p.containers.push_back(Container{"c", "img", std::move(ports)});
  return p;
}

TEST(ModelProbe, NamedTargetPortResolvesPerBackendAndSkipsPodsWithoutTheName) {
  Cluster c;
  c.pods.push_back(makePod("x", "a", "10.0.0.1", {{"app", "web"}}, {{"http", 8080, {}}}));
  c.pods.push_back(makePod("x", "b", "10.0.0.2", {{"app", "web"}}, {{"http", 9090, {}}}));
  c.pods.push_back(makePod("x", "c", "10.0.0.3", {{"app", "web"}}, {{"other", 80, {}}}));
  c.pods.push_back(
      makePod("x", "d", "10.0.0.4", {{"app", "web"}}, {{"http", 7070, Protocol::UDP}}));
  c.pods.push_back(makePod("y", "e", "10.0.0.5", {{"app", "web"}}, {{"http", 6060, {}}}));
  Service s;
  s.meta = {"web", "x", {}, {}};
  s.clusterIP = "10.96.0.10";
  s.selector = Labels{{"app", "web"}};
  ServicePort sp{"p", 80, {}, PortRef{std::string("http")}};
  s.ports = {sp};
  auto backends = serviceBackends(c, s, sp);
  ASSERT_EQ(backends.size(), 2u);  // c lacks the name, d has it for UDP only, e is in y
  EXPECT_EQ(backends[0].pod->meta.name, "a");
  EXPECT_EQ(backends[0].port, 8080);
  EXPECT_EQ(backends[1].pod->meta.name, "b");
  EXPECT_EQ(backends[1].port, 9090);
}

TEST(ModelProbe, ServiceWithoutSelectorOrWithEmptySelectorHasNoBackends) {
  Cluster c;
  c.pods.push_back(makePod("x", "a", "10.0.0.1", {{"app", "web"}}, {{"", 80, {}}}));
  Service s;
  s.meta = {"web", "x", {}, {}};
  ServicePort sp{"", 80, {}, {}};
  s.ports = {sp};
  EXPECT_TRUE(serviceBackends(c, s, sp).empty());
  s.selector = Labels{};
  EXPECT_TRUE(serviceBackends(c, s, sp).empty());
  s.selector = Labels{{"app", "web"}};
  ASSERT_EQ(serviceBackends(c, s, sp).size(), 1u);
  EXPECT_EQ(serviceBackends(c, s, sp)[0].port, 80);  // absent targetPort = port
}

TEST(ModelProbe, DefaultProbeSetCoversPodPortsNodesAndServicesWithBackends) {
  Cluster c;
  Node n;
  n.meta.name = "n1";
  n.internalIPs = {"172.18.0.2"};
  c.nodes.push_back(n);
  c.pods.push_back(
      makePod("x", "a", "10.0.0.1", {{"app", "web"}}, {{"http", 80, {}}, {"", 53, Protocol::UDP}}));
  c.pods.push_back(makePod("x", "b", "10.0.0.2", {}, {{"", 80, {}}}));
  Pod noIp = makePod("x", "pending", "", {}, {{"", 80, {}}});
  noIp.podIPs.clear();
  c.pods.push_back(noIp);
  Service withBackend;
  withBackend.meta = {"web", "x", {}, {}};
  withBackend.selector = Labels{{"app", "web"}};
  withBackend.ports = {ServicePort{"", 8080, {}, PortRef{80}}};
  Service withoutBackend;
  withoutBackend.meta = {"none", "x", {}, {}};
  withoutBackend.selector = Labels{{"app", "nothing"}};
  withoutBackend.ports = {ServicePort{"", 80, {}, {}}};
  c.services = {withBackend, withoutBackend};

  ProbeSet set = defaultProbeSet(c);
  ASSERT_EQ(set.blocks.size(), 2u);
  // Sources: the two pods with IPs, then the node. Targets: a:80/TCP, a:53/UDP, b:80/TCP.
  EXPECT_EQ(set.blocks[0].sources.size(), 3u);
  EXPECT_EQ(set.blocks[0].sources[2], Endpoint::node("n1"));
  ASSERT_EQ(set.blocks[0].targets.size(), 3u);
  EXPECT_EQ(set.blocks[0].targets[1], (Target{Endpoint::pod("x", "a"), 53, Protocol::UDP}));
  // Services: pods only, and only the Service with a backend, by its Service port.
  EXPECT_EQ(set.blocks[1].sources.size(), 2u);
  ASSERT_EQ(set.blocks[1].targets.size(), 1u);
  EXPECT_EQ(set.blocks[1].targets[0], (Target{Endpoint::service("x", "web"), 8080, Protocol::TCP}));
  EXPECT_EQ(set.cellCount(), 3u * 3u + 2u * 1u);
}

}  // namespace
}  // namespace npf
