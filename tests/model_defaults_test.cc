// Defaulting as the API server does it, field by field (pkg/apis/networking/v1/defaults.go,
// pkg/apis/core/v1/defaults.go; the server's own output for these objects is compared by
// `netpolfuzz validation-diff`).
#include <gtest/gtest.h>

#include "model/codec.h"
#include "model/defaults.h"

namespace npf {
namespace {

Cluster decode(const std::string& text) {
  DecodeResult r = decodeManifests(text, "d.yaml");
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].message;
  return r.cluster;
}

TEST(ModelDefaults, PolicyTypesFollowTheRulesPresent) {
  const std::pair<const char*, std::vector<PolicyType>> table[] = {
      {"{}", {PolicyType::Ingress}},
      {"{egress: [{}]}", {PolicyType::Ingress, PolicyType::Egress}},
      {"{egress: []}", {PolicyType::Ingress}},  // no egress rules: only Ingress
      {"{policyTypes: [], egress: [{}]}", {PolicyType::Ingress, PolicyType::Egress}},
      {"{policyTypes: [Egress]}", {PolicyType::Egress}},  // given: kept
  };
  for (const auto& [spec, want] : table) {
    Cluster c = decode(
        std::string("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: "
                    "p}\nspec: ") +
        spec + "\n");
    applyDefaults(c);
    ASSERT_TRUE(c.policies.at(0).policyTypes) << spec;
    EXPECT_EQ(*c.policies[0].policyTypes, want) << spec;
    EXPECT_EQ(c.policies[0].podSelector, LabelSelector{}) << spec;
  }
}

TEST(ModelDefaults, ProtocolsTargetPortsAndTheNamespaceLabel) {
  Cluster c = decode(
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {a: b}}\n---\n"
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\n"
      "spec: {containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 53, protocol: "
      "UDP}]}]}\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: x}\n"
      "spec: {ports: [{port: 80}, {port: 81, targetPort: http, protocol: UDP}]}\n---\n"
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n"
      "spec: {ingress: [{ports: [{port: 80}, {protocol: SCTP}]}]}\n");
  applyDefaults(c);
  EXPECT_EQ(c.namespaces[0].meta.labels,
            (Labels{{"a", "b"}, {"kubernetes.io/metadata.name", "x"}}));
  EXPECT_EQ(c.pods[0].containers[0].ports[0].protocol, Protocol::TCP);
  EXPECT_EQ(c.pods[0].containers[0].ports[1].protocol, Protocol::UDP);
  EXPECT_EQ(c.services[0].ports[0].protocol, Protocol::TCP);
  EXPECT_EQ(c.services[0].ports[0].targetPort, PortRef{int32_t{80}});
  EXPECT_EQ(c.services[0].ports[1].targetPort, PortRef{std::string("http")});
  EXPECT_EQ(c.services[0].ports[1].protocol, Protocol::UDP);
  const auto& ports = *(*c.policies[0].ingress)[0].ports;
  EXPECT_EQ(ports[0].protocol, Protocol::TCP);
  EXPECT_EQ(ports[1].protocol, Protocol::SCTP);
  // Defaulting twice is defaulting once.
  Cluster again = c;
  applyDefaults(again);
  EXPECT_EQ(again, c);
}

}  // namespace
}  // namespace npf
