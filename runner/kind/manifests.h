// What the kind backend applies: a case's cluster as Kubernetes objects for a real cluster.
//
// Pods run the upstream e2e image with one server container per declared container port, as
// the upstream netpol e2e suite does (`agnhost serve-hostname --tcp|--udp --http=false --port N`,
// SCTP through `agnhost porter` with SERVE_SCTP_PORT_<N>); the port keeps its name so named
// ports resolve as in the case. Pods are pinned to the kind node the case's node maps to.
// Namespaces and cluster-scoped policies carry the run label (the only label added: pods and
// policies are as generated).
// Services get no clusterIP (the cluster assigns one; the backend reads it back). Each kind node
// gets a host-network client pod in the run's own namespace, for node -> pod cells.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/objects.h"

namespace npf::runner::kind {

inline constexpr const char* kAgnhostImage = "registry.k8s.io/e2e-test-images/agnhost:2.52";
inline constexpr const char* kRunLabel = "netpolfuzz.io/run";

struct KindLayout {
  std::string runId;               // e.g. "npf-1a2b3c"
  std::vector<std::string> nodes;  // the kind cluster's schedulable nodes
  std::string image = kAgnhostImage;
  std::string runNamespace() const { return runId; }  // where the client pods live
  // Which kind node a case node lands on: case nodes in order, round-robin over `nodes`.
  std::map<std::string, std::string> nodeMap(const Cluster& c) const;
};

// "tcp", "udp", "sctp": agnhost's protocol words (container names, `connect --protocol`).
const char* agnhostProtocol(Protocol p);

// The container `kubectl exec` runs probes in: the pod's first rendered container.
std::string execContainerOf(const Pod& p);

// The host-network client pod of a kind node.
std::string clientPodName(const std::string& kindNode);

// Every namespaced object to apply, as one JSON `kind: List` (namespaces, client pods, pods,
// Services, NetworkPolicies, in that order). Policies are written exactly as the case has them.
// Cluster-scoped policies are not in it: their CRDs come first (renderClusterPolicy).
std::string renderManifests(const Cluster& c, const KindLayout& layout);

// Single objects, for incremental changes between steps (kubectl apply -f - of each).
std::string renderPolicy(const NetworkPolicy& p);
std::string renderPod(const Pod& p, const std::string& kindNode, const KindLayout& layout);
std::string renderNamespace(const Namespace& ns, const KindLayout& layout);
std::string renderService(const Service& s);  // without clusterIP
// A cluster-scoped policy as the model's encoder writes it, plus the run label (it lives in no
// namespace of the run, so teardown and leftover cleanup find it by that label).
std::string renderClusterPolicy(const ClusterPolicy& p, const KindLayout& layout);

}  // namespace npf::runner::kind
