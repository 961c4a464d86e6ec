// The ipv6 family: the IPv6-primary dual-stack cluster with IPv6 and IPv4 ipBlocks, an IPv6
// except and an IPv6 external host. Dual-stack pods have one address per family, and an
// ipBlock written in one family must be tried against the right one.
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

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

}  // namespace npf::conformance
