// The upstream-e2e family: the scenarios of kubernetes test/e2e/network/netpol/network_policy.go,
// under upstream's policy names, on the same 3x3 cluster. They are what a conformant
// implementation is already tested against, so they anchor the suite to upstream's own
// expectations.
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

void upstream(Suite& s) {
  auto add = [&](const std::string& slug, std::vector<NetworkPolicy> ps,
                 std::vector<Step> steps = {}, const ConformanceClusterOptions& o = {}) {
    s.add("upstream-e2e/" + slug, {"source:upstream-e2e"}, with(base(o), std::move(ps)),
          std::move(steps));
  };
  const Rules denyAll{};
  add("default-deny-ingress", {ingressPolicy("x", "deny-ingress", all(), denyAll)});
  add("default-deny-all", {policy("x", "deny-all", all(), denyAll, denyAll)});
  add("allow-from-pods-in-server-namespace-by-pod-selector",
      {ingressPolicy("x", "x-a-allows-x-b", podIs("a"), {rule(std::vector{pods(podIs("b"))})})});
  add("allow-ingress-for-a-target", {ingressPolicy("x", "deny-all", all(), denyAll),
                                     ingressPolicy("x", "allow-all-to-a", podIs("a"),
                                                   {rule(std::vector{podsIn(all(), all())})})});
  add("allow-ingress-from-all-namespaces", {ingressPolicy("x", "allow-from-another-ns", podIs("a"),
                                                          {rule(std::vector{namespaces(all())})})});
  add("allow-from-other-namespace-by-namespace-selector",
      {ingressPolicy("x", "allow-client-a-via-ns-selector", podIs("a"),
                     {rule(std::vector{namespaces(nsIs("y"))})})});
  add("pod-selector-match-expressions",
      {ingressPolicy("x", "x-a-allows-x-b", podIs("a"),
                     {rule(std::vector{pods(expr("pod", SelectorOp::In, {"b"}))})})});
  add("namespace-selector-match-expressions",
      {ingressPolicy("x", "allow-ns-y-match-selector", podIs("a"),
                     {rule(std::vector{namespaces(expr(kNameLabel, SelectorOp::In, {"y"}))})})});
  add("pod-selector-or-namespace-selector",
      {ingressPolicy("x", "allow-ns-y-match-selector", podIs("a"),
                     {rule(std::vector{namespaces(expr(kNameLabel, SelectorOp::NotIn, {"x"})),
                                       pods(podIs("b"))})})});
  add("pod-selector-and-namespace-selector",
      {ingressPolicy(
          "x", "allow-ns-y-podselector-and-nsselector", podIs("a"),
          {rule(std::vector{podsIn(podIs("b"), expr(kNameLabel, SelectorOp::NotIn, {"x"}))})})});
  add("multiple-pod-selectors-and-namespace-selectors",
      {ingressPolicy("x", "allow-ns-y-z-pod-b-c", podIs("a"),
                     {rule(std::vector{podsIn(expr("pod", SelectorOp::In, {"b", "c"}),
                                              expr(kNameLabel, SelectorOp::NotIn, {"x"}))})})});
  add("any-pod-selectors",
      {ingressPolicy("x", "allow-ns-x-pod-b-c", podIs("a"),
                     {rule(std::vector{pods(podIs("b")), pods(podIs("c"))})})});
  add("allow-pod-in-other-namespace-by-pod-and-namespace-selector",
      {ingressPolicy("x", "allow-ns-y-pod-a-via-namespace-pod-selector", podIs("a"),
                     {rule(std::vector{podsIn(podIs("a"), nsNamed("y"))})})});
  const NetworkPolicy allow81 =
      ingressPolicy("x", "allow-client-a-via-ns-selector", podIs("a"),
                    {rule(std::vector{namespaces(nsNamed("y"))}, std::vector{tcp(81)})});
  add("ports", {allow81});
  add("stacked-policies-overlapping-pod-selectors", {allow81},
      {createPolicy(
          ingressPolicy("x", "allow-client-a-via-ns-selector-80", podIs("a"),
                        {rule(std::vector{namespaces(nsNamed("y"))}, std::vector{tcp(80)})}))});
  add("allow-all", {ingressPolicy("x", "allow-all", all(), {allowAll()})});
  add("named-port-ingress", {ingressPolicy("x", "allow-all", all(),
                                           {rule(kAnyPeer, std::vector{named("serve-81-tcp")})})});
  add("named-port-ingress-from-namespace",
      {ingressPolicy("x", "allow-client-a-via-ns-selector-80", podIs("a"),
                     {rule(std::vector{namespaces(nsNamed("y"))},
                           std::vector{named("serve-80-tcp", Protocol::TCP)})})});
  add("named-port-egress", {egressPolicy("x", "allow-egress", all(),
                                         {rule(kAnyPeer, std::vector{named("serve-80-tcp")})})});
  add("updated-policy", {ingressPolicy("x", "allow-all-mutate-to-deny-all", all(), {allowAll()})},
      {updatePolicy(ingressPolicy("x", "allow-all-mutate-to-deny-all", all(), denyAll))});
  add("ingress-from-updated-namespace",
      {ingressPolicy("x", "allow-client-a-via-ns-selector", podIs("a"),
                     {rule(std::vector{namespaces(match({{"ns2", "updated"}}))})})},
      {relabelNamespace("y", {{"ns", "y"}, {"ns2", "updated"}})});
  add("ingress-from-updated-pod",
      {ingressPolicy("x", "allow-client-a-via-pod-selector", podIs("a"),
                     {rule(std::vector{pods(match({{"pod", "b"}, {"pod2", "updated"}}))})})},
      {relabelPod("x", "b", {{"pod", "b"}, {"pod2", "updated"}})});
  add("deny-ingress-from-other-namespaces",
      {ingressPolicy("x", "deny-empty-policy", all(), {rule(std::vector{pods(all())})})});
  add("deny-ingress-to-updated-pod",
      {ingressPolicy("x", "deny-ingress-via-label-selector", match({{"target", "isolated"}}),
                     denyAll)},
      {relabelPod("x", "a", {{"pod", "a"}, {"target", "isolated"}})});
  add("deny-egress-by-pod-selector", {egressPolicy("x", "deny-egress-pod-a", podIs("a"), denyAll)});
  add("deny-egress-from-namespace", {egressPolicy("x", "deny-egress-ns-x", all(), denyAll)});
  add("ingress-and-egress-together", {policy("x", "allow-client-a-via-pod-selector", podIs("a"),
                                             Rules{rule(std::vector{pods(podIs("b"))})},
                                             Rules{rule(kAnyPeer, std::vector{num(80)})})});
  add("deny-egress-on-client-even-if-server-allows",
      {egressPolicy("x", "allow-to-ns-y-pod-a", podIs("a"),
                    {rule(std::vector{podsIn(podIs("a"), nsNamed("y"))})}),
       ingressPolicy("y", "allow-from-xa-on-ya-match-selector", podIs("a"),
                     {rule(std::vector{podsIn(podIs("a"), nsNamed("x"))})}),
       ingressPolicy("y", "allow-from-xa-on-yb-match-selector", podIs("b"),
                     {rule(std::vector{podsIn(podIs("a"), nsNamed("x"))})})});
  add("egress-to-pod-in-other-namespace-by-pod-and-namespace-selector",
      {egressPolicy("x", "allow-to-ns-y-pod-a", podIs("a"),
                    {rule(std::vector{podsIn(podIs("a"), nsNamed("y"))})})});
  add("ingress-any-port-of-protocol",
      {ingressPolicy("x", "allow-ingress-by-proto", podIs("a"),
                     {rule(kAnyPeer, std::vector{protocolOnly(Protocol::TCP)})})});
  add("multiple-ingress-policies-allow-all-wins",
      {ingressPolicy("x", "allow-ingress-port-80", all(), {rule(kAnyPeer, std::vector{num(80)})})},
      {createPolicy(ingressPolicy("x", "allow-ingress", all(), {allowAll()}))});
  add("multiple-egress-policies-allow-all-wins",
      {egressPolicy("x", "allow-egress-port-80", all(), {rule(kAnyPeer, std::vector{num(80)})})},
      {createPolicy(egressPolicy("x", "allow-egress", all(), {allowAll()}))});
  add("stop-enforcing-after-delete", {policy("x", "deny-all", all(), denyAll, denyAll)},
      {deletePolicy("x", "deny-all")});
  add("egress-to-server-in-cidr",
      {egressPolicy("x", "allow-client-a-via-cidr-egress-rule", podIs("a"),
                    {rule(std::vector{ipBlock("10.0.2.2/32")})})});
  const NetworkPolicy exceptPolicy =
      egressPolicy("x", "allow-client-a-via-cidr-egress-rule", podIs("a"),
                   {rule(std::vector{ipBlock("0.0.0.0/4", {"10.0.1.2/32"})})});
  add("egress-cidr-except", {exceptPolicy});
  add("ip-in-cidr-and-except-allowed-after-update", {exceptPolicy},
      {updatePolicy(egressPolicy("x", "allow-client-a-via-cidr-egress-rule", podIs("a"),
                                 {rule(std::vector{ipBlock("10.0.1.2/32")})}))});
  add("ingress-and-egress-policies-independent",
      {egressPolicy("x", "allow-egress-for-target", podIs("a"), {allowAll()})},
      {createPolicy(ingressPolicy("x", "deny-ingress-via-label-selector", podIs("a"), denyAll))});
  add("sctp-not-treated-as-tcp",
      {ingressPolicy("x", "deny-ingress", all(), denyAll),
       ingressPolicy("x", "allow-only-sctp-ingress-on-port-81", podIs("a"),
                     {rule(kAnyPeer, std::vector{sctp(81)})})},
      {}, withSctp());
  add("isolate-pods-selected-by-sctp-policy",
      {ingressPolicy("x", "allow-only-sctp-ingress-on-port-80", podIs("a"),
                     {rule(kAnyPeer, std::vector{sctp(80)})})},
      {}, withSctp());
  add("udp-only-does-not-allow-tcp",
      {ingressPolicy("x", "allow-only-udp-ingress-on-port-81", podIs("a"),
                     {rule(kAnyPeer, std::vector{udp(81)})})});
  add("namespace-selector-default-label-match-labels",
      {ingressPolicy("x", "allow-client-a-via-ns-selector-for-immutable-ns-label", podIs("a"),
                     {rule(std::vector{namespaces(nsNamed("y"))})})});
  add("namespace-selector-default-label-match-expressions",
      {egressPolicy("x", "allow-ns-y-match-selector-for-immutable-ns-label", podIs("a"),
                    {rule(std::vector{namespaces(expr(kNameLabel, SelectorOp::NotIn, {"y"}))})})});
  add("udp-ports",
      {ingressPolicy("x", "allow-ingress-on-port-81-ns-x", podIs("a"),
                     {rule(std::vector{namespaces(nsNamed("y"))}, std::vector{udp(81)})})});
  add("sctp-default-deny-ingress", {ingressPolicy("x", "deny-all", all(), denyAll)}, {},
      withSctp());
  add("sctp-ports",
      {ingressPolicy("x", "allow-ingress-on-port-81-ns-x", podIs("a"),
                     {rule(std::vector{namespaces(nsNamed("y"))}, std::vector{sctp(81)})})},
      {}, withSctp());
  add("sctp-pod-in-other-namespace-by-pod-and-namespace-selector",
      {ingressPolicy("x", "allow-ns-y-pod-a-via-namespace-pod-selector", podIs("a"),
                     {rule(std::vector{podsIn(podIs("a"), nsNamed("y"))})})},
      {}, withSctp());
}

}  // namespace npf::conformance
