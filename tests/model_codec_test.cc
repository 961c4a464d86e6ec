// Decoding and encoding case files: absent vs empty, JSON, Lists, located errors, hostile
// input, and exact round trips (RapidCheck).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <random>

#include "model/codec.h"
#include "model/validate.h"
#include "tests/support/arbitrary.h"

namespace npf {
namespace {

std::vector<std::string> texts(const std::vector<Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(toString(d));
  return out;
}

// Decodes text that must have no errors.
Cluster decodeOk(const std::string& text) {
  DecodeResult r = decodeManifests(text, "t.yaml");
  EXPECT_TRUE(r.errors.empty()) << ::testing::PrintToString(texts(r.errors)) << "\n" << text;
  return r.cluster;
}

// A NetworkPolicy document around `spec` (indented by the caller as under `spec:`).
std::string policyDoc(const std::string& spec) {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: "
         "x}\nspec:\n" +
         spec;
}

NetworkPolicy decodePolicy(const std::string& spec) {
  Cluster c = decodeOk(policyDoc(spec));
  EXPECT_EQ(c.policies.size(), 1u);
  return c.policies.empty() ? NetworkPolicy{} : c.policies[0];
}

// ---- absent vs empty, table-driven ----

struct PolicyCase {
  const char* name;
  const char* spec;
  std::function<bool(const NetworkPolicy&)> check;
};

class ModelCodecPolicyShapes : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(ModelCodecPolicyShapes, DecodesAsModelled) {
  NetworkPolicy np = decodePolicy(GetParam().spec);
  EXPECT_TRUE(GetParam().check(np)) << GetParam().spec;
}

const auto ing0 = [](const NetworkPolicy& p) -> const NetworkPolicyRule& {
  return (*p.ingress)[0];
};

INSTANTIATE_TEST_SUITE_P(
    ModelCodecAbsentVersusEmpty, ModelCodecPolicyShapes,
    ::testing::Values(
        PolicyCase{"IngressAbsent", "  podSelector: {}\n",
                   [](auto& p) { return !p.ingress && !p.egress; }},
        PolicyCase{"IngressEmpty", "  ingress: []\n",
                   [](auto& p) { return p.ingress && p.ingress->empty(); }},
        PolicyCase{"IngressNullIsAbsent", "  ingress:\n", [](auto& p) { return !p.ingress; }},
        PolicyCase{"IngressExplicitNullIsAbsent", "  ingress: null\n",
                   [](auto& p) { return !p.ingress; }},
        PolicyCase{"IngressTildeIsAbsent", "  ingress: ~\n", [](auto& p) { return !p.ingress; }},
        PolicyCase{"EgressEmpty", "  egress: []\n",
                   [](auto& p) { return p.egress && p.egress->empty() && !p.ingress; }},
        PolicyCase{
            "RuleWithoutFromHasAbsentPeers", "  ingress: [{}]\n",
            [](auto& p) { return p.ingress->size() == 1 && !ing0(p).peers && !ing0(p).ports; }},
        PolicyCase{"FromEmptyIsPresent", "  ingress: [{from: []}]\n",
                   [](auto& p) { return ing0(p).peers && ing0(p).peers->empty(); }},
        PolicyCase{"FromNullIsAbsent", "  ingress:\n  - from:\n",
                   [](auto& p) { return !ing0(p).peers; }},
        PolicyCase{"NullRuleIsAnEmptyRule", "  ingress: [null]\n  egress:\n  - ports: [~]\n",
                   [](auto& p) {
                     return ing0(p) == NetworkPolicyRule{} &&
                            (*p.egress)[0].ports ==
                                std::vector<NetworkPolicyPort>{NetworkPolicyPort{}};
                   }},
        PolicyCase{"NullMatchLabelsIsEmpty", "  podSelector: {matchLabels: null}\n",
                   [](auto& p) { return p.podSelector == LabelSelector{}; }},
        PolicyCase{"PortsEmptyIsPresent", "  ingress: [{ports: []}]\n",
                   [](auto& p) { return ing0(p).ports && ing0(p).ports->empty(); }},
        PolicyCase{"EgressToGoesToPeers", "  egress: [{to: [{podSelector: {}}]}]\n",
                   [](auto& p) {
                     return (*p.egress)[0].peers->size() == 1 &&
                            (*p.egress)[0].peers->at(0).podSelector;
                   }},
        PolicyCase{"PodSelectorAbsent", "  ingress: []\n", [](auto& p) { return !p.podSelector; }},
        PolicyCase{"PodSelectorEmpty", "  podSelector: {}\n",
                   [](auto& p) { return p.podSelector && *p.podSelector == LabelSelector{}; }},
        PolicyCase{"PodSelectorNullIsAbsent", "  podSelector: null\n",
                   [](auto& p) { return !p.podSelector; }},
        PolicyCase{"PeerSelectorEmptyVersusAbsent",
                   "  ingress: [{from: [{namespaceSelector: {}}]}]\n",
                   [](auto& p) {
                     const auto& peer = ing0(p).peers->at(0);
                     return peer.namespaceSelector && !peer.podSelector && !peer.ipBlock;
                   }},
        PolicyCase{"PolicyTypesAbsent", "  podSelector: {}\n",
                   [](auto& p) { return !p.policyTypes; }},
        PolicyCase{"PolicyTypesEmpty", "  policyTypes: []\n",
                   [](auto& p) { return p.policyTypes && p.policyTypes->empty(); }},
        PolicyCase{"PolicyTypesInOrder", "  policyTypes: [Egress, Ingress]\n",
                   [](auto& p) {
                     return *p.policyTypes == std::vector{PolicyType::Egress, PolicyType::Ingress};
                   }},
        PolicyCase{"ProtocolAbsentVersusTcp",
                   "  ingress: [{ports: [{port: 80}, {protocol: TCP}]}]\n",
                   [](auto& p) {
                     const auto& ports = *ing0(p).ports;
                     return !ports[0].protocol && ports[0].port == PortRef{80} &&
                            ports[1].protocol == Protocol::TCP && !ports[1].port;
                   }},
        PolicyCase{
            "NamedAndNumericPorts",
            "  ingress: [{ports: [{port: http}, {port: \"8080\"}, {port: 80, endPort: 90}]}]\n",
            [](auto& p) {
              const auto& ports = *ing0(p).ports;
              return ports[0].port == PortRef{std::string("http")} &&
                     ports[1].port == PortRef{std::string("8080")} && ports[2].endPort == 90;
            }},
        PolicyCase{"SelectorsWithExpressions",
                   "  podSelector:\n    matchLabels: {app: web}\n    matchExpressions:\n"
                   "    - {key: tier, operator: NotIn, values: [db, \"\"]}\n    - {key: x, "
                   "operator: DoesNotExist}\n",
                   [](auto& p) {
                     LabelSelector want{{{"app", "web"}},
                                        {{"tier", SelectorOp::NotIn, {"db", ""}},
                                         {"x", SelectorOp::DoesNotExist, {}}}};
                     return *p.podSelector == want;
                   }},
        PolicyCase{
            "IpBlockWithExcept",
            "  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]}]\n",
            [](auto& p) {
              return (*p.egress)[0].peers->at(0).ipBlock == IPBlock{"10.0.0.0/8", {"10.1.0.0/16"}};
            }}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ModelCodecDecode, ServiceSelectorAbsentEmptyAndNullAreKeptApart) {
  auto svc = [](const std::string& selector) {
    Cluster c = decodeOk(
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n" +
        selector);
    return c.services.at(0).selector;
  };
  EXPECT_FALSE(svc(""));
  EXPECT_FALSE(svc("  selector:\n"));
  EXPECT_EQ(svc("  selector: {}\n"), Labels{});
  EXPECT_EQ(svc("  selector: {app: web}\n"), (Labels{{"app", "web"}}));
}

TEST(ModelCodecDecode, ServicePortsWithTargetPortNumberOrName) {
  Cluster c = decodeOk(R"(apiVersion: v1
kind: Service
metadata: {name: s, namespace: x}
spec:
  clusterIP: 10.96.0.10
  selector: {app: web}
  ports:
  - {name: a, port: 80, targetPort: 8080}
  - {name: b, port: 81, protocol: UDP, targetPort: http}
  - {name: c, port: 82}
)");
  const Service& s = c.services.at(0);
  EXPECT_EQ(s.clusterIP, "10.96.0.10");
  ASSERT_EQ(s.ports.size(), 3u);
  EXPECT_EQ(s.ports[0].targetPort, PortRef{8080});
  EXPECT_EQ(s.ports[1].targetPort, PortRef{std::string("http")});
  EXPECT_EQ(s.ports[1].protocol, Protocol::UDP);
  EXPECT_FALSE(s.ports[2].targetPort);
  EXPECT_FALSE(s.ports[2].protocol);
}

TEST(ModelCodecDecode, PodFieldsAndDefaultNamespace) {
  Cluster c = decodeOk(R"(apiVersion: v1
kind: Pod
metadata:
  name: a
  labels: {app: web, "on": "yes"}
  annotations: {note: "hello world"}
spec:
  nodeName: node-1
  hostNetwork: true
  containers:
  - name: c0
    image: agnhost
    ports:
    - {name: http, containerPort: 80}
    - {containerPort: 53, protocol: UDP}
    resources: {limits: {cpu: 1}}
status:
  podIP: 10.0.0.1
  podIPs: [{ip: 10.0.0.1}, {ip: "fd00::1"}]
  phase: Running
)");
  const Pod& p = c.pods.at(0);
  EXPECT_EQ(p.meta.namespace_, "default");
  EXPECT_EQ(p.meta.labels, (Labels{{"app", "web"}, {"on", "yes"}}));
  EXPECT_EQ(p.meta.annotations.at("note"), "hello world");
  EXPECT_EQ(p.nodeName, "node-1");
  EXPECT_TRUE(p.hostNetwork);
  ASSERT_EQ(p.containers.size(), 1u);
  EXPECT_EQ(p.containers[0].image, "agnhost");
  EXPECT_EQ(p.containers[0].ports[0], (ContainerPort{"http", 80, std::nullopt}));
  EXPECT_EQ(p.containers[0].ports[1], (ContainerPort{"", 53, Protocol::UDP}));
  EXPECT_EQ(p.podIP, "10.0.0.1");
  EXPECT_EQ(p.podIPs, (std::vector<std::string>{"10.0.0.1", "fd00::1"}));
}

TEST(ModelCodecDecode, NodeKeepsOnlyInternalIPs) {
  Cluster c = decodeOk(R"(apiVersion: v1
kind: Node
metadata: {name: n1, namespace: ignored}
status:
  addresses:
  - {type: Hostname, address: n1}
  - {type: InternalIP, address: 192.168.0.10}
  - {type: ExternalIP, address: 1.2.3.4}
  - {type: InternalIP, address: "fd01::10"}
)");
  const Node& n = c.nodes.at(0);
  EXPECT_EQ(n.meta.namespace_, "");
  EXPECT_EQ(n.internalIPs, (std::vector<std::string>{"192.168.0.10", "fd01::10"}));
  EXPECT_EQ(n.origin.fields->count("status.addresses[0].address"), 0u);
  EXPECT_EQ(n.origin.fields->at("status.addresses[1].address"), (std::pair{7, 33}));
}

TEST(ModelCodecDecode, NamespaceAndMultipleDocumentsKeepOrder) {
  Cluster c = decodeOk(R"(---
apiVersion: v1
kind: Namespace
metadata: {name: b}
---
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: x}}
---
# an empty document
---
)");
  ASSERT_EQ(c.namespaces.size(), 2u);
  EXPECT_EQ(c.namespaces[0].meta.name, "b");
  EXPECT_EQ(c.namespaces[1].meta.labels.at("team"), "x");
}

TEST(ModelCodecDecode, KindListItemsAreDecodedInOrder) {
  Cluster c = decodeOk(R"(apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: x}}
- apiVersion: v1
  kind: List
  items:
  - {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: x}, spec: {containers: [{name: c, image: i}]}}
- {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: np, namespace: x}, spec: {podSelector: {}}}
)");
  EXPECT_EQ(c.namespaces.size(), 1u);
  ASSERT_EQ(c.pods.size(), 1u);
  EXPECT_EQ(c.pods[0].origin.line, 8);
  EXPECT_EQ(c.pods[0].origin.col, 5);
  EXPECT_EQ(c.policies.size(), 1u);
}

TEST(ModelCodecDecode, JsonObjectAndListWithTabsAndEscapes) {
  std::string json =
      "{\n\t\"apiVersion\":\t\"v1\", \"kind\": \"List\",\n\t\"items\": [\n"
      "\t\t{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"x\","
      "\"annotations\":{\"a\":\"caf\\u00e9 \\/ \\t\\\"q\\\" \\ud83d\\ude00\"}}},\n"
      "\t\t{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":"
      "\"x\"},"
      "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":[{\"containerPort\":80}]"
      "}]},"
      "\"status\":{\"podIP\":\"10.0.0.1\"}}\n\t]\n}\n";
  DecodeResult r = decodeManifests(json, "c.json");
  ASSERT_TRUE(r.errors.empty()) << ::testing::PrintToString(texts(r.errors));
  ASSERT_EQ(r.cluster.namespaces.size(), 1u);
  EXPECT_EQ(r.cluster.namespaces[0].meta.annotations.at("a"),
            "caf\xc3\xa9 / \t\"q\" \xf0\x9f\x98\x80");
  ASSERT_EQ(r.cluster.pods.size(), 1u);
  EXPECT_EQ(r.cluster.pods[0].containers[0].ports[0].containerPort, 80);
  EXPECT_EQ(r.cluster.pods[0].origin.line, 5);
  EXPECT_EQ(r.cluster.pods[0].origin.col, 3);
  EXPECT_EQ(r.cluster.pods[0].origin.fields->at("status.podIP").first, 5);
}

TEST(ModelCodecDecode, JsonSyntaxErrorsAreLocated) {
  EXPECT_EQ(
      texts(decodeManifests("{\"kind\": \"Pod\",\n  \"x\": 1,}", "c.json").errors),
      std::vector<std::string>{
          "c.json:2:10: invalid JSON: syntax error while parsing object key - unexpected '}'; "
          "expected string literal"});
  // YAML-only syntax is not JSON.
  EXPECT_EQ(decodeManifests("{kind: Pod}", "c.json").errors.size(), 1u);
}

TEST(ModelCodecDecode, JsonStringIsNotAnInteger) {
  DecodeResult r = decodeManifests(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","ports":[{"containerPort":"80"}]}]}})",
      "c.json");
  EXPECT_EQ(texts(r.errors),
            std::vector<std::string>{"c.json:1:117: Pod default/p: spec.containers[0].ports[0]."
                                     "containerPort: expected an integer, got a string \"80\""});
}

TEST(ModelCodecDecode, OriginRecordsDocumentAndFieldPositions) {
  Cluster c =
      decodeOk(policyDoc("  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n    "
                         "ports:\n    - port: 80\n      endPort: 90\n"));
  const Origin& o = c.policies.at(0).origin;
  EXPECT_EQ(o.file, "t.yaml");
  EXPECT_EQ(o.line, 1);
  EXPECT_EQ(o.col, 1);
  EXPECT_EQ(o.fields->at("metadata.name"), (std::pair{3, 18}));
  EXPECT_EQ(o.fields->at("spec.ingress[0].from[0].ipBlock.cidr"), (std::pair{8, 15}));
  EXPECT_EQ(o.fields->at("spec.ingress[0].ports[0].endPort"), (std::pair{11, 16}));
  EXPECT_EQ(o.fields->at("spec.ingress[0].ports[0]"), (std::pair{10, 7}));
}

TEST(ModelCodecDecode, CaseDocumentsAreKeptAsTextWithTheirLineNumbers) {
  std::string text =
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n"
      "apiVersion: netpolfuzz.io/v1alpha1\nkind: Case\n# keep me\nseed: 42\n...\n";
  DecodeResult r = decodeManifests(text, "t.yaml");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.caseDocuments.size(), 1u);
  EXPECT_EQ(r.caseDocuments[0],
            "\n\n\n---\napiVersion: netpolfuzz.io/v1alpha1\nkind: Case\n# keep me\nseed: 42\n");
  EXPECT_EQ(r.cluster.namespaces.size(), 1u);
  YAML::Node reparsed = YAML::Load(r.caseDocuments[0]);
  EXPECT_EQ(reparsed["seed"].Mark().line, 7);  // 0-based: line 8 of the file
}

TEST(ModelCodecDecode, CaseDocumentInsideListIsReemitted) {
  DecodeResult r = decodeManifests(
      "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: netpolfuzz.io/v1alpha1, kind: Case, "
      "seed: 7}\n",
      "t.yaml");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.caseDocuments.size(), 1u);
  EXPECT_EQ(YAML::Load(r.caseDocuments[0])["seed"].as<int>(), 7);
}

// kubectl's decoder keeps the last of repeated keys, in YAML and JSON alike (checked against
// kubectl v1.31 by `netpolfuzz validation-diff`): so does the codec, with a warning.
TEST(ModelCodecDecode, DuplicateKeysKeepTheLastAsKubectlDoes) {
  for (const char* text :
       {"apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {a: b, a: c}}\n"
        "metadata: {name: z, labels: {a: b, a: d}}\n",
        R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x","labels":{"a":"b"}},)"
        R"("metadata":{"name":"z","labels":{"a":"b","a":"d"}}})"}) {
    DecodeResult r = decodeManifests(text, "f.yaml");
    EXPECT_TRUE(r.errors.empty()) << texts(r.errors)[0];
    ASSERT_EQ(r.cluster.namespaces.size(), 1u);
    EXPECT_EQ(r.cluster.namespaces[0].meta.name, "z");
    EXPECT_EQ(r.cluster.namespaces[0].meta.labels, (Labels{{"a", "d"}}));
    ASSERT_EQ(r.warnings.size(), 2u) << text;
    EXPECT_NE(r.warnings[0].message.find("metadata: duplicate key: the last one is used"),
              std::string::npos)
        << r.warnings[0].message;
    EXPECT_FALSE(r.warnings[0].rejectedByStrictValidation);
  }
}

// Unknown fields at every level the codec reads are reported, flagged as what kubectl's strict
// field validation rejects; fields of the API that the model does not hold are not unknown.
TEST(ModelCodecDecode, UnknownFieldsAreFlaggedForStrictValidation) {
  DecodeResult r = decodeManifests(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: a, uid: u, bogus: 1}\n"
      "spec:\n  restartPolicy: Always\n  nodeNmae: n\n"
      "  containers: [{name: c, image: i, tty: true, ports: [{containerPort: 80, hostPort: 80, "
      "endPort: 90}]}]\n"
      "status: {phase: Running, podIP: 10.0.0.1}\nextra: 1\n",
      "f.yaml");
  EXPECT_TRUE(r.errors.empty());
  std::vector<std::string> unknown;
  for (const auto& w : r.warnings) {
    EXPECT_TRUE(w.rejectedByStrictValidation) << w.message;
    unknown.push_back(w.message);
  }
  EXPECT_EQ(unknown, (std::vector<std::string>{
                         "Pod default/a: metadata.bogus: unknown field (ignored)",
                         "Pod default/a: spec.nodeNmae: unknown field (ignored)",
                         "Pod default/a: spec.containers[0].ports[0].endPort: unknown field "
                         "(ignored)",
                         "Pod default/a: extra: unknown field (ignored)"}));
  // A NetworkPolicy has no status.
  r = decodeManifests(
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n"
      "spec: {podSelector: {}}\nstatus: {}\n",
      "f.yaml");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].message, "NetworkPolicy default/p: status: unknown field (ignored)");
}

TEST(ModelCodecDecode, UnknownKindsAreSkippedWithAWarning) {
  DecodeResult r = decodeManifests(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\n"
      "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: old}\n",
      "t.yaml");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(texts(r.warnings),
            (std::vector<std::string>{
                "t.yaml:1:1: skipping unsupported object apps/v1 Deployment d",
                "t.yaml:5:1: skipping unsupported object extensions/v1beta1 NetworkPolicy old"}));
}

TEST(ModelCodecDecode, UnknownNetworkPolicyFieldsWarn) {
  DecodeResult r = decodeManifests(policyDoc("  ingress:\n  - form: []\n"), "t.yaml");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(texts(r.warnings),
            std::vector<std::string>{
                "t.yaml:6:5: NetworkPolicy x/p: spec.ingress[0].form: unknown field (ignored)"});
  EXPECT_EQ(r.cluster.policies.size(), 1u);
}

// ---- located errors, table-driven ----

struct ErrorCase {
  const char* name;
  std::string text;
  std::vector<std::string> errors;
};

class ModelCodecErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ModelCodecErrors, ReportsEveryErrorWithItsPosition) {
  DecodeResult r = decodeManifests(GetParam().text, "f.yaml");
  EXPECT_EQ(texts(r.errors), GetParam().errors) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    ModelCodecLocated, ModelCodecErrors,
    ::testing::Values(
        ErrorCase{"PortMapping",
                  policyDoc("  ingress:\n  - ports:\n    - port: 80\n    - port: {a: 1}\n"),
                  {"f.yaml:8:13: NetworkPolicy x/p: spec.ingress[0].ports[1].port: expected an "
                   "integer or a name, got a mapping"}},
        ErrorCase{"PortFloat",
                  policyDoc("  ingress: [{ports: [{port: 80.5}]}]\n"),
                  {"f.yaml:5:29: NetworkPolicy x/p: spec.ingress[0].ports[0].port: expected an "
                   "integer or a name, got 80.5"}},
        // 0x50 is 80 for kubectl (model_yaml_scalar_test.cc); a fraction is no port.
        ErrorCase{"PortFraction",
                  policyDoc("  ingress: [{ports: [{port: 80.5}]}]\n"),
                  {"f.yaml:5:29: NetworkPolicy x/p: spec.ingress[0].ports[0].port: expected an "
                   "integer or a name, got 80.5"}},
        ErrorCase{"EndPortOverflow",
                  policyDoc("  egress: [{ports: [{port: 1, endPort: 2147483648}]}]\n"),
                  {"f.yaml:5:40: NetworkPolicy x/p: spec.egress[0].ports[0].endPort: integer out "
                   "of range: 2147483648"}},
        ErrorCase{"UnknownProtocol",
                  policyDoc("  egress: [{ports: [{protocol: tcp}]}]\n"),
                  {"f.yaml:5:32: NetworkPolicy x/p: spec.egress[0].ports[0].protocol: unsupported "
                   "value \"tcp\" (expected TCP, UDP or SCTP)"}},
        ErrorCase{"UnknownPolicyType",
                  policyDoc("  policyTypes: [Ingres]\n"),
                  {"f.yaml:5:17: NetworkPolicy x/p: spec.policyTypes[0]: unsupported value "
                   "\"Ingres\" (expected Ingress or Egress)"}},
        ErrorCase{"UnknownOperator",
                  policyDoc("  podSelector: {matchExpressions: [{key: a, operator: Has}]}\n"),
                  {"f.yaml:5:55: NetworkPolicy x/p: spec.podSelector.matchExpressions[0].operator: "
                   "unsupported value \"Has\" (expected In, NotIn, Exists or DoesNotExist)"}},
        ErrorCase{"MissingOperator",
                  policyDoc("  podSelector: {matchExpressions: [{key: a}]}\n"),
                  {"f.yaml:5:36: NetworkPolicy x/p: spec.podSelector.matchExpressions[0].operator: "
                   "required"}},
        ErrorCase{"StringWhereListExpected",
                  policyDoc("  ingress:\n  - from: everyone\n"),
                  {"f.yaml:6:11: NetworkPolicy x/p: spec.ingress[0].from: expected a list, got "
                   "\"everyone\""}},
        ErrorCase{
            "QuotedEmptyIsNotNull",
            policyDoc("  ingress: \"\"\n"),
            {"f.yaml:5:12: NetworkPolicy x/p: spec.ingress: expected a list, got a string \"\""}},
        ErrorCase{
            "ListWhereMappingExpected",
            policyDoc("  podSelector: [a]\n"),
            {"f.yaml:5:16: NetworkPolicy x/p: spec.podSelector: expected a mapping, got a list"}},
        ErrorCase{"QuotedContainerPort",
                  "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: w}\nspec:\n  "
                  "containers: [{name: c, ports: [{containerPort: \"80\"}]}]\n",
                  {"f.yaml:5:50: Pod w/a: spec.containers[0].ports[0].containerPort: expected an "
                   "integer, got a string \"80\""}},
        ErrorCase{
            "HugeFloatIsNoInteger",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 1e21}]}\n",
            {"f.yaml:4:23: Service default/s: spec.ports[0].port: expected an integer, got 1e21"}},
        ErrorCase{
            "BooleanLabelValueMustBeQuoted",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {a: on, b: 1.0}}\n",
            {"f.yaml:3:33: Namespace x: metadata.labels[a]: expected a string, got a boolean (on); "
             "quote it",
             "f.yaml:3:40: Namespace x: metadata.labels[b]: expected a string, got 1.0; quote it"}},
        ErrorCase{"QuotedBoolean",
                  "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {hostNetwork: \"true\"}\n",
                  {"f.yaml:4:21: Pod default/a: spec.hostNetwork: expected a boolean, got a string "
                   "\"true\""}},
        ErrorCase{
            "MergeKeysUnsupported",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  <<: {name: x}\n",
            {"f.yaml:4:3: Namespace <no name>: metadata: YAML merge keys (<<) are not supported"}},
        ErrorCase{"MissingKind",
                  "apiVersion: v1\nmetadata: {name: x}\n",
                  {"f.yaml:1:1: object has no kind"}},
        ErrorCase{"NotAMapping",
                  "- a\n- b\n",
                  {"f.yaml:1:1: expected a Kubernetes object (a mapping), got a list"}},
        ErrorCase{
            "BadYaml", "a: [\n", {"f.yaml:2:1: invalid YAML: end of sequence flow not found"}},
        ErrorCase{"NulByte", std::string("a: b\nc: d\0", 10), {"f.yaml:2:5: NUL byte in input"}},
        ErrorCase{"InvalidUtf8", "a: b\nc: \xff\xfe\n", {"f.yaml:2:4: invalid UTF-8 in input"}},
        ErrorCase{
            "ControlCharacter", "a: \x1b[1m\n", {"f.yaml:1:4: control character 0x1b in input"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ModelCodecDecode, ObjectsWithErrorsAreDroppedAndOthersKept) {
  DecodeResult r = decodeManifests(
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: good}\n---\n" +
          policyDoc("  ingress: [{ports: [{port: {}}, {protocol: x}]}]\n  egress: 5\n") +
          "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: also-good}\n",
      "t.yaml");
  EXPECT_EQ(r.errors.size(), 3u);  // all of the policy's errors, not just the first
  EXPECT_EQ(r.cluster.namespaces.size(), 2u);
  EXPECT_TRUE(r.cluster.policies.empty());
}

TEST(ModelCodecDecode, MissingFileIsOneError) {
  DecodeResult r = decodeFile("/nonexistent/case.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].file, "/nonexistent/case.yaml");
}

// ---- hostile input ----

// Runs `f` and fails when it takes longer than `limit`.
template <typename F>
void withinSeconds(double limit, F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(s, limit);
}

TEST(ModelCodecHostile, DeepFlowNestingIsAnErrorNotACrash) {
  withinSeconds(10, [] {
    DecodeResult r = decodeManifests(std::string(100000, '['), "deep.yaml");
    EXPECT_EQ(r.errors.size(), 1u);
    r = decodeManifests(std::string(100000, '{'),
                        "deep.yaml");  // JSON sniffed: nlohmann is iterative
    EXPECT_EQ(r.errors.size(), 1u);
  });
}

TEST(ModelCodecHostile, DeepBlockNestingIsAnErrorNotACrash) {
  withinSeconds(10, [] {
    std::string seqs;
    for (int i = 0; i < 100000; ++i) seqs += "- ";
    EXPECT_EQ(decodeManifests(seqs + "x\n", "deep.yaml").errors.size(), 1u);
    std::string maps;
    for (int i = 0; i < 100000; ++i) maps += "a: {";
    EXPECT_EQ(decodeManifests(maps, "deep.yaml").errors.size(), 1u);
    // An indented block mapping as deep as yaml-cpp's guard allows for a reasonable file size.
    std::string block;
    for (int i = 0; i < 3000; ++i) block += std::string(static_cast<size_t>(i), ' ') + "k:\n";
    EXPECT_EQ(decodeManifests(block, "deep.yaml").errors.size(), 1u);
  });
}

TEST(ModelCodecHostile, BillionLaughsFinishesFast) {
  std::string bomb =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    bomb += fmt::format("{}: &{} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n", c, c,
                        fmt::arg("p", char(c - 1)));
  withinSeconds(5, [&] {
    // Not a Kubernetes object: the walk never enters the aliases.
    DecodeResult r = decodeManifests(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n" + bomb, "bomb.yaml");
    EXPECT_TRUE(r.errors.empty());
    // As labels, as List items, and as a Case document: the budget stops the walk.
    r = decodeManifests(bomb + "apiVersion: v1\nkind: List\nitems: *j\n", "bomb.yaml");
    EXPECT_FALSE(r.errors.empty());
    r = decodeManifests("x: &x {apiVersion: netpolfuzz.io/v1alpha1, kind: Case, a: [" +
                            bomb.substr(3, 60) +
                            "]}\napiVersion: v1\nkind: List\nitems: [*x,*x,*x,*x,*x,*x,*x,*x]\n",
                        "bomb.yaml");
    EXPECT_LE(r.caseDocuments.size(), 8u);
  });
}

TEST(ModelCodecHostile, AliasesThroughTheSchemaAreBounded) {
  // Every level is a legitimate field, so only the visit budget can stop it.
  std::string text =
      "p: &p {containerPort: 80}\n"
      "c: &c {name: c, image: i, ports: [*p,*p,*p,*p,*p,*p,*p,*p,*p,*p,*p,*p,*p,*p,*p,*p]}\n"
      "o: &o {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: "
      "[*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]}}\n"
      "l: &l {apiVersion: v1, kind: List, items: "
      "[*o,*o,*o,*o,*o,*o,*o,*o,*o,*o,*o,*o,*o,*o,*o,*o]}\n"
      "apiVersion: v1\nkind: List\nitems: [*l,*l,*l,*l,*l,*l,*l,*l,*l,*l,*l,*l,*l,*l,*l,*l]\n";
  withinSeconds(5, [&] {
    DecodeResult r = decodeManifests(text, "alias.yaml");
    ASSERT_FALSE(r.errors.empty());
    EXPECT_NE(r.errors.back().message.find("aliases"), std::string::npos);
  });
}

TEST(ModelCodecHostile, StrayTopLevelCommaDoesNotHangYamlCpp) {
  // yaml-cpp 0.7's LoadAll loops forever, allocating, on these (found by the fuzzer).
  withinSeconds(5, [] {
    for (const char* t : {",", "!x ,", "&a ,", "a: 1\n--- ,\n", "a\n...\n,"}) {
      DecodeResult r = decodeManifests(t, "comma.yaml");
      ASSERT_EQ(r.errors.size(), 1u) << t;
      EXPECT_NE(r.errors[0].message.find("invalid YAML"), std::string::npos) << t;
    }
  });
}

TEST(ModelCodecHostile, GarbageNeverThrows) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 300; ++i) {
    std::string s(static_cast<size_t>(rng() % 200), '\0');
    for (auto& ch : s) ch = static_cast<char>(rng() % (i % 2 ? 256 : 128));
    DecodeResult r = decodeManifests(s, "garbage");
    (void)validate(r.cluster);
  }
  std::string tricky[] = {"\xEF\xBB\xBF{}",
                          "---\n...\n---",
                          "[",
                          "{",
                          "\"",
                          "'",
                          "&a *a",
                          "*a",
                          "!!binary x",
                          "? [a]\n: b",
                          "a: !!int x",
                          "%YAML 1.2\n---\na: 1",
                          "\t",
                          "apiVersion: v1\nkind: List\nitems: x"};
  for (const auto& t : tricky) (void)decodeManifests(t, "tricky");
}

TEST(ModelCodecHostile, HugeInputsAreRejectedBySize) {
  std::string big(17u << 20, ' ');
  DecodeResult r = decodeManifests(big, "big.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("larger than"), std::string::npos);
}

TEST(ModelCodecHostile, LongScalarsAreFine) {
  std::string name(1u << 20, 'a');
  DecodeResult r = decodeManifests(
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n", "long.yaml");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.cluster.namespaces.at(0).meta.name.size(), name.size());
}

// ---- encoding ----

TEST(ModelCodecEncode, KeepsAbsentAndEmptyApart) {
  NetworkPolicy np;
  np.meta = {"p", "x", {}, {}};
  np.podSelector = LabelSelector{};
  np.ingress = std::vector<NetworkPolicyRule>{};
  np.egress = std::vector<NetworkPolicyRule>{NetworkPolicyRule{}};
  Cluster c;
  c.policies.push_back(np);
  std::string y = encodeYaml(c);
  EXPECT_NE(y.find("podSelector: {}"), std::string::npos) << y;
  EXPECT_NE(y.find("ingress: []"), std::string::npos) << y;
  EXPECT_NE(y.find("egress:\n  - {}"), std::string::npos) << y;
  EXPECT_EQ(y.find("policyTypes"), std::string::npos) << y;
  EXPECT_EQ(decodeOk(y), c);
  EXPECT_EQ(decodeOk(encodeJson(c)), c);
}

TEST(ModelCodecEncode, QuotesStringsYamlWouldRetype) {
  Namespace ns;
  ns.meta.name = "x";
  const char* values[] = {"true",
                          "True",
                          "80",
                          "null",
                          "~",
                          "on",
                          "off",
                          "yes",
                          "no",
                          "y",
                          "N",
                          "",
                          "1e3",
                          "0x1F",
                          "0o17",
                          "1_000",
                          "12:30",
                          ".inf",
                          "-.5",
                          "-",
                          "a: b",
                          "#c",
                          " lead",
                          "trail ",
                          "x\ny",
                          "tab\there",
                          "q\"uote",
                          "back\\slash",
                          "caf\xc3\xa9",
                          "\xf0\x9f\x98\x80",
                          "[a]",
                          "{a}",
                          "*a",
                          "&a",
                          "!a",
                          "|",
                          ">",
                          "%a",
                          "@a",
                          "`a",
                          "a #b",
                          "fd00::",
                          "::1",
                          "10.0.0.1",
                          "2001-12-14",
                          "\xe2\x80\xa8",
                          "\xef\xbb\xbf",
                          std::string("nul\0", 4).c_str(),
                          "\x7f"};
  int i = 0;
  for (const char* v : values) ns.meta.annotations[fmt::format("k{}", i++)] = v;
  ns.meta.annotations["k-nul"] = std::string("a\0b", 3);
  ns.meta.labels["true"] = "80";
  Cluster c;
  c.namespaces.push_back(ns);
  std::string y = encodeYaml(c);
  EXPECT_NE(y.find("\"true\": \"80\""), std::string::npos) << y;
  EXPECT_EQ(decodeOk(y), c) << y;
  EXPECT_EQ(decodeOk(encodeJson(c)), c) << encodeJson(c);
}

TEST(ModelCodecEncode, WritesKubectlShapedManifests) {
  Cluster c;
  Node n;
  n.meta.name = "n1";
  n.internalIPs = {"192.168.0.10"};
  c.nodes.push_back(n);
  Pod p;
  p.meta = {"a", "x", {{"app", "web"}}, {}};
  p.containers = {Container{"c", "img", {ContainerPort{"http", 80, Protocol::TCP}}}};
  p.podIP = "10.0.0.1";
  p.podIPs = {"10.0.0.1"};
  c.pods.push_back(p);
  Service s;
  s.meta = {"s", "x", {}, {}};
  s.clusterIP = "10.96.0.1";
  s.selector = Labels{};
  s.ports = {ServicePort{"", 80, std::nullopt, PortRef{std::string("http")}}};
  c.services.push_back(s);
  EXPECT_EQ(encodeYaml(c),
            R"(apiVersion: v1
kind: Node
metadata:
  name: n1
status:
  addresses:
  - type: InternalIP
    address: 192.168.0.10
---
apiVersion: v1
kind: Pod
metadata:
  name: a
  namespace: x
  labels:
    app: web
spec:
  containers:
  - name: c
    image: img
    ports:
    - name: http
      containerPort: 80
      protocol: TCP
status:
  podIP: 10.0.0.1
  podIPs:
  - ip: 10.0.0.1
---
apiVersion: v1
kind: Service
metadata:
  name: s
  namespace: x
spec:
  clusterIP: 10.96.0.1
  selector: {}
  ports:
  - port: 80
    targetPort: http
)");
  std::string j = encodeJson(c);
  EXPECT_EQ(j.rfind("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [", 0), 0u)
      << j;
  EXPECT_EQ(decodeOk(j), c);
}

TEST(ModelCodecEncode, ExternalHostsAreNotKubernetesObjects) {
  Cluster c;
  c.externalHosts.push_back(ExternalHost{"ext", "203.0.113.1"});
  EXPECT_EQ(encodeYaml(c), "");
  EXPECT_TRUE(decodeOk(encodeJson(c)).externalHosts.empty());
}

// ---- properties ----

Cluster withoutExternalHosts(Cluster c) {
  c.externalHosts.clear();  // the Case document layer carries them
  return c;
}

RC_GTEST_PROP(ModelCodecProperty, YamlRoundTripIsExact, ()) {
  Cluster c = withoutExternalHosts(*arb::genCluster());
  std::string y = encodeYaml(c);
  DecodeResult r = decodeManifests(y, "rt.yaml");
  RC_ASSERT(r.errors.empty());
  RC_ASSERT(r.warnings.empty());
  RC_ASSERT(r.cluster == c);
}

RC_GTEST_PROP(ModelCodecProperty, JsonRoundTripIsExact, ()) {
  Cluster c = withoutExternalHosts(*arb::genCluster());
  DecodeResult r = decodeManifests(encodeJson(c), "rt.json");
  RC_ASSERT(r.errors.empty());
  RC_ASSERT(r.cluster == c);
}

RC_GTEST_PROP(ModelCodecProperty, ValidateAcceptsWhatTheEncoderWritesForValidClusters, ()) {
  Cluster c = withoutExternalHosts(*arb::genCluster());
  RC_ASSERT(validate(c).empty());
  DecodeResult r = decodeManifests(encodeYaml(c), "rt.yaml");
  RC_ASSERT(validate(r.cluster).empty());
}

std::string utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80)
    s += char(cp);
  else if (cp < 0x800)
    s += char(0xC0 | cp >> 6), s += char(0x80 | (cp & 0x3F));
  else if (cp < 0x10000)
    s += char(0xE0 | cp >> 12), s += char(0x80 | ((cp >> 6) & 0x3F)), s += char(0x80 | (cp & 0x3F));
  else
    s += char(0xF0 | cp >> 18), s += char(0x80 | ((cp >> 12) & 0x3F)),
        s += char(0x80 | ((cp >> 6) & 0x3F)), s += char(0x80 | (cp & 0x3F));
  return s;
}

// Arbitrary text (any code point but surrogates, NUL included) in the free-form fields
// (annotation values, image) survives both encodings.
RC_GTEST_PROP(ModelCodecProperty, ArbitraryStringsRoundTrip,
              (const std::vector<std::vector<uint32_t>>& raw)) {
  Pod p;
  p.meta = {"a", "x", {}, {}};
  p.containers = {Container{"c", "", {}}};
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string s;
    for (uint32_t v : raw[i]) {
      // Mostly ASCII, where YAML's special characters are.
      uint32_t cp = v % 4 ? v % 0x80 : v % 0x110000;
      if (cp >= 0xD800 && cp <= 0xDFFF) cp -= 0x1000;
      s += utf8(cp);
    }
    p.meta.annotations[fmt::format("k{}", i)] = s;
    p.meta.annotations[s] = "as a key";
    if (i == 0) p.containers[0].image = s;
  }
  Cluster c;
  c.pods.push_back(p);
  DecodeResult y = decodeManifests(encodeYaml(c), "s.yaml");
  RC_ASSERT(y.errors.empty());
  RC_ASSERT(y.cluster == c);
  DecodeResult j = decodeManifests(encodeJson(c), "s.json");
  RC_ASSERT(j.errors.empty());
  RC_ASSERT(j.cluster == c);
}

}  // namespace
}  // namespace npf
