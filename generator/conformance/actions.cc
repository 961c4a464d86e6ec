// The actions family: cases whose steps change the cluster after the initial state (create,
// update and delete policies; relabel pods and namespaces into and out of selectors; create,
// delete and recreate pods, and reuse a deleted pod's IP). It covers Cyclonus's action cases
// and the errors that only show over time, such as stale state after a change.
#include <string>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

namespace {

NetworkPolicy basePolicy() {
  return policy("x", "base", podIs("a"), Rules{typicalRule()},
                Rules{typicalRule(), rule(kAnyPeer, std::vector{udp(53)})});
}

}  // namespace

void actions(Suite& s) {
  const ConformanceClusterOptions o;
  s.add("actions/create-then-delete-policy", {"source:cyclonus"}, base(),
        {createPolicy(basePolicy()), deletePolicy("x", "base")});
  {
    NetworkPolicy updated = basePolicy();
    (*updated.ingress)[0].ports = std::vector{named("serve-81-udp", Protocol::UDP)};
    s.add("actions/create-then-update-policy", {"source:cyclonus"}, base(),
          {createPolicy(basePolicy()), updatePolicy(updated)});
  }
  s.add("actions/update-policy-changes-direction", {},
        with(base(), {ingressPolicy("x", "deny", podIs("a"), {})}),
        {updatePolicy(egressPolicy("x", "deny", podIs("a"), {}))});
  s.add("actions/update-policy-peers-to-ip-block", {},
        with(base(),
             {ingressPolicy("x", "allow", podIs("a"), {rule(std::vector{pods(podIs("b"))})})}),
        {updatePolicy(
            ingressPolicy("x", "allow", podIs("a"), {rule(std::vector{ipBlock("10.0.3.0/24")})}))});
  s.add("actions/relabel-namespace-into-and-out-of-peer-selector", {"source:cyclonus"},
        with(base(), {ingressPolicy("x", "allow-new-ns", podIs("a"),
                                    {rule(std::vector{namespaces(match({{"new-ns", "qrs"}}))})})}),
        {relabelNamespace("y", {{"ns", "y"}, {"new-ns", "qrs"}}),
         relabelNamespace("y", {{"ns", "y"}})});
  s.add("actions/relabel-pod-into-and-out-of-peer-selector", {"source:cyclonus"},
        with(base(),
             {ingressPolicy("x", "allow-new-label", podIs("a"),
                            {rule(std::vector{podsIn(match({{"new-label", "abc"}}),
                                                     expr("ns", SelectorOp::In, {"y", "z"}))})})}),
        {relabelPod("y", "b", {{"pod", "b"}, {"new-label", "abc"}}),
         relabelPod("y", "b", {{"pod", "b"}})});
  s.add("actions/relabel-pod-into-and-out-of-target-selector", {},
        with(base(), {policy("x", "isolate", match({{"target", "isolated"}}), Rules{}, Rules{})}),
        {relabelPod("x", "a", {{"pod", "a"}, {"target", "isolated"}}),
         relabelPod("x", "a", {{"pod", "a"}})});
  s.add("actions/relabel-namespace-into-and-out-of-combined-selector", {},
        with(base(),
             {egressPolicy("x", "allow-team-blue", podIs("a"),
                           {rule(std::vector{podsIn(podIs("b"), match({{"team", "blue"}}))})})}),
        {relabelNamespace("z", {{"ns", "z"}, {"team", "blue"}}),
         relabelNamespace("z", {{"ns", "z"}})});
  s.add("actions/relabel-pod-out-of-egress-peer", {},
        with(base(), {egressPolicy("x", "allow-to-b", all(),
                                   {rule(std::vector{podsIn(podIs("b"), all())})})}),
        {relabelPod("z", "b", {{"pod", "b-moved"}})});
  s.add("actions/create-then-delete-pod", {"source:cyclonus"},
        with(base(),
             {ingressPolicy("x", "allow-from-a", all(), {rule(std::vector{pods(podIs("a"))})})}),
        {createPod(makePod("x", "d", o)), deletePod("x", "d")});
  s.add("actions/create-pod-matching-peer-selector", {},
        with(base(), {ingressPolicy("x", "allow-from-d", podIs("a"),
                                    {rule(std::vector{podsIn(podIs("d"), all())})})}),
        {createPod(makePod("y", "d", o)), deletePod("y", "d")});
  s.add("actions/delete-and-recreate-isolated-pod", {},
        with(base(), {policy("x", "deny-all", podIs("a"), Rules{}, Rules{})}),
        {deletePod("x", "a"), createPod(makePod("x", "a", o))});
  {
    // y/b's address goes to a new pod y/d that no policy allows.
    Pod reuse = makePod("y", "d", o);
    reuse.podIP = ip4("y", "b");
    reuse.podIPs = {reuse.podIP};
    reuse.nodeName = "node-2";
    s.add("actions/delete-pod-then-reuse-its-ip", {},
          with(base(), {ingressPolicy("x", "allow-y-b", podIs("a"),
                                      {rule(std::vector{podsIn(podIs("b"), nsIs("y"))})}),
                        egressPolicy("z", "allow-to-y-b", podIs("a"),
                                     {rule(std::vector{podsIn(podIs("b"), nsIs("y"))})})}),
          {deletePod("y", "b"), createPod(reuse)});
    s.add("actions/reuse-ip-for-pod-with-allowed-labels", {},
          with(base(), {ingressPolicy("x", "allow-y-d", podIs("a"),
                                      {rule(std::vector{podsIn(podIs("d"), nsIs("y"))})})}),
          {deletePod("y", "b"), createPod(reuse)});
  }
  s.add("actions/delete-ingress-policy-keeps-egress-open", {},
        with(base(), {ingressPolicy("x", "deny-ingress", podIs("a"), {})}),
        {deletePolicy("x", "deny-ingress")});
  s.add("actions/delete-all-policies", {},
        with(base(), {policy("x", "deny-all", all(), Rules{}, Rules{}),
                      ingressPolicy("y", "deny-ingress", all(), {})}),
        {deletePolicy("x", "deny-all"), deletePolicy("y", "deny-ingress")});
  s.add("actions/create-second-policy-then-delete-first", {},
        with(base(),
             {ingressPolicy("x", "allow-81", podIs("a"),
                            {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(81)})})}),
        {createPolicy(
             ingressPolicy("x", "allow-80", podIs("a"),
                           {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(80)})})),
         deletePolicy("x", "allow-81")});
}

}  // namespace npf::conformance
