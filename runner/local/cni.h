// Invoking CNI plugins as a container runtime does (CNI spec 1.0): the plugin binary with
// CNI_COMMAND / CNI_CONTAINERID / CNI_NETNS / CNI_IFNAME / CNI_PATH in its environment, the
// network configuration on stdin, the result as JSON on stdout. The plugin process runs inside
// the node's network namespace, which makes that namespace the "host" side of the pod's link.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/ip.h"
#include "runner/process.h"

namespace npf::runner::local {

// One address of a pod's link: `ip/prefixLength`, reached through `gateway` (the address ptp
// puts on the node-side veth).
struct PtpAddress {
  IpAddress ip;
  int prefixLength = 31;
  IpAddress gateway;
};

// A `ptp` network with `static` IPAM giving the pod exactly `addresses` (one per family at most)
// and a default route of each of their families through its gateway.
std::string ptpStaticConfig(const std::string& networkName,
                            const std::vector<PtpAddress>& addresses);

// The IPv6 gateway of every pod: a link-local address, which no case can use as a pod's, and
// which ptp may put on every node-side veth at once (link-local addresses are per link).
// Pods get their IPv6 address as a /127 (ptp deletes the prefix's own route and routes the
// prefix through the gateway, so a /128 would not do).
IpAddress ipv6PodGateway();
constexpr int kIpv6PodPrefixLength = 127;

struct CniRequest {
  std::string command;      // "ADD" or "DEL"
  std::string containerId;  // unique per pod
  std::string podNetns;     // path of the pod's network namespace file
  std::string ifname = "eth0";
  std::string cniPath = "/usr/lib/cni";
  std::string plugin = "ptp";
  std::string config;     // network configuration JSON (stdin)
  std::string nodeNetns;  // where the plugin process runs
};

// The plugin's environment: exactly the CNI variables and a PATH.
std::vector<std::string> cniEnvironment(const CniRequest& r);

// Runs the plugin; the result's `out` is the plugin's JSON.
ProcessResult invokeCni(ProcessRunner& runner, const CniRequest& r);

struct CniAddResult {
  std::vector<std::string> addresses;  // "10.0.1.1/31", ...
  std::string hostInterface;           // the veth left in the node namespace
  std::string error;                   // "" on success
};

// Parses an ADD result (or a plugin error object {"code","msg"}) with nlohmann_json.
CniAddResult parseCniAddResult(const std::string& json);

// The pod's address prefix and gateway: ptp needs the gateway inside the pod's subnet, but the
// case's pod IPs follow no per-node subnet. Picks the longest prefix (/31 first) around `pod`
// whose other addresses include one not in `avoid` (the gateway) and whose network/broadcast
// addresses (for prefixes < 31) are not in `avoid` either. nullopt if none down to /8.
struct GatewayChoice {
  IpAddress gateway;
  int prefixLength = 31;
};
std::optional<GatewayChoice> chooseGateway(const IpAddress& pod, const std::set<IpAddress>& avoid);

// Whether a pod wired with `choice` still works among the addresses `inUse` (another case's,
// when a cluster is reused): its gateway is nobody's address, and for prefixes < /31 neither
// is its network or broadcast address (the pod cannot reach a peer at its own broadcast
// address: connect() fails, and its replies to that peer are never sent).
bool gatewayChoiceStillFits(const IpAddress& pod, const GatewayChoice& choice,
                            const std::set<IpAddress>& inUse);

}  // namespace npf::runner::local
