// End-to-end tests of the local backend's API-fed enforcers: a real kube-apiserver and etcd in
// the run's control namespace, the case mirrored into them, kube-router (directly, and through
// `--enforcer exec` with a command template) enforcing policy on real packets. Needs root and
// the binaries of scripts/install-deps.sh --with-kube-router: skipped without them, unless
// NPF_REQUIRE_KUBE_ROUTER=1 (CI), which makes their absence a failure.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "runner/daemon.h"
#include "runner/local/api_mirror.h"
#include "runner/local/control_plane.h"
#include "runner/local/local_backend.h"
#include "tests/support/run_process.h"
#include "tests/support/runner_cases.h"
#include "tests/support/runner_probe.h"

namespace npf::runner::local {
namespace {

using npf::testing::clusterFromYaml;
using npf::testing::expectCells;
using npf::testing::smallClusterYaml;
using K = ProbeResult::Kind;
constexpr Protocol TCP = Protocol::TCP;
constexpr Protocol UDP = Protocol::UDP;
namespace fs = std::filesystem;

#define NPF_REQUIRE_KUBE_ROUTER()                               \
  NPF_REQUIRE_BUILT_TOOLS(npf::testing::allExecutable(          \
      {defaultToolBinDir() + "/kube-apiserver-" + kKubeVersion, \
       defaultToolBinDir() + "/kube-router-" + kKubeRouterVersion, "/usr/bin/etcd"}))

const char* kDenyIngressToA = R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-c-to-a, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: "y"}}
)";

TEST(RunnerDaemon, StartsLogsAndStops) {
  std::string log = fs::temp_directory_path() / ("npf-daemon-" + std::to_string(getpid()));
  {
    Daemon d;
    ASSERT_EQ(d.start({"sh", "-c", "echo started; exec sleep 30"}, defaultToolEnv(), "", log), "");
    EXPECT_TRUE(d.running());
    for (int i = 0; i < 100 && tailOfFile(log).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(tailOfFile(log), "started\n");
    pid_t pid = d.pid();
    d.stop(2000);
    EXPECT_FALSE(d.running());
    EXPECT_EQ(d.exitDescription(), "killed by signal 15");
    EXPECT_NE(kill(pid, 0), 0) << "stopped and reaped";
  }
  {
    Daemon d;
    ASSERT_EQ(d.start({"sh", "-c", "exit 3"}, defaultToolEnv(), "", log), "");
    for (int i = 0; i < 200 && d.running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(d.exitDescription(), "exited with status 3");
  }
  Daemon missing;
  EXPECT_EQ(missing.start({"no-such-program-npf"}, defaultToolEnv(), "", log),
            "no-such-program-npf: not found");
  EXPECT_NE(missing.start({"/bin/true"}, defaultToolEnv(), "/run/netns/npf-no-such-ns", log), "");
  fs::remove(log);
}

class RunnerEnforcer : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!backend) return;
    std::string run = backend->runId();
    backend->tearDown();
    EXPECT_TRUE(listNamespaces(run).empty()) << "namespaces of " << run << " left behind";
  }

  LocalBackend& up(EnforcerSpec spec, const std::string& policies) {
    LocalOptions o;
    o.enforcer = std::move(spec);
    o.logDir = logRoot;
    backend = std::make_unique<LocalBackend>(o);
    cluster = clusterFromYaml(smallClusterYaml() + policies);
    std::string err = backend->setUp(cluster);
    EXPECT_EQ(err, "");
    return *backend;
  }

  std::string logRoot = fs::temp_directory_path() / "npf-enforcer-test-logs";
  Cluster cluster;
  std::unique_ptr<LocalBackend> backend;
};

// The cluster as the API server has it after the mirror wrote it, and after each change.
TEST_F(RunnerEnforcer, MirrorWritesTheClusterAsAKubeletAndAUserWould) {
  NPF_REQUIRE_KUBE_ROUTER();
  std::string run = newRunId();
  ASSERT_EQ(createRunDir(kDefaultStateRoot, run), "");
  std::string nodeNs = run + "-n0";
  ASSERT_TRUE(
      realProcessRunner().run({"ip", "netns", "add", nodeNs}, defaultToolEnv(), "", "").ok());
  {
    ControlPlaneOptions o;
    o.runId = run;
    o.stateDir = runDir(kDefaultStateRoot, run);
    o.logDir = logRoot + "/" + run;
    o.binDir = defaultToolBinDir();
    ControlPlane cp(o);
    ASSERT_EQ(cp.start({{"node-1", nodeNs}}), "");
    EXPECT_GT(cp.readyMs(), 0);
    ApiMirror mirror(cp.api(), o.serviceCidr);
    Cluster c = clusterFromYaml(smallClusterYaml() + kDenyIngressToA);
    std::map<std::string, std::string> hosts{
        {"x/a", "172.18.0.2"}, {"x/b", "172.18.0.3"}, {"y/c", "172.18.0.2"}};
    ASSERT_EQ(mirror.sync(c, hosts), "");
    // 2 namespaces, 2 nodes, 3 pods, 1 Service, 1 policy.
    EXPECT_EQ(mirror.lastCounts().created, 9u);
    auto get = [&](const std::string& path) {
      auto r = cp.api().get(path);
      EXPECT_TRUE(r.ok()) << path << ": " << r.describe();
      return nlohmann::json::parse(r.ok() ? r.body : "{}");
    };
    auto pod = get("/api/v1/namespaces/x/pods/a");
    EXPECT_EQ(pod["status"]["phase"], "Running");
    EXPECT_EQ(pod["status"]["podIP"], "10.0.1.1");
    EXPECT_EQ(pod["status"]["hostIP"], "172.18.0.2");
    EXPECT_EQ(pod["spec"]["nodeName"], "node-1");
    EXPECT_EQ(pod["spec"]["containers"][0]["ports"][2]["name"], "http");
    auto node = get("/api/v1/nodes/node-2");
    EXPECT_EQ(node["status"]["addresses"][0]["address"], "172.18.0.3");
    EXPECT_EQ(get("/api/v1/namespaces/y")["metadata"]["labels"]["kubernetes.io/metadata.name"],
              "y");
    EXPECT_EQ(get("/api/v1/namespaces/x/services/web")["spec"]["clusterIP"], "10.96.0.10");

    // A relabel is a patch, a changed policy an update, a deleted namespace goes for good.
    Cluster next = c;
    next.pods[0].meta.labels = {{"pod", "a"}, {"new", "yes"}};
    (*next.policies[0].ingress)[0].peers->at(0).namespaceSelector->matchLabels = {{"ns", "x"}};
    next.pods.erase(next.pods.begin() + 2);              // y/c
    next.namespaces.erase(next.namespaces.begin() + 1);  // y
    ASSERT_EQ(mirror.sync(next, hosts), "");
    EXPECT_EQ(mirror.lastCounts().updated, 2u);
    EXPECT_EQ(mirror.lastCounts().deleted, 2u);
    EXPECT_EQ(mirror.lastCounts().created, 0u);
    EXPECT_EQ(get("/api/v1/namespaces/x/pods/a")["metadata"]["labels"]["new"], "yes");
    EXPECT_EQ(get("/apis/networking.k8s.io/v1/namespaces/x/networkpolicies/only-c-to-a")
                  ["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]["ns"],
              "x");
    EXPECT_EQ(cp.api().get("/api/v1/namespaces/y").status, 404) << "finalized and deleted";
    // The namespace can be created again, with its pod at the same address.
    ASSERT_EQ(mirror.sync(c, hosts), "");
    EXPECT_EQ(get("/api/v1/namespaces/y/pods/c")["status"]["podIP"], "10.0.2.1");
    EXPECT_EQ(cp.health(), "");
  }
  realProcessRunner().run({"ip", "netns", "del", nodeNs}, defaultToolEnv(), "", "");
  realProcessRunner().run({"ip", "netns", "del", run + "-cp"}, defaultToolEnv(), "", "");
  removeRunDir(kDefaultStateRoot, run);
}

// kube-router enforces what the API says, and follows every change: the policy written,
// replaced, a relabel of a peer's namespace.
TEST_F(RunnerEnforcer, KubeRouterEnforcesAndFollowsChanges) {
  NPF_REQUIRE_KUBE_ROUTER();
  EnforcerSpec spec;
  spec.kind = EnforcerKind::KubeRouter;
  auto& b = up(spec, kDenyIngressToA);
  ASSERT_TRUE(b.lastEnforcement().measured);
  // kube-router rejects what it denies (ICMP port unreachable after NFLOG): refused.
  expectCells(b,
              {{"x/b", "x/a", 80, TCP, K::Refused},
               {"x/b", "x/a", 80, UDP, K::Refused},
               {"y/c", "x/a", 80, TCP, K::Connected},
               {"x/a", "x/b", 80, TCP, K::Connected},
               {"node/node-1", "x/a", 80, TCP, K::Connected}},
              "initial policy");
  EXPECT_NE(b.ruleset("node-1").find("dnat"), std::string::npos) << "Services stay ours";
  EXPECT_EQ(b.ruleset("node-1").find("ingress_local"), std::string::npos) << "policy is not";

  Cluster next = cluster;
  next.namespaces[0].meta.labels["ns"] = "y";  // x now matches the peer selector too
  ASSERT_EQ(b.reconcile(next), "");
  Enforcement e = b.lastEnforcement();
  EXPECT_TRUE(e.measured);
  EXPECT_EQ(e.timedOutNodes, 0u);
  expectCells(b, {{"x/b", "x/a", 80, TCP, K::Connected}}, "after relabelling namespace x");

  next.policies.clear();
  next.namespaces[0].meta.labels["ns"] = "x";
  next.policies.push_back(clusterFromYaml(R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress-b, namespace: "x"}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Egress]
)")
                              .policies[0]);
  ASSERT_EQ(b.reconcile(next), "");
  expectCells(b,
              {{"x/b", "x/a", 80, TCP, K::Refused},
               {"y/c", "x/a", 80, TCP, K::Connected},
               {"x/a", "x/b", 80, TCP, K::Connected}},
              "policy replaced");
  EXPECT_TRUE(fs::exists(b.logDir() + "/kube-router-node-1.log"));
  EXPECT_TRUE(fs::exists(b.logDir() + "/kube-apiserver.log"));
}

// Any agent through a command template: kube-router itself, started by --enforcer exec.
TEST_F(RunnerEnforcer, ExecRunsTheTemplateInEveryNode) {
  NPF_REQUIRE_KUBE_ROUTER();
  EnforcerSpec spec;
  spec.kind = EnforcerKind::Exec;
  spec.commandTemplate = defaultToolBinDir() + "/kube-router-" + kKubeRouterVersion +
                         " --run-firewall=true --run-router=false --run-service-proxy=false "
                         "--enable-cni=false --health-port=0 --kubeconfig={kubeconfig} "
                         "'--hostname-override={node}' --service-cluster-ip-range=10.96.0.0/12";
  auto& b = up(spec, kDenyIngressToA);
  expectCells(b, {{"x/b", "x/a", 80, TCP, K::Refused}, {"y/c", "x/a", 80, TCP, K::Connected}});
  EXPECT_EQ(b.configure({Profile{}, {"ENDPORT_IGNORED"}})
                .find("faults are injected into the "
                      "nftables enforcer only"),
            0u);
}

TEST_F(RunnerEnforcer, AnAgentThatExitsIsABackendErrorNamingItsLog) {
  NPF_REQUIRE_KUBE_ROUTER();
  LocalOptions o;
  o.enforcer.kind = EnforcerKind::Exec;
  o.enforcer.commandTemplate = "sh -c 'echo agent for {node} giving up; exit 7'";
  o.logDir = logRoot;
  backend = std::make_unique<LocalBackend>(o);
  std::string err = backend->setUp(clusterFromYaml(smallClusterYaml()));
  EXPECT_NE(err.find("exited with status 7"), std::string::npos) << err;
  EXPECT_NE(err.find("agent for node-"), std::string::npos) << err;
  EXPECT_NE(err.find(".log"), std::string::npos) << err;
}

// A SIGKILLed run leaves no process behind (PR_SET_PDEATHSIG), and cleanup removes the rest.
TEST_F(RunnerEnforcer, AKilledRunLeavesNoControlPlaneOrAgentBehind) {
  NPF_REQUIRE_KUBE_ROUTER();
  std::string run = newRunId();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  if (child == 0) {
    close(ready[0]);
    LocalOptions o;
    o.runId = run;
    o.enforcer.kind = EnforcerKind::KubeRouter;
    o.logDir = logRoot;
    LocalBackend b(o);
    std::string err = b.setUp(clusterFromYaml(smallClusterYaml()));
    char c = err.empty() ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(2);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(ready[0]);
  ASSERT_EQ(c, 'y') << "the child could not set up";
  auto pidsIn = [](const std::string& ns) {
    auto r = realProcessRunner().run({"ip", "netns", "pids", ns}, defaultToolEnv(), "", "");
    std::vector<long> out;
    size_t pos = 0;
    while (pos < r.out.size()) {
      size_t nl = r.out.find('\n', pos);
      std::string line = r.out.substr(pos, nl - pos);
      if (!line.empty()) out.push_back(std::stol(line));
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    return out;
  };
  std::vector<long> daemons = pidsIn(run + "-cp");
  for (auto p : pidsIn(run + "-n0")) daemons.push_back(p);
  EXPECT_GE(daemons.size(), 3u) << "etcd, kube-apiserver, kube-router";
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  for (int i = 0; i < 100; ++i) {
    bool any = false;
    for (long p : daemons) any = any || (kill(pid_t(p), 0) == 0 && liveStartTime(p));
    if (!any) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (long p : daemons) EXPECT_FALSE(liveStartTime(p)) << "pid " << p << " outlived its run";
  auto report = cleanupLeftovers();
  EXPECT_TRUE(listNamespaces(run).empty());
}

// `conformance --enforcer kube-router --known-failures FILE`: 0 while kube-router fails exactly
// the listed cells, 1 on a failure the file does not list and on a listed cell that passes.
TEST_F(RunnerEnforcer, KnownFailuresPassOnlyWhenExactlyTheListedCellsFail) {
  NPF_REQUIRE_KUBE_ROUTER();
  const std::string dir = std::string(NPF_SOURCE_DIR) + "/corpus/findings/kube-router-v2.1.0/cases";
  const std::string kase = dir + "/ipblock-except-spans-peers.yaml";
  const std::string out = fs::temp_directory_path() / ("npf-known-" + std::to_string(getpid()));
  const std::string listed = "kube-router-v2.1.0/ipblock-except-spans-peers  0  x/a  x/b:80/TCP\n";
  auto run = [&](const std::string& known) {
    std::string file = out + "-known.txt";
    std::ofstream(file) << known;
    return npf::testing::runProcess({NPF_CLI, "conformance", kase, "--enforcer", "kube-router",
                                     "-q", "--report", "none", "-o", out, "--known-failures",
                                     file});
  };
  auto exact = run("# the finding\n" + listed);
  EXPECT_EQ(exact.exitCode, 0) << exact.out << exact.err;
  EXPECT_NE(exact.out.find("known failures: exactly the 1 listed"), std::string::npos) << exact.out;

  auto unlisted = run("# nothing known\n");
  EXPECT_EQ(unlisted.exitCode, 1) << unlisted.out << unlisted.err;
  EXPECT_NE(unlisted.out.find("NEW FAILURE kube-router-v2.1.0/ipblock-except-spans-peers step 0: "
                              "x/a -> x/b:80/TCP  expected allow, observed refused"),
            std::string::npos)
      << unlisted.out;

  auto stale = run(listed + "kube-router-v2.1.0/ipblock-except-spans-peers  0  x/a  y/c:80/TCP\n");
  EXPECT_EQ(stale.exitCode, 1) << stale.out << stale.err;
  EXPECT_NE(stale.out.find("NO LONGER FAILS"), std::string::npos) << stale.out;
  EXPECT_NE(stale.out.find("-known.txt:2: kube-router-v2.1.0/ipblock-except-spans-peers step 0: "
                           "x/a -> y/c:80/TCP"),
            std::string::npos)
      << stale.out;

  auto bad = run("kube-router-v2.1.0/ipblock-except-spans-peers  zero  x/a  x/b:80/TCP\n");
  EXPECT_EQ(bad.exitCode, 2) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("-known.txt:1:"), std::string::npos) << bad.err;
  fs::remove_all(out);
  fs::remove(out + "-known.txt");
}

}  // namespace
}  // namespace npf::runner::local
