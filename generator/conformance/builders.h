// The vocabulary the conformance families are written in: the upstream 3x3 pod shape, short
// constructors for selectors, peers, ports, rules, policies and steps, the base cluster and its
// variants, and probe sets that reach outside the pods. Every family file spells its cases with
// these, so that a case reads close to the YAML it becomes and a shared spelling changes once.
// They live in npf::conformance because their names (all, match, pods, rule, ...) are short
// and only make sense inside the suite.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance.h"
#include "model/case.h"

namespace npf::conformance {

// The implicit namespace label the oracle adds (kubernetes.io/metadata.name).
inline constexpr const char* kNameLabel = kNamespaceNameLabel;

// ---------------------------------------------------------------------------------------------
// The 3x3 pod shape
// ---------------------------------------------------------------------------------------------

// The IPv4 and IPv6 addresses of pod <ns>/<pod>: 10.0.<N>.<P> and fd00:10::<N>:<P>.
std::string ip4(const std::string& ns, const std::string& pod);
std::string ip6(const std::string& ns, const std::string& pod);

// A container of the e2e agnhost image serving one port.
Container container(const std::string& name, const std::string& portName, int32_t port,
                    Protocol proto);

// A pod of the 3x3 shape (also for pods that steps create, e.g. x/d at 10.0.1.4).
Pod makePod(const std::string& ns, const std::string& name, const ConformanceClusterOptions& o,
            Labels labels = {});

// ---------------------------------------------------------------------------------------------
// Directions
// ---------------------------------------------------------------------------------------------

// The direction a per-direction case is written for; most families enumerate both.
enum class Dir { Ingress, Egress };
const char* dirName(Dir d);
inline constexpr Dir kDirs[] = {Dir::Ingress, Dir::Egress};
// The "direction:<dir>" tag.
std::string dirTag(Dir d);

// ---------------------------------------------------------------------------------------------
// Selectors
// ---------------------------------------------------------------------------------------------

// The empty selector (everything).
LabelSelector all();
LabelSelector match(Labels l);
// `pod: <v>`, `ns: <v>` and the implicit namespace name label.
LabelSelector podIs(const std::string& v);
LabelSelector nsIs(const std::string& v);
LabelSelector nsNamed(const std::string& v);
// One matchExpressions requirement, or several.
LabelSelector expr(std::string key, SelectorOp op, std::vector<std::string> values = {});
LabelSelector exprs(std::vector<LabelSelectorRequirement> rs);

// ---------------------------------------------------------------------------------------------
// Peers
// ---------------------------------------------------------------------------------------------

// A podSelector only (the policy's namespace), a namespaceSelector only, or both.
NetworkPolicyPeer pods(LabelSelector s);
NetworkPolicyPeer namespaces(LabelSelector s);
NetworkPolicyPeer podsIn(LabelSelector pod, LabelSelector ns);
NetworkPolicyPeer ipBlock(std::string cidr, std::vector<std::string> except = {});

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

// A numbered port, with the protocol absent unless given.
NetworkPolicyPort num(int32_t port, std::optional<Protocol> proto = std::nullopt);
NetworkPolicyPort tcp(int32_t port);
NetworkPolicyPort udp(int32_t port);
NetworkPolicyPort sctp(int32_t port);
NetworkPolicyPort named(std::string name, std::optional<Protocol> proto = std::nullopt);
// A port entry without a port: every port of the protocol (or an empty entry).
NetworkPolicyPort protocolOnly(std::optional<Protocol> proto);
// port..endPort.
NetworkPolicyPort range(int32_t from, int32_t to, std::optional<Protocol> proto = std::nullopt);

// ---------------------------------------------------------------------------------------------
// Rules and policies
// ---------------------------------------------------------------------------------------------

using Peers = std::optional<std::vector<NetworkPolicyPeer>>;
using Ports = std::optional<std::vector<NetworkPolicyPort>>;
using Rules = std::vector<NetworkPolicyRule>;
// Absent peers or ports: the rule does not restrict them.
inline const Peers kAnyPeer = std::nullopt;
inline const Ports kAnyPort = std::nullopt;

NetworkPolicyRule rule(Peers peers, Ports ports = std::nullopt);
// The empty rule, which allows everything.
NetworkPolicyRule allowAll();

// A policy with explicit policyTypes matching the sections given (as upstream's helpers do).
NetworkPolicy policy(const std::string& ns, const std::string& name,
                     std::optional<LabelSelector> target, std::optional<Rules> ingress,
                     std::optional<Rules> egress);
NetworkPolicy ingressPolicy(const std::string& ns, const std::string& name, LabelSelector target,
                            Rules rules);
NetworkPolicy egressPolicy(const std::string& ns, const std::string& name, LabelSelector target,
                           Rules rules);
NetworkPolicy dirPolicy(Dir d, const std::string& ns, const std::string& name,
                        std::optional<LabelSelector> target, Rules rules);
// Raw spelling: policyTypes exactly as given (nullopt = absent), sections as given.
NetworkPolicy rawPolicy(const std::string& ns, const std::string& name, LabelSelector target,
                        std::optional<std::vector<PolicyType>> types, std::optional<Rules> ingress,
                        std::optional<Rules> egress);

// The "typical" rule the target-selection cases keep fixed: from/to y/b on TCP 80.
NetworkPolicyRule typicalRule();

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

Step createPolicy(NetworkPolicy p);
Step updatePolicy(NetworkPolicy p);
Step deletePolicy(const std::string& ns, const std::string& name);
Step relabelPod(const std::string& ns, const std::string& name, Labels labels);
Step relabelNamespace(const std::string& name, Labels labels);
Step deletePod(const std::string& ns, const std::string& name);
Step createPod(Pod p);

// ---------------------------------------------------------------------------------------------
// Clusters and probe sets
// ---------------------------------------------------------------------------------------------

// The base cluster (conformanceCluster), and the same with policies added.
Cluster base(const ConformanceClusterOptions& o = {});
Cluster with(Cluster c, std::vector<NetworkPolicy> ps);
// Cluster variants: every pod also serves SCTP; every pod declares a per-pod `http` port.
ConformanceClusterOptions withSctp();
ConformanceClusterOptions withNamedPorts();

// The default probe set, plus every external host to every declared pod port, plus every pod
// to every external host on `externalPorts`, plus every pod to every node on `nodePorts`.
ProbeSet probesWithOutside(const Cluster& c,
                           const std::vector<std::pair<int32_t, Protocol>>& externalPorts,
                           const std::vector<std::pair<int32_t, Protocol>>& nodePorts = {});

}  // namespace npf::conformance
