// JSON case files are JSON: a quoted "y" is a string wherever it is, also when the Case
// document sits in a `kind: List` and when a step embeds a policy. The YAML 1.1 rule (an
// unquoted y/on/off is a boolean) applies to unquoted YAML scalars only.
#include <gtest/gtest.h>

#include <fstream>

#include "model/case_file.h"

namespace npf {
namespace {

CaseLoad loadText(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return loadCaseFiles({path});
}

std::string firstError(const CaseLoad& l) { return l.errors.empty() ? "" : l.errors[0].message; }

const char* kNamespaceY = R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"y"}})";
const char* kPolicyY =
    R"({"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"p","namespace":"y"},"spec":{"podSelector":{}}})";

TEST(ModelCaseJson, QuotedYInAListedCaseStepIsAString) {
  CaseLoad l = loadText(
      "list-step.json",
      std::string(R"({"apiVersion":"v1","kind":"List","items":[)") + kNamespaceY + "," + kPolicyY +
          "," +
          R"({"apiVersion":"netpolfuzz.io/v1alpha1","kind":"Case","metadata":{"name":"c"},"spec":{"steps":[{"action":"delete-policy","namespace":"y","name":"p"}]}}]})");
  ASSERT_EQ(firstError(l), "");
  ASSERT_EQ(l.kase.meta.steps.size(), 1u);
  EXPECT_EQ(l.kase.meta.steps[0].namespace_, "y");
  EXPECT_EQ(l.kase.meta.steps[0].name, "p");
}

TEST(ModelCaseJson, QuotedYInAnEmbeddedPolicyIsAString) {
  for (bool inList : {false, true}) {
    std::string kase =
        std::string(
            R"({"apiVersion":"netpolfuzz.io/v1alpha1","kind":"Case","metadata":{"name":"c"},"spec":{"steps":[{"action":"create-policy","policy":)") +
        kPolicyY + "}]}}";
    std::string text = inList ? std::string(R"({"apiVersion":"v1","kind":"List","items":[)") +
                                    kNamespaceY + "," + kase + "]}"
                              : kase;
    CaseLoad l = loadText("embedded.json", text);
    ASSERT_EQ(firstError(l), "") << (inList ? "in a List" : "top level");
    ASSERT_EQ(l.kase.meta.steps.size(), 1u);
    ASSERT_TRUE(l.kase.meta.steps[0].policy.has_value());
    EXPECT_EQ(l.kase.meta.steps[0].policy->meta.namespace_, "y");
  }
}

// Unquoted YAML 1.1 booleans are still wrong where strings are expected, with the type named
// (not "invalid JSON": the re-read embedded policy is YAML, not JSON).
TEST(ModelCaseJson, PlainYamlBooleansInAnEmbeddedPolicyAreTypeErrors) {
  CaseLoad l = loadText("embedded.yaml",
                        "apiVersion: v1\nkind: Namespace\nmetadata: {name: \"on\"}\n---\n"
                        "apiVersion: netpolfuzz.io/v1alpha1\nkind: Case\nmetadata: {name: c}\n"
                        "spec:\n  steps:\n  - action: create-policy\n    policy:\n"
                        "      apiVersion: networking.k8s.io/v1\n      kind: NetworkPolicy\n"
                        "      metadata: {name: p, namespace: on}\n"
                        "      spec: {podSelector: {}}\n");
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_NE(firstError(l).find("metadata.namespace: expected a string, got a boolean (on); "
                               "quote it"),
            std::string::npos)
      << firstError(l);
  EXPECT_EQ(l.errors[0].line, 12);  // the embedded policy's mapping
}

// The same case as YAML inside a List: the quotes written in the file are kept.
TEST(ModelCaseJson, QuotedYInAYamlListedCaseIsAString) {
  CaseLoad l = loadText("list.yaml",
                        "apiVersion: v1\nkind: List\nitems:\n"
                        "- {apiVersion: v1, kind: Namespace, metadata: {name: \"n\"}}\n"
                        "- apiVersion: netpolfuzz.io/v1alpha1\n  kind: Case\n"
                        "  metadata: {name: c}\n  spec:\n    steps:\n"
                        "    - {action: relabel-namespace, name: \"n\", labels: {a: \"off\"}}\n");
  ASSERT_EQ(firstError(l), "");
  ASSERT_EQ(l.kase.meta.steps.size(), 1u);
  EXPECT_EQ(l.kase.meta.steps[0].name, "n");
  EXPECT_EQ(l.kase.meta.steps[0].labels, (std::map<std::string, std::string>{{"a", "off"}}));
}

}  // namespace
}  // namespace npf
