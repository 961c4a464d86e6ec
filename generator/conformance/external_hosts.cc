// The external-hosts family: ipBlocks that include or except hosts outside the cluster, and
// selectors that must not match them, probed from the external hosts to every pod port and
// from every pod to the hosts. The default probe set stays inside the cluster, so these
// cases carry their own probes.
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

namespace {

const std::vector<std::pair<int32_t, Protocol>> kExternalPorts = {
    {80, Protocol::TCP}, {81, Protocol::TCP}, {80, Protocol::UDP}};

}  // namespace

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

}  // namespace npf::conformance
