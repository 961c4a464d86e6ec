#include "model/objects.h"

namespace npf {

const char* toString(Protocol p) {
  switch (p) {
    case Protocol::TCP:
      return "TCP";
    case Protocol::UDP:
      return "UDP";
    case Protocol::SCTP:
      return "SCTP";
  }
  return "?";
}

std::optional<Protocol> parseProtocol(const std::string& s) {
  if (s == "TCP") return Protocol::TCP;
  if (s == "UDP") return Protocol::UDP;
  if (s == "SCTP") return Protocol::SCTP;
  return std::nullopt;
}

const char* toString(SelectorOp op) {
  switch (op) {
    case SelectorOp::In:
      return "In";
    case SelectorOp::NotIn:
      return "NotIn";
    case SelectorOp::Exists:
      return "Exists";
    case SelectorOp::DoesNotExist:
      return "DoesNotExist";
  }
  return "?";
}

std::optional<SelectorOp> parseSelectorOp(const std::string& s) {
  if (s == "In") return SelectorOp::In;
  if (s == "NotIn") return SelectorOp::NotIn;
  if (s == "Exists") return SelectorOp::Exists;
  if (s == "DoesNotExist") return SelectorOp::DoesNotExist;
  return std::nullopt;
}

const char* toString(PolicyType t) { return t == PolicyType::Ingress ? "Ingress" : "Egress"; }

std::optional<PolicyType> parsePolicyType(const std::string& s) {
  if (s == "Ingress") return PolicyType::Ingress;
  if (s == "Egress") return PolicyType::Egress;
  return std::nullopt;
}

const Namespace* Cluster::findNamespace(const std::string& name) const {
  for (const auto& n : namespaces)
    if (n.meta.name == name) return &n;
  return nullptr;
}

const Node* Cluster::findNode(const std::string& name) const {
  for (const auto& n : nodes)
    if (n.meta.name == name) return &n;
  return nullptr;
}

const Pod* Cluster::findPod(const std::string& ns, const std::string& name) const {
  for (const auto& p : pods)
    if (p.meta.namespace_ == ns && p.meta.name == name) return &p;
  return nullptr;
}

const Service* Cluster::findService(const std::string& ns, const std::string& name) const {
  for (const auto& s : services)
    if (s.meta.namespace_ == ns && s.meta.name == name) return &s;
  return nullptr;
}

template <typename T>
static void moveAppend(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

void Cluster::append(Cluster other) {
  moveAppend(namespaces, other.namespaces);
  moveAppend(nodes, other.nodes);
  moveAppend(pods, other.pods);
  moveAppend(services, other.services);
  moveAppend(policies, other.policies);
  moveAppend(clusterPolicies, other.clusterPolicies);
  moveAppend(externalHosts, other.externalHosts);
}

const ClusterPolicy* Cluster::findClusterPolicy(ClusterPolicyKind kind,
                                                const std::string& name) const {
  for (const auto& p : clusterPolicies)
    if (p.kind == kind && p.meta.name == name) return &p;
  return nullptr;
}

const char* toString(ClusterPolicyKind k) {
  switch (k) {
    case ClusterPolicyKind::AdminNetworkPolicy:
      return "AdminNetworkPolicy";
    case ClusterPolicyKind::BaselineAdminNetworkPolicy:
      return "BaselineAdminNetworkPolicy";
    case ClusterPolicyKind::ClusterNetworkPolicy:
      return "ClusterNetworkPolicy";
  }
  return "?";
}

std::optional<ClusterPolicyKind> parseClusterPolicyKind(const std::string& s) {
  for (auto k :
       {ClusterPolicyKind::AdminNetworkPolicy, ClusterPolicyKind::BaselineAdminNetworkPolicy,
        ClusterPolicyKind::ClusterNetworkPolicy})
    if (s == toString(k)) return k;
  return std::nullopt;
}

const char* apiVersionOf(ClusterPolicyKind k) {
  return k == ClusterPolicyKind::ClusterNetworkPolicy ? "policy.networking.k8s.io/v1alpha2"
                                                      : "policy.networking.k8s.io/v1alpha1";
}

const char* toString(PolicyTier t) { return t == PolicyTier::Admin ? "Admin" : "Baseline"; }

std::optional<PolicyTier> parsePolicyTier(const std::string& s) {
  if (s == "Admin") return PolicyTier::Admin;
  if (s == "Baseline") return PolicyTier::Baseline;
  return std::nullopt;
}

const char* toString(ClusterRuleAction a, ClusterPolicyKind spelling) {
  switch (a) {
    case ClusterRuleAction::Allow:
      return spelling == ClusterPolicyKind::ClusterNetworkPolicy ? "Accept" : "Allow";
    case ClusterRuleAction::Deny:
      return "Deny";
    case ClusterRuleAction::Pass:
      return "Pass";
  }
  return "?";
}

Labels effectiveNamespaceLabels(const Namespace& ns) {
  Labels l = ns.meta.labels;
  l[kNamespaceNameLabel] = ns.meta.name;
  return l;
}

}  // namespace npf
