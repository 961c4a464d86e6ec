#include "generator/weights.h"

#include <charconv>
#include <map>
#include <sstream>

namespace npf {

const char* toString(ClusterSize s) {
  switch (s) {
    case ClusterSize::Small:
      return "small";
    case ClusterSize::Medium:
      return "medium";
    case ClusterSize::Large:
      return "large";
  }
  return "?";
}

static std::map<std::string, int GeneratorWeights::*> weightFields() {
  using W = GeneratorWeights;
  return {
      {"hostNetworkPod", &W::hostNetworkPod},
      {"dualStack", &W::dualStack},
      {"ipv6Primary", &W::ipv6Primary},
      {"sctpPorts", &W::sctpPorts},
      {"services", &W::services},
      {"minPolicies", &W::minPolicies},
      {"maxPolicies", &W::maxPolicies},
      {"podSelectorEmpty", &W::podSelectorEmpty},
      {"podSelectorAbsent", &W::podSelectorAbsent},
      {"policyTypesAbsent", &W::policyTypesAbsent},
      {"ingressAbsent", &W::ingressAbsent},
      {"ingressEmpty", &W::ingressEmpty},
      {"egressAbsent", &W::egressAbsent},
      {"egressEmpty", &W::egressEmpty},
      {"maxRules", &W::maxRules},
      {"peersAbsent", &W::peersAbsent},
      {"peersEmpty", &W::peersEmpty},
      {"maxPeers", &W::maxPeers},
      {"peerIpBlock", &W::peerIpBlock},
      {"peerPodOnly", &W::peerPodOnly},
      {"peerNamespaceOnly", &W::peerNamespaceOnly},
      {"selectorEmpty", &W::selectorEmpty},
      {"matchExpressions", &W::matchExpressions},
      {"exceptInIpBlock", &W::exceptInIpBlock},
      {"portsAbsent", &W::portsAbsent},
      {"portsEmpty", &W::portsEmpty},
      {"maxPorts", &W::maxPorts},
      {"portNamed", &W::portNamed},
      {"portRange", &W::portRange},
      {"portProtocolOnly", &W::portProtocolOnly},
      {"portEmptyEntry", &W::portEmptyEntry},
      {"protocolAbsent", &W::protocolAbsent},
      {"clusterPolicies", &W::clusterPolicies},
      {"clusterNetworkPolicyApi", &W::clusterNetworkPolicyApi},
      {"maxClusterPolicies", &W::maxClusterPolicies},
      {"baselinePolicy", &W::baselinePolicy},
      {"maxClusterRules", &W::maxClusterRules},
      {"clusterPolicySteps", &W::clusterPolicySteps},
      {"steps", &W::steps},
      {"maxSteps", &W::maxSteps},
  };
}

std::string parseWeights(const std::string& text, GeneratorWeights& w) {
  auto fields = weightFields();
  std::istringstream in(text);
  std::string line;
  int lineNo = 0;
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t\r"));
    s.erase(s.find_last_not_of(" \t\r") + 1);
    return s;
  };
  while (std::getline(in, line)) {
    ++lineNo;
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos)
      return "line " + std::to_string(lineNo) + ": expected `name: value`";
    std::string name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    auto it = fields.find(name);
    if (it == fields.end())
      return "line " + std::to_string(lineNo) + ": unknown weight '" + name + "'";
    int v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || v < 0 || v > 1000)
      return "line " + std::to_string(lineNo) + ": '" + value + "' is not an integer in 0..1000";
    w.*(it->second) = v;
  }
  if (w.minPolicies > w.maxPolicies) return "minPolicies is greater than maxPolicies";
  if (w.maxRules < 1 || w.maxPeers < 1 || w.maxPorts < 1 || w.maxSteps < 1)
    return "maxRules, maxPeers, maxPorts and maxSteps must be at least 1";
  return "";
}

}  // namespace npf
