// The public face of the conformance suite: the base cluster, the family order and the suite
// itself, which is the families' cases concatenated in that order. The families live one per
// file under generator/conformance/, with the builders they share.
#include "generator/conformance.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf {

Cluster conformanceCluster(const ConformanceClusterOptions& o) {
  Cluster c;
  for (int i = 1; i <= 2; ++i) {
    Node n;
    n.meta.name = fmt::format("node-{}", i);
    if (!o.ipv6Only) n.internalIPs.push_back(fmt::format("172.18.0.{}", i + 1));
    if (o.dualStack || o.ipv6Only) n.internalIPs.push_back(fmt::format("fd00:172:18::{}", i + 1));
    c.nodes.push_back(n);
  }
  for (const char* ns : {"x", "y", "z"}) {
    Namespace n;
    n.meta.name = ns;
    n.meta.labels = {{"ns", ns}};
    c.namespaces.push_back(n);
  }
  for (const char* ns : {"x", "y", "z"})
    for (const char* pod : {"a", "b", "c"}) c.pods.push_back(conformance::makePod(ns, pod, o));
  if (o.ipv6Only) {
    c.externalHosts.push_back({"ext-v6", "2001:db8::10"});
    c.externalHosts.push_back({"ext-v6-2", "2001:db8:1::20"});
    return c;
  }
  c.externalHosts.push_back({"ext-1", "192.0.2.10"});
  c.externalHosts.push_back({"ext-2", "203.0.113.20"});
  if (o.dualStack) c.externalHosts.push_back({"ext-v6", "2001:db8::10"});
  return c;
}

const std::vector<std::string>& conformanceFamilies() {
  static const std::vector<std::string> f = {
      "target-selection",   "rules",          "policy-types", "peers",   "ports",
      "named-ports",        "namespaces",     "conflicts",    "actions", "upstream-e2e",
      "services",           "external-hosts", "nodes",        "ipv6",    "ipv6-only",
      "network-policy-api", "cluster-policy",
  };
  return f;
}

std::vector<Case> conformanceSuite() {
  conformance::Suite s;
  conformance::targetSelection(s);
  conformance::rules(s);
  conformance::policyTypes(s);
  conformance::peersFamily(s);
  conformance::portsFamily(s);
  conformance::namedPorts(s);
  conformance::namespacesFamily(s);
  conformance::conflicts(s);
  conformance::actions(s);
  conformance::upstream(s);
  conformance::services(s);
  conformance::externalHosts(s);
  conformance::nodes(s);
  conformance::ipv6(s);
  conformance::ipv6Only(s);
  conformance::networkPolicyApi(s);
  conformance::clusterPolicyFamily(s);
  return s.take();
}

}  // namespace npf
