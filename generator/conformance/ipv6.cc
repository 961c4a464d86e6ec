// The IPv6 families.
//  * ipv6/: the IPv6-primary dual-stack cluster with IPv6 and IPv4 ipBlocks, an IPv6 except, an
//    IPv6 external host and an IPv6 ClusterIP. Dual-stack pods have one address per family, and
//    an ipBlock written in one family must be tried against the right one.
//  * ipv6-only/: no IPv4 anywhere (pods, nodes, external hosts, Services): selectors, ipBlocks
//    of both families, named ports, UDP and a Service, all over IPv6.
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

namespace {

// ClusterIP Service x/web at `clusterIp`: port 8080 to target port 80 on x/a.
Service webService(const std::string& clusterIp) {
  Service s;
  s.meta.namespace_ = "x";
  s.meta.name = "web";
  s.clusterIP = clusterIp;
  s.selector = Labels{{"pod", "a"}};
  s.ports = {{"", 8080, Protocol::TCP, PortRef{80}}};
  return s;
}

}  // namespace

void ipv6(Suite& s) {
  ConformanceClusterOptions o;
  o.dualStack = true;
  auto add = [&](const std::string& slug, std::vector<NetworkPolicy> ps,
                 std::vector<Service> services = {}) {
    Cluster c = with(base(o), std::move(ps));
    c.services = std::move(services);
    ProbeSet probes = probesWithOutside(c, {{80, Protocol::TCP}});
    std::vector<std::string> tags{"ip-family:dual-stack"};
    if (!c.services.empty()) tags.push_back("service:cluster-ip");
    s.add("ipv6/" + slug, tags, std::move(c), {}, std::move(probes));
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
  // An IPv6 ClusterIP is translated to the backend's IPv6 address; policy sees the backend.
  add("service-ipv6-cluster-ip",
      {ingressPolicy("x", "allow-80-from-y", podIs("a"),
                     {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(80)})})},
      {webService("fd00:10:96::10")});
}

void ipv6Only(Suite& s) {
  ConformanceClusterOptions o;
  o.ipv6Only = true;
  ConformanceClusterOptions withHttp = o;
  withHttp.namedPortVariants = true;
  auto add = [&](const std::string& slug, std::vector<NetworkPolicy> ps,
                 std::vector<Service> services = {}, bool namedPorts = false) {
    Cluster c = with(base(namedPorts ? withHttp : o), std::move(ps));
    c.services = std::move(services);
    ProbeSet probes = probesWithOutside(c, {{80, Protocol::TCP}});
    std::vector<std::string> tags{"ip-family:ipv6"};
    if (!c.services.empty()) tags.push_back("service:cluster-ip");
    s.add("ipv6-only/" + slug, tags, std::move(c), {}, std::move(probes));
  };
  add("no-policies", {});
  add("default-deny-ingress", {ingressPolicy("x", "deny-ingress", all(), {})});
  add("default-deny-egress", {egressPolicy("x", "deny-egress", all(), {})});
  add("ingress-from-namespace",
      {ingressPolicy("x", "allow-y", podIs("a"), {rule(std::vector{namespaces(nsIs("y"))})})});
  // Both selectors in one peer: y/b only (not all of y, not x/b).
  add("ingress-from-pod-in-namespace",
      {ingressPolicy("x", "allow-y-b", podIs("a"),
                     {rule(std::vector{podsIn(podIs("b"), nsIs("y"))})})});
  // The except narrows its own block only: y/a is still let in by the second peer.
  add("ingress-ipv6-block-except",
      {ingressPolicy("x", "allow-but-y", podIs("a"),
                     {rule(std::vector{ipBlock("fd00:10::/96", {"fd00:10::2:0/112"}),
                                       podsIn(podIs("a"), nsIs("y"))})})});
  // An IPv4 block matches no IPv6 traffic: the pod is isolated and nothing is allowed.
  add("ingress-ipv4-block-matches-nothing",
      {ingressPolicy("x", "allow-v4", podIs("a"), {rule(std::vector{ipBlock("10.0.0.0/8")})})});
  add("egress-to-external-ipv6-except",
      {egressPolicy("x", "allow-ext", podIs("a"),
                    {rule(std::vector{ipBlock("2001:db8::/32", {"2001:db8:1::/48"})})})});
  // `http` is 8080/TCP on pods a, 8081/TCP on pods b, 8080/UDP on pods c: resolved on each
  // destination.
  add("egress-named-port",
      {egressPolicy("x", "allow-http", podIs("a"), {rule(kAnyPeer, std::vector{named("http")})})},
      {}, true);
  add("ingress-udp-only",
      {ingressPolicy("x", "allow-udp-80", podIs("a"), {rule(kAnyPeer, std::vector{udp(80)})})});
  add("service-cluster-ip",
      {ingressPolicy("x", "allow-80-from-y", podIs("a"),
                     {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(80)})})},
      {webService("fd00:10:96::10")});
  // Egress is judged after translation: the backend x/a on 80, not the ClusterIP on 8080.
  add("service-egress-to-backend",
      {egressPolicy("x", "allow-to-a-80", podIs("b"),
                    {rule(std::vector{pods(podIs("a"))}, std::vector{tcp(80)})})},
      {webService("fd00:10:96::10")});
}

}  // namespace npf::conformance
