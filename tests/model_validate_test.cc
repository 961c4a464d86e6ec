// Validation like the apiserver's: one table row per rule, accepted and rejected, plus exact
// positions and objects built in code.
#include <gtest/gtest.h>

#include "model/codec.h"
#include "model/validate.h"

namespace npf {
namespace {

std::string ns(const std::string& meta) {
  return "apiVersion: v1\nkind: Namespace\nmetadata: " + meta + "\n---\n";
}
std::string node(const std::string& meta, const std::string& status = "{}") {
  return "apiVersion: v1\nkind: Node\nmetadata: " + meta + "\nstatus: " + status + "\n---\n";
}
const std::string kSpec =
    "{containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}]}]}";
std::string pod(const std::string& meta, const std::string& spec = kSpec,
                const std::string& status = "{}") {
  return "apiVersion: v1\nkind: Pod\nmetadata: " + meta + "\nspec: " + spec +
         "\nstatus: " + status + "\n---\n";
}
std::string svc(const std::string& meta, const std::string& spec) {
  return "apiVersion: v1\nkind: Service\nmetadata: " + meta + "\nspec: " + spec + "\n---\n";
}
std::string pol(const std::string& spec, const std::string& meta = "{name: p, namespace: x}") {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: " + meta +
         "\nspec: " + spec + "\n---\n";
}
// One ingress rule with the given ports / peers (YAML flow lists).
std::string ports(const std::string& list) { return pol("{ingress: [{ports: " + list + "}]}"); }
std::string peers(const std::string& list) { return pol("{egress: [{to: " + list + "}]}"); }
std::string selector(const std::string& sel) { return pol("{podSelector: " + sel + "}"); }

std::vector<std::string> validateText(const std::string& text) {
  DecodeResult r = decodeManifests(text, "v.yaml");
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : toString(r.errors[0])) << "\n" << text;
  std::vector<std::string> out;
  for (const auto& d : validate(r.cluster)) out.push_back(toString(d));
  return out;
}

struct Rule {
  const char* name;
  std::string text;
  std::vector<std::string> expected;  // substrings of each diagnostic, in order; empty: accepted
};

class ModelValidateRules : public ::testing::TestWithParam<Rule> {};

TEST_P(ModelValidateRules, ReportsExactlyTheExpectedProblems) {
  std::vector<std::string> got = validateText(GetParam().text);
  ASSERT_EQ(got.size(), GetParam().expected.size()) << ::testing::PrintToString(got) << "\n"
                                                    << GetParam().text;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NE(got[i].find(GetParam().expected[i]), std::string::npos)
        << got[i] << "\nwanted: " << GetParam().expected[i];
}

const std::string k64(64, 'a');

INSTANTIATE_TEST_SUITE_P(
    ModelValidateNames, ModelValidateRules,
    ::testing::Values(
        Rule{"NamespaceNameIsALabel", ns("{name: x-1}"), {}},
        Rule{"NamespaceNameUpperCase",
             ns("{name: X}"),
             {"Namespace X: metadata.name: \"X\" must be a DNS-1123 label"}},
        Rule{"NamespaceNameTooLong", ns("{name: " + k64 + "}"), {"metadata.name: \"aaaa"}},
        Rule{"NamespaceNameWithDot", ns("{name: a.b}"), {"must be a DNS-1123 label"}},
        Rule{"PodNameIsASubdomain", pod("{name: a.b-c, namespace: x}"), {}},
        Rule{"PodNameLeadingDash",
             pod("{name: -a, namespace: x}"),
             {"Pod x/-a: metadata.name: \"-a\" must be a DNS-1123 subdomain"}},
        Rule{"PodNameTooLong",
             pod("{name: " + std::string(254, 'a') + "}"),
             {"must be a DNS-1123 subdomain"}},
        Rule{"PodNameRequired",
             pod("{namespace: x}"),
             {"v.yaml:3:11: Pod x/<no name>: metadata.name: required"}},
        Rule{"PodNamespaceMustBeALabel",
             pod("{name: a, namespace: x.y}"),
             {"metadata.namespace: \"x.y\" must be a DNS-1123 label"}},
        Rule{"NodeNameIsASubdomain", node("{name: node-1.example}"), {}},
        Rule{"NodeNameUnderscore", node("{name: node_1}"), {"Node node_1: metadata.name"}},
        Rule{"ServiceNameIsADns1035Label", svc("{name: svc-1}", "{ports: [{port: 80}]}"), {}},
        Rule{"ServiceNameStartingWithDigit",
             svc("{name: 1svc}", "{ports: [{port: 80}]}"),
             {"must be a DNS-1035 label"}},
        Rule{"ServiceNameWithDot",
             svc("{name: s.v}", "{ports: [{port: 80}]}"),
             {"must be a DNS-1035 label"}},
        Rule{"PolicyNameIsASubdomain", pol("{}", "{name: allow.web}"), {}},
        Rule{"PolicyNameUpperCase",
             pol("{}", "{name: Allow}"),
             {"NetworkPolicy default/Allow: metadata.name"}},
        Rule{"PodNodeNameIsASubdomain",
             pod("{name: a}", "{nodeName: N1, containers: [{name: c, image: i}]}"),
             {"spec.nodeName: \"N1\""}}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    ModelValidateLabels, ModelValidateRules,
    ::testing::Values(
        Rule{"KeyWithPrefix", ns("{name: x, labels: {example.com/role: web, a.b_c-D: v}}"), {}},
        Rule{"KeyWithTwoSlashes",
             ns("{name: x, labels: {a/b/c: v}}"),
             {"metadata.labels[a/b/c]: key \"a/b/c\" must be a qualified name"}},
        Rule{"KeyPrefixUpperCase",
             ns("{name: x, labels: {Example.com/x: v}}"),
             {"must be a qualified name"}},
        Rule{"KeyEmptyPrefix", ns("{name: x, labels: {/x: v}}"), {"must be a qualified name"}},
        Rule{"KeyNameTooLong",
             ns("{name: x, labels: {" + k64 + ": v}}"),
             {"must be a qualified name"}},
        Rule{"KeyNameLeadingDot", ns("{name: x, labels: {.a: v}}"), {"must be a qualified name"}},
        Rule{"ValueEmptyAllowed", ns("{name: x, labels: {a: \"\"}}"), {}},
        Rule{"ValueCharset", ns("{name: x, labels: {a: a_b.c-D9}}"), {}},
        Rule{"ValueLeadingDash",
             ns("{name: x, labels: {a: -b}}"),
             {"metadata.labels[a]: value \"-b\" must be empty or"}},
        Rule{"ValueTooLong",
             ns("{name: x, labels: {a: " + k64 + "}}"),
             {"metadata.labels[a]: value"}},
        Rule{"ValueWithSpace", ns("{name: x, labels: {a: b c}}"), {"metadata.labels[a]: value"}},
        Rule{"AnnotationKeysAreQualifiedNamesCaseInsensitively",
             ns("{name: x, annotations: {Example.com/X: \"any thing\"}}"),
             {}},
        Rule{"AnnotationKeyWithSpace",
             ns("{name: x, annotations: {a b: c}}"),
             {"metadata.annotations[a b]: key"}}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    ModelValidateSelectors, ModelValidateRules,
    ::testing::Values(
        Rule{
            "AllOperatorsWellFormed",
            selector("{matchExpressions: [{key: a, operator: In, values: [x]}, {key: b, operator: "
                     "NotIn, values: [x, z]},"
                     " {key: c, operator: Exists}, {key: d, operator: DoesNotExist, values: []}]}"),
            {}},
        Rule{
            "InNeedsValues",
            selector("{matchExpressions: [{key: a, operator: In}]}"),
            {"spec.podSelector.matchExpressions[0].values: must be non-empty when operator is In"}},
        Rule{"NotInNeedsValues",
             selector("{matchExpressions: [{key: a, operator: NotIn, values: []}]}"),
             {"must be non-empty when operator is NotIn"}},
        Rule{"ExistsTakesNoValues",
             selector("{matchExpressions: [{key: a, operator: Exists, values: [x]}]}"),
             {"values: must be empty when operator is Exists"}},
        Rule{"DoesNotExistTakesNoValues",
             selector("{matchExpressions: [{key: a, operator: DoesNotExist, values: [x]}]}"),
             {"values: must be empty when operator is DoesNotExist"}},
        Rule{"ValuesMustBeLabelValues",
             selector("{matchExpressions: [{key: a, operator: In, values: [ok, -bad]}]}"),
             {"spec.podSelector.matchExpressions[0].values[1]: \"-bad\""}},
        Rule{"KeyMustBeQualified",
             selector("{matchExpressions: [{key: \"a b\", operator: Exists}]}"),
             {"spec.podSelector.matchExpressions[0].key"}},
        Rule{"MatchLabelsChecked",
             selector("{matchLabels: {a: -b}}"),
             {"spec.podSelector.matchLabels[a]: value"}},
        Rule{"PeerSelectorsChecked",
             peers("[{namespaceSelector: {matchLabels: {a/b/c: x}}}]"),
             {"spec.egress[0].to[0].namespaceSelector.matchLabels[a/b/c]: key"}},
        Rule{"ServiceSelectorChecked",
             svc("{name: s}", "{selector: {a: -b}, ports: [{port: 80}]}"),
             {"spec.selector[a]: value"}}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    ModelValidateContainerPorts, ModelValidateRules,
    ::testing::Values(
        Rule{"IanaNames",
             pod("{name: a}",
                 "{containers: [{name: c, image: i, ports: [{name: http, containerPort: 1},"
                 " {name: web-alt, containerPort: 2}, {name: a1, containerPort: 65535},"
                 " {name: abcdefghijklmno, containerPort: 4}]}]}"),
             {}},
        Rule{
            "IanaNameNeedsALetter",
            pod("{name: a}",
                "{containers: [{name: c, image: i, ports: [{name: \"1234\", containerPort: 1}]}]}"),
            {"spec.containers[0].ports[0].name: \"1234\" must be an IANA_SVC_NAME"}},
        Rule{"IanaNameDoubleDash",
             pod("{name: a}",
                 "{containers: [{name: c, image: i, ports: [{name: a--b, containerPort: 1}]}]}"),
             {"IANA_SVC_NAME"}},
        Rule{"IanaNameLeadingDash",
             pod("{name: a}",
                 "{containers: [{name: c, image: i, ports: [{name: -ab, containerPort: 1}]}]}"),
             {"IANA_SVC_NAME"}},
        Rule{"IanaNameTrailingDash",
             pod("{name: a}",
                 "{containers: [{name: c, image: i, ports: [{name: ab-, containerPort: 1}]}]}"),
             {"IANA_SVC_NAME"}},
        Rule{"IanaNameTooLong",
             pod("{name: a}",
                 "{containers: [{name: c, image: i, ports: [{name: abcdefghijklmnop, "
                 "containerPort: 1}]}]}"),
             {"IANA_SVC_NAME"}},
        Rule{"IanaNameUpperCase",
             pod("{name: a}",
                 "{containers: [{name: c, image: i, ports: [{name: HTTP, containerPort: 1}]}]}"),
             {"IANA_SVC_NAME"}},
        Rule{"ContainerPortZero",
             pod("{name: a}", "{containers: [{name: c, image: i, ports: [{containerPort: 0}]}]}"),
             {"spec.containers[0].ports[0].containerPort: must be between 1 and 65535, got 0"}},
        Rule{"ContainerPortTooLarge",
             pod("{name: a}",
                 "{containers: [{name: c, image: i, ports: [{containerPort: 65536}]}]}"),
             {"must be between 1 and 65535, got 65536"}},
        Rule{"DuplicatePortNamesAcrossContainers",
             pod("{name: a}",
                 "{containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}]},"
                 " {name: d, image: i, ports: [{name: http, containerPort: 81}]}]}"),
             {"spec.containers[1].ports[0].name: duplicate port name \"http\" (also "
              "spec.containers[0].ports[0])"}},
        Rule{"DuplicatePortNumbersAreOnlyAWarningInKubernetes",
             pod("{name: a}",
                 "{containers: [{name: c, image: i, ports: [{containerPort: 80}, {containerPort: "
                 "80}]}]}"),
             {}},
        Rule{"DuplicateContainerNames",
             pod("{name: a}", "{containers: [{name: c, image: i}, {name: c, image: i}]}"),
             {"spec.containers[1].name: duplicate container name"}},
        Rule{"ContainerNameIsALabel",
             pod("{name: a}", "{containers: [{name: C, image: i}]}"),
             {"spec.containers[0].name: \"C\""}},
        Rule{"ImageRequired",
             pod("{name: a}", "{containers: [{name: c}]}"),
             {"spec.containers[0].image: required"}},
        Rule{"ImageWithoutSurroundingSpace",
             pod("{name: a}", "{containers: [{name: c, image: \" i\"}]}"),
             {"spec.containers[0].image: must not have leading or trailing whitespace"}},
        Rule{"ContainersRequired", pod("{name: a}", "{}"), {"spec.containers: required"}}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    ModelValidateServices, ModelValidateRules,
    ::testing::Values(
        Rule{"WellFormed",
             svc("{name: s}",
                 "{clusterIP: 10.96.0.1, ports: [{name: a, port: 80, targetPort: 8080},"
                 " {name: b, port: 80, protocol: UDP, targetPort: dns}]}"),
             {}},
        Rule{"PortZero",
             svc("{name: s}", "{ports: [{port: 0}]}"),
             {"spec.ports[0].port: must be between 1 and 65535"}},
        // The API server defaults a targetPort of 0 (or "") to the port.
        Rule{"TargetPortZeroIsThePort",
             svc("{name: s}", "{ports: [{port: 80, targetPort: 0}]}"),
             {}},
        Rule{"TargetPortNegative",
             svc("{name: s}", "{ports: [{port: 80, targetPort: -1}]}"),
             {"spec.ports[0].targetPort: must be between"}},
        Rule{"TargetPortTooLarge",
             svc("{name: s}", "{ports: [{port: 80, targetPort: 65536}]}"),
             {"spec.ports[0].targetPort"}},
        Rule{"TargetPortBadName",
             svc("{name: s}", "{ports: [{port: 80, targetPort: Http}]}"),
             {"spec.ports[0].targetPort: \"Http\" must be an IANA_SVC_NAME"}},
        Rule{"TargetPortQuotedNumberIsAName",
             svc("{name: s}", "{ports: [{port: 80, targetPort: \"8080\"}]}"),
             {"IANA_SVC_NAME"}},
        Rule{"SeveralPortsNeedNames",
             svc("{name: s}", "{ports: [{port: 80}, {name: b, port: 81}]}"),
             {"spec.ports[0].name: required when the Service has more than one port"}},
        Rule{"DuplicatePortNames",
             svc("{name: s}", "{ports: [{name: a, port: 80}, {name: a, port: 81}]}"),
             {"spec.ports[1].name: duplicate port name"}},
        Rule{"DuplicatePortAndProtocol",
             svc("{name: s}", "{ports: [{name: a, port: 80}, {name: b, port: 80, protocol: TCP}]}"),
             {"spec.ports[1]: duplicate port 80/TCP"}},
        Rule{"ClusterIPNone", svc("{name: s}", "{clusterIP: None}"), {}},
        Rule{"ClusterIPv6", svc("{name: s}", "{clusterIP: \"fd00::a\", ports: [{port: 80}]}"), {}},
        Rule{"ClusterIPInvalid",
             svc("{name: s}", "{clusterIP: 10.0.0.256, ports: [{port: 80}]}"),
             {"spec.clusterIP: not a valid IP address"}},
        Rule{"PortsRequiredUnlessHeadless",
             svc("{name: s}", "{clusterIP: 10.96.0.1}"),
             {"spec.ports: required"}}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    ModelValidatePolicyPorts, ModelValidateRules,
    ::testing::Values(
        Rule{"WellFormed",
             ports("[{port: 1}, {port: 65535}, {port: http}, {port: 80, endPort: 80}, {port: 80, "
                   "endPort: 65535},"
                   " {protocol: SCTP}, {}]"),
             {}},
        Rule{"PortZero",
             ports("[{port: 0}]"),
             {"spec.ingress[0].ports[0].port: must be between 1 and 65535, got 0"}},
        Rule{"PortTooLarge", ports("[{port: 65536}]"), {"must be between 1 and 65535, got 65536"}},
        Rule{"PortBadName",
             ports("[{port: Http}]"),
             {"spec.ingress[0].ports[0].port: \"Http\" must be an IANA_SVC_NAME"}},
        Rule{"EndPortBelowPort",
             ports("[{port: 80, endPort: 79}]"),
             {"spec.ingress[0].ports[0].endPort: must be >= port (80)"}},
        Rule{"EndPortTooLarge",
             ports("[{port: 80, endPort: 65536}]"),
             {"endPort: must be between 1 and 65535"}},
        Rule{"EndPortWithNamedPort",
             ports("[{port: http, endPort: 90}]"),
             {"endPort: may not be specified when port is a name"}},
        Rule{"EndPortWithoutPort",
             ports("[{endPort: 90}]"),
             {"endPort: may not be specified when port is not specified"}}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    ModelValidatePeers, ModelValidateRules,
    ::testing::Values(
        Rule{"WellFormed",
             peers("[{podSelector: {}}, {namespaceSelector: {}}, {podSelector: {}, "
                   "namespaceSelector: {}},"
                   " {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.3.4/32]}},"
                   " {ipBlock: {cidr: \"fd00::/8\", except: [\"fd00::/16\"]}}]"),
             {}},
        Rule{"HostBitsAccepted",
             peers("[{ipBlock: {cidr: 10.1.2.3/8, except: [10.1.2.3/24]}}]"),
             {}},
        Rule{"EmptyPeer",
             peers("[{}]"),
             {"spec.egress[0].to[0]: must specify podSelector, namespaceSelector or ipBlock"}},
        Rule{"IpBlockWithSelector",
             peers("[{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]"),
             {"spec.egress[0].to[0]: may not combine ipBlock with podSelector or "
              "namespaceSelector"}},
        Rule{"CidrRequired",
             peers("[{ipBlock: {}}]"),
             {"spec.egress[0].to[0].ipBlock.cidr: required"}},
        Rule{"CidrInvalid",
             peers("[{ipBlock: {cidr: 10.0.0.0/33}}]"),
             {"ipBlock.cidr: not a valid CIDR: \"10.0.0.0/33\""}},
        Rule{"CidrWithoutLength",
             peers("[{ipBlock: {cidr: 10.0.0.1}}]"),
             {"ipBlock.cidr: not a valid CIDR"}},
        Rule{"ExceptInvalid",
             peers("[{ipBlock: {cidr: 10.0.0.0/8, except: [nope]}}]"),
             {"ipBlock.except[0]: not a valid CIDR"}},
        Rule{
            "ExceptOutside",
            peers("[{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]"),
            {"spec.egress[0].to[0].ipBlock.except[0]: must be a strict subset of cidr 10.0.0.0/8"}},
        Rule{"ExceptSamePrefix",
             peers("[{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]"),
             {"must be a strict subset"}},
        Rule{"ExceptWider",
             peers("[{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/8]}}]"),
             {"must be a strict subset"}},
        Rule{"ExceptOtherFamily",
             peers("[{ipBlock: {cidr: 0.0.0.0/0, except: [\"::/1\"]}}]"),
             {"must be a strict subset"}},
        Rule{"PolicyTypesBoth", pol("{policyTypes: [Egress, Ingress]}"), {}},
        // The API server counts policyTypes; it does not look for repeats.
        Rule{"PolicyTypesRepeated", pol("{policyTypes: [Ingress, Ingress]}"), {}},
        Rule{"PolicyTypesThree",
             pol("{policyTypes: [Ingress, Egress, Ingress]}"),
             {"spec.policyTypes: may not specify more than two policyTypes"}}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    ModelValidateAddresses, ModelValidateRules,
    ::testing::Values(
        Rule{"DualStackPod",
             pod("{name: a}", kSpec,
                 "{podIP: 10.0.0.1, podIPs: [{ip: 10.0.0.1}, {ip: \"fd00::1\"}]}"),
             {}},
        Rule{"PodIPInvalid",
             pod("{name: a}", kSpec, "{podIP: 10.0.0.256}"),
             {"status.podIP: not a valid IP address: \"10.0.0.256\""}},
        Rule{"PodIPsInvalid",
             pod("{name: a}", kSpec, "{podIPs: [{ip: x}]}"),
             {"status.podIPs[0].ip: not a valid IP address"}},
        Rule{"PodIPsFirstIsPodIP",
             pod("{name: a}", kSpec, "{podIP: 10.0.0.1, podIPs: [{ip: 10.0.0.2}]}"),
             {"status.podIPs[0].ip: must equal status.podIP (10.0.0.1)"}},
        Rule{"PodIPsOnePerFamily",
             pod("{name: a}", kSpec, "{podIPs: [{ip: 10.0.0.1}, {ip: 10.0.0.2}]}"),
             {"status.podIPs[1].ip: must have at most one address per family"}},
        Rule{"PodIPsAtMostTwo",
             pod("{name: a}", kSpec,
                 "{podIPs: [{ip: 10.0.0.1}, {ip: \"fd00::1\"}, {ip: 10.0.0.3}]}"),
             {"status.podIPs: must have at most two",
              "status.podIPs[2].ip: must have at most one address per family"}},
        Rule{
            "NodeInternalIPInvalid",
            node(
                "{name: n1}",
                "{addresses: [{type: Hostname, address: n1}, {type: InternalIP, address: 1.2.3}]}"),
            {"v.yaml:4:81: Node n1: status.addresses[1].address: not a valid IP address: "
             "\"1.2.3\""}},
        Rule{"HostNetworkPodHasItsNodesIP",
             node("{name: n1}", "{addresses: [{type: InternalIP, address: 192.168.0.1}]}") +
                 pod("{name: a}",
                     "{nodeName: n1, hostNetwork: true, containers: [{name: c, image: i}]}",
                     "{podIP: 192.168.0.1}") +
                 pod("{name: b}",
                     "{nodeName: n1, hostNetwork: true, containers: [{name: c, image: i}]}",
                     "{podIP: 192.168.0.1}"),
             {}},
        Rule{"HostNetworkPodWithAnotherIP",
             node("{name: n1}", "{addresses: [{type: InternalIP, address: 192.168.0.1}]}") +
                 pod("{name: a}",
                     "{nodeName: n1, hostNetwork: true, containers: [{name: c, image: i}]}",
                     "{podIP: 10.0.0.1}"),
             {"status.podIP: a hostNetwork pod's IP must be one of its node's addresses (10.0.0.1 "
              "is not an address of node n1)"}},
        Rule{
            "HostNetworkPodOnUndeclaredNode",
            pod("{name: a}", "{nodeName: n1, hostNetwork: true, containers: [{name: c, image: i}]}",
                "{podIP: 10.0.0.1}"),
            {}},
        Rule{"DuplicatePodIPs",
             pod("{name: a}", kSpec, "{podIP: 10.0.0.1}") +
                 pod("{name: b, namespace: w}", kSpec, "{podIP: 10.0.0.1}"),
             {"Pod w/b: status.podIP: IP 10.0.0.1 is also the IP of pod default/a"}},
        Rule{"DuplicatePodIPsInAnotherSpelling",
             pod("{name: a}", kSpec, "{podIPs: [{ip: \"fd00::1\"}]}") +
                 pod("{name: b}", kSpec, "{podIPs: [{ip: \"fd00:0::1\"}]}"),
             {"IP fd00::1 is also the IP of pod default/a"}}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    ModelValidateCrossObject, ModelValidateRules,
    ::testing::Values(
        Rule{"DuplicateNamespace",
             ns("{name: x}") + ns("{name: x}"),
             {"v.yaml:7:18: Namespace x: metadata.name: duplicate Namespace (first declared at "
              "v.yaml:1:1)"}},
        Rule{"DuplicatePod",
             pod("{name: a, namespace: x}") + pod("{name: a, namespace: x}"),
             {"Pod x/a: metadata.name: duplicate Pod"}},
        Rule{"SameNameInOtherNamespace",
             pod("{name: a, namespace: x}") + pod("{name: a, namespace: w}"),
             {}},
        Rule{"SameNameOtherKinds",
             pod("{name: a}") + svc("{name: a}", "{ports: [{port: 80}]}") + pol("{}", "{name: a}"),
             {}},
        Rule{"DuplicatePolicy",
             pol("{}") + pol("{}"),
             {"NetworkPolicy x/p: metadata.name: duplicate NetworkPolicy"}},
        Rule{"PodsInUndeclaredNamespacesAreFine", pod("{name: a, namespace: nowhere}"), {}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ModelValidateLocation, ErrorsPointAtTheOffendingValue) {
  std::string text = pol("\n  egress:\n  - ports:\n    - port: 80\n      endPort: 70");
  EXPECT_EQ(
      validateText(text),
      std::vector<std::string>{
          "v.yaml:8:16: NetworkPolicy x/p: spec.egress[0].ports[0].endPort: must be >= port (80)"});
}

TEST(ModelValidateLocation, UnrecordedFieldsFallBackToTheLongestRecordedPrefix) {
  // No `values` key at all: the message names it, the position is the requirement's.
  std::string text =
      pol("\n  podSelector:\n    matchExpressions:\n    - key: a\n      operator: In");
  EXPECT_EQ(validateText(text),
            std::vector<std::string>{
                "v.yaml:7:7: NetworkPolicy x/p: spec.podSelector.matchExpressions[0].values: must "
                "be non-empty when operator is In"});
}

TEST(ModelValidateLocation, ObjectsBuiltInCodeAreInMemory) {
  Cluster c;
  Namespace n;
  n.meta.name = "x";
  n.meta.namespace_ = "y";
  c.namespaces.push_back(n);
  Pod p;
  p.meta.name = "a";
  p.containers = {Container{"c", "i", {}}};
  c.pods.push_back(p);
  std::vector<std::string> got;
  for (const auto& d : validate(c)) got.push_back(toString(d));
  EXPECT_EQ(got, (std::vector<std::string>{"<memory>:0:0: Namespace x: metadata.namespace: must be "
                                           "empty for a cluster-scoped object",
                                           "<memory>:0:0: Pod /a: metadata.namespace: required"}));
}

TEST(ModelValidateLocation, ExternalHostsNeedValidAddresses) {
  Cluster c;
  c.externalHosts = {ExternalHost{"ext", "203.0.113.1"}, ExternalHost{"bad", "203.0.113"}};
  ASSERT_EQ(validate(c).size(), 1u);
  EXPECT_EQ(validate(c)[0].message, "ExternalHost bad: ip: not a valid IP address: \"203.0.113\"");
}

TEST(ModelValidateChecks, SingleValueChecks) {
  EXPECT_TRUE(isDns1123Label("a-1"));
  EXPECT_FALSE(isDns1123Label(""));
  EXPECT_FALSE(isDns1123Label("a-"));
  EXPECT_TRUE(isDns1123Label(std::string(63, 'a')));
  EXPECT_FALSE(isDns1123Label(std::string(64, 'a')));
  EXPECT_TRUE(isDns1123Subdomain("a.b.c"));
  EXPECT_FALSE(isDns1123Subdomain("a..b"));
  EXPECT_FALSE(isDns1123Subdomain("a."));
  EXPECT_TRUE(isDns1123Subdomain(std::string(253, 'a')));
  EXPECT_FALSE(isDns1123Subdomain(std::string(254, 'a')));
  EXPECT_TRUE(isIanaSvcName("http"));
  EXPECT_TRUE(isIanaSvcName("h-2"));
  EXPECT_FALSE(isIanaSvcName("80"));
  EXPECT_FALSE(isIanaSvcName(""));
  EXPECT_TRUE(isQualifiedName("example.com/My_Key.1"));
  EXPECT_FALSE(isQualifiedName("example.com/"));
  EXPECT_FALSE(isQualifiedName(""));
  EXPECT_TRUE(isLabelValue(""));
  EXPECT_TRUE(isLabelValue("A.b_c-9"));
  EXPECT_FALSE(isLabelValue("a/b"));
}

}  // namespace
}  // namespace npf
