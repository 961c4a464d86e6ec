#include "model/profile.h"

namespace npf {

static std::optional<bool> parseBool(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

std::string applyProfileSetting(Profile& p, const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos) return "profile setting '" + kv + "' is not KEY=VALUE";
  std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
  auto badValue = [&](const char* allowed) {
    return "profile " + key + ": '" + value + "' is not one of " + allowed;
  };
  if (key == "ipblock-matches-pod-ips") {
    auto b = parseBool(value);
    if (!b) return badValue("true, false");
    p.ipblockMatchesPodIps = *b;
  } else if (key == "hostnetwork-selectable") {
    auto b = parseBool(value);
    if (!b) return badValue("true, false");
    p.hostnetworkSelectable = *b;
  } else if (key == "loopback") {
    if (value == "undefined")
      p.loopback = Profile::Loopback::Undefined;
    else if (value == "allow")
      p.loopback = Profile::Loopback::Allow;
    else if (value == "policy")
      p.loopback = Profile::Loopback::Policy;
    else
      return badValue("undefined, allow, policy");
  } else if (key == "egress-to-own-node") {
    if (value == "policy")
      p.egressToOwnNode = Profile::EgressToOwnNode::Policy;
    else if (value == "allow")
      p.egressToOwnNode = Profile::EgressToOwnNode::Allow;
    else
      return badValue("policy, allow");
  } else if (key == "cluster-policy-ties") {
    if (value == "undefined")
      p.clusterPolicyTies = Profile::ClusterPolicyTies::Undefined;
    else if (value == "name")
      p.clusterPolicyTies = Profile::ClusterPolicyTies::Name;
    else
      return badValue("undefined, name");
  } else {
    return "unknown profile key '" + key +
           "' (known: ipblock-matches-pod-ips, loopback, egress-to-own-node, "
           "hostnetwork-selectable, cluster-policy-ties)";
  }
  return "";
}

std::vector<std::pair<std::string, std::string>> describeProfile(const Profile& p) {
  const char* loopback = p.loopback == Profile::Loopback::Undefined ? "undefined"
                         : p.loopback == Profile::Loopback::Allow   ? "allow"
                                                                    : "policy";
  return {
      {"ipblock-matches-pod-ips", p.ipblockMatchesPodIps ? "true" : "false"},
      {"loopback", loopback},
      {"egress-to-own-node",
       p.egressToOwnNode == Profile::EgressToOwnNode::Policy ? "policy" : "allow"},
      {"hostnetwork-selectable", p.hostnetworkSelectable ? "true" : "false"},
      {"cluster-policy-ties",
       p.clusterPolicyTies == Profile::ClusterPolicyTies::Undefined ? "undefined" : "name"},
  };
}

std::vector<std::string> cniProfileSettings(const std::string& cni) {
  // Cilium matches ipBlocks only against addresses outside the cluster (pod traffic is judged
  // by identity), a documented deviation from the upstream e2e expectation.
  if (cni == "cilium") return {"ipblock-matches-pod-ips=false"};
  return {};
}

}  // namespace npf
