// `netpolfuzz kind up|down`: create a kind cluster with a chosen CNI (pinned versions,
// runner/kind/cni_install.h) and delete it. Each step is printed, then run from its argv.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/load.h"
#include "runner/kind/cni_install.h"
#include "runner/process.h"

namespace npf::cli {
namespace {

namespace fs = std::filesystem;

std::string scriptsDir() {
  for (std::string d : {std::string("scripts/kind"), std::string(NPF_SOURCE_DIR) + "/scripts/kind"})
    if (fs::exists(d + "/kind-ipv4.yaml")) return d;
  return "";
}

std::vector<std::string> userEnv() {
  std::vector<std::string> env;
  for (const char* k : {"PATH", "HOME", "KUBECONFIG", "DOCKER_HOST", "KIND_EXPERIMENTAL_PROVIDER"})
    if (const char* v = std::getenv(k)) env.push_back(std::string(k) + "=" + v);
  return env;
}

int runSteps(const std::vector<std::vector<std::string>>& steps, bool dryRun) {
  runner::RealProcessRunner runner(15 * 60 * 1000);
  for (const auto& argv : steps) {
    std::cout << "$ " << runner::describeCommand(argv) << '\n' << std::flush;
    if (dryRun) continue;
    runner::ProcessResult r = runner.run(argv, userEnv(), "", "");
    std::cout << r.out;
    if (!r.ok()) {
      std::cerr << r.err << (r.err.empty() || r.err.back() == '\n' ? "" : "\n");
      std::cerr << fmt::format(
          "netpolfuzz kind: `{}` failed (exit {}){}\n", argv[0], r.exitCode,
          r.exitCode == -1 ? ": is " + argv[0] + " installed and in PATH?" : "");
      return kExitInfrastructure;
    }
  }
  return kExitOk;
}

struct KindOptions {
  std::string cni = "kindnet";
  std::string name = "netpolfuzz";
  bool dual = false;
  bool dryRun = false;
};

int runKindUp(const KindOptions& o) {
  std::string dir = scriptsDir();
  if (dir.empty()) {
    std::cerr << "netpolfuzz kind up: scripts/kind/ not found; run from the source tree\n";
    return kExitBadInput;
  }
  auto plan = runner::kind::clusterPlan(o.cni, o.name, o.dual, dir);
  int rc = runSteps(plan.steps, o.dryRun);
  if (rc == kExitOk && !o.dryRun)
    std::cout << fmt::format(
        "cluster ready: netpolfuzz conformance --backend kind --context kind-{} --cni {}\n", o.name,
        o.cni);
  return rc;
}

int runKindDown(const KindOptions& o) {
  return runSteps({runner::kind::deleteClusterArgv(o.name)}, o.dryRun);
}

}  // namespace

Command addKindCommand(CLI::App& app) {
  auto o = std::make_shared<KindOptions>();
  auto* sub =
      app.add_subcommand("kind", "Create or delete a kind cluster with a CNI for `--backend kind`");
  sub->require_subcommand(1);
  auto* up = sub->add_subcommand(
      "up", "Create a kind cluster (1 control plane, 2 workers) and install the CNI");
  up->add_option("--cni", o->cni, "kindnet, calico, cilium, antrea or kube-router")
      ->check(CLI::IsMember({"kindnet", "calico", "cilium", "antrea", "kube-router"}))
      ->capture_default_str();
  up->add_option("--name", o->name, "Cluster name (kubectl context kind-NAME)")
      ->capture_default_str();
  up->add_flag("--dual-stack", o->dual, "IPv4 and IPv6");
  up->add_flag("--dry-run", o->dryRun, "Print the commands without running them");
  auto* down = sub->add_subcommand("down", "Delete the kind cluster");
  down->add_option("--name", o->name, "Cluster name")->capture_default_str();
  down->add_flag("--dry-run", o->dryRun, "Print the command without running it");
  return {sub, [o, up] { return up->parsed() ? runKindUp(*o) : runKindDown(*o); }};
}

}  // namespace npf::cli
