#include "model/service_backends.h"

namespace npf {

static bool selectorMatches(const Labels& selector, const Labels& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

// A named targetPort resolves on each backend, with the Service port's protocol; a pod
// without that name is not an endpoint of the port.
static std::optional<int32_t> resolveTargetPort(const Pod& pod, const ServicePort& port) {
  if (!port.targetPort) return port.port;
  if (port.targetPort->isNumber()) return port.targetPort->number();
  for (const auto& ctr : pod.containers)
    for (const auto& cp : ctr.ports)
      if (cp.name == port.targetPort->name() && cp.effectiveProtocol() == port.effectiveProtocol())
        return cp.containerPort;
  return std::nullopt;
}

std::vector<Backend> serviceBackends(const Cluster& c, const Service& svc,
                                     const ServicePort& port) {
  std::vector<Backend> out;
  // The endpoints controller ignores Services without a selector. An empty `selector: {}` is
  // the same: the apiserver stores an empty map as absent (omitempty).
  if (!svc.selector || svc.selector->empty()) return out;
  for (const auto& pod : c.pods) {
    if (pod.meta.namespace_ != svc.meta.namespace_ || pod.podIP.empty()) continue;
    if (!selectorMatches(*svc.selector, pod.meta.labels)) continue;
    if (auto target = resolveTargetPort(pod, port)) out.push_back({&pod, *target});
  }
  return out;
}

}  // namespace npf
