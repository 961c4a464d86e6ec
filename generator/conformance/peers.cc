// The peers family (after Cyclonus): a rule with no peers and with an empty peer list, every
// single peer (the pod/namespace selector combinations, matchExpressions, ipBlocks with and
// without except, nodes), and every pair of Cyclonus's pairable peers in one rule. Pairs check
// that peers of a rule are ORed, e.g. that an ipBlock except does not deny what another peer
// allows.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

namespace {

struct NamedPeer {
  std::string slug;
  NetworkPolicyPeer peer;
  std::vector<std::string> tags;
};

// Cyclonus's peer set: the 8 pod/namespace selector combinations and 2 ipBlocks (these are
// also paired). ns y and pod b make the excepted address (y/b) reachable through another peer.
std::vector<NamedPeer> pairablePeers() {
  return {
      {"pod-selector-empty", pods(all()), {"peer:all-pods", "peer:policy-namespace"}},
      {"pod-selector-match-labels",
       pods(podIs("b")),
       {"peer:pods-by-label", "peer:policy-namespace"}},
      {"namespace-selector-empty", namespaces(all()), {"peer:all-pods", "peer:all-namespaces"}},
      {"namespace-selector-match-labels",
       namespaces(nsIs("y")),
       {"peer:all-pods", "peer:namespaces-by-label"}},
      {"pod-empty-and-namespace-empty",
       podsIn(all(), all()),
       {"peer:all-pods", "peer:all-namespaces"}},
      {"pod-match-labels-and-namespace-empty",
       podsIn(podIs("b"), all()),
       {"peer:pods-by-label", "peer:all-namespaces"}},
      {"pod-empty-and-namespace-match-labels",
       podsIn(all(), nsIs("y")),
       {"peer:all-pods", "peer:namespaces-by-label"}},
      {"pod-and-namespace-match-labels",
       podsIn(podIs("b"), nsIs("y")),
       {"peer:pods-by-label", "peer:namespaces-by-label"}},
      {"ip-block", ipBlock("10.0.2.0/24"), {"peer:ip-block-no-except"}},
      {"ip-block-except", ipBlock("10.0.2.0/24", {"10.0.2.2/32"}), {"peer:ip-block-with-except"}},
  };
}

// Further single peers: expressions, selectors on an absent key, nodes, everything.
std::vector<NamedPeer> extraPeers() {
  return {
      {"pod-selector-match-expressions",
       pods(expr("pod", SelectorOp::In, {"b", "c"})),
       {"peer:pods-by-expression"}},
      {"pod-selector-does-not-exist-all-namespaces",
       podsIn(expr("pod", SelectorOp::DoesNotExist), all()),
       {"peer:pods-by-expression", "peer:all-namespaces"}},
      {"namespace-selector-match-expressions-not-in",
       namespaces(expr("ns", SelectorOp::NotIn, {"x"})),
       {"peer:namespaces-by-expression"}},
      {"namespace-selector-match-expressions-not-in-multi",
       namespaces(expr("ns", SelectorOp::NotIn, {"x", "y"})),
       {"peer:namespaces-by-expression"}},
      {"namespace-selector-match-expressions-exists",
       namespaces(expr("ns", SelectorOp::Exists)),
       {"peer:namespaces-by-expression"}},
      {"pod-and-namespace-match-expressions",
       podsIn(expr("pod", SelectorOp::In, {"a", "b"}), expr("ns", SelectorOp::In, {"y", "z"})),
       {"peer:pods-by-expression", "peer:namespaces-by-expression"}},
      // Selectors on a key that no object has: NotIn matches every object without the key
      // (apimachinery labels.Requirement.Matches), matchLabels with an empty value matches
      // only objects that have the key with that empty value.
      {"namespace-selector-not-in-absent-key",
       namespaces(expr("team", SelectorOp::NotIn, {"red"})),
       {"peer:namespaces-by-expression", "selector:absent-key"}},
      {"pod-selector-not-in-absent-key",
       pods(expr("app", SelectorOp::NotIn, {"web"})),
       {"peer:pods-by-expression", "selector:absent-key"}},
      {"pod-selector-match-labels-empty-value-absent-key",
       pods(match({{"app", ""}})),
       {"peer:pods-by-label", "selector:absent-key"}},
      {"ip-block-all-addresses", ipBlock("0.0.0.0/0"), {"peer:ip-block-no-except"}},
      {"ip-block-nodes", ipBlock("172.18.0.0/24"), {"peer:ip-block-no-except", "peer:nodes"}},
  };
}

}  // namespace

void peersFamily(Suite& s) {
  for (Dir d : kDirs) {
    std::string dn = dirName(d);
    s.add(fmt::format("peers/{}/none/absent", dn), {dirTag(d), "peer:any"},
          with(base(), {dirPolicy(d, "x", "peers", podIs("a"), {rule(kAnyPeer)})}));
    s.add(fmt::format("peers/{}/none/empty-list", dn), {dirTag(d), "peer:any"},
          with(base(),
               {dirPolicy(d, "x", "peers", podIs("a"), {rule(std::vector<NetworkPolicyPeer>{})})}));
  }
  std::vector<NamedPeer> singles = pairablePeers();
  for (auto& p : extraPeers()) singles.push_back(p);
  for (Dir d : kDirs)
    for (const auto& p : singles) {
      std::vector<std::string> tags = p.tags;
      tags.push_back(dirTag(d));
      tags.push_back("peers:single");
      s.add(fmt::format("peers/{}/single/{}", dirName(d), p.slug), tags,
            with(base(), {dirPolicy(d, "x", "peers", podIs("a"), {rule(std::vector{p.peer})})}));
    }
  const auto pairable = pairablePeers();
  for (Dir d : kDirs)
    for (size_t i = 0; i < pairable.size(); ++i)
      for (size_t j = i + 1; j < pairable.size(); ++j) {
        std::vector<std::string> tags = pairable[i].tags;
        tags.insert(tags.end(), pairable[j].tags.begin(), pairable[j].tags.end());
        tags.push_back(dirTag(d));
        tags.push_back("peers:multi");
        s.add(fmt::format("peers/{}/pair/{}+{}", dirName(d), pairable[i].slug, pairable[j].slug),
              tags,
              with(base(), {dirPolicy(d, "x", "peers", podIs("a"),
                                      {rule(std::vector{pairable[i].peer, pairable[j].peer})})}));
      }
}

}  // namespace npf::conformance
