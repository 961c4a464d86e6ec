#include "runner/minimize.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "generator/features.h"
#include "model/case_file.h"
#include "model/case_validate.h"
#include "model/content_hash.h"
#include "model/ip.h"
#include "oracle/reference.h"
#include "runner/replay.h"
#include "runner/signature.h"

namespace npf::runner {
namespace {

using Clock = std::chrono::steady_clock;
using Path = std::vector<size_t>;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---------------------------------------------------------------------------------------------
// Where things are in a case: policies and pods of the initial state, then those of steps.

std::vector<NetworkPolicy*> policiesOf(Case& c) {
  std::vector<NetworkPolicy*> out;
  for (auto& p : c.cluster.policies) out.push_back(&p);
  for (auto& s : c.meta.steps)
    if (s.policy) out.push_back(&*s.policy);
  return out;
}

std::vector<ClusterPolicy*> clusterPoliciesOf(Case& c) {
  std::vector<ClusterPolicy*> out;
  for (auto& p : c.cluster.clusterPolicies) out.push_back(&p);
  for (auto& s : c.meta.steps)
    if (s.clusterPolicy) out.push_back(&*s.clusterPolicy);
  return out;
}

std::optional<std::vector<ClusterPolicyRule>>& section(ClusterPolicy& p, size_t d) {
  return d == 0 ? p.ingress : p.egress;
}

// Calls fn(path {policy, direction, rule}, rule) for every rule of every cluster-scoped policy.
template <typename Fn>
void forEachClusterRule(Case& c, Fn fn) {
  auto pols = clusterPoliciesOf(c);
  for (size_t loc = 0; loc < pols.size(); ++loc)
    for (size_t d = 0; d < 2; ++d)
      if (auto& rules = section(*pols[loc], d))
        for (size_t r = 0; r < rules->size(); ++r) fn(Path{loc, d, r}, (*rules)[r]);
}

std::vector<Pod*> podsOf(Case& c) {
  std::vector<Pod*> out;
  for (auto& p : c.cluster.pods) out.push_back(&p);
  for (auto& s : c.meta.steps)
    if (s.pod) out.push_back(&*s.pod);
  return out;
}

std::optional<std::vector<NetworkPolicyRule>>& section(NetworkPolicy& p, size_t d) {
  return d == 0 ? p.ingress : p.egress;
}
PolicyType direction(size_t d) { return d == 0 ? PolicyType::Ingress : PolicyType::Egress; }

std::string podKey(const Pod& p) { return p.meta.namespace_ + "/" + p.meta.name; }

// Every pod of any state (first version of each key), for annotation sources and probes.
Cluster everything(const Case& c) {
  Cluster all = c.cluster;
  for (const auto& s : c.meta.steps)
    if (s.pod && !all.findPod(s.pod->meta.namespace_, s.pod->meta.name)) all.pods.push_back(*s.pod);
  return all;
}

// Calls fn(path {policy, direction, rule}, rule) for every rule of every policy of `c`.
template <typename Fn>
void forEachRule(Case& c, Fn fn) {
  auto pols = policiesOf(c);
  for (size_t loc = 0; loc < pols.size(); ++loc)
    for (size_t d = 0; d < 2; ++d)
      if (auto& rules = section(*pols[loc], d))
        for (size_t r = 0; r < rules->size(); ++r) fn(Path{loc, d, r}, (*rules)[r]);
}

// Renumbers the ipBlock source lines of `p` after an element was removed. `match` says whether
// a line is inside the removed element, `shift` renumbers a later sibling (true: keep).
template <typename Match, typename Shift>
void editSources(NetworkPolicy& p, Match match, Shift shift) {
  auto sources = ipBlockSources(p);
  if (sources.empty()) return;
  std::vector<IpBlockSource> kept;
  for (auto s : sources) {
    if (match(s)) continue;
    shift(s);
    kept.push_back(s);
  }
  setIpBlockSources(p, kept);
}

void eraseRule(NetworkPolicy& p, size_t d, size_t r) {
  auto& rules = *section(p, d);
  rules.erase(rules.begin() + long(r));
  editSources(
      p, [&](const IpBlockSource& s) { return s.direction == direction(d) && s.rule == r; },
      [&](IpBlockSource& s) {
        if (s.direction == direction(d) && s.rule > r) --s.rule;
      });
}

void erasePeer(NetworkPolicy& p, size_t d, size_t r, size_t i) {
  auto& peers = *(*section(p, d))[r].peers;
  peers.erase(peers.begin() + long(i));
  editSources(
      p,
      [&](const IpBlockSource& s) {
        return s.direction == direction(d) && s.rule == r && s.peer == i;
      },
      [&](IpBlockSource& s) {
        if (s.direction == direction(d) && s.rule == r && s.peer > i) --s.peer;
      });
}

void eraseExcept(NetworkPolicy& p, size_t d, size_t r, size_t i, size_t e) {
  auto& ex = (*(*(*section(p, d))[r].peers)[i].ipBlock).except;
  ex.erase(ex.begin() + long(e));
  auto here = [&](const IpBlockSource& s) {
    return s.direction == direction(d) && s.rule == r && s.peer == i && s.except;
  };
  editSources(
      p, [&](const IpBlockSource& s) { return here(s) && *s.except == e; },
      [&](IpBlockSource& s) {
        if (here(s) && *s.except > e) --*s.except;
      });
}

// The selectors of a policy that hold removable terms, with a path prefix for each.
void forEachSelector(NetworkPolicy& p, const std::function<void(LabelSelector&, const Path&)>& f) {
  if (p.podSelector) f(*p.podSelector, {0});
  for (size_t d = 0; d < 2; ++d) {
    auto& rules = section(p, d);
    if (!rules) continue;
    for (size_t r = 0; r < rules->size(); ++r) {
      auto& peers = (*rules)[r].peers;
      if (!peers) continue;
      for (size_t i = 0; i < peers->size(); ++i) {
        if ((*peers)[i].podSelector) f(*(*peers)[i].podSelector, {1, d, r, i, 0});
        if ((*peers)[i].namespaceSelector) f(*(*peers)[i].namespaceSelector, {1, d, r, i, 1});
      }
    }
  }
}

void eraseLabel(Labels& l, size_t i) {
  auto it = l.begin();
  std::advance(it, long(i));
  l.erase(it);
}

// ---------------------------------------------------------------------------------------------
// Reduction passes: a kind of element, how to list the ones a case has and remove one.

struct Pass {
  const char* name;
  bool tryAllFirst;  // try removing every unit at once before halves (cheap kinds)
  std::function<std::vector<Path>(Case&)> units;
  std::function<void(Case&, const Path&)> remove;
};

std::vector<Path> indexes(size_t n) {
  std::vector<Path> out;
  for (size_t i = 0; i < n; ++i) out.push_back({i});
  return out;
}

void removeNamespace(Case& c, const std::string& ns) {
  std::erase_if(c.cluster.pods, [&](const Pod& p) { return p.meta.namespace_ == ns; });
  std::erase_if(c.cluster.services, [&](const Service& s) { return s.meta.namespace_ == ns; });
  std::erase_if(c.cluster.policies,
                [&](const NetworkPolicy& p) { return p.meta.namespace_ == ns; });
  using A = Step::Action;
  std::erase_if(c.meta.steps, [&](const Step& s) {
    if (s.policy && s.policy->meta.namespace_ == ns) return true;
    if (s.pod && s.pod->meta.namespace_ == ns) return true;
    if ((s.action == A::DeletePolicy || s.action == A::DeletePod || s.action == A::RelabelPod) &&
        s.namespace_ == ns)
      return true;
    return s.action == A::RelabelNamespace && s.name == ns;
  });
  std::erase_if(c.cluster.namespaces, [&](const Namespace& n) { return n.meta.name == ns; });
}

bool nodeUsed(const Case& c, const std::string& node) {
  for (const auto& p : c.cluster.pods)
    if (p.nodeName == node) return true;
  for (const auto& s : c.meta.steps)
    if (s.pod && s.pod->nodeName == node) return true;
  if (c.meta.probes)
    for (const auto& b : c.meta.probes->blocks) {
      for (const auto& e : b.sources)
        if (e.kind == Endpoint::Kind::Node && e.name == node) return true;
      for (const auto& t : b.targets)
        if (t.to.kind == Endpoint::Kind::Node && t.to.name == node) return true;
    }
  return false;
}

std::vector<Pass> passes() {
  std::vector<Pass> out;
  out.push_back(
      {"steps", false, [](Case& c) { return indexes(c.meta.steps.size()); },
       [](Case& c, const Path& u) { c.meta.steps.erase(c.meta.steps.begin() + long(u[0])); }});
  out.push_back({"policies", false, [](Case& c) { return indexes(c.cluster.policies.size()); },
                 [](Case& c, const Path& u) {
                   c.cluster.policies.erase(c.cluster.policies.begin() + long(u[0]));
                 }});
  out.push_back({"cluster-scoped policies", false,
                 [](Case& c) { return indexes(c.cluster.clusterPolicies.size()); },
                 [](Case& c, const Path& u) {
                   c.cluster.clusterPolicies.erase(c.cluster.clusterPolicies.begin() + long(u[0]));
                 }});
  out.push_back(
      {"namespaces", false, [](Case& c) { return indexes(c.cluster.namespaces.size()); },
       [](Case& c, const Path& u) { removeNamespace(c, c.cluster.namespaces[u[0]].meta.name); }});
  out.push_back(
      {"pods", false, [](Case& c) { return indexes(c.cluster.pods.size()); },
       [](Case& c, const Path& u) { c.cluster.pods.erase(c.cluster.pods.begin() + long(u[0])); }});
  out.push_back({"services", true, [](Case& c) { return indexes(c.cluster.services.size()); },
                 [](Case& c, const Path& u) {
                   c.cluster.services.erase(c.cluster.services.begin() + long(u[0]));
                 }});
  out.push_back({"external hosts", true,
                 [](Case& c) { return indexes(c.cluster.externalHosts.size()); },
                 [](Case& c, const Path& u) {
                   c.cluster.externalHosts.erase(c.cluster.externalHosts.begin() + long(u[0]));
                 }});
  // Rules, and entries of explicit policyTypes.
  out.push_back({"rules", false,
                 [](Case& c) {
                   std::vector<Path> u;
                   auto pols = policiesOf(c);
                   for (size_t loc = 0; loc < pols.size(); ++loc) {
                     for (size_t d = 0; d < 2; ++d)
                       if (auto& rules = section(*pols[loc], d))
                         for (size_t r = 0; r < rules->size(); ++r) u.push_back({loc, d, r});
                     if (pols[loc]->policyTypes && pols[loc]->policyTypes->size() > 1)
                       for (size_t t = 0; t < pols[loc]->policyTypes->size(); ++t)
                         u.push_back({loc, 2, t});
                   }
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   NetworkPolicy& p = *policiesOf(c)[u[0]];
                   if (u[1] == 2) {
                     p.policyTypes->erase(p.policyTypes->begin() + long(u[2]));
                     if (p.policyTypes->empty()) p.policyTypes.reset();  // absent: the defaults
                   } else {
                     eraseRule(p, u[1], u[2]);
                   }
                 }});
  out.push_back(
      {"peers", false,
       [](Case& c) {
         std::vector<Path> u;
         forEachRule(c, [&](const Path& at, NetworkPolicyRule& rule) {
           for (size_t i = 0; rule.peers && i < rule.peers->size(); ++i)
             u.push_back({at[0], at[1], at[2], i});
         });
         return u;
       },
       [](Case& c, const Path& u) { erasePeer(*policiesOf(c)[u[0]], u[1], u[2], u[3]); }});
  out.push_back({"ports", false,
                 [](Case& c) {
                   std::vector<Path> u;
                   forEachRule(c, [&](const Path& at, NetworkPolicyRule& rule) {
                     for (size_t i = 0; rule.ports && i < rule.ports->size(); ++i)
                       u.push_back({at[0], at[1], at[2], i});
                   });
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   auto& ports = *(*section(*policiesOf(c)[u[0]], u[1]))[u[2]].ports;
                   ports.erase(ports.begin() + long(u[3]));
                 }});
  // Rules, peers, ports and `networks` CIDRs of cluster-scoped policies. A rule keeps at least
  // one peer (the CRDs require it): removing the last one gives an invalid case, which the
  // search rejects like any other.
  out.push_back({"cluster-scoped rules", false,
                 [](Case& c) {
                   std::vector<Path> u;
                   forEachClusterRule(c,
                                      [&](const Path& at, ClusterPolicyRule&) { u.push_back(at); });
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   auto& rules = *section(*clusterPoliciesOf(c)[u[0]], u[1]);
                   rules.erase(rules.begin() + long(u[2]));
                 }});
  out.push_back({"cluster-scoped peers", false,
                 [](Case& c) {
                   std::vector<Path> u;
                   forEachClusterRule(c, [&](const Path& at, ClusterPolicyRule& rule) {
                     for (size_t i = 0; i < rule.peers.size(); ++i)
                       u.push_back({at[0], at[1], at[2], i});
                   });
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   auto& peers = (*section(*clusterPoliciesOf(c)[u[0]], u[1]))[u[2]].peers;
                   peers.erase(peers.begin() + long(u[3]));
                 }});
  out.push_back({"cluster-scoped ports", false,
                 [](Case& c) {
                   std::vector<Path> u;
                   forEachClusterRule(c, [&](const Path& at, ClusterPolicyRule& rule) {
                     for (size_t i = 0; rule.ports && i < rule.ports->size(); ++i)
                       u.push_back({at[0], at[1], at[2], i});
                   });
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   auto& ports = (*section(*clusterPoliciesOf(c)[u[0]], u[1]))[u[2]].ports;
                   ports->erase(ports->begin() + long(u[3]));
                   if (ports->empty()) ports.reset();  // `[]` is invalid; absent: every port
                 }});
  out.push_back({"networks entries", true,
                 [](Case& c) {
                   std::vector<Path> u;
                   forEachClusterRule(c, [&](const Path& at, ClusterPolicyRule& rule) {
                     for (size_t i = 0; i < rule.peers.size(); ++i)
                       if (const auto& n = rule.peers[i].networks)
                         for (size_t k = 0; k < n->size(); ++k)
                           u.push_back({at[0], at[1], at[2], i, k});
                   });
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   auto& rule = (*section(*clusterPoliciesOf(c)[u[0]], u[1]))[u[2]];
                   auto& networks = *rule.peers[u[3]].networks;
                   networks.erase(networks.begin() + long(u[4]));
                 }});
  out.push_back(
      {"except entries", true,
       [](Case& c) {
         std::vector<Path> u;
         forEachRule(c, [&](const Path& at, NetworkPolicyRule& rule) {
           for (size_t i = 0; rule.peers && i < rule.peers->size(); ++i)
             if (auto& b = (*rule.peers)[i].ipBlock)
               for (size_t e = 0; e < b->except.size(); ++e)
                 u.push_back({at[0], at[1], at[2], i, e});
         });
         return u;
       },
       [](Case& c, const Path& u) { eraseExcept(*policiesOf(c)[u[0]], u[1], u[2], u[3], u[4]); }});
  // matchLabels entries (kind 0) and matchExpressions (kind 1) of every selector of a policy.
  out.push_back({"selector terms", true,
                 [](Case& c) {
                   std::vector<Path> u;
                   auto pols = policiesOf(c);
                   for (size_t loc = 0; loc < pols.size(); ++loc)
                     forEachSelector(*pols[loc], [&](LabelSelector& s, const Path& at) {
                       for (size_t kind = 0; kind < 2; ++kind) {
                         size_t n = kind == 0 ? s.matchLabels.size() : s.matchExpressions.size();
                         for (size_t i = 0; i < n; ++i) {
                           Path p{loc};
                           p.insert(p.end(), at.begin(), at.end());
                           p.push_back(kind);
                           p.push_back(i);
                           u.push_back(p);
                         }
                       }
                     });
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   NetworkPolicy& pol = *policiesOf(c)[u[0]];
                   Path at(u.begin() + 1, u.end() - 2);
                   forEachSelector(pol, [&](LabelSelector& s, const Path& here) {
                     if (here != at) return;
                     if (u[u.size() - 2] == 0)
                       eraseLabel(s.matchLabels, u.back());
                     else
                       s.matchExpressions.erase(s.matchExpressions.begin() + long(u.back()));
                   });
                 }});
  // Labels of pods (kind 0), namespaces (1) and of relabel steps (2).
  out.push_back({"labels", true,
                 [](Case& c) {
                   std::vector<Path> u;
                   auto pods = podsOf(c);
                   for (size_t i = 0; i < pods.size(); ++i)
                     for (size_t k = 0; k < pods[i]->meta.labels.size(); ++k)
                       u.push_back({0, i, k});
                   for (size_t i = 0; i < c.cluster.namespaces.size(); ++i)
                     for (size_t k = 0; k < c.cluster.namespaces[i].meta.labels.size(); ++k)
                       u.push_back({1, i, k});
                   for (size_t i = 0; i < c.meta.steps.size(); ++i)
                     for (size_t k = 0; k < c.meta.steps[i].labels.size(); ++k)
                       u.push_back({2, i, k});
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   if (u[0] == 0)
                     eraseLabel(podsOf(c)[u[1]]->meta.labels, u[2]);
                   else if (u[0] == 1)
                     eraseLabel(c.cluster.namespaces[u[1]].meta.labels, u[2]);
                   else
                     eraseLabel(c.meta.steps[u[1]].labels, u[2]);
                 }});
  // Container ports of pods (kind 0) and ports of Services with more than one (kind 1).
  out.push_back({"container and Service ports", false,
                 [](Case& c) {
                   std::vector<Path> u;
                   auto pods = podsOf(c);
                   for (size_t i = 0; i < pods.size(); ++i)
                     for (size_t k = 0; k < pods[i]->containers.size(); ++k)
                       for (size_t j = 0; j < pods[i]->containers[k].ports.size(); ++j)
                         u.push_back({0, i, k, j});
                   for (size_t i = 0; i < c.cluster.services.size(); ++i)
                     if (c.cluster.services[i].ports.size() > 1)
                       for (size_t j = 0; j < c.cluster.services[i].ports.size(); ++j)
                         u.push_back({1, i, j});
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   if (u[0] == 0) {
                     auto& ports = podsOf(c)[u[1]]->containers[u[2]].ports;
                     ports.erase(ports.begin() + long(u[3]));
                   } else {
                     auto& ports = c.cluster.services[u[1]].ports;
                     ports.erase(ports.begin() + long(u[2]));
                   }
                 }});
  out.push_back({"containers", false,
                 [](Case& c) {
                   std::vector<Path> u;
                   auto pods = podsOf(c);
                   for (size_t i = 0; i < pods.size(); ++i)
                     if (pods[i]->containers.size() > 1)
                       for (size_t k = 0; k < pods[i]->containers.size(); ++k) u.push_back({i, k});
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   auto& cs = podsOf(c)[u[0]]->containers;
                   cs.erase(cs.begin() + long(u[1]));
                 }});
  out.push_back({"nodes", true,
                 [](Case& c) {
                   std::vector<Path> u;
                   for (size_t i = 0; i < c.cluster.nodes.size(); ++i)
                     if (!nodeUsed(c, c.cluster.nodes[i].meta.name)) u.push_back({i});
                   return u;
                 },
                 [](Case& c, const Path& u) {
                   c.cluster.nodes.erase(c.cluster.nodes.begin() + long(u[0]));
                 }});
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the backend remembers of earlier states, as far as it can make a reconciled trial
// differ from a fresh one (local backend faults LABEL_UPDATE_STALE and POD_IP_REUSE model real
// CNI caches): labels a pod had when it was created, labels a namespace had when first seen,
// and the identity of the last pod deleted at each address.

std::string firstIpv4Of(const Pod& p) {
  std::vector<std::string> all;
  if (!p.podIP.empty()) all.push_back(p.podIP);
  all.insert(all.end(), p.podIPs.begin(), p.podIPs.end());
  for (const auto& a : all)
    if (auto ip = parseIp(a); ip && ip->family == IpFamily::V4) return toString(*ip);
  return all.empty() ? "" : all.front();
}

std::set<std::pair<int32_t, Protocol>> servedPorts(const Pod& p) {
  std::set<std::pair<int32_t, Protocol>> out;
  for (const auto& c : p.containers)
    for (const auto& cp : c.ports) out.insert({cp.containerPort, cp.effectiveProtocol()});
  return out;
}

bool sameIdentity(const Pod& a, const Pod& b) {
  return a.meta == b.meta && a.containers == b.containers;
}

struct History {
  bool known = false;  // false: unknown (before the first set-up, after a backend error)
  std::map<std::string, Pod> live;
  std::map<std::string, std::optional<Labels>> createdLabels;  // nullopt: maybe re-created
  std::map<std::string, Labels> nsFirstSeen;
  std::map<std::string, Pod> ghosts;  // address -> last pod (maybe) deleted there

  void reset() {
    *this = History{};
    known = true;
  }

  void apply(const Cluster& next) {
    std::map<std::string, Pod> now;
    for (const auto& p : next.pods) now[podKey(p)] = p;
    for (const auto& [key, old] : live) {
      auto it = now.find(key);
      bool gone = it == now.end() || firstIpv4Of(it->second) != firstIpv4Of(old) ||
                  it->second.nodeName != old.nodeName || it->second.hostNetwork != old.hostNetwork;
      bool maybeGone = gone || servedPorts(it->second) != servedPorts(old);
      if (maybeGone && !old.hostNetwork && !firstIpv4Of(old).empty())
        ghosts[firstIpv4Of(old)] = old;
      if (gone)
        createdLabels.erase(key);
      else if (maybeGone)
        createdLabels[key] = std::nullopt;
    }
    for (const auto& [key, p] : now)
      if (!createdLabels.count(key)) createdLabels[key] = p.meta.labels;
    live = std::move(now);
    for (const auto& ns : next.namespaces) nsFirstSeen.emplace(ns.meta.name, ns.meta.labels);
  }

  // Whether running `c` from here gives the backend the same memory a fresh cluster would.
  bool reusableFor(const Case& c) const {
    if (!known) return false;
    History h = *this;
    h.apply(c.cluster);
    for (const auto& p : c.cluster.pods) {
      if (p.hostNetwork) continue;
      auto cl = h.createdLabels.find(podKey(p));
      if (cl == h.createdLabels.end() || !cl->second || *cl->second != p.meta.labels) return false;
      auto g = h.ghosts.find(firstIpv4Of(p));
      if (g != h.ghosts.end() && !sameIdentity(g->second, p)) return false;
    }
    for (const auto& ns : c.cluster.namespaces)
      if (h.nsFirstSeen.at(ns.meta.name) != ns.meta.labels) return false;
    // Pods that steps create where an earlier state's pod left a ghost of another identity.
    std::set<std::string> deletedInRun;
    Cluster state = c.cluster;
    for (const auto& s : c.meta.steps) {
      Cluster prev = state;
      if (!applyStep(state, s).empty()) return false;
      for (const auto& p : prev.pods) {
        const Pod* q = state.findPod(p.meta.namespace_, p.meta.name);
        if (!q || firstIpv4Of(*q) != firstIpv4Of(p)) deletedInRun.insert(firstIpv4Of(p));
      }
      for (const auto& p : state.pods) {
        if (prev.findPod(p.meta.namespace_, p.meta.name)) continue;
        std::string ip = firstIpv4Of(p);
        auto g = h.ghosts.find(ip);
        if (!deletedInRun.count(ip) && g != h.ghosts.end() && !sameIdentity(g->second, p))
          return false;
      }
    }
    return true;
  }
};

bool endpointExists(const Cluster& c, const Endpoint& e) {
  switch (e.kind) {
    case Endpoint::Kind::Pod:
      return c.findPod(e.namespace_, e.name) != nullptr;
    case Endpoint::Kind::Service:
      return c.findService(e.namespace_, e.name) != nullptr;
    case Endpoint::Kind::Node:
      return c.findNode(e.name) != nullptr;
    case Endpoint::Kind::External:
      for (const auto& h : c.externalHosts)
        if (parseIp(h.ip) == parseIp(e.name)) return true;
      return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

struct RunOutcome {
  bool found = false;
  Probe cell;
  size_t step = 0;
  ProbeResult::Kind observed = ProbeResult::Kind::Error;
  std::string signature;
  CaseResult result;
  std::string backendError;
};

class Minimizer {
 public:
  Minimizer(CaseRunner& runner, const Profile& profile, const MinimizeOptions& options)
      : runner_(runner), profile_(profile), o_(options), t0_(Clock::now()) {}

  MinimizeResult run(const Case& input);

 private:
  // Runs the states of `c` in order; stops at the first state with a discrepancy of the target
  // signature (any signature while the target is unknown) when `early`.
  RunOutcome runStates(const Case& c, bool forceFresh, bool early);
  bool test(const Case& candidate);
  bool mayReproduce(const Case& c) const;
  bool capped() const;
  bool ddmin(const Pass& pass);
  void report(bool accepted);

  CaseRunner& runner_;
  Profile profile_;
  MinimizeOptions o_;
  Clock::time_point t0_;
  History history_;
  std::optional<Cluster> lastApplied_;

  std::string target_;
  Probe cell_;
  ProbeResult::Kind observed_ = ProbeResult::Kind::Error;
  bool narrowed_ = false, precheck_ = false, served_ = false;
  Case current_;
  std::set<uint64_t> rejected_;
  size_t trials_ = 0, candidates_ = 0;
  std::string phase_ = "first run";
  std::string backendError_;
};

bool Minimizer::capped() const {
  if (!backendError_.empty()) return true;
  if (o_.stop && o_.stop->load()) return true;
  if (o_.maxTrials > 0 && trials_ >= o_.maxTrials) return true;
  return o_.maxSeconds > 0 && secondsSince(t0_) >= o_.maxSeconds;
}

void Minimizer::report(bool accepted) {
  if (!o_.progress) return;
  MinimizeProgress p;
  p.trials = trials_;
  p.candidates = candidates_;
  p.seconds = secondsSince(t0_);
  p.phase = phase_;
  p.accepted = accepted;
  p.size = caseSize(current_);
  o_.progress(p);
}

RunOutcome Minimizer::runStates(const Case& c, bool forceFresh, bool early) {
  RunOutcome out;
  auto t0 = Clock::now();
  out.result.name = c.meta.name;
  out.result.seed = c.meta.seed;
  out.result.tags = c.meta.tags;
  bool fresh = forceFresh || !lastApplied_ || !runner_.canReconcile(*lastApplied_, c.cluster) ||
               !history_.reusableFor(c);
  out.result.clusterReused = !fresh;
  if (fresh) history_.reset();
  Cluster state = c.cluster;
  for (size_t step = 0; step <= c.meta.steps.size(); ++step) {
    if (step > 0) {
      if (auto e = applyStep(state, c.meta.steps[step - 1]); !e.empty()) {
        out.result.backendError = fmt::format("step {} does not apply: {}", step, e);
        break;
      }
    }
    std::string err;
    out.result.states.push_back(runner_.checkState(c, state, step, fresh && step == 0, err));
    if (!err.empty()) {
      out.backendError = out.result.backendError = err;
      history_.known = false;
      lastApplied_.reset();
      break;
    }
    history_.apply(state);
    lastApplied_ = state;
    if (!out.found)
      for (const auto& cell : out.result.states.back().notable)
        if (cell.status == CellStatus::Fail && (target_.empty() || cell.signature == target_)) {
          out.found = true;
          out.cell = cell.probe;
          out.step = step;
          out.observed =
              cell.attempts.empty() ? ProbeResult::Kind::Error : cell.attempts.back().kind;
          out.signature = cell.signature;
          break;
        }
    if (out.found && early) break;
  }
  out.result.totalMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  return out;
}

// Whether the oracle allows `c` to show the target at the target cell: some state where the
// cell exists gives the target signature for the observed kind the backend showed.
bool Minimizer::mayReproduce(const Case& c) const {
  Cluster state = c.cluster;
  for (size_t step = 0; step <= c.meta.steps.size(); ++step) {
    if (step > 0 && !applyStep(state, c.meta.steps[step - 1]).empty()) return false;
    if (!endpointExists(state, cell_.from) || !endpointExists(state, cell_.target.to)) continue;
    auto v = evaluateProbe(state, cell_, profile_);
    const Step* last = step > 0 ? &c.meta.steps[step - 1] : nullptr;
    // A destination port that was served stays served (a reproduction against a closed port
    // would say little).
    if (served_ && !destinationServed(state, cell_)) continue;
    if (discrepancySignature(state, cell_, v, observed_, profile_, last) == target_) return true;
  }
  return false;
}

bool Minimizer::test(const Case& candidate) {
  if (capped()) return false;
  ++candidates_;
  uint64_t key = fnv1a64(encodeCase(candidate));
  if (rejected_.count(key)) return false;
  if (!validateCase(candidate).empty() || (precheck_ && !mayReproduce(candidate))) {
    rejected_.insert(key);
    return false;
  }
  ++trials_;
  RunOutcome r = runStates(candidate, false, true);
  if (!r.backendError.empty()) backendError_ = r.backendError;
  if (!r.found) rejected_.insert(key);
  return r.found;
}

bool Minimizer::ddmin(const Pass& pass) {
  phase_ = pass.name;
  std::vector<Path> units = pass.units(current_);
  if (units.empty()) return false;
  size_t chunk = pass.tryAllFirst ? units.size() : std::max<size_t>(1, (units.size() + 1) / 2);
  bool any = false;
  while (!capped()) {
    units = pass.units(current_);
    if (units.empty()) break;
    chunk = std::min(chunk, units.size());
    for (size_t start = 0; start < units.size() && !capped();) {
      std::vector<Path> subset(units.begin() + long(start),
                               units.begin() + long(std::min(units.size(), start + chunk)));
      std::sort(subset.rbegin(), subset.rend());  // later siblings first: earlier paths stay valid
      Case candidate = current_;
      for (const auto& u : subset) pass.remove(candidate, u);
      repairCase(candidate);
      if (encodeCase(candidate) == encodeCase(current_)) {  // nothing removed after all
        start += chunk;
        continue;
      }
      size_t before = trials_;
      bool ok = test(candidate);
      if (ok) {
        current_ = std::move(candidate);
        any = true;
        units = pass.units(current_);
      } else {
        start += chunk;
      }
      if (trials_ > before) report(ok);
    }
    if (chunk == 1) break;
    chunk = (chunk + 1) / 2;
  }
  return any;
}

MinimizeResult Minimizer::run(const Case& input) {
  MinimizeResult res;
  res.before = caseSize(input);
  res.minimized = input;
  current_ = input;
  target_ = o_.signature;

  // The first run, on a fresh cluster: find the target.
  runner_.tearDown();
  lastApplied_.reset();
  ++trials_;
  RunOutcome first = runStates(input, true, true);
  report(false);
  if (!first.backendError.empty()) {
    res.backendError = first.backendError;
    res.trials = trials_;
    res.seconds = secondsSince(t0_);
    res.after = res.before;
    return res;
  }
  res.reproduced = first.found;
  if (!first.found) {
    res.signature = target_;
    res.finalRun = first.result;
    res.trials = trials_;
    res.seconds = secondsSince(t0_);
    res.after = res.before;
    return res;
  }
  target_ = res.signature = first.signature;
  cell_ = first.cell;
  observed_ = first.observed;

  // Steps after the one that shows the target play no part.
  Case work = input;
  work.meta.steps.resize(first.step);
  {
    Cluster state = work.cluster;
    for (const auto& s : work.meta.steps) applyStep(state, s);
    served_ = destinationServed(state, cell_);
  }
  if (o_.narrowProbes) {
    work.meta.probes = ProbeSet{{ProbeBlock{{cell_.from}, {cell_.target}}}};
    narrowed_ = true;
  }
  precheck_ = narrowed_ && mayReproduce(work);
  phase_ = "baseline";
  if (work.meta.steps.size() != input.meta.steps.size() || narrowed_) {
    if (test(work)) {
      current_ = work;
    } else if (narrowed_ && backendError_.empty()) {
      // Probing the cell alone does not show it: keep every cell.
      narrowed_ = precheck_ = false;
      work.meta.probes = input.meta.probes;
      current_ = test(work) ? work : input;
    }
    report(current_.meta.steps.size() < input.meta.steps.size() || narrowed_);
  }

  const std::vector<Pass> all = passes();
  for (int round = 0; round < 4 && !capped(); ++round) {
    bool changed = false;
    for (const auto& pass : all) {
      if (capped()) break;
      changed = ddmin(pass) || changed;
    }
    if (!changed) break;
  }
  res.capped = capped() && backendError_.empty();
  res.backendError = backendError_;

  // The result, with the original probe set when it still shows the target, verified on a
  // fresh cluster.
  Case best = current_;
  best.meta.tags.clear();
  for (const auto& t : computeTags(best)) best.meta.tags.push_back(t);
  best.meta.observed.reset();
  std::vector<Case> finals;
  if (narrowed_ && o_.restoreProbes) {
    Case restored = best;
    restored.meta.probes = input.meta.probes;
    repairCase(restored);
    if (validateCase(restored).empty()) finals.push_back(restored);
  }
  finals.push_back(best);
  res.minimized = best;
  if (backendError_.empty()) {
    phase_ = "verify";
    for (const auto& f : finals) {
      runner_.tearDown();
      lastApplied_.reset();
      ++trials_;
      RunOutcome v = runStates(f, true, false);
      if (!v.backendError.empty()) {
        res.backendError = v.backendError;
        break;
      }
      if (v.found) {
        res.minimized = f;
        res.verified = true;
        res.finalRun = v.result;
        res.cell = v.cell;
        res.step = v.step;
        break;
      }
    }
  }
  runner_.tearDown();
  res.trials = trials_;
  res.candidates = candidates_;
  res.seconds = secondsSince(t0_);
  res.after = caseSize(res.minimized);
  report(false);
  return res;
}

}  // namespace

CaseSize caseSize(const Case& c) {
  CaseSize s;
  s.namespaces = c.cluster.namespaces.size();
  s.nodes = c.cluster.nodes.size();
  s.services = c.cluster.services.size();
  s.steps = c.meta.steps.size();
  s.externalHosts = c.cluster.externalHosts.size();
  std::set<std::string> pods, policies;
  for (const auto& p : c.cluster.pods) pods.insert(podKey(p));
  std::vector<const NetworkPolicy*> versions;
  for (const auto& p : c.cluster.policies) versions.push_back(&p);
  std::set<std::string> clusterPolicies;
  std::vector<const ClusterPolicy*> clusterVersions;
  for (const auto& p : c.cluster.clusterPolicies) clusterVersions.push_back(&p);
  for (const auto& st : c.meta.steps) {
    if (st.pod) pods.insert(podKey(*st.pod));
    if (st.policy) versions.push_back(&*st.policy);
    if (st.clusterPolicy) clusterVersions.push_back(&*st.clusterPolicy);
  }
  for (const auto* p : clusterVersions) {
    clusterPolicies.insert(std::string(toString(p->kind)) + "/" + p->meta.name);
    for (const auto* rules : {&p->ingress, &p->egress})
      if (*rules)
        for (const auto& r : **rules) {
          ++s.rules;
          s.peers += r.peers.size();
          if (r.ports) s.ports += r.ports->size();
        }
  }
  s.clusterPolicies = clusterPolicies.size();
  for (const auto* p : versions) {
    policies.insert(p->meta.namespace_ + "/" + p->meta.name);
    for (const auto* rules : {&p->ingress, &p->egress})
      if (*rules)
        for (const auto& r : **rules) {
          ++s.rules;
          if (r.peers) s.peers += r.peers->size();
          if (r.ports) s.ports += r.ports->size();
        }
  }
  s.pods = pods.size();
  s.policies = policies.size();
  return s;
}

std::string toString(const CaseSize& s) {
  std::vector<std::string> parts;
  auto add = [&](size_t n, const char* one, const char* many, bool always) {
    if (n > 0 || always) parts.push_back(fmt::format("{} {}", n, n == 1 ? one : many));
  };
  add(s.policies, "policy", "policies", true);
  add(s.clusterPolicies, "cluster-scoped policy", "cluster-scoped policies", false);
  add(s.pods, "pod", "pods", true);
  add(s.rules, "rule", "rules", true);
  add(s.peers, "peer", "peers", false);
  add(s.ports, "port", "ports", false);
  add(s.steps, "step", "steps", true);
  add(s.namespaces, "namespace", "namespaces", false);
  add(s.services, "Service", "Services", false);
  add(s.externalHosts, "external host", "external hosts", false);
  add(s.nodes, "node", "nodes", false);
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::vector<std::string> validateCase(const Case& c) {
  std::vector<std::string> out;
  for (const auto& p : caseProblems(c)) out.push_back(p.diagnostic.message);
  return out;
}

void repairCase(Case& c) {
  // Steps that no longer apply go, and so do later ones that built on them.
  Cluster state = c.cluster;
  std::vector<Step> kept;
  for (const auto& s : c.meta.steps)
    if (applyStep(state, s).empty()) kept.push_back(s);
  c.meta.steps = std::move(kept);

  Cluster all = everything(c);
  if (c.meta.probes) {
    auto known = [&](const Endpoint& e) {
      return e.kind == Endpoint::Kind::External ? parseIp(e.name).has_value()
                                                : endpointExists(all, e);
    };
    c.meta.probes = keepEndpoints(*c.meta.probes, known);
  }

  // ipBlock sources: a gone source is replaced by another object with the same prefix around
  // an address in the same block (the cidr stays as written), else the line goes.
  for (NetworkPolicy* p : policiesOf(c)) {
    auto sources = ipBlockSources(*p);
    if (sources.empty()) continue;
    std::vector<IpBlockSource> kept;
    for (auto s : sources) {
      IPBlock* block = nullptr;
      {
        auto& rules = s.direction == PolicyType::Ingress ? p->ingress : p->egress;
        if (rules && s.rule < rules->size() && (*rules)[s.rule].peers &&
            s.peer < (*rules)[s.rule].peers->size())
          if (auto& b = (*(*rules)[s.rule].peers)[s.peer].ipBlock) block = &*b;
      }
      if (!block || (s.except && *s.except >= block->except.size())) continue;
      const std::string& text = s.except ? block->except[*s.except] : block->cidr;
      auto cidr = parseCidr(text);
      if (!cidr) continue;
      bool v6 = cidr->base.family == IpFamily::V6;
      if (sourceAddress(all, s.source, v6)) {
        kept.push_back(s);
        continue;
      }
      std::vector<std::string> candidates;
      for (const auto& pod : all.pods)
        if (!pod.hostNetwork) candidates.push_back("pod:" + podKey(pod));
      for (const auto& n : all.nodes) candidates.push_back("node:" + n.meta.name);
      for (const auto& h : all.externalHosts) candidates.push_back("ip:" + h.name);
      for (const auto& cand : candidates) {
        auto addr = sourceAddress(all, cand, v6);
        auto around = addr ? parseCidr(*addr + "/" + std::to_string(s.prefix)) : std::nullopt;
        if (around && *around == *cidr) {
          s.source = cand;
          kept.push_back(s);
          break;
        }
      }
    }
    setIpBlockSources(*p, kept);
  }
}

MinimizeResult minimizeCase(CaseRunner& runner, const Profile& profile, const Case& c,
                            const MinimizeOptions& options) {
  Minimizer m(runner, profile, options);
  return m.run(c);
}

}  // namespace npf::runner
