#include "model/case.h"

#include <algorithm>
#include <charconv>

namespace npf {

namespace {
const std::pair<Step::Action, const char*> kActionNames[] = {
    {Step::Action::CreatePolicy, "create-policy"},
    {Step::Action::UpdatePolicy, "update-policy"},
    {Step::Action::DeletePolicy, "delete-policy"},
    {Step::Action::RelabelPod, "relabel-pod"},
    {Step::Action::RelabelNamespace, "relabel-namespace"},
    {Step::Action::DeletePod, "delete-pod"},
    {Step::Action::CreatePod, "create-pod"},
    {Step::Action::CreateClusterPolicy, "create-cluster-policy"},
    {Step::Action::UpdateClusterPolicy, "update-cluster-policy"},
    {Step::Action::DeleteClusterPolicy, "delete-cluster-policy"},
};

std::string clusterPolicyName(ClusterPolicyKind kind, const std::string& name) {
  return std::string(toString(kind)) + " " + name;
}

auto findClusterPolicy(std::vector<ClusterPolicy>& v, ClusterPolicyKind kind,
                       const std::string& name) {
  return std::find_if(v.begin(), v.end(), [&](const ClusterPolicy& p) {
    return p.kind == kind && p.meta.name == name;
  });
}
}  // namespace

const char* toString(Step::Action a) {
  for (const auto& [action, name] : kActionNames)
    if (action == a) return name;
  return "?";
}

std::optional<Step::Action> parseStepAction(const std::string& s) {
  for (const auto& [action, name] : kActionNames)
    if (s == name) return action;
  return std::nullopt;
}

template <typename T>
static auto findByName(std::vector<T>& v, const std::string& ns, const std::string& name) {
  return std::find_if(v.begin(), v.end(),
                      [&](const T& o) { return o.meta.namespace_ == ns && o.meta.name == name; });
}

std::string applyStep(Cluster& c, const Step& s) {
  using A = Step::Action;
  switch (s.action) {
    case A::CreatePolicy: {
      if (!s.policy) return "create-policy needs `policy`";
      if (findByName(c.policies, s.policy->meta.namespace_, s.policy->meta.name) !=
          c.policies.end())
        return "policy " + s.policy->meta.namespace_ + "/" + s.policy->meta.name +
               " already exists";
      c.policies.push_back(*s.policy);
      return "";
    }
    case A::UpdatePolicy: {
      if (!s.policy) return "update-policy needs `policy`";
      auto it = findByName(c.policies, s.policy->meta.namespace_, s.policy->meta.name);
      if (it == c.policies.end())
        return "no policy " + s.policy->meta.namespace_ + "/" + s.policy->meta.name + " to update";
      *it = *s.policy;
      return "";
    }
    case A::DeletePolicy: {
      auto it = findByName(c.policies, s.namespace_, s.name);
      if (it == c.policies.end()) return "no policy " + s.namespace_ + "/" + s.name + " to delete";
      c.policies.erase(it);
      return "";
    }
    case A::RelabelPod: {
      auto it = findByName(c.pods, s.namespace_, s.name);
      if (it == c.pods.end()) return "no pod " + s.namespace_ + "/" + s.name + " to relabel";
      it->meta.labels = s.labels;
      return "";
    }
    case A::RelabelNamespace: {
      auto it = std::find_if(c.namespaces.begin(), c.namespaces.end(),
                             [&](const Namespace& n) { return n.meta.name == s.name; });
      if (it == c.namespaces.end()) return "no namespace " + s.name + " to relabel";
      it->meta.labels = s.labels;
      return "";
    }
    case A::DeletePod: {
      auto it = findByName(c.pods, s.namespace_, s.name);
      if (it == c.pods.end()) return "no pod " + s.namespace_ + "/" + s.name + " to delete";
      c.pods.erase(it);
      return "";
    }
    case A::CreatePod: {
      if (!s.pod) return "create-pod needs `pod`";
      if (findByName(c.pods, s.pod->meta.namespace_, s.pod->meta.name) != c.pods.end())
        return "pod " + s.pod->meta.namespace_ + "/" + s.pod->meta.name + " already exists";
      c.pods.push_back(*s.pod);
      return "";
    }
    case A::CreateClusterPolicy: {
      if (!s.clusterPolicy) return "create-cluster-policy needs `clusterPolicy`";
      const ClusterPolicy& p = *s.clusterPolicy;
      if (findClusterPolicy(c.clusterPolicies, p.kind, p.meta.name) != c.clusterPolicies.end())
        return clusterPolicyName(p.kind, p.meta.name) + " already exists";
      c.clusterPolicies.push_back(p);
      return "";
    }
    case A::UpdateClusterPolicy: {
      if (!s.clusterPolicy) return "update-cluster-policy needs `clusterPolicy`";
      const ClusterPolicy& p = *s.clusterPolicy;
      auto it = findClusterPolicy(c.clusterPolicies, p.kind, p.meta.name);
      if (it == c.clusterPolicies.end())
        return "no " + clusterPolicyName(p.kind, p.meta.name) + " to update";
      *it = p;
      return "";
    }
    case A::DeleteClusterPolicy: {
      auto it = findClusterPolicy(c.clusterPolicies, s.kind, s.name);
      if (it == c.clusterPolicies.end())
        return "no " + clusterPolicyName(s.kind, s.name) + " to delete";
      c.clusterPolicies.erase(it);
      return "";
    }
  }
  return "unknown step";
}

std::string toString(const Target& t) {
  return toString(t.to) + ":" + std::to_string(t.port) + "/" + toString(t.protocol);
}

std::optional<Target> parseTarget(std::string_view s) {
  auto slash = s.rfind('/');
  auto colon = s.rfind(':', slash);
  if (slash == std::string_view::npos || colon == std::string_view::npos || colon > slash)
    return std::nullopt;
  auto ep = parseEndpoint(s.substr(0, colon));
  auto proto = parseProtocol(std::string(s.substr(slash + 1)));
  std::string_view num = s.substr(colon + 1, slash - colon - 1);
  int32_t port = 0;
  auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), port);
  if (!ep || !proto || num.empty() || ec != std::errc() || end != num.data() + num.size() ||
      port < 1 || port > 65535)
    return std::nullopt;
  return Target{*ep, port, *proto};
}

}  // namespace npf
