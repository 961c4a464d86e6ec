// Kubernetes objects as plain value types: the subset netpolfuzz reads, keeping every
// distinction the NetworkPolicy semantics depend on (absent vs empty lists and selectors).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace npf {

// Where an object came from, for `file:line:col` diagnostics. Not part of an object's value:
// two objects decoded from different files compare equal when their fields do.
struct Origin {
  std::string file;
  int line = 0;  // 1-based; 0 when the object was built in code
  int col = 0;
  // Field path (as used in diagnostics, e.g. "spec.ingress[0].ports[1].endPort") to the
  // 1-based line/column of its value in the source file.
  std::shared_ptr<const std::map<std::string, std::pair<int, int>>> fields;

  bool operator==(const Origin&) const { return true; }
};

using Labels = std::map<std::string, std::string>;

enum class Protocol { TCP, UDP, SCTP };
const char* toString(Protocol p);
std::optional<Protocol> parseProtocol(const std::string& s);  // exact, upper case

struct ObjectMeta {
  std::string name;
  std::string namespace_;  // empty for cluster-scoped objects
  Labels labels;
  std::map<std::string, std::string> annotations;
  bool operator==(const ObjectMeta&) const = default;
};

// An integer or a name, as Kubernetes' IntOrString (ports, targetPort).
struct PortRef {
  std::variant<int32_t, std::string> value;
  bool isNumber() const { return std::holds_alternative<int32_t>(value); }
  int32_t number() const { return std::get<int32_t>(value); }
  const std::string& name() const { return std::get<std::string>(value); }
  bool operator==(const PortRef&) const = default;
};

enum class SelectorOp { In, NotIn, Exists, DoesNotExist };
const char* toString(SelectorOp op);
std::optional<SelectorOp> parseSelectorOp(const std::string& s);

struct LabelSelectorRequirement {
  std::string key;
  SelectorOp op = SelectorOp::In;
  std::vector<std::string> values;
  bool operator==(const LabelSelectorRequirement&) const = default;
};

// matchLabels and matchExpressions are ANDed; an empty selector matches everything.
struct LabelSelector {
  Labels matchLabels;
  std::vector<LabelSelectorRequirement> matchExpressions;
  bool operator==(const LabelSelector&) const = default;
};

struct IPBlock {
  std::string cidr;
  std::vector<std::string> except;
  bool operator==(const IPBlock&) const = default;
};

// Either ipBlock, or one or both of the selectors (validation enforces it).
struct NetworkPolicyPeer {
  std::optional<LabelSelector> podSelector;
  std::optional<LabelSelector> namespaceSelector;
  std::optional<IPBlock> ipBlock;
  bool operator==(const NetworkPolicyPeer&) const = default;
};

struct NetworkPolicyPort {
  std::optional<Protocol> protocol;  // absent means TCP
  std::optional<PortRef> port;       // absent means every port of the protocol
  std::optional<int32_t> endPort;
  bool operator==(const NetworkPolicyPort&) const = default;
};

// One ingress or egress rule; `peers` is `from` for ingress and `to` for egress.
struct NetworkPolicyRule {
  std::optional<std::vector<NetworkPolicyPort>> ports;
  std::optional<std::vector<NetworkPolicyPeer>> peers;
  bool operator==(const NetworkPolicyRule&) const = default;
};

enum class PolicyType { Ingress, Egress };
const char* toString(PolicyType t);
std::optional<PolicyType> parsePolicyType(const std::string& s);

struct NetworkPolicy {
  ObjectMeta meta;
  std::optional<LabelSelector> podSelector;  // absent behaves as {}
  std::optional<std::vector<PolicyType>> policyTypes;
  std::optional<std::vector<NetworkPolicyRule>> ingress;
  std::optional<std::vector<NetworkPolicyRule>> egress;
  Origin origin;
  bool operator==(const NetworkPolicy&) const = default;
};

// ---------------------------------------------------------------- cluster-scoped policy
// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) and
// ClusterNetworkPolicy (v1alpha2) share one model: a tier, a priority, a subject and ordered
// rules with an action. Each object remembers its kind, so it is written back as it was read
// (v1alpha1 `ports` and `Allow`, v1alpha2 `protocols` and `Accept`). docs/cluster-policy.md.

enum class ClusterPolicyKind {
  AdminNetworkPolicy,
  BaselineAdminNetworkPolicy,
  ClusterNetworkPolicy
};
const char* toString(ClusterPolicyKind k);
std::optional<ClusterPolicyKind> parseClusterPolicyKind(
    const std::string& s);                      // "AdminNetworkPolicy"
const char* apiVersionOf(ClusterPolicyKind k);  // "policy.networking.k8s.io/v1alpha1" ...

// Evaluated per direction: admin tier, then NetworkPolicy, then baseline tier, then allow.
enum class PolicyTier { Admin, Baseline };
const char* toString(PolicyTier t);
std::optional<PolicyTier> parsePolicyTier(const std::string& s);

// Allow is spelled "Accept" in v1alpha2.
enum class ClusterRuleAction { Allow, Deny, Pass };
const char* toString(ClusterRuleAction a, ClusterPolicyKind spelling);

// `pods` of a subject or peer. ANP requires namespaceSelector; CNP lets it be absent (all
// namespaces); absent is kept apart from {} so that a case is written back as it was read.
struct NamespacedPods {
  std::optional<LabelSelector> namespaceSelector;
  LabelSelector podSelector;
  bool operator==(const NamespacedPods&) const = default;
};

// Exactly one of the two (validation enforces it).
struct ClusterPolicySubject {
  std::optional<LabelSelector> namespaces;
  std::optional<NamespacedPods> pods;
  bool operator==(const ClusterPolicySubject&) const = default;
};

// Exactly one field (validation enforces it). nodes and networks are egress peers only.
struct ClusterPolicyPeer {
  std::optional<LabelSelector> namespaces;
  std::optional<NamespacedPods> pods;
  std::optional<LabelSelector> nodes;
  std::optional<std::vector<std::string>> networks;  // CIDRs
  // Read so that it can be refused by name: no dataplane here resolves DNS.
  std::optional<std::vector<std::string>> domainNames;
  bool operator==(const ClusterPolicyPeer&) const = default;
};

// v1alpha1 portNumber / portRange / namedPort; v1alpha2 {tcp|udp|sctp: {destinationPort:
// {number | range}}} / destinationNamedPort.
struct ClusterPolicyPort {
  enum class Kind { Number, Range, Named };
  Kind kind = Kind::Number;
  std::optional<Protocol> protocol;  // absent: TCP (v1alpha1's default; v1alpha2 always sets it)
  int32_t port = 0;                  // Number: the port; Range: the first port
  int32_t endPort = 0;               // Range: the last port (inclusive)
  std::string name;                  // Named
  Protocol effectiveProtocol() const { return protocol.value_or(Protocol::TCP); }
  bool operator==(const ClusterPolicyPort&) const = default;
};

struct ClusterPolicyRule {
  std::string name;  // optional label
  ClusterRuleAction action = ClusterRuleAction::Allow;
  std::vector<ClusterPolicyPeer> peers;                 // `from` (ingress) or `to` (egress)
  std::optional<std::vector<ClusterPolicyPort>> ports;  // absent: every port
  bool operator==(const ClusterPolicyRule&) const = default;
};

struct ClusterPolicy {
  ClusterPolicyKind kind = ClusterPolicyKind::AdminNetworkPolicy;
  ObjectMeta meta;                      // cluster-scoped: no namespace
  PolicyTier tier = PolicyTier::Admin;  // ANP: Admin; BANP: Baseline; CNP: spec.tier
  int32_t priority = 0;                 // lower goes first; a BANP has none (0)
  ClusterPolicySubject subject;
  std::optional<std::vector<ClusterPolicyRule>> ingress;
  std::optional<std::vector<ClusterPolicyRule>> egress;
  Origin origin;
  bool operator==(const ClusterPolicy&) const = default;
};

struct Namespace {
  ObjectMeta meta;
  Origin origin;
  bool operator==(const Namespace&) const = default;
};

struct Node {
  ObjectMeta meta;
  std::vector<std::string> internalIPs;  // status.addresses[type=InternalIP]
  Origin origin;
  bool operator==(const Node&) const = default;
};

struct ContainerPort {
  std::string name;  // empty when unnamed
  int32_t containerPort = 0;
  std::optional<Protocol> protocol;  // absent means TCP
  Protocol effectiveProtocol() const { return protocol.value_or(Protocol::TCP); }
  bool operator==(const ContainerPort&) const = default;
};

struct Container {
  std::string name;
  std::string image;
  std::vector<ContainerPort> ports;
  bool operator==(const Container&) const = default;
};

struct Pod {
  ObjectMeta meta;
  std::string nodeName;  // spec.nodeName
  bool hostNetwork = false;
  std::vector<Container> containers;
  std::string podIP;                // status.podIP (empty when absent)
  std::vector<std::string> podIPs;  // status.podIPs[*].ip, in order
  Origin origin;
  bool operator==(const Pod&) const = default;
};

struct ServicePort {
  std::string name;
  int32_t port = 0;
  std::optional<Protocol> protocol;   // absent means TCP
  std::optional<PortRef> targetPort;  // absent means `port`
  Protocol effectiveProtocol() const { return protocol.value_or(Protocol::TCP); }
  bool operator==(const ServicePort&) const = default;
};

struct Service {
  ObjectMeta meta;
  std::string clusterIP;           // spec.clusterIP
  std::optional<Labels> selector;  // absent: no endpoints are derived
  std::vector<ServicePort> ports;
  Origin origin;
  bool operator==(const Service&) const = default;
};

// A host outside the cluster: a probe source (ingress via ipBlock) or destination (egress).
struct ExternalHost {
  std::string name;
  std::string ip;
  bool operator==(const ExternalHost&) const = default;
};

// Everything one case declares. Order is kept as declared (it is the order of report rows).
struct Cluster {
  std::vector<Namespace> namespaces;
  std::vector<Node> nodes;
  std::vector<Pod> pods;
  std::vector<Service> services;
  std::vector<NetworkPolicy> policies;
  std::vector<ClusterPolicy> clusterPolicies;
  std::vector<ExternalHost> externalHosts;
  bool operator==(const Cluster&) const = default;

  const Namespace* findNamespace(const std::string& name) const;
  const Node* findNode(const std::string& name) const;
  const Pod* findPod(const std::string& ns, const std::string& name) const;
  const Service* findService(const std::string& ns, const std::string& name) const;
  const ClusterPolicy* findClusterPolicy(ClusterPolicyKind kind, const std::string& name) const;
  // Adds the rest of `other` (several files merge into one cluster).
  void append(Cluster other);
};

// The labels a namespace carries in the apiserver: its own plus the implicit
// `kubernetes.io/metadata.name=<name>` (set since Kubernetes 1.21).
Labels effectiveNamespaceLabels(const Namespace& ns);
inline constexpr const char* kNamespaceNameLabel = "kubernetes.io/metadata.name";

}  // namespace npf
