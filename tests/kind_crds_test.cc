// The network-policy-api CRDs the kind backend applies (runner/kind/crds.h): the embedded text is
// the checked-in file, each declares the group, version, kind and Cluster scope the model writes,
// and the objects the backend renders for every cluster-scoped kind are ones the CRD's schema
// admits (field names, required fields, types, enums: what kubectl's strict field validation and
// the API server would check first), except where the model knowingly accepts more.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <set>

#include "model/codec.h"
#include "runner/kind/crds.h"
#include "runner/kind/manifests.h"
#include "tests/support/run_process.h"

namespace npf::runner::kind {
namespace {

using Json = nlohmann::json;

const ClusterPolicyKind kKinds[] = {ClusterPolicyKind::AdminNetworkPolicy,
                                    ClusterPolicyKind::BaselineAdminNetworkPolicy,
                                    ClusterPolicyKind::ClusterNetworkPolicy};

std::string sourceFile(const Crd& crd) {
  return std::string(NPF_SOURCE_DIR) + "/runner/kind/crds/" + crd.file;
}

TEST(KindCrds, EmbeddedTextIsTheCheckedInFile) {
  for (auto k : kKinds) {
    const Crd& crd = crdOf(k);
    EXPECT_EQ(crd.kind, k);
    EXPECT_EQ(std::string(crd.yaml), npf::testing::readWhole(sourceFile(crd))) << crd.file;
  }
}

TEST(KindCrds, EachDeclaresTheGroupVersionKindAndClusterScopeTheModelWrites) {
  std::set<std::string> names;
  for (auto k : kKinds) {
    const Crd& crd = crdOf(k);
    SCOPED_TRACE(crd.file);
    YAML::Node doc = YAML::Load(crd.yaml);
    EXPECT_EQ(doc["apiVersion"].as<std::string>(), "apiextensions.k8s.io/v1");
    EXPECT_EQ(doc["kind"].as<std::string>(), "CustomResourceDefinition");
    EXPECT_EQ(doc["metadata"]["name"].as<std::string>(), crd.name);
    const YAML::Node spec = doc["spec"];
    EXPECT_EQ(spec["scope"].as<std::string>(), "Cluster");
    EXPECT_EQ(spec["names"]["kind"].as<std::string>(), toString(k));
    // metadata.name is PLURAL.GROUP, the resource the backend passes to kubectl.
    EXPECT_EQ(spec["names"]["plural"].as<std::string>() + "." + spec["group"].as<std::string>(),
              crd.name);
    // The one version is the apiVersion the encoder writes, served and stored.
    std::string apiVersion = apiVersionOf(k);
    ASSERT_EQ(spec["versions"].size(), 1u);
    const YAML::Node v = spec["versions"][0];
    EXPECT_EQ(spec["group"].as<std::string>() + "/" + v["name"].as<std::string>(), apiVersion);
    EXPECT_TRUE(v["served"].as<bool>());
    EXPECT_TRUE(v["storage"].as<bool>());
    EXPECT_TRUE(v["schema"]["openAPIV3Schema"].IsMap());
    // Provenance: the release the model's validation follows (docs/cluster-policy.md).
    const char* tag = k == ClusterPolicyKind::ClusterNetworkPolicy ? "tag v0.2.0" : "tag v0.1.8";
    EXPECT_NE(std::string(crd.yaml).find(tag), std::string::npos);
    EXPECT_NE(std::string(crd.yaml).find("policy.networking.k8s.io/channel: standard"),
              std::string::npos);
    names.insert(crd.name);
  }
  EXPECT_EQ(names.size(), 3u);
}

// Problems of `v` against an OpenAPI v3 schema: unknown fields, missing required ones, wrong
// types, values outside an enum. `metadata` and other schemas without properties are opaque.
void check(const YAML::Node& schema, const Json& v, const std::string& path,
           std::vector<std::string>& problems) {
  const std::string type = schema["type"] ? schema["type"].as<std::string>() : "";
  auto wrong = [&](const char* want) {
    problems.push_back(path + ": not " + std::string(want) + ": " + v.dump());
  };
  if (type == "object" && !v.is_object()) return wrong("an object");
  if (type == "array" && !v.is_array()) return wrong("an array");
  if (type == "string" && !v.is_string()) return wrong("a string");
  if (type == "integer" && !v.is_number_integer()) return wrong("an integer");
  if (schema["enum"]) {
    bool listed = false;
    for (const auto& e : schema["enum"]) listed |= v.is_string() && e.as<std::string>() == v;
    if (!listed) problems.push_back(path + ": not in the enum: " + v.dump());
  }
  if (v.is_object() && schema["properties"]) {
    for (const auto& [key, value] : v.items()) {
      const YAML::Node field = schema["properties"][key];
      if (!field) {
        problems.push_back(path + "." + key + ": unknown field");
        continue;
      }
      check(field, value, path + "." + key, problems);
    }
    if (schema["required"])
      for (const auto& r : schema["required"])
        if (!v.contains(r.as<std::string>()))
          problems.push_back(path + "." + r.as<std::string>() + ": required, missing");
  }
  if (v.is_array() && schema["items"])
    for (size_t i = 0; i < v.size(); ++i)
      check(schema["items"], v[i], path + "[" + std::to_string(i) + "]", problems);
}

TEST(KindCrds, RenderedPoliciesOfEveryKindAreAdmittedByTheirCrdSchema) {
  std::map<ClusterPolicyKind, size_t> seen;
  for (const char* file : {"cluster_policies_v1alpha1.yaml", "cluster_network_policy.yaml"}) {
    DecodeResult d = decodeFile(std::string(NPF_SOURCE_DIR) + "/corpus/fuzz/decode/" + file);
    ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
    for (const auto& p : d.cluster.clusterPolicies) {
      SCOPED_TRACE(p.meta.name);
      const Crd& crd = crdOf(p.kind);
      YAML::Node schema = YAML::Load(crd.yaml)["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
      Json object = Json::parse(renderClusterPolicy(p, KindLayout{"npf-0a1b2c", {}}));
      std::vector<std::string> problems;
      check(schema, object, toString(p.kind), problems);
      // Known: the standard channel has no `nodes` egress peer (any version) and no v1alpha1
      // `namedPort` (only the experimental channel has them), which the model accepts; the API
      // server refuses such an object, so the run stops with kubectl's error naming the field
      // rather than misjudging cells (docs/kind-backend.md).
      std::vector<std::string> expected;
      if (p.kind == ClusterPolicyKind::BaselineAdminNetworkPolicy)
        expected = {"BaselineAdminNetworkPolicy.spec.egress[0].ports[1].namedPort: unknown field",
                    "BaselineAdminNetworkPolicy.spec.egress[0].to[1].nodes: unknown field"};
      EXPECT_EQ(problems, expected);
      ++seen[p.kind];
    }
  }
  EXPECT_EQ(seen.size(), 3u);  // every kind was checked

  // Negative control: the check notices a misspelt field, a wrong enum and a missing field.
  const Crd& anp = crdOf(ClusterPolicyKind::AdminNetworkPolicy);
  YAML::Node schema = YAML::Load(anp.yaml)["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
  Json bad = Json::parse(R"({"apiVersion": "policy.networking.k8s.io/v1alpha1",
    "kind": "AdminNetworkPolicy", "metadata": {"name": "x"},
    "spec": {"priority": 1, "subject": {"namespaces": {}},
             "ingress": [{"action": "Accept", "from": [{"namespaces": {}}], "protocols": []}]}})");
  std::vector<std::string> problems;
  check(schema, bad, "AdminNetworkPolicy", problems);
  EXPECT_EQ(problems.size(), 2u);  // action Accept is v1alpha2's; protocols likewise
  bad["spec"].erase("priority");
  problems.clear();
  check(schema, bad, "AdminNetworkPolicy", problems);
  EXPECT_EQ(problems.size(), 3u);
}

TEST(KindCrds, ExperimentalChannelFieldsAreNamed) {
  auto decode = [](const std::string& kind, const std::string& version, const std::string& spec) {
    auto r = decodeManifests("apiVersion: policy.networking.k8s.io/" + version + "\nkind: " + kind +
                                 "\nmetadata: {name: p}\nspec:\n" + spec,
                             "t.yaml");
    EXPECT_TRUE(r.errors.empty()) << r.errors[0].message;
    return r.cluster;
  };
  const std::string subject = "  priority: 1\n  subject: {namespaces: {}}\n";
  EXPECT_EQ(experimentalChannelField(
                decode("AdminNetworkPolicy", "v1alpha1",
                       subject + "  egress: [{action: Allow, to: [{networks: [10.0.0.0/8]}]}]\n")),
            "");
  EXPECT_EQ(experimentalChannelField(
                decode("AdminNetworkPolicy", "v1alpha1",
                       subject + "  egress: [{action: Allow, to: [{nodes: {}}]}]\n")),
            "AdminNetworkPolicy p: a nodes peer");
  EXPECT_EQ(experimentalChannelField(
                decode("AdminNetworkPolicy", "v1alpha1",
                       subject + "  ingress: [{action: Deny, from: [{namespaces: {}}], ports: "
                                 "[{namedPort: web}]}]\n")),
            "AdminNetworkPolicy p: a namedPort");
  // v1alpha2's destinationNamedPort is in the standard channel.
  EXPECT_EQ(experimentalChannelField(
                decode("ClusterNetworkPolicy", "v1alpha2",
                       "  tier: Admin\n" + subject +
                           "  ingress: [{action: Deny, from: [{namespaces: {}}], protocols: "
                           "[{destinationNamedPort: web}]}]\n")),
            "");
}

}  // namespace
}  // namespace npf::runner::kind
