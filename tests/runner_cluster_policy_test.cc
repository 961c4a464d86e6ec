// Cluster-scoped policy on the real local dataplane: cases of AdminNetworkPolicy,
// BaselineAdminNetworkPolicy and ClusterNetworkPolicy (rule order, Pass into NetworkPolicy and
// into the baseline, ties ordered by the profile, nodes/networks peers, named ports, a hairpin
// through a Service) are set up as network namespaces, probed with real packets by
// `netpolfuzz conformance` and must agree with the oracle on every cell. The oracle's own
// expectations for these objects are hand-checked in oracle_cluster_policy_test.cc. Needs root.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/run_process.h"
#include "tests/support/runner_cases.h"

namespace npf {
namespace {

namespace fs = std::filesystem;
const std::string kCli = NPF_CLI;

// Three namespaces, a pod in each with named ports, a node with a host-network pod, a Service.
const char* const kCluster = R"(apiVersion: v1
kind: Namespace
metadata: {name: gryffindor, labels: {house: gryffindor}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ravenclaw, labels: {house: ravenclaw}}
---
apiVersion: v1
kind: Namespace
metadata: {name: slytherin, labels: {house: slytherin}}
---
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {kubernetes.io/os: linux}}
status: {addresses: [{type: InternalIP, address: 172.18.0.2}]}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
status: {addresses: [{type: InternalIP, address: 172.18.0.3}]}
---
apiVersion: v1
kind: Pod
metadata: {name: harry, namespace: gryffindor, labels: {app: harry}}
spec:
  nodeName: n1
  containers:
  - name: c
    image: agnhost
    ports: [{name: web, containerPort: 80}, {name: dns, containerPort: 53, protocol: UDP}, {containerPort: 8080}]
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: luna, namespace: ravenclaw, labels: {app: luna}}
spec:
  nodeName: n2
  containers:
  - name: c
    image: agnhost
    ports: [{name: web, containerPort: 8080}, {containerPort: 80}]
status: {podIP: 10.0.2.1}
---
apiVersion: v1
kind: Pod
metadata: {name: draco, namespace: slytherin, labels: {app: draco}}
spec:
  nodeName: n2
  containers:
  - name: c
    image: agnhost
    ports: [{containerPort: 80}, {name: dns, containerPort: 53, protocol: UDP}]
status: {podIP: 10.0.2.2}
---
apiVersion: v1
kind: Pod
metadata: {name: centaur, namespace: slytherin, labels: {app: centaur}}
spec: {nodeName: n1, hostNetwork: true, containers: [{name: c, image: agnhost, ports: [{containerPort: 9000}]}]}
status: {podIP: 172.18.0.2}
---
apiVersion: v1
kind: Service
metadata: {name: harry, namespace: gryffindor}
spec:
  clusterIP: 10.96.0.10
  selector: {app: harry}
  ports: [{port: 80}]
---
)";

struct CaseText {
  const char* name;
  const char* objects;
};

const CaseText kCases[] = {
    {"anp-rule-order", R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ingress-order}
spec:
  priority: 3
  subject: {namespaces: {matchLabels: {house: gryffindor}}}
  ingress:
  - {name: allow-ravenclaw, action: Allow, from: [{namespaces: {matchLabels: {house: ravenclaw}}}]}
  - {name: deny-ravenclaw, action: Deny, from: [{namespaces: {matchLabels: {house: ravenclaw}}}]}
  - name: deny-slytherin-80
    action: Deny
    from: [{namespaces: {matchLabels: {house: slytherin}}}]
    ports: [{portNumber: {protocol: TCP, port: 80}}]
  - {name: deny-slytherin-dns, action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: draco}}}}], ports: [{namedPort: dns}]}
)"},
    {"anp-pass-np-banp", R"(apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass-ravenclaw}
spec:
  priority: 10
  subject: {pods: {namespaceSelector: {matchLabels: {house: gryffindor}}, podSelector: {}}}
  ingress:
  - {action: Pass, from: [{namespaces: {matchLabels: {house: ravenclaw}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}], ports: [{portRange: {protocol: TCP, start: 79, end: 81}}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-slytherin, namespace: ravenclaw}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {house: slytherin}}}]}]
)"},
    {"cnp-egress-nodes-networks-named", R"(apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: egress}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {matchLabels: {house: ravenclaw}}}
  egress:
  - action: Accept
    to: [{networks: [10.0.1.1/32]}]
    protocols: [{tcp: {destinationPort: {number: 8080}}}]
  - {action: Deny, to: [{nodes: {matchLabels: {kubernetes.io/os: linux}}}]}
  - {action: Deny, to: [{namespaces: {}}], protocols: [{destinationNamedPort: web}]}
  - {action: Pass, to: [{networks: [10.0.0.0/8]}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: baseline}
spec:
  tier: Baseline
  priority: 5
  subject: {namespaces: {}}
  egress:
  - action: Deny
    to: [{namespaces: {}}]
    protocols: [{udp: {destinationPort: {range: {start: 50, end: 60}}}}]
)"},
    {"cnp-ties-by-name-and-hairpin", R"(apiVersion: netpolfuzz.io/v1alpha1
kind: Case
metadata: {name: cnp-ties-by-name-and-hairpin}
spec:
  profile: [cluster-policy-ties=name, loopback=policy]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: b-deny}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: a-accept}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {}}
  ingress:
  - action: Accept
    from: [{namespaces: {matchLabels: {house: ravenclaw}}}]
    protocols: [{tcp: {destinationPort: {number: 80}}}]
)"},
};

class RunnerClusterPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    NPF_REQUIRE_ROOT();
    dir = ::testing::TempDir() + "/npf-cluster-policy-" + std::to_string(getpid());
    fs::remove_all(dir);
    fs::create_directories(dir + "/cases");
    for (const auto& c : kCases) {
      std::ofstream f(dir + "/cases/" + c.name + ".yaml");
      f << kCluster << c.objects;
    }
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string dir;
};

TEST_F(RunnerClusterPolicy, EveryCellAgreesWithTheOracleOnRealPackets) {
  // The oracle denies cells in every case (so agreeing is not the default-allow of a dataplane
  // that ignores the policies).
  for (const auto& c : kCases) {
    auto e = testing::runProcess({kCli, "expect", dir + "/cases/" + c.name + ".yaml"});
    ASSERT_EQ(e.exitCode, 0) << c.name << "\n" << e.err;
    EXPECT_NE(e.out.find(" X "), std::string::npos) << c.name << "\n" << e.out;
  }
  auto r = testing::runProcess({kCli, "conformance", dir + "/cases", "--out", dir + "/out", "-q"});
  EXPECT_EQ(r.exitCode, 0) << r.out.substr(r.out.size() > 4000 ? r.out.size() - 4000 : 0) << r.err;
  EXPECT_NE(r.out.find("total: 4 cases, 4 passed, 0 failed"), std::string::npos) << r.out;
}

TEST_F(RunnerClusterPolicy, OtherEnforcersSkipOrRefuseThemRatherThanReportFalseDiscrepancies) {
  // conformance leaves such cases out, saying so (here: all of them).
  auto r = testing::runProcess({kCli, "conformance", dir + "/cases", "--out", dir + "/out", "-q",
                                "--enforcer", "exec", "--enforcer-cmd", "true"});
  EXPECT_EQ(r.exitCode, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("skipped 4 cases with cluster-scoped policies: exec"), std::string::npos)
      << r.out << r.err;
  // A case given by name is refused, naming them.
  auto one = testing::runProcess({kCli, "replay", dir + "/cases/" + kCases[0].name + ".yaml",
                                  "--enforcer", "exec", "--enforcer-cmd", "true"});
  EXPECT_EQ(one.exitCode, 3) << one.out << one.err;
  EXPECT_NE((one.out + one.err).find("does not enforce cluster-scoped policies"), std::string::npos)
      << one.out << one.err;
}

}  // namespace
}  // namespace npf
