#include "model/endpoint_address.h"

namespace npf {

DestinationAddress destinationAddress(const Cluster& c, const Endpoint& to) {
  using P = DestinationAddress::Problem;
  auto missing = [&](P problem, std::string why) {
    return DestinationAddress{std::nullopt, problem, std::move(why)};
  };
  auto resolved = [](std::optional<IpAddress> ip, std::string whyNot) {
    return ip ? DestinationAddress{ip, P::None, ""}
              : DestinationAddress{std::nullopt, P::NoAddress, std::move(whyNot)};
  };
  switch (to.kind) {
    case Endpoint::Kind::Pod: {
      const Pod* p = c.findPod(to.namespace_, to.name);
      if (!p)
        return missing(P::NoSuchObject,
                       "destination " + toString(to) + " is not a pod of the cluster");
      return resolved(parseIp(p->podIP), "destination " + toString(to) + " has no pod IP");
    }
    case Endpoint::Kind::Service: {
      const Service* s = c.findService(to.namespace_, to.name);
      if (!s)
        return missing(P::NoSuchObject,
                       "destination " + toString(to) + " is not a Service of the cluster");
      return resolved(parseIp(s->clusterIP), "Service " + toString(to) + " has no clusterIP");
    }
    case Endpoint::Kind::Node: {
      const Node* n = c.findNode(to.name);
      if (!n)
        return missing(P::NoSuchObject,
                       "destination " + toString(to) + " is not a node of the cluster");
      return resolved(n->internalIPs.empty() ? std::nullopt : parseIp(n->internalIPs.front()),
                      "node " + to.name + " has no InternalIP");
    }
    case Endpoint::Kind::External: {
      auto ip = parseIp(to.name);
      for (const auto& h : c.externalHosts)
        if (ip && parseIp(h.ip) == ip) return resolved(ip, "");
      return missing(P::NoSuchObject,
                     "destination " + toString(to) + " is not an external host of the case");
    }
  }
  return missing(P::NoSuchObject, "destination " + toString(to) + " is of no known kind");
}

}  // namespace npf
