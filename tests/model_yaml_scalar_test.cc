// How kubectl types unquoted YAML scalars (go-yaml v2 inside sigs.k8s.io/yaml, then JSON), which
// the decoder follows: checked against kubectl v1.31.2 and a real API server by
// `netpolfuzz validation-diff` (docs/validation.md), pinned here.
#include <gtest/gtest.h>

#include "model/codec.h"
#include "model/yaml_scalar.h"

namespace npf {
namespace {

namespace ys = yamlscalar;
using T = ys::PlainType;

TEST(ModelYamlScalar, KubectlPlainTypes) {
  const std::pair<const char*, T> table[] = {
      {"y", T::Bool},
      {"Off", T::Bool},
      {"~", T::Null},
      {"NULL", T::Null},
      {".inf", T::Float},
      {"-.Inf", T::Float},
      {".NaN", T::Float},
      {"1:20", T::String},
      {"2001-01-01", T::String},
      {"0x1F", T::Int},
      {"0o17", T::Int},
      {"017", T::Int},
      {"1_000", T::Int},
      {"+12", T::Int},
      {"-0b101", T::Int},
      {"-0", T::Int},
      {"1e3", T::Float},
      {"080", T::Float},
      {"0.", T::Float},
      {".5", T::Float},
      {"abc", T::String},
      {"-", T::String},
      {"0x", T::String},
      {"1e", T::String},
      {".5.5", T::String},
      {"18446744073709551615", T::Int},
      {"99999999999999999999", T::Float},   // past uint64
      {"0xFFFFFFFFFFFFFFFF", T::Int},       // beyond int64, within uint64 (ParseUint)
      {"0xFFFFFFFFFFFFFFFFFF", T::String},  // ParseInt and ParseUint overflow: a string
      {"+18446744073709551615", T::Float},  // ParseUint takes no sign: the float rule reads it
      {"yes!", T::String},
      {"http", T::String},
      {"10.0.0.0/8", T::String},
  };
  for (const auto& [text, want] : table) EXPECT_EQ(ys::kubectlPlainType(text), want) << text;
}

TEST(ModelYamlScalar, KubectlIntegers) {
  const std::pair<const char*, std::optional<int64_t>> table[] = {
      {"80", 80},
      {"0x50", 80},
      {"1_000", 1000},
      {"+80", 80},
      {"017", 15},
      {"0o17", 15},
      {"0b101", 5},
      {"1e3", 1000},
      {"80.", 80},
      {"080", 80},
      {"-0", 0},
      {"-1", -1},
      {"1.5", {}},
      {".inf", {}},
      {"abc", {}},
      {"2001-01-01", {}},
      {"99999999999999999999", {}},
      {"1e21", {}},
      {"y", {}},
  };
  for (const auto& [text, want] : table) EXPECT_EQ(ys::kubectlInteger(text), want) << text;
}

// YAML takes go-yaml's integer forms; in JSON and YAML alike a number with an integral value is
// an integer (kubectl reads JSON numbers into generic values and writes integral ones back as
// integers: JSON 1e3 reaches the server as 1000), a fraction is not.
TEST(ModelYamlScalar, IntegerFormsInYamlAndJson) {
  auto pod = [](const std::string& port, bool json) {
    std::string text =
        json
            ? R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[{"name":"c","ports":[{"containerPort":)" +
                  port + "}]}]}}"
            : "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
              "  - name: c\n    ports: [{containerPort: " +
                  port + "}]\n";
    return decodeManifests(text, json ? "p.json" : "p.yaml");
  };
  auto portOf = [](const DecodeResult& r) {
    return r.cluster.pods.at(0).containers.at(0).ports.at(0).containerPort;
  };
  for (const char* form : {"0x50", "+80", "1_000", "80.", "1e3"}) {
    DecodeResult y = pod(form, false);
    EXPECT_TRUE(y.errors.empty()) << form << ": " << y.errors[0].message;
  }
  EXPECT_EQ(portOf(pod("0x50", false)), 80);
  EXPECT_EQ(portOf(pod("1e3", true)), 1000);
  EXPECT_EQ(portOf(pod("80.0", true)), 80);
  EXPECT_EQ(portOf(pod("1E2", true)), 100);
  for (bool json : {false, true}) {
    DecodeResult fraction = pod("80.5", json);
    ASSERT_EQ(fraction.errors.size(), 1u);
    EXPECT_NE(fraction.errors[0].message.find("expected an integer, got 80.5"), std::string::npos)
        << fraction.errors[0].message;
  }
  DecodeResult big = pod("2147483648", false);
  ASSERT_EQ(big.errors.size(), 1u);
  EXPECT_NE(big.errors[0].message.find("integer out of range: 2147483648"), std::string::npos);
}

// Strings kubectl reads as strings are strings here too: a timestamp-like value, a sexagesimal.
TEST(ModelYamlScalar, Yaml11StringsThatKubectlKeepsAsStrings) {
  DecodeResult r = decodeManifests(
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  annotations: {a: 2001-01-01, "
      "b: 1:20}\n",
      "n.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  EXPECT_EQ(r.cluster.namespaces.at(0).meta.annotations,
            (Labels{{"a", "2001-01-01"}, {"b", "1:20"}}));
}

}  // namespace
}  // namespace npf
