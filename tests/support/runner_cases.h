// Shared helpers of the runner tests: small clusters written as manifests, root checks.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <initializer_list>
#include <string>

#include "model/codec.h"
#include "model/objects.h"
#include "runner/local/control_plane.h"
#include "runner/local/run_state.h"

namespace npf::testing {

// Tests that create network namespaces need root; CI runs them as root.
#define NPF_REQUIRE_ROOT()                                                                     \
  do {                                                                                         \
    if (!npf::runner::local::checkPrivileges().empty())                                        \
      GTEST_SKIP() << "needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN): creates network namespaces"; \
  } while (0)

// Whether every one of `paths` (the tool cache's binaries, /usr/bin/etcd) is executable.
inline bool allExecutable(std::initializer_list<std::string> paths) {
  for (const auto& p : paths)
    if (access(p.c_str(), X_OK) != 0) return false;
  return true;
}

// Tests of the programs scripts/install-deps.sh --with-kube-router builds: skipped without them,
// failed instead when NPF_REQUIRE_KUBE_ROUTER=1 (CI, scripts/test.sh).
#define NPF_REQUIRE_BUILT_TOOLS(present)                                              \
  do {                                                                                \
    NPF_REQUIRE_ROOT();                                                               \
    if (!(present)) {                                                                 \
      const char* req = std::getenv("NPF_REQUIRE_KUBE_ROUTER");                       \
      if (req && std::string(req) == "1")                                             \
        FAIL() << "binaries missing from " << npf::runner::local::defaultToolBinDir() \
               << " or /usr/bin/etcd (scripts/install-deps.sh --with-kube-router)";   \
      GTEST_SKIP() << "needs scripts/install-deps.sh --with-kube-router";             \
    }                                                                                 \
  } while (0)

// Tests of the real kube-apiserver and kubectl as a judge of manifests (runner/local/api_judge.h).
#define NPF_REQUIRE_API_JUDGE()                                                                  \
  NPF_REQUIRE_BUILT_TOOLS(npf::testing::allExecutable(                                           \
      {npf::runner::local::defaultToolBinDir() + "/kube-apiserver-" +                            \
           npf::runner::local::kKubeVersion,                                                     \
       npf::runner::local::defaultToolBinDir() + "/kubectl-" + npf::runner::local::kKubeVersion, \
       "/usr/bin/etcd"}))

inline Cluster clusterFromYaml(const std::string& yaml) {
  auto r = decodeManifests(yaml, "test.yaml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.message;
  return r.cluster;
}

// Two nodes; namespaces x and y; pods
//   x/a node-1 10.0.1.1  pod=a app=web  80/TCP 80/UDP http=8080/TCP
//   x/b node-2 10.0.1.2  pod=b app=web  80/TCP 80/UDP http=8081/TCP
//   y/c node-1 10.0.2.1  pod=c          80/TCP 80/UDP
// Service x/web 10.96.0.10 (app=web): 8000/TCP -> 80, 9000/TCP -> "http".
inline std::string smallClusterYaml() {
  std::string y;
  for (auto [n, ip] : {std::pair{"node-1", "172.18.0.2"}, std::pair{"node-2", "172.18.0.3"}})
    y += std::string("---\napiVersion: v1\nkind: Node\nmetadata:\n  name: ") + n +
         "\nstatus:\n  addresses:\n  - type: InternalIP\n    address: " + ip + "\n";
  for (auto ns : {"x", "y"})
    y += std::string("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"") + ns +
         "\"\n  labels:\n    ns: \"" + ns + "\"\n";
  struct P {
    const char *ns, *name, *node, *ip, *labels;
    int http;
  };
  for (P p : {P{"x", "a", "node-1", "10.0.1.1", "    pod: a\n    app: web\n", 8080},
              P{"x", "b", "node-2", "10.0.1.2", "    pod: b\n    app: web\n", 8081},
              P{"y", "c", "node-1", "10.0.2.1", "    pod: c\n", 0}}) {
    y += std::string("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: ") + p.name +
         "\n  namespace: \"" + p.ns + "\"\n  labels:\n" + p.labels +
         "spec:\n  nodeName: " + p.node +
         "\n  containers:\n  - name: c\n    image: agnhost\n    ports:\n"
         "    - {name: serve-80-tcp, containerPort: 80, protocol: TCP}\n"
         "    - {name: serve-80-udp, containerPort: 80, protocol: UDP}\n";
    if (p.http) y += "    - {name: http, containerPort: " + std::to_string(p.http) + "}\n";
    y += std::string("status:\n  podIP: ") + p.ip + "\n  podIPs:\n  - ip: " + p.ip + "\n";
  }
  y += R"(---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: "x"}
spec:
  clusterIP: 10.96.0.10
  selector: {app: web}
  ports:
  - {name: plain, port: 8000, targetPort: 80}
  - {name: named, port: 9000, targetPort: http}
)";
  return y;
}

}  // namespace npf::testing
