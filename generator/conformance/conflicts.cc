// The conflicts family (after Cyclonus): several policies on one connection, deny-all against
// allow-all by rule, by pods and by IPs, across and within directions, and an ipBlock except
// against another policy's allow. It checks that policies only ever add to each other and
// that both ends must allow a connection.
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

void conflicts(Suite& s) {
  // Cyclonus: source x/b, destination y/c; deny-all vs allow-all by rule, by pods, by IPs.
  const LabelSelector src = podIs("b"), dst = podIs("c");
  auto denyAll = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(d, ns, name, std::move(t), {});
  };
  auto allowAllP = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(d, ns, name, std::move(t), {allowAll()});
  };
  auto byPod = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(d, ns, name, std::move(t), {rule(std::vector{namespaces(all())})});
  };
  auto byIp = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(d, ns, name, std::move(t), {rule(std::vector{ipBlock("0.0.0.0/0")})});
  };
  auto denyByIp = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(d, ns, name, std::move(t), {rule(std::vector{ipBlock("0.0.0.0/31")})});
  };
  auto denyByPod = [](Dir d, const std::string& ns, const std::string& name, LabelSelector t) {
    return dirPolicy(
        d, ns, name, std::move(t),
        {rule(std::vector{namespaces(match({{"this-will-never-happen", "qrs123"}}))})});
  };
  const Dir I = Dir::Ingress, E = Dir::Egress;
  auto add = [&](const std::string& slug, std::vector<NetworkPolicy> ps) {
    s.add("conflicts/" + slug, {"conflict", "source:cyclonus"}, with(base(), std::move(ps)));
  };
  add("deny-all-egress+allow-all-ingress",
      {denyAll(E, "x", "deny-all-egress", src), allowAllP(I, "y", "allow-all-ingress", dst)});
  add("allow-all-egress+deny-all-ingress",
      {allowAllP(E, "x", "allow-all-egress", src), denyAll(I, "y", "deny-all-ingress", dst)});
  add("deny-all-egress+allow-all-egress",
      {denyAll(E, "x", "deny-all-egress", src), allowAllP(E, "x", "allow-all-egress", src)});
  add("deny-all-ingress+allow-all-ingress",
      {denyAll(I, "y", "deny-all-ingress", dst), allowAllP(I, "y", "allow-all-ingress", dst)});
  add("deny-all-egress+allow-all-egress-by-pod",
      {denyAll(E, "x", "deny-all-egress", src), byPod(E, "x", "allow-all-egress-by-pod", src)});
  add("deny-all-egress+allow-all-egress-by-ip",
      {denyAll(E, "x", "deny-all-egress", src), byIp(E, "x", "allow-all-egress-by-ip", src)});
  add("deny-all-egress-by-ip+allow-all-egress-by-pod",
      {denyByIp(E, "x", "deny-all-egress-by-ip", src),
       byPod(E, "x", "allow-all-egress-by-pod", src)});
  add("deny-all-egress-by-pod+allow-all-egress-by-ip",
      {denyByPod(E, "x", "deny-all-egress-by-pod", src),
       byIp(E, "x", "allow-all-egress-by-ip", src)});
  add("deny-all-ingress+allow-all-ingress-by-pod",
      {denyAll(I, "y", "deny-all-ingress", dst), byPod(I, "y", "allow-all-ingress-by-pod", dst)});
  add("deny-all-ingress+allow-all-ingress-by-ip",
      {denyAll(I, "y", "deny-all-ingress", dst), byIp(I, "y", "allow-all-ingress-by-ip", dst)});
  add("deny-all-ingress-by-ip+allow-all-ingress-by-pod",
      {denyByIp(I, "y", "deny-all-ingress-by-ip", dst),
       byPod(I, "y", "allow-all-ingress-by-pod", dst)});
  add("deny-all-ingress-by-pod+allow-all-ingress-by-ip",
      {denyByPod(I, "y", "deny-all-ingress-by-pod", dst),
       byIp(I, "y", "allow-all-ingress-by-ip", dst)});
  add("deny-all-egress-by-ip", {denyByIp(E, "x", "deny-all-egress-by-ip", src)});
  add("deny-all-egress-by-pod", {denyByPod(E, "x", "deny-all-egress-by-pod", src)});
  add("deny-all-ingress-by-ip", {denyByIp(I, "y", "deny-all-ingress-by-ip", dst)});
  add("deny-all-ingress-by-pod", {denyByPod(I, "y", "deny-all-ingress-by-pod", dst)});
  // An except in one policy is no deny over another policy's allow.
  add("ip-block-except+other-policy-allowing-excepted-ip",
      {egressPolicy("x", "allow-cidr-except-x-b", podIs("a"),
                    {rule(std::vector{ipBlock("0.0.0.0/4", {"10.0.1.2/32"})})}),
       egressPolicy("x", "allow-x-b", podIs("a"), {rule(std::vector{ipBlock("10.0.1.2/32")})})});
  add("ingress-except+pod-selector-allowing-excepted-ip",
      {ingressPolicy("x", "allow-cidr-except-y-b", podIs("a"),
                     {rule(std::vector{ipBlock("10.0.2.0/24", {"10.0.2.2/32"})})}),
       ingressPolicy("x", "allow-y-b", podIs("a"),
                     {rule(std::vector{podsIn(podIs("b"), nsIs("y"))})})});
}

}  // namespace npf::conformance
