// The manifest mutator: trees round-trip through YAML and JSON as written (plain stays plain,
// quoted stays quoted), mutations are deterministic per seed and reach every kind of change the
// differential test relies on.
#include "generator/manifest_mutator.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "generator/case_gen.h"
#include "model/codec.h"

namespace npf {
namespace {

std::string policyYaml() {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n"
         "  namespace: \"y\"\n  labels: {app: web}\nspec:\n  podSelector: {matchLabels: {a: "
         "b}}\n  ingress:\n  - ports: [{port: 80, protocol: TCP}]\n    from: [{ipBlock: {cidr: "
         "10.0.0.0/8}}]\n  egress: []\n";
}

TEST(ManifestMutator, UnmutatedTreesDecodeToTheSameObject) {
  ManifestNode tree = parseManifestTree(policyYaml());
  ASSERT_EQ(tree.kind, ManifestNode::Kind::Map);
  DecodeResult original = decodeManifests(policyYaml(), "a.yaml");
  ASSERT_TRUE(original.errors.empty());
  for (const std::string& text : {renderYaml(tree), renderJson(tree)}) {
    DecodeResult back = decodeManifests(text, "b.yaml");
    ASSERT_TRUE(back.errors.empty()) << text << back.errors[0].message;
    ASSERT_EQ(back.cluster.policies.size(), 1u);
    NetworkPolicy a = original.cluster.policies[0], b = back.cluster.policies[0];
    a.origin = b.origin = Origin{};
    EXPECT_EQ(a, b) << text;
    EXPECT_EQ(b.meta.namespace_, "y");  // quoted in the source: a string
  }
}

// The tree is one document: a text of several would otherwise be mutated and compared as its
// first document alone (found by the manifest_mutator fuzzer).
TEST(ManifestMutator, OnlyATextOfExactlyOneMappingIsATree) {
  const std::string one = "kind: Namespace\napiVersion: v1\nmetadata: {name: a}\n";
  EXPECT_EQ(parseManifestTree(one).kind, ManifestNode::Kind::Map);
  EXPECT_EQ(parseManifestTree("---\n" + one + "...\n").kind, ManifestNode::Kind::Map);
  EXPECT_EQ(parseManifestTree(one + "---\n" + one).kind, ManifestNode::Kind::Null);
  EXPECT_EQ(parseManifestTree(one + "---\n- a\n").kind, ManifestNode::Kind::Null);
  EXPECT_EQ(parseManifestTree("- a\n").kind, ManifestNode::Kind::Null);
  EXPECT_EQ(parseManifestTree("").kind, ManifestNode::Kind::Null);
  EXPECT_EQ(parseManifestTree("a: [b\n").kind, ManifestNode::Kind::Null);
  // yaml-cpp's LoadAll would never return on this one (a stray `,` starts a document).
  EXPECT_EQ(parseManifestTree(",apiVersion: v1\nkind: Pod\n").kind, ManifestNode::Kind::Null);
}

TEST(ManifestMutator, PlainScalarsStayPlainAndQuotedStayQuoted) {
  ManifestNode root = ManifestNode::map();
  root.entries.emplace_back(ManifestNode::str("a"), ManifestNode::plainScalar("on"));
  root.entries.emplace_back(ManifestNode::str("b"), ManifestNode::str("on"));
  root.entries.emplace_back(ManifestNode::str("c"), ManifestNode::plainScalar("0x50"));
  EXPECT_EQ(renderYaml(root), "\"a\": on\n\"b\": \"on\"\n\"c\": 0x50\n");
  // JSON keeps only JSON's own tokens: `on` and `0x50` are strings there.
  EXPECT_EQ(renderJson(root), "{\"a\":\"on\",\"b\":\"on\",\"c\":\"0x50\"}\n");
}

TEST(ManifestMutator, DeterministicAndCoversEveryKindOfChange) {
  std::vector<std::string> objects;
  for (uint64_t i = 0; i < 4; ++i) {
    Case c = generateCase(9, i, ClusterSize::Small, GeneratorWeights{});
    for (const auto& np : c.cluster.policies) {
      Cluster one;
      one.policies.push_back(np);
      objects.push_back(encodeYaml(one));
    }
  }
  ASSERT_FALSE(objects.empty());
  std::set<std::string> ops;
  std::map<std::string, int> rejectedBy;
  for (int round = 0; round < 2; ++round) {
    Random rng(42);
    std::vector<std::string> texts;
    for (int i = 0; i < 2000; ++i) {
      ManifestNode t = parseManifestTree(objects[static_cast<size_t>(i) % objects.size()]);
      for (const auto& m : mutateManifest(t, rng, 1)) {
        std::string op = m.op.rfind("set-", 0) == 0 && m.op != "set-key" ? "set-*" : m.op;
        if (op.rfind("nested-", 0) == 0) op = "nested";
        ops.insert(op);
      }
      texts.push_back(renderYaml(t));
    }
    static std::vector<std::string> first;
    if (round == 0)
      first = texts;
    else
      EXPECT_EQ(texts, first) << "the same seed gives the same manifests";
  }
  for (const char* op :
       {"set-*", "yaml11-scalar", "set-key", "wrong-type", "delete-field", "unknown-field",
        "duplicate-field", "list-empty", "list-repeat", "list-null-item", "list-remove", "endport",
        "selector-requirement", "huge-string", "nested"})
    EXPECT_TRUE(ops.count(op)) << op;
}

}  // namespace
}  // namespace npf
