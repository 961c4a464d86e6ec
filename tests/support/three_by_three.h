// The standard cluster of the upstream e2e NetworkPolicy suite
// (kubernetes test/e2e/network/netpol): namespaces x, y, z labelled `ns: <name>`, pods a, b, c
// in each labelled `pod: <name>`, every pod serving 80/TCP, 80/UDP, 81/TCP and 81/UDP from one
// container per port (container `cont-80-tcp`, port name `serve-80-tcp`, ...), as YAML text.
//
// Addresses are fixed so that tests can write ipBlocks by hand:
//   node-1 172.18.0.2, node-2 172.18.0.3;
//   pod <ns>/<pod> at 10.0.<N>.<P> with N = 1,2,3 for x,y,z and P = 1,2,3 for a,b,c
//   (so 10.0.2.0/24 is exactly namespace y's pods);
//   pods a and c run on node-1, pods b on node-2.
// Namespace names are quoted: kubectl reads YAML 1.1, where a bare `y` is the boolean true.
// The namespaces deliberately omit `kubernetes.io/metadata.name`: the oracle must add it.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace npf::scenario {

struct ThreeByThreeOptions {
  // Extra labels per namespace, e.g. {{"y", {{"env", "prod"}}}}.
  std::map<std::string, std::map<std::string, std::string>> namespaceLabels;
  // Extra labels per pod, keyed "<ns>/<pod>", e.g. {{"x/a", {{"target", "isolated"}}}}.
  std::map<std::string, std::map<std::string, std::string>> podLabels;
};

inline const std::vector<std::string>& threeByThreeNamespaces() {
  static const std::vector<std::string> v{"x", "y", "z"};
  return v;
}

inline const std::vector<std::string>& threeByThreePodNames() {
  static const std::vector<std::string> v{"a", "b", "c"};
  return v;
}

// 10.0.<ns index>.<pod index>, both 1-based.
inline std::string threeByThreePodIp(const std::string& ns, const std::string& pod) {
  int n = ns == "x" ? 1 : ns == "y" ? 2 : 3;
  int p = pod == "a" ? 1 : pod == "b" ? 2 : 3;
  return "10.0." + std::to_string(n) + "." + std::to_string(p);
}

inline std::string threeByThreeNodeOf(const std::string& pod) {
  return pod == "b" ? "node-2" : "node-1";
}

// The cluster as a multi-document manifest; policies are appended by each test after a `---`.
inline std::string threeByThreeYaml(const ThreeByThreeOptions& opt = {}) {
  std::string y;
  y += "# The upstream e2e netpol 3x3 cluster.\n";
  for (const auto& [name, ip] : std::vector<std::pair<std::string, std::string>>{
           {"node-1", "172.18.0.2"}, {"node-2", "172.18.0.3"}}) {
    y += "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: " + name +
         "\nstatus:\n  addresses:\n  - type: InternalIP\n    address: " + ip +
         "\n  - type: Hostname\n    address: " + name + "\n";
  }
  for (const auto& ns : threeByThreeNamespaces()) {
    y += "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"" + ns +
         "\"\n  labels:\n    ns: \"" + ns + "\"\n";
    auto it = opt.namespaceLabels.find(ns);
    if (it != opt.namespaceLabels.end())
      for (const auto& [k, v] : it->second) y += "    " + k + ": " + v + "\n";
  }
  for (const auto& ns : threeByThreeNamespaces()) {
    for (const auto& pod : threeByThreePodNames()) {
      y += "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: " + pod + "\n  namespace: \"" + ns +
           "\"\n  labels:\n    pod: " + pod + "\n";
      auto extra = opt.podLabels.find(ns + "/" + pod);
      if (extra != opt.podLabels.end())
        for (const auto& [k, v] : extra->second) y += "    " + k + ": " + v + "\n";
      y += "spec:\n  nodeName: " + threeByThreeNodeOf(pod) + "\n  containers:\n";
      for (const char* port : {"80", "81"}) {
        for (const char* proto : {"tcp", "udp"}) {
          std::string suffix = std::string(port) + "-" + proto;
          y += "  - name: cont-" + suffix +
               "\n    image: registry.k8s.io/e2e-test-images/agnhost:2.53\n    ports:\n"
               "    - name: serve-" +
               suffix + "\n      containerPort: " + port +
               "\n      protocol: " + (std::string(proto) == "tcp" ? "TCP" : "UDP") + "\n";
        }
      }
      std::string ip = threeByThreePodIp(ns, pod);
      y += "status:\n  podIP: " + ip + "\n  podIPs:\n  - ip: " + ip + "\n";
    }
  }
  return y;
}

}  // namespace npf::scenario
