// The kind backend's CRD and cluster-scoped policy commands (runner/kind/crds.h, manifests.h)
// run by the real kubectl against the real kube-apiserver v1.31.2 (control_plane.h; no kind, no
// kubelet): the embedded CRDs apply server-side and become established, the rendered ANP and CNP
// objects pass the CRDs' schemas and CEL rules, a standard-channel gap (`nodes`, v1alpha1
// `namedPort`) is refused naming the field, and delete by name and by the run label remove what
// they should. Needs root and scripts/install-deps.sh --with-kube-router.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "model/codec.h"
#include "runner/kind/crds.h"
#include "runner/kind/manifests.h"
#include "runner/local/control_plane.h"
#include "runner/local/run_state.h"
#include "tests/support/runner_cases.h"

namespace npf::runner::local {
namespace {

using Json = nlohmann::json;
using kind::crdOf;
const std::vector<ClusterPolicyKind> kAll = {ClusterPolicyKind::AdminNetworkPolicy,
                                             ClusterPolicyKind::BaselineAdminNetworkPolicy,
                                             ClusterPolicyKind::ClusterNetworkPolicy};

std::vector<ClusterPolicy> corpusPolicies(const char* file) {
  DecodeResult d = decodeFile(std::string(NPF_SOURCE_DIR) + "/corpus/fuzz/decode/" + file);
  EXPECT_TRUE(d.errors.empty());
  return d.cluster.clusterPolicies;
}

std::string list(const std::vector<std::string>& objects) {
  std::string out = R"({"apiVersion": "v1", "kind": "List", "items": [)";
  for (size_t i = 0; i < objects.size(); ++i) out += (i ? ",\n" : "\n") + objects[i];
  return out + "]}\n";
}

TEST(RunnerKindCrds, TheRealApiServerEstablishesTheCrdsAndJudgesTheRenderedPolicies) {
  NPF_REQUIRE_API_JUDGE();
  RealProcessRunner processes;
  cleanupLeftovers(processes, kDefaultStateRoot);
  const std::string run = newRunId();
  ASSERT_EQ(createRunDir(kDefaultStateRoot, run), "");
  const std::string state = runDir(kDefaultStateRoot, run);
  {
    ControlPlaneOptions o;
    o.runId = run;
    o.stateDir = state;
    o.logDir = state + "/logs";
    o.binDir = defaultToolBinDir();
    o.processes = &processes;
    ControlPlane cp(o);
    ASSERT_EQ(cp.start({}), "") << "logs in " << o.logDir;
    // kubectl as the kind backend runs it, pointed at this API server.
    auto kubectl = [&](std::vector<std::string> args, const std::string& in = "") {
      std::vector<std::string> argv{defaultToolBinDir() + "/kubectl-" + kKubeVersion,
                                    "--kubeconfig", cp.kubeconfigPath(), "--cache-dir",
                                    state + "/kubectl-cache"};
      argv.insert(argv.end(), args.begin(), args.end());
      return processes.run(argv, {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + state}, in,
                           cp.netns());
    };
    auto r = kubectl(kind::crdApplyArgs(), kind::crdStream(kAll));
    ASSERT_TRUE(r.ok()) << r.err;
    r = kubectl(kind::crdWaitArgs(kAll, 60));
    ASSERT_TRUE(r.ok()) << r.err;
    // Applying them again (the next run on the same cluster) changes nothing and fails nothing.
    r = kubectl(kind::crdApplyArgs(), kind::crdStream(kAll));
    EXPECT_TRUE(r.ok()) << r.err;

    kind::KindLayout layout{"npf-0a1b2c", {}};
    std::vector<std::string> accepted;
    for (const auto& p : corpusPolicies("cluster_network_policy.yaml"))
      accepted.push_back(kind::renderClusterPolicy(p, layout));
    std::vector<ClusterPolicy> v1 = corpusPolicies("cluster_policies_v1alpha1.yaml");
    ASSERT_EQ(v1.size(), 2u);
    accepted.push_back(kind::renderClusterPolicy(v1[0], layout));  // the ANP
    r = kubectl({"apply", "--filename", "-"}, list(accepted));
    EXPECT_TRUE(r.ok()) << r.err;

    // The BANP has a `nodes` peer and a `namedPort`: experimental-channel fields.
    r = kubectl({"apply", "--filename", "-"}, list({kind::renderClusterPolicy(v1[1], layout)}));
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.err.find("unknown field"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nodes"), std::string::npos) << r.err;
    // Without them it is accepted.
    ClusterPolicy banp = v1[1];
    auto& rule = (*banp.egress)[0];
    rule.peers.pop_back();  // nodes
    std::erase_if(*rule.ports, [](const ClusterPolicyPort& p) {
      return p.kind == ClusterPolicyPort::Kind::Named;
    });
    r = kubectl({"apply", "--filename", "-"}, list({kind::renderClusterPolicy(banp, layout)}));
    EXPECT_TRUE(r.ok()) << r.err;

    auto names = [&](ClusterPolicyKind k) {
      auto got = kubectl({"get", crdOf(k).name, "--output", "json"});
      EXPECT_TRUE(got.ok()) << got.err;
      std::vector<std::string> out;
      for (const auto& item :
           Json::parse(got.ok() ? got.out : "{}").value("items", Json::array())) {
        EXPECT_EQ(item["metadata"]["labels"]["netpolfuzz.io/run"], "npf-0a1b2c");
        out.push_back(item["metadata"]["name"]);
      }
      return out;
    };
    EXPECT_EQ(names(ClusterPolicyKind::AdminNetworkPolicy),
              std::vector<std::string>{"ingress-tcp"});
    EXPECT_EQ(names(ClusterPolicyKind::BaselineAdminNetworkPolicy),
              std::vector<std::string>{"default"});
    EXPECT_EQ(names(ClusterPolicyKind::ClusterNetworkPolicy),
              (std::vector<std::string>{"b-deny", "baseline"}));

    // Between steps: one deleted by its fully qualified resource and name.
    r = kubectl({"delete", crdOf(ClusterPolicyKind::ClusterNetworkPolicy).name, "b-deny",
                 "--ignore-not-found"});
    EXPECT_TRUE(r.ok()) << r.err;
    EXPECT_EQ(names(ClusterPolicyKind::ClusterNetworkPolicy), std::vector<std::string>{"baseline"});
    // Teardown: another run's object stays, this run's go.
    ClusterPolicy other = v1[0];
    other.meta.name = "other-run";
    r = kubectl({"apply", "--filename", "-"},
                list({kind::renderClusterPolicy(other, kind::KindLayout{"npf-ffffff", {}})}));
    ASSERT_TRUE(r.ok()) << r.err;
    r = kubectl(kind::deleteLabelledArgs(kAll, "netpolfuzz.io/run=npf-0a1b2c"));
    EXPECT_TRUE(r.ok()) << r.err;
    auto left = kubectl({"get", crdOf(ClusterPolicyKind::AdminNetworkPolicy).name, "--output",
                         "jsonpath={.items[*].metadata.name}"});
    EXPECT_EQ(left.out, "other-run");
    EXPECT_TRUE(names(ClusterPolicyKind::BaselineAdminNetworkPolicy).empty());
    EXPECT_TRUE(names(ClusterPolicyKind::ClusterNetworkPolicy).empty());
    cp.stop();
  }
  for (const auto& ns : listNamespaces(run + "-"))
    processes.run({"ip", "netns", "del", ns}, defaultToolEnv(), "", "");
  removeRunDir(kDefaultStateRoot, run);
}

}  // namespace
}  // namespace npf::runner::local
