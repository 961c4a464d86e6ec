// The named-ports family: a port name `http` that resolves to a different number and protocol
// on each destination pod, in ingress and egress, with a protocol, with a number and with a
// peer, and to an external host (where a name never matches). It checks that a name is
// resolved per destination pod, which the ports family's uniform cluster cannot show.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

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

}  // namespace npf::conformance
