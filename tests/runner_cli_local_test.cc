// End-to-end tests of `netpolfuzz local up|down|status|cleanup`: the binary is run as a user
// runs it, the cluster it leaves up is checked with real connects from inside the namespaces
// it prints. Needs root; skipped otherwise.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "model/ip.h"
#include "runner/local/local_backend.h"
#include "runner/local/prober.h"
#include "runner/local/run_state.h"
#include "tests/support/run_process.h"
#include "tests/support/runner_cases.h"

namespace npf::runner::local {
namespace {

using npf::testing::runProcess;
using K = ProbeResult::Kind;

const std::string kCli = NPF_CLI;

// One node; namespaces x and y; pods x/a 10.0.1.1 (80/TCP), x/b 10.0.1.2 (80/TCP, 81/TCP),
// y/c 10.0.2.1 (80/TCP). Policy x/only-a-to-b: pod b accepts only pod a (namespace x) on 80.
// One step deletes the policy.
const char* kCaseYaml = R"(apiVersion: v1
kind: Node
metadata: {name: node-1}
status:
  addresses:
  - {type: InternalIP, address: 172.18.0.2}
---
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {ns: x}}
---
apiVersion: v1
kind: Namespace
metadata: {name: "y", labels: {ns: "y"}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {pod: a}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports:
    - {containerPort: 80, protocol: TCP}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {pod: b}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports:
    - {containerPort: 80, protocol: TCP}
    - {containerPort: 81, protocol: TCP}
status: {podIP: 10.0.1.2}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: "y", labels: {pod: c}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports:
    - {containerPort: 80, protocol: TCP}
status: {podIP: 10.0.2.1}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-a-to-b, namespace: x}
spec:
  podSelector:
    matchLabels: {pod: b}
  ingress:
  - from:
    - podSelector:
        matchLabels: {pod: a}
    ports:
    - {port: 80, protocol: TCP}
---
apiVersion: netpolfuzz.io/v1alpha1
kind: Case
metadata: {name: cli-local}
spec:
  steps:
  - action: delete-policy
    namespace: x
    name: only-a-to-b
)";

std::string writeTemp(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string runDirOf(const std::string& run) { return std::string(kDefaultStateRoot) + "/" + run; }

// The run id `up` printed ("" when none).
std::string runIdIn(const std::string& out) {
  std::smatch m;
  static const std::regex re(R"(run (npf-[0-9a-f]{6}) is up)");
  return std::regex_search(out, m, re) ? m[1].str() : "";
}

// A row of the endpoint table `up` prints: ENDPOINT KIND NODE NAMESPACE IP PORTS.
std::vector<std::string> tableRow(const std::string& out, const std::string& endpoint) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.size() >= 6 && w[0] == endpoint) return w;
  }
  return {};
}

long daemonPid(const std::string& run) {
  std::ifstream f(runDirOf(run) + "/pid");
  long pid = 0;
  f >> pid;
  return pid;
}

// Exited (a zombie counts: the daemon's parent is whoever adopted it).
bool processGone(long pid) {
  std::string stat;
  std::getline(std::ifstream("/proc/" + std::to_string(pid) + "/stat"), stat);
  return stat.empty() || stat.find(") Z ") != std::string::npos;
}

// A real TCP connect from inside `netns` (no backend involved).
K connectFrom(const std::string& netns, const std::string& ip, int port) {
  SocketProbe p;
  p.netns = netns;
  p.dst = parseIp(ip).value();
  p.port = port;
  ProbeOptions o;
  o.timeoutMs = 300;
  o.timeoutRetries = 0;
  auto r = runSocketProbes({p}, o);
  return r.size() == 1 ? r[0].kind : K::Error;
}

// Whatever a test leaves up is taken down even when it fails halfway.
struct RunGuard {
  std::string run;
  ~RunGuard() {
    if (run.empty() ||
        (listNamespaces(run + "-").empty() && !std::filesystem::exists(runDirOf(run))))
      return;
    runProcess({kCli, "local", "down", run});
    if (runIsAlive(kDefaultStateRoot, run)) kill(pid_t(daemonPid(run)), SIGKILL);
    for (int i = 0; i < 100 && runIsAlive(kDefaultStateRoot, run); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cleanupLeftovers();
  }
};

class RunnerCliLocal : public ::testing::Test {
 protected:
  void SetUp() override {
    NPF_REQUIRE_ROOT();
    file_ = writeTemp("cli-local-case.yaml", kCaseYaml);
  }
  std::string file_;
};

TEST_F(RunnerCliLocal, UpLeavesAWorkingClusterThatStatusListsAndDownRemoves) {
  auto r = runProcess({kCli, "local", "up", file_});
  RunGuard guard{runIdIn(r.out)};
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  const std::string run = guard.run;
  ASSERT_FALSE(run.empty()) << r.out;

  // Every pod, and the node, is listed with a namespace that exists and its IP.
  std::map<std::string, std::string> netnsOf;
  for (const char* ep : {"x/a", "x/b", "y/c", "node/node-1"}) {
    auto row = tableRow(r.out, ep);
    ASSERT_FALSE(row.empty()) << ep << " missing from:\n" << r.out;
    EXPECT_EQ(row[3].rfind(run + "-", 0), 0u) << row[3];
    EXPECT_EQ(listNamespaces(row[3]).size(), 1u) << row[3] << " does not exist";
    netnsOf[ep] = row[3];
  }
  EXPECT_EQ(tableRow(r.out, "x/b")[4], "10.0.1.2");
  EXPECT_NE(r.out.find("nft -a list ruleset"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("netpolfuzz local down " + run), std::string::npos) << r.out;
  EXPECT_EQ(listNamespaces(run + "-").size(), 5u);  // fabric, node, 3 pods

  // The daemon's servers and rules are live after `up` returned.
  EXPECT_EQ(toString(connectFrom(netnsOf["x/a"], "10.0.1.2", 80)), std::string("connected"));
  EXPECT_EQ(toString(connectFrom(netnsOf["y/c"], "10.0.1.2", 80)), std::string("timeout"));
  EXPECT_EQ(toString(connectFrom(netnsOf["x/a"], "10.0.1.2", 81)), std::string("timeout"));
  EXPECT_EQ(toString(connectFrom(netnsOf["x/b"], "10.0.2.1", 80)), std::string("connected"));

  auto st = runProcess({kCli, "local", "status"});
  EXPECT_EQ(st.exitCode, 0) << st.err;
  EXPECT_TRUE(std::regex_search(
      st.out, std::regex(run + R"( +alive +[0-9]+ +5 +local up .*cli-local-case\.yaml)")))
      << st.out;
  auto detail = runProcess({kCli, "local", "status", run});
  EXPECT_EQ(detail.exitCode, 0) << detail.err;
  EXPECT_EQ(tableRow(detail.out, "x/a"), tableRow(r.out, "x/a")) << detail.out;

  long pid = daemonPid(run);
  auto d = runProcess({kCli, "local", "down", run});
  EXPECT_EQ(d.exitCode, 0) << d.out << d.err;
  EXPECT_NE(d.out.find("removed 5 network namespace(s)"), std::string::npos) << d.out;
  EXPECT_TRUE(listNamespaces(run + "-").empty());
  EXPECT_FALSE(std::filesystem::exists(runDirOf(run)));
  EXPECT_FALSE(runIsAlive(kDefaultStateRoot, run));
  EXPECT_TRUE(processGone(pid)) << "the daemon is still running";
  auto after = runProcess({kCli, "local", "status"});
  EXPECT_EQ(after.out.find(run), std::string::npos) << after.out;
}

TEST_F(RunnerCliLocal, UpAtAStepAppliesTheStepsBeforeHandingOver) {
  auto r = runProcess({kCli, "local", "up", file_, "--step", "1"});
  RunGuard guard{runIdIn(r.out)};
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  auto c = tableRow(r.out, "y/c");
  ASSERT_FALSE(c.empty()) << r.out;
  // The policy is deleted by step 1: y/c reaches x/b again.
  EXPECT_EQ(toString(connectFrom(c[3], "10.0.1.2", 80)), std::string("connected"));
  EXPECT_EQ(toString(connectFrom(c[3], "10.0.1.2", 81)), std::string("connected"));
  auto st = runProcess({kCli, "local", "status"});
  EXPECT_NE(st.out.find(guard.run), std::string::npos);
  EXPECT_NE(st.out.find("state after step 1 of 1"), std::string::npos) << st.out;
  EXPECT_EQ(runProcess({kCli, "local", "down", guard.run}).exitCode, 0);
  EXPECT_TRUE(listNamespaces(guard.run + "-").empty());
}

TEST_F(RunnerCliLocal, BadInputExitsTwoAndCreatesNothing) {
  auto before = listNamespaces("npf-");
  auto bad = writeTemp(
      "cli-local-bad.yaml",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: x\nspec:\n  containers: 7\n");
  auto r = runProcess({kCli, "local", "up", bad});
  EXPECT_EQ(r.exitCode, 2) << r.out << r.err;
  EXPECT_TRUE(std::regex_search(
      r.err, std::regex(std::regex_replace(bad, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                        R"(:[0-9]+:[0-9]+: )")))
      << r.err;

  r = runProcess({kCli, "local", "up", file_, "--inject-fault", "NO_SUCH_FAULT"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("NO_SUCH_FAULT"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("POD_IP_REUSE"), std::string::npos)
      << "lists the supported faults: " << r.err;

  r = runProcess({kCli, "local", "up", file_, "--step", "2"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("--step 2"), std::string::npos) << r.err;

  r = runProcess({kCli, "local", "up", file_, "--profile", "loopback=sometimes"});
  EXPECT_EQ(r.exitCode, 2);

  EXPECT_EQ(runProcess({kCli, "local", "down", "npf-zzzzzz"}).exitCode, 2);
  EXPECT_EQ(runProcess({kCli, "local", "down", "not-a-run"}).exitCode, 2);
  EXPECT_EQ(runProcess({kCli, "local"}).exitCode, 2);
  EXPECT_EQ(listNamespaces("npf-"), before);
}

TEST_F(RunnerCliLocal, UpWithoutNetAdminExitsThree) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    // Root without CAP_NET_ADMIN in its bounding set cannot regain it at exec.
    dup2(out[1], 2);
    close(out[0]);
    if (prctl(PR_CAPBSET_DROP, 12 /* CAP_NET_ADMIN */, 0, 0, 0) != 0) _exit(99);
    execl(kCli.c_str(), kCli.c_str(), "local", "up", file_.c_str(), static_cast<char*>(nullptr));
    _exit(98);
  }
  close(out[1]);
  std::string err;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) err.append(buf, size_t(n));
  close(out[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 3) << err;
  EXPECT_NE(err.find("root"), std::string::npos) << err;
}

TEST_F(RunnerCliLocal, KilledDaemonShowsDeadAndCleanupRemovesItsLeftovers) {
  auto r = runProcess({kCli, "local", "up", file_});
  RunGuard guard{runIdIn(r.out)};
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  const std::string run = guard.run;
  long pid = daemonPid(run);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(kill(pid_t(pid), SIGKILL), 0);
  for (int i = 0; i < 200 && runIsAlive(kDefaultStateRoot, run); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_FALSE(runIsAlive(kDefaultStateRoot, run));
  EXPECT_EQ(listNamespaces(run + "-").size(), 5u) << "a killed daemon leaves its namespaces";

  auto st = runProcess({kCli, "local", "status"});
  EXPECT_EQ(st.exitCode, 0);
  EXPECT_TRUE(std::regex_search(
      st.out, std::regex(run + R"( +dead +[0-9]+ +5 +local up .*netpolfuzz local cleanup)")))
      << st.out;

  auto c = runProcess({kCli, "local", "cleanup"});
  EXPECT_EQ(c.exitCode, 0) << c.out << c.err;
  EXPECT_NE(c.out.find(run + "-fab"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("removed the state of"), std::string::npos) << c.out;
  EXPECT_TRUE(listNamespaces(run + "-").empty());
  EXPECT_FALSE(std::filesystem::exists(runDirOf(run)));
  EXPECT_EQ(runProcess({kCli, "local", "status"}).out.find(run), std::string::npos);
}

TEST(RunnerCliLocalHelp, EverySubcommandSaysWhatItDoesThatItNeedsRootAndAnExample) {
  for (const char* sub : {"up", "down", "cleanup"}) {
    auto r = runProcess({kCli, "local", sub, "--help"});
    EXPECT_EQ(r.exitCode, 0) << sub;
    EXPECT_NE(r.out.find("Needs root"), std::string::npos) << sub << ":\n" << r.out;
    EXPECT_NE(r.out.find("Example: sudo netpolfuzz local " + std::string(sub)), std::string::npos)
        << r.out;
  }
  auto r = runProcess({kCli, "local", "status", "--help"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_NE(r.out.find("Example: netpolfuzz local status"), std::string::npos) << r.out;
  EXPECT_NE(runProcess({kCli, "local", "--help"}).out.find("up"), std::string::npos);
}

}  // namespace
}  // namespace npf::runner::local
