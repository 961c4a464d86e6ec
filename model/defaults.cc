#include "model/defaults.h"

namespace npf {

void applyDefaults(NetworkPolicy& np) {
  if (!np.podSelector) np.podSelector = LabelSelector{};
  if (!np.policyTypes || np.policyTypes->empty()) {
    std::vector<PolicyType> types{PolicyType::Ingress};
    if (np.egress && !np.egress->empty()) types.push_back(PolicyType::Egress);
    np.policyTypes = std::move(types);
  }
  for (auto* rules : {&np.ingress, &np.egress}) {
    if (!*rules) continue;
    for (auto& rule : **rules)
      if (rule.ports)
        for (auto& port : *rule.ports)
          if (!port.protocol) port.protocol = Protocol::TCP;
  }
}

void applyDefaults(Pod& pod) {
  for (auto& c : pod.containers)
    for (auto& p : c.ports)
      if (!p.protocol) p.protocol = Protocol::TCP;
}

void applyDefaults(Service& svc) {
  for (auto& p : svc.ports) {
    if (!p.protocol) p.protocol = Protocol::TCP;
    if (!p.targetPort) p.targetPort = PortRef{p.port};
  }
}

void applyDefaults(Namespace& ns) { ns.meta.labels[kNamespaceNameLabel] = ns.meta.name; }

void applyDefaults(Cluster& c) {
  for (auto& ns : c.namespaces) applyDefaults(ns);
  for (auto& pod : c.pods) applyDefaults(pod);
  for (auto& svc : c.services) applyDefaults(svc);
  for (auto& np : c.policies) applyDefaults(np);
}

void applyDefaults(Case& c) {
  applyDefaults(c.cluster);
  for (auto& step : c.meta.steps) {
    if (step.policy) applyDefaults(*step.policy);
    if (step.pod) applyDefaults(*step.pod);
  }
}

}  // namespace npf
