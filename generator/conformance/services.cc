// The services family: ClusterIP Services (target port differing from the service port, a named
// target port, UDP, several backends) under ingress and egress policies. Policies apply after
// the Service's address translation, so they see backend pods and target ports, never the
// cluster IP or the service port; these cases check that, and carry verdict:undefined where
// the API leaves the outcome open.
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

namespace {

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

}  // namespace

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

}  // namespace npf::conformance
