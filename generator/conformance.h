// The enumerated conformance suite: hand-designed cases on the upstream e2e 3x3 cluster, in
// families that mirror Cyclonus's generator (target selection, deny/allow-all rules, single and
// paired peers, ports and protocols, named ports, endPort ranges, pathological ports, actions as
// steps, conflicting policies, the default namespace label) plus the upstream e2e scenarios,
// Services, external hosts, node traffic and IPv6. Expectations are not stored: the oracle
// computes them when a case runs. `netpolfuzz generate --conformance` writes them out as files.
#pragma once

#include <string>
#include <vector>

#include "model/case.h"

namespace npf {

// CaseMeta::generator of every conformance case.
inline constexpr const char* kConformanceGenerator = "netpolfuzz-conformance 1";

// Variants of the base cluster. The base is the upstream 3x3: namespaces x, y, z labelled
// `ns: <name>` (without the implicit kubernetes.io/metadata.name, which the oracle adds); pods
// a, b, c labelled `pod: <name>` serving 80/TCP, 80/UDP, 81/TCP, 81/UDP, one container per port
// (`cont-80-tcp` with port name `serve-80-tcp`, ...); pod <ns>/<pod> at 10.0.<N>.<P>
// (N = 1..3 for x..z, P = 1..3 for a..c); pods a and c on node-1 (172.18.0.2), pods b on
// node-2 (172.18.0.3); external hosts ext-1 192.0.2.10 and ext-2 203.0.113.20.
struct ConformanceClusterOptions {
  // Every pod also serves 80/SCTP and 81/SCTP (`serve-80-sctp`, `serve-81-sctp`), as upstream's
  // SCTP tests do.
  bool sctp = false;
  // Every pod also declares a port named `http` whose number and protocol depend on the pod:
  // a 8080/TCP, b 8081/TCP, c 8080/UDP (per-destination resolution of named ports).
  bool namedPortVariants = false;
  // IPv6-primary dual stack: status.podIP fd00:10::<N>:<P>, podIPs [v6, v4]; nodes get
  // fd00:172:18::2 and ::3 as well; a third external host ext-v6 2001:db8::10.
  bool dualStack = false;
  // IPv6 only: pods at fd00:10::<N>:<P> alone, nodes at fd00:172:18::2 and ::3 alone, external
  // hosts ext-v6 2001:db8::10 and ext-v6-2 2001:db8:1::20 (no IPv4 anywhere). Wins over
  // dualStack.
  bool ipv6Only = false;
};

// The base cluster (no policies, no Services); valid under npf::validate.
Cluster conformanceCluster(const ConformanceClusterOptions& options = {});

// The whole suite, in a stable order. Names are unique, lower case and read as relative file
// paths: "<family>/<direction or topic>/<variant>", e.g. "peers/ingress/single/ip-block",
// "peers/egress/pair/pod-selector-match-labels+ip-block-except". Every case has
// meta.present = true, meta.name = its name, meta.generator = kConformanceGenerator and
// meta.tags = hand-assigned tags ("family:<family>", "conformance", "direction:ingress", ...)
// merged with computeTags(), sorted. meta.probes is set only where the default probe set does not
// reach what the case is about (external hosts on other ports, nodes as destinations).
// Each case validates in its initial state and after every step.
std::vector<Case> conformanceSuite();

// The families in suite order (the first path segment of each case name).
const std::vector<std::string>& conformanceFamilies();

}  // namespace npf
