#include "generator/case_gen.h"

#include <fmt/format.h>

#include <algorithm>

#include "generator/cluster_gen.h"
#include "generator/cluster_policy_gen.h"
#include "generator/features.h"
#include "generator/policy_gen.h"
#include "generator/random.h"

namespace npf {
namespace {

Labels randomPodLabels(Random& rng, const std::string& name) {
  Labels l{{"pod", name}};
  for (const auto& [key, values] : labelVocabulary().podLabels)
    if (rng.percent(50)) l[key] = rng.pick(values);
  return l;
}

// A step that applies to `state` (the cluster after the previous steps).
Step randomStep(Random& rng, const Cluster& state, const GeneratorWeights& w, int serial) {
  using A = Step::Action;
  Step s;
  // create, update, delete policy; relabel pod, namespace; delete+recreate (two steps: see
  // caller); create a new pod.
  const int weights[] = {15, 15, 15, 15, 10, 0, 25};
  for (int attempt = 0; attempt < 10; ++attempt) {
    s = Step{};
    s.action = A(rng.weighted(weights));
    switch (s.action) {
      case A::CreatePolicy: {
        const auto& ns = rng.pick(state.namespaces).meta.name;
        s.policy = generatePolicy(rng, state, w, ns, fmt::format("step-p{}", serial));
        return s;
      }
      case A::UpdatePolicy:
      case A::DeletePolicy: {
        if (state.policies.empty()) continue;
        const NetworkPolicy& old = rng.pick(state.policies);
        if (s.action == A::DeletePolicy) {
          s.namespace_ = old.meta.namespace_;
          s.name = old.meta.name;
        } else {
          s.policy = generatePolicy(rng, state, w, old.meta.namespace_, old.meta.name);
        }
        return s;
      }
      case A::RelabelPod: {
        const Pod& p = rng.pick(state.pods);
        if (p.hostNetwork) continue;
        s.namespace_ = p.meta.namespace_;
        s.name = p.meta.name;
        s.labels = randomPodLabels(rng, p.meta.name);
        if (s.labels == p.meta.labels) s.labels["pod"] = p.meta.name + "-moved";
        return s;
      }
      case A::RelabelNamespace: {
        const Namespace& n = rng.pick(state.namespaces);
        s.name = n.meta.name;
        s.labels = {{"ns", n.meta.name}};
        for (const auto& [key, values] : labelVocabulary().namespaceLabels)
          if (rng.percent(50)) s.labels[key] = rng.pick(values);
        if (s.labels == n.meta.labels) s.labels["ns"] = n.meta.name + "-moved";
        return s;
      }
      case A::CreatePod: {
        // A new pod that copies a sibling's shape and labels, preferably in a namespace with
        // policies, so that existing policies select it (it must be isolated before it serves).
        std::vector<const Pod*> candidates;
        if (!state.policies.empty()) {
          const std::string& ns = rng.pick(state.policies).meta.namespace_;
          for (const auto& p : state.pods)
            if (p.meta.namespace_ == ns) candidates.push_back(&p);
        }
        const Pod& model = candidates.empty() ? rng.pick(state.pods) : *rng.pick(candidates);
        if (model.hostNetwork) continue;
        Pod p = model;
        p.meta.name = fmt::format("new-{}", serial);
        p.meta.labels = model.meta.labels;
        p.meta.labels["pod"] = p.meta.name;
        // The next free address on the same node subnet (.200 and up are never generated).
        auto dot = p.podIP.rfind('.');
        if (dot == std::string::npos) continue;  // IPv6-primary clusters: skip, keep it simple
        p.podIP = p.podIP.substr(0, dot + 1) + std::to_string(200 + serial);
        p.podIPs = {p.podIP};
        s.pod = p;
        return s;
      }
      default:
        continue;
    }
  }
  // Fallback that always applies.
  s = Step{};
  s.action = A::CreatePolicy;
  s.policy =
      generatePolicy(rng, state, w, state.namespaces[0].meta.name, fmt::format("step-p{}", serial));
  return s;
}

// Cluster-scoped policies and steps that change them, from their own stream (see
// GeneratorWeights::clusterPolicies). The steps go between the others at random places: they
// touch only cluster-scoped policies, so every other step still applies.
constexpr uint64_t kClusterPolicyStream = 0xc1a5;

void addClusterPolicies(Random rng, const GeneratorWeights& w, Case& cs) {
  if (!rng.percent(w.clusterPolicies < 0 ? kDefaultClusterPolicies : w.clusterPolicies)) return;
  cs.cluster.clusterPolicies = generateClusterPolicies(rng, cs.cluster, w);
  if (!rng.percent(w.clusterPolicySteps)) return;
  int count = int(rng.range(1, std::max(1, w.maxSteps)));
  std::vector<size_t> at;
  for (int i = 0; i < count; ++i) at.push_back(size_t(rng.range(0, int64_t(cs.meta.steps.size()))));
  std::sort(at.begin(), at.end());
  // Insert in order, each applied to the state at its place.
  std::vector<Step> merged;
  Cluster state = cs.cluster;
  size_t next = 0;
  for (size_t i = 0; i <= cs.meta.steps.size(); ++i) {
    for (; next < at.size() && at[next] == i; ++next) {
      Step s = randomClusterPolicyStep(rng, state, w, int(next) + 1);
      if (applyStep(state, s).empty()) merged.push_back(std::move(s));
    }
    if (i < cs.meta.steps.size()) {
      applyStep(state, cs.meta.steps[i]);
      merged.push_back(cs.meta.steps[i]);
    }
  }
  cs.meta.steps = std::move(merged);
}

}  // namespace

Case generateCase(uint64_t seed, uint64_t index, ClusterSize size, const GeneratorWeights& w) {
  Random rng = Random(seed).fork(index + 1);
  Case cs =
      generateCaseFrom(rng, size, w, fmt::format("{}-s{}-{:04}", toString(size), seed, index));
  cs.meta.seed = seed;
  return cs;
}

Case generateCaseFrom(Random& rng, ClusterSize size, const GeneratorWeights& w, std::string name) {
  Case cs;
  cs.cluster = generateCluster(rng, size, w);
  cs.cluster.policies = generatePolicies(rng, cs.cluster, w);
  cs.meta.present = true;
  cs.meta.name = std::move(name);
  cs.meta.generator = kGeneratorVersion;
  cs.meta.size = toString(size);

  if (rng.percent(w.steps)) {
    Cluster state = cs.cluster;
    int count = int(rng.range(1, w.maxSteps));
    for (int i = 0; i < count; ++i) {
      if (rng.percent(25)) {
        // Delete a pod and recreate it, reusing its IP or another one (two steps).
        const Pod& victim = rng.pick(state.pods);
        if (!victim.hostNetwork) {
          Step del{Step::Action::DeletePod, {}, {}, victim.meta.namespace_, victim.meta.name, {}};
          Pod again = victim;
          again.meta.labels = randomPodLabels(rng, victim.meta.name);
          Step create{Step::Action::CreatePod, {}, again, "", "", {}};
          for (Step* s : {&del, &create}) {
            applyStep(state, *s);
            cs.meta.steps.push_back(*s);
          }
          continue;
        }
      }
      Step s = randomStep(rng, state, w, i + 1);
      if (applyStep(state, s).empty()) cs.meta.steps.push_back(s);
    }
  }
  if (w.clusterPolicies != 0) addClusterPolicies(rng.fork(kClusterPolicyStream), w, cs);
  for (const auto& t : computeTags(cs)) cs.meta.tags.push_back(t);
  return cs;
}

}  // namespace npf
