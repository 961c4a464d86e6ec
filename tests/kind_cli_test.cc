// `--backend kind` end to end through the real netpolfuzz binary, against a fake kubectl
// executable (tests/support/fake_kubectl.py: a tiny cluster in a state file, every argv logged).
// This checks the orchestration a user gets (set-up order, batched execs, results, teardown,
// clear exits on a missing or unreachable cluster); nothing here talks to a real cluster.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/run_process.h"

namespace {

namespace fs = std::filesystem;
using npf::testing::readWhole;
using npf::testing::runProcess;

const std::string kCli = NPF_CLI;
const std::string kFake = std::string(NPF_SOURCE_DIR) + "/tests/support/fake_kubectl.py";

class KindCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::path(::testing::TempDir()) / ("npf-kind-cli-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    kubeconfig = (dir / "kubeconfig").string();
    setenv("KUBECONFIG", kubeconfig.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("KUBECONFIG");
    fs::remove_all(dir);
  }
  std::vector<nlohmann::json> calls() {
    std::vector<nlohmann::json> out;
    std::ifstream f(kubeconfig + ".log");
    for (std::string line; std::getline(f, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  fs::path dir;
  std::string kubeconfig;
};

TEST_F(KindCli, FuzzCampaignOnTheFakeClusterBatchesProbesAndCleansUp) {
  std::string out = (dir / "out").string();
  auto r = runProcess({kCli, "fuzz", "--backend", "kind", "--kubectl", kFake, "--context",
                       "kind-npf", "--cni", "cilium", "--seed", "4", "--cases", "2", "--timings",
                       "--out", out, "-q"});
  // The fake connects every probe, so cells the oracle denies are discrepancies.
  EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("backend kind (run npf-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--cni cilium"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("timings (2 cases,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("probe (all rounds)"), std::string::npos) << r.out;
  std::string results = readWhole(out + "/results.json");
  EXPECT_NE(results.find("\"backend\": \"kind\""), std::string::npos);
  EXPECT_NE(results.find("ipblock-matches-pod-ips=false"), std::string::npos);  // cilium's profile

  auto log = calls();
  ASSERT_FALSE(log.empty());
  size_t execs = 0, applies = 0;
  for (const auto& argv : log) {
    ASSERT_GE(argv.size(), 3u);
    EXPECT_EQ(argv[0], "--context");
    EXPECT_EQ(argv[1], "kind-npf");
    execs += argv[2] == "exec";
    applies += argv[2] == "apply";
  }
  EXPECT_GT(execs, 0u);
  EXPECT_GE(applies, 2u);  // workloads, then policies
  // Never one exec per probe: each exec runs a whole batch (all of a source's cells in a round;
  // re-probe rounds are smaller), and the batches add up to the probes the results count.
  auto doc = nlohmann::json::parse(results);
  size_t probes = doc["totals"].value("probes", size_t(0)), inScripts = 0, largest = 0;
  for (const auto& argv : log)
    if (argv[2] == "exec") {
      std::string script = argv.back();
      size_t n = 0;
      for (size_t at = script.find("\np "); at != std::string::npos;
           at = script.find("\np ", at + 1))
        ++n;
      inScripts += n;
      largest = std::max(largest, n);
    }
  EXPECT_GE(largest, 20u);
  EXPECT_GT(inScripts, 4 * execs) << inScripts << " probes in " << execs << " execs";
  EXPECT_LE(inScripts, probes);
  // Torn down: the run's namespaces deleted by label, nothing left in the fake cluster.
  EXPECT_EQ(log.back()[2], "delete");
  EXPECT_EQ(log.back()[3], "namespace");
  auto state = nlohmann::json::parse(readWhole(kubeconfig + ".state.json"));
  EXPECT_TRUE(state["objects"].empty()) << state["objects"].dump().substr(0, 500);
}

TEST_F(KindCli, MissingKubectlUnreachableClusterAndFaultsAreClearErrors) {
  auto missing =
      runProcess({kCli, "conformance", "--backend", "kind", "--kubectl", "/nonexistent/kubectl"});
  EXPECT_EQ(missing.exitCode, 3);
  EXPECT_NE(missing.err.find("needs kubectl"), std::string::npos) << missing.err;

  std::string broken = (dir / "kubectl").string();
  std::ofstream(broken)
      << "#!/bin/sh\necho 'The connection to the server 127.0.0.1:6443 was refused' >&2\nexit 1\n";
  fs::permissions(broken, fs::perms::owner_all);
  auto unreachable = runProcess({kCli, "fuzz", "--backend", "kind", "--kubectl", broken, "--cases",
                                 "1", "--out", (dir / "o").string()});
  EXPECT_EQ(unreachable.exitCode, 3);
  EXPECT_NE(unreachable.err.find("the cluster is not reachable"), std::string::npos)
      << unreachable.err;
  EXPECT_NE(unreachable.err.find("was refused"), std::string::npos) << unreachable.err;

  auto fault = runProcess({kCli, "fuzz", "--backend", "kind", "--inject-fault", "POLICYTYPES"});
  EXPECT_EQ(fault.exitCode, 2);
  EXPECT_NE(fault.err.find("the kind backend cannot inject it (only the local and simulated "
                           "backends inject faults)"),
            std::string::npos)
      << fault.err;
}

// --dry-run shows what a run would send, for every command, without a cluster or even kubectl.
TEST_F(KindCli, DryRunPrintsManifestsAndCommandsWithoutACluster) {
  auto fuzz =
      runProcess({kCli, "fuzz", "--backend", "kind", "--dry-run", "--kubectl",
                  "/nonexistent/kubectl", "--context", "kind-npf", "--seed", "3", "--cases", "2"});
  EXPECT_EQ(fuzz.exitCode, 0) << fuzz.err;
  for (const char* want : {"# ==== case small-s3-0000", "# ==== case small-s3-0001",
                           "$ /nonexistent/kubectl --context kind-npf get nodes --output json",
                           "$ /nonexistent/kubectl --context kind-npf apply --filename - <<'EOF'",
                           "\"kind\": \"NetworkPolicy\"",
                           "registry.k8s.io/e2e-test-images/agnhost:", "exec --namespace",
                           "-- /bin/sh -c ", "delete namespace --selector netpolfuzz.io/run="})
    EXPECT_NE(fuzz.out.find(want), std::string::npos) << want << "\n" << fuzz.out.substr(0, 3000);
  EXPECT_FALSE(fs::exists(kubeconfig + ".log"));  // nothing was run

  auto conformance = runProcess({kCli, "conformance", "--backend", "kind", "--dry-run", "--include",
                                 "port:end-port", "--cni", "calico"});
  EXPECT_EQ(conformance.exitCode, 0) << conformance.err;
  EXPECT_NE(conformance.out.find("endPort"), std::string::npos);

  auto replay = runProcess({kCli, "replay",
                            std::string(NPF_SOURCE_DIR) + "/corpus/regressions/363d8de756e1.yaml",
                            "--backend", "kind", "--dry-run"});
  EXPECT_EQ(replay.exitCode, 0) << replay.err;
  EXPECT_NE(replay.out.find("# ---- after step 1: reconcile"), std::string::npos) << replay.out;

  auto local = runProcess({kCli, "fuzz", "--dry-run", "--cases", "1"});
  EXPECT_EQ(local.exitCode, 2);
  EXPECT_NE(local.err.find("--dry-run needs --backend kind"), std::string::npos) << local.err;
}

// A case with cluster-scoped policies: the plan shows the CRDs applied and established, then
// the workloads, then the policies (labelled with the run), and teardown deletes them by label.
TEST_F(KindCli, DryRunShowsTheCrdsAndTheClusterScopedPoliciesInOrder) {
  const std::string file =
      std::string(NPF_SOURCE_DIR) +
      "/corpus/conformance/network-policy-api/admin-network-policy-integration.yaml";
  auto r = runProcess({kCli, "conformance", file, "--backend", "kind", "--dry-run", "--context",
                       "kind-npf", "--cni", "antrea"});
  ASSERT_EQ(r.exitCode, 0) << r.err << r.out.substr(0, 3000);
  const std::string& out = r.out;
  const std::string anp = "adminnetworkpolicies.policy.networking.k8s.io";
  const std::string banp = "baselineadminnetworkpolicies.policy.networking.k8s.io";
  std::vector<std::string> inOrder = {
      "# warning: Antrea enforces AdminNetworkPolicy and BaselineAdminNetworkPolicy only with",
      "$ kubectl --context kind-npf apply --server-side --force-conflicts "
      "--field-manager=netpolfuzz --filename - <<'EOF'",
      "# CustomResourceDefinition " + anp + ": runner/kind/crds/policy.networking.k8s.io_" +
          "adminnetworkpolicies.yaml (embedded; not shown)",
      "$ kubectl --context kind-npf wait --for condition=established --timeout=60s crd/" + anp +
          " crd/" + banp,
      "$ kubectl --context kind-npf get " + anp + " --output json",
      "\"kind\": \"Pod\"",
      "\"kind\": \"AdminNetworkPolicy\"",
      "\"netpolfuzz.io/run\": \"npf-dryrun\"",
      "# ---- probe round",
      "# ---- teardown",
      "$ kubectl --context kind-npf delete " + anp + "," + banp +
          " --selector netpolfuzz.io/run=npf-dryrun --ignore-not-found",
      "delete namespace --selector netpolfuzz.io/run=npf-dryrun"};
  size_t at = 0;
  for (const auto& want : inOrder) {
    size_t found = out.find(want, at);
    ASSERT_NE(found, std::string::npos) << "missing after offset " << at << ": " << want << "\n"
                                        << out.substr(0, 4000);
    at = found + want.size();
  }
  EXPECT_EQ(out.find("openAPIV3Schema"), std::string::npos);  // CRD bodies are not printed

  // A case the standard-channel CRDs would refuse (a nodes peer, a v1alpha1 namedPort) is
  // skipped, saying why, rather than stopping the run at the API server.
  auto experimental = runProcess(
      {kCli, "conformance",
       std::string(NPF_SOURCE_DIR) + "/corpus/fuzz/decode/cluster_policies_v1alpha1.yaml",
       "--backend", "kind", "--dry-run", "--cni", "antrea"});
  EXPECT_EQ(experimental.exitCode, 2) << experimental.err;
  EXPECT_NE(experimental.err.find("skipped 1 case with experimental-channel fields"),
            std::string::npos)
      << experimental.err;

  // A CNI that does not implement the API: refused by name, exit 2 as any bad dry-run.
  auto calico =
      runProcess({kCli, "conformance", file, "--backend", "kind", "--dry-run", "--cni", "calico"});
  EXPECT_NE(calico.exitCode, 0);
  EXPECT_NE(calico.err.find("the CNI calico does not enforce AdminNetworkPolicy"),
            std::string::npos)
      << calico.err;
}

// `kind up|down`: the steps (argv, pinned versions) are printed before they run; --dry-run only
// prints them. A missing `kind` is exit 3 with a hint.
TEST_F(KindCli, KindUpAndDownPrintTheirPinnedSteps) {
  struct Want {
    const char* cni;
    const char* install;
  };
  for (Want w : {Want{"kindnet", "rollout status daemonset/kindnet"},
                 Want{"calico", "projectcalico/calico/v3.28.2/manifests/calico.yaml"},
                 Want{"cilium", "cilium install --context kind-t --version 1.16.3"},
                 Want{"antrea", "antrea/releases/download/v2.2.0/antrea.yml"},
                 Want{"kube-router", "kube-router/v2.2.1/daemonset/kubeadm-kuberouter.yaml"}}) {
    auto r = runProcess({kCli, "kind", "up", "--cni", w.cni, "--name", "t", "--dry-run"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("$ kind create cluster --name t --image kindest/node:"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(std::string("kind-ipv4") +
                         (std::string(w.cni) == "kindnet" ? ".yaml" : "-nocni.yaml")),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(w.install), std::string::npos) << w.cni << "\n" << r.out;
    EXPECT_NE(r.out.find("wait --for=condition=Ready nodes --all"), std::string::npos) << r.out;
  }
  auto dual = runProcess({kCli, "kind", "up", "--cni", "calico", "--dual-stack", "--dry-run"});
  EXPECT_NE(dual.out.find("kind-dual-nocni.yaml"), std::string::npos) << dual.out;
  auto down = runProcess({kCli, "kind", "down", "--name", "t", "--dry-run"});
  EXPECT_EQ(down.out, "$ kind delete cluster --name t\n");

  const char* path = std::getenv("PATH");
  std::string saved = path ? path : "";
  setenv("PATH", dir.c_str(), 1);  // no kind here
  auto missing = runProcess({kCli, "kind", "up", "--cni", "kindnet"});
  setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(missing.exitCode, 3);
  EXPECT_NE(missing.err.find("is kind installed and in PATH?"), std::string::npos) << missing.err;
}

}  // namespace
