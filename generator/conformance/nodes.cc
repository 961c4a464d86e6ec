// The nodes family: traffic from and to the nodes (deny-all and the node's own pods, node
// ipBlocks, selectors that must not match nodes, a host-network pod). Traffic between a pod and
// its own node is always allowed and selectors never match nodes, rules that hold apart from
// pod-to-pod traffic; the default probe set never targets nodes, so these cases carry their
// own probes.
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

void nodes(Suite& s) {
  const std::vector<std::pair<int32_t, Protocol>> nodePorts = {{80, Protocol::TCP}};
  auto add = [&](const std::string& slug, Cluster c) {
    ProbeSet probes = probesWithOutside(c, {}, nodePorts);
    s.add("nodes/" + slug, {"nodes:probed"}, std::move(c), {}, std::move(probes));
  };
  add("ingress-deny-all-allows-own-node",
      with(base(), {ingressPolicy("x", "deny-ingress", all(), {})}));
  add("ingress-from-node-ip-block",
      with(base(), {ingressPolicy("x", "allow-nodes", all(),
                                  {rule(std::vector{ipBlock("172.18.0.0/24")})})}));
  add("ingress-from-all-namespaces-excludes-nodes",
      with(base(),
           {ingressPolicy("x", "allow-pods", all(), {rule(std::vector{namespaces(all())})})}));
  add("egress-deny-all-to-nodes", with(base(), {egressPolicy("x", "deny-egress", all(), {})}));
  add("egress-to-one-node",
      with(base(), {egressPolicy("x", "allow-node-2", all(),
                                 {rule(std::vector{ipBlock("172.18.0.3/32")})})}));
  {
    Cluster c = base();
    Pod host;
    host.meta.name = "host";
    host.meta.namespace_ = "x";
    host.meta.labels = {{"pod", "host"}};
    host.nodeName = "node-2";
    host.hostNetwork = true;
    host.containers.push_back(container("cont-8080-tcp", "serve-8080-tcp", 8080, Protocol::TCP));
    host.podIP = "172.18.0.3";
    host.podIPs = {host.podIP};
    c.pods.push_back(host);
    add("host-network-pod-is-node-traffic",
        with(std::move(c),
             {ingressPolicy("x", "allow-from-pods", all(), {rule(std::vector{pods(all())})})}));
  }
}

}  // namespace npf::conformance
