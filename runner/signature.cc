#include "runner/signature.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "generator/features.h"
#include "oracle/reference.h"

namespace npf::runner {
namespace {

// The policies the oracle names in "... is isolated for DIR by ns/a, ns/b".
std::vector<std::string> isolatingPolicies(const std::vector<std::string>& lines,
                                           const std::string& dir) {
  const std::string marker = "is isolated for " + dir + " by ";
  std::vector<std::string> out;
  for (const auto& l : lines) {
    auto at = l.find(marker);
    if (at == std::string::npos) continue;
    std::stringstream names(l.substr(at + marker.size()));
    std::string n;
    while (std::getline(names, n, ',')) {
      while (!n.empty() && n.front() == ' ') n.erase(n.begin());
      if (!n.empty()) out.push_back(n);
    }
  }
  return out;
}

// "allowed by NS/NAME DIR rule R, peer P (...), port Q (...)" of the oracle's explanation.
struct AllowingRule {
  std::string policy;
  size_t rule = 0;
  std::optional<size_t> peer, port;  // nullopt: every peer / every port
};

std::optional<AllowingRule> allowingRule(const std::vector<std::string>& lines) {
  static const std::regex head(R"(allowed by (\S+) (?:ingress|egress) rule (\d+), )");
  static const std::regex peer(R"(^peer (\d+) )");
  static const std::regex port(R"(, port (\d+) \([^()]*\)$)");
  for (const auto& l : lines) {
    std::smatch m;
    if (!std::regex_search(l, m, head)) continue;
    AllowingRule a;
    a.policy = m[1];
    a.rule = std::stoul(m[2]);
    std::string rest = m.suffix();
    if (std::regex_search(rest, m, peer)) a.peer = std::stoul(m[1]);
    if (std::regex_search(rest, m, port)) a.port = std::stoul(m[1]);
    return a;
  }
  return std::nullopt;
}

// What the cluster-scoped tiers of one direction did, from the oracle's explanation lines
// "admin tier: decided by KIND NAME (...) DIR rule R ['name']: ACTION (...)" and
// "admin tier: no rule matches in ...".
struct TierOutcome {
  std::string tier;    // "admin tier", "baseline tier"
  std::string action;  // Allow/Accept, Deny, Pass; "tie" for equal priorities; "no match"
  std::string kind, name;
  size_t rule = 0;
};

std::vector<TierOutcome> tierOutcomes(const std::vector<std::string>& lines) {
  // "KIND NAME [(TIER tier, priority N)] DIR rule R ['NAME']: ACTION"; a BANP has no priority.
  static const std::regex rule(
      R"((\w+) (\S+)(?: \([^)]*\))? (?:ingress|egress) rule (\d+)(?: '[^']*')?: (\w+))");
  std::vector<TierOutcome> out;
  for (const auto& l : lines)
    for (const char* tier : {"admin tier", "baseline tier"}) {
      const std::string t = tier;
      std::smatch m;
      // Decided, or decided among equal priorities by name under cluster-policy-ties=name.
      for (const std::string& head :
           {t + ": decided by ", t + ": equal priorities, the first by name under profile "
                                     "cluster-policy-ties=name: "})
        if (l.rfind(head, 0) == 0) {
          const std::string rest = l.substr(head.size());
          if (std::regex_search(rest, m, rule) && m.position(0) == 0)
            out.push_back({t, m[4], m[1], m[2], std::stoul(m[3])});
        }
      if (l.rfind(t + ": equal priorities, any may apply", 0) == 0)
        out.push_back({t, "tie", "", "", 0});
      if (l.rfind(t + ": no rule matches", 0) == 0) out.push_back({t, "no match", "", "", 0});
    }
  // A tier that decided also names the policies it looked at first; those are not part of it.
  std::erase_if(out, [&](const TierOutcome& t) {
    return t.action == "no match" && std::any_of(out.begin(), out.end(), [&](const TierOutcome& o) {
             return o.tier == t.tier && o.action != "no match";
           });
  });
  return out;
}

// Feature tags that describe how a policy is written (not which objects it names).
bool policyFeature(const std::string& tag) {
  for (const char* prefix : {"peer:", "peers:", "port:", "operator:", "ingress:", "egress:",
                             "label:", "cluster:", "cluster-"})
    if (tag.rfind(prefix, 0) == 0) return true;
  // Bug classes the involved rules are exposed to. IPV6 and LOOPBACK describe the cluster;
  // EGRESS_DIRECTION and REPLY_TRAFFIC only restate the direction (the involved policies are
  // narrowed to one direction, so REPLY_TRAFFIC would always be there).
  for (const char* noise : {"IPV6", "LOOPBACK", "EGRESS_DIRECTION", "REPLY_TRAFFIC"})
    if (tag == noise) return false;
  return !tag.empty() && std::isupper(static_cast<unsigned char>(tag[0]));
}

}  // namespace

std::string discrepancySignature(const Cluster& state, const Probe& probe,
                                 std::optional<Verdict> expected, ProbeResult::Kind observed,
                                 const Profile& profile, const Step* lastStep) {
  Explanation why;
  evaluateProbe(state, probe, profile, &why);
  std::vector<std::string> parts;
  parts.push_back(fmt::format("expected {}, observed {}", expected ? toString(*expected) : "skip",
                              toString(observed)));

  auto egress = isolatingPolicies(why.egress, "egress");
  auto ingress = isolatingPolicies(why.ingress, "ingress");
  parts.push_back(!egress.empty() && !ingress.empty() ? "egress+ingress"
                  : !egress.empty()                   ? "egress"
                  : !ingress.empty()                  ? "ingress"
                                                      : "no isolation");
  if (lastStep) parts.push_back(std::string("after ") + toString(lastStep->action));

  const Endpoint& from = probe.from;
  const Endpoint& to = probe.target.to;
  if (from.kind == Endpoint::Kind::Node) parts.push_back("from node");
  if (from.kind == Endpoint::Kind::External) parts.push_back("from external");
  if (to.kind == Endpoint::Kind::Service) parts.push_back("to service");
  if (to.kind == Endpoint::Kind::External) parts.push_back("to external");
  if (to.kind == Endpoint::Kind::Node) parts.push_back("to node");
  if (from.kind == Endpoint::Kind::Pod &&
      (to.kind == Endpoint::Kind::Pod || to.kind == Endpoint::Kind::Service)) {
    if (from.namespace_ != to.namespace_)
      parts.push_back("cross-namespace");
    else if (from.name == to.name && to.kind == Endpoint::Kind::Pod)
      parts.push_back("loopback");
  }
  if (const Pod* p =
          from.kind == Endpoint::Kind::Pod ? state.findPod(from.namespace_, from.name) : nullptr;
      p && p->hostNetwork)
    parts.push_back("from host-network pod");
  if (probe.target.protocol != Protocol::TCP)
    parts.push_back(fmt::format("{}", toString(probe.target.protocol)));

  // Features of the involved policies, computed from a case holding only what is involved:
  // the rule, peer and port that allow the cell when one does, else the isolating policies'
  // rules of the isolated direction.
  Case involved;
  involved.cluster = state;
  involved.cluster.policies.clear();
  involved.cluster.clusterPolicies.clear();
  // The tiers that decided (or passed) each direction, and the deciding rule alone. That a tier
  // matched nothing only counts when nothing decided the cell anywhere (the cell fell through to
  // the default): then the policies that select the pods are what the bug is about; otherwise
  // they would keep unrelated policies in a minimized case.
  std::vector<TierOutcome> outcomes[2] = {tierOutcomes(why.egress), tierOutcomes(why.ingress)};
  bool decided = !egress.empty() || !ingress.empty();
  for (const auto& list : outcomes)
    for (const auto& t : list) decided = decided || t.action != "no match";
  for (bool egressDir : {true, false})
    for (const auto& t : outcomes[egressDir ? 0 : 1]) {
      if (decided && t.action == "no match") continue;
      parts.push_back(fmt::format("{} {} {}", egressDir ? "egress" : "ingress", t.tier, t.action));
      if (t.kind.empty()) continue;
      for (const auto& cp : state.clusterPolicies) {
        if (toString(cp.kind) != t.kind || cp.meta.name != t.name) continue;
        ClusterPolicy narrowed = cp;
        auto& keep = egressDir ? narrowed.egress : narrowed.ingress;
        (egressDir ? narrowed.ingress : narrowed.egress).reset();
        if (keep && t.rule < keep->size()) keep = std::vector<ClusterPolicyRule>{(*keep)[t.rule]};
        involved.cluster.clusterPolicies.push_back(narrowed);
      }
    }
  for (const auto& [lines, dir, names] :
       {std::tuple{&why.egress, PolicyType::Egress, &egress},
        std::tuple{&why.ingress, PolicyType::Ingress, &ingress}}) {
    std::set<std::string> isolating(names->begin(), names->end());
    std::optional<AllowingRule> allowing = allowingRule(*lines);
    for (const auto& pol : state.policies) {
      std::string name = pol.meta.namespace_ + "/" + pol.meta.name;
      if (!isolating.count(name) || (allowing && allowing->policy != name)) continue;
      NetworkPolicy narrowed = pol;
      auto& keep = dir == PolicyType::Egress ? narrowed.egress : narrowed.ingress;
      (dir == PolicyType::Egress ? narrowed.ingress : narrowed.egress).reset();
      narrowed.policyTypes = std::vector<PolicyType>{dir};
      if (allowing && keep && allowing->rule < keep->size()) {
        NetworkPolicyRule r = (*keep)[allowing->rule];
        if (allowing->peer && r.peers && *allowing->peer < r.peers->size())
          r.peers = std::vector<NetworkPolicyPeer>{(*r.peers)[*allowing->peer]};
        if (allowing->port && r.ports && *allowing->port < r.ports->size())
          r.ports = std::vector<NetworkPolicyPort>{(*r.ports)[*allowing->port]};
        keep = std::vector<NetworkPolicyRule>{r};
      }
      involved.cluster.policies.push_back(narrowed);
    }
  }
  if (!involved.cluster.policies.empty() || !involved.cluster.clusterPolicies.empty())
    for (const auto& tag : computeTags(involved))
      if (policyFeature(tag)) parts.push_back(tag);

  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " · ") + p;
  return out;
}

}  // namespace npf::runner
