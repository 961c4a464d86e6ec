// Safety and cleanup of the local backend: nothing left after tearDown, leftovers of a
// SIGKILLed run removed by the next run / cleanupLeftovers() while a live run is untouched,
// SIGTERM tears down, no start without privileges. Needs root; skipped otherwise.
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "runner/local/local_backend.h"
#include "tests/support/runner_cases.h"
#include "tests/support/runner_probe.h"

extern char** environ;

namespace npf::runner::local {
namespace {

using npf::testing::clusterFromYaml;
using npf::testing::expectCells;
using npf::testing::smallClusterYaml;
using K = ProbeResult::Kind;

constexpr const char* kChildEnv = "NPF_RUNNER_CLEANUP_CHILD";

std::string rootTables() {
  return realProcessRunner().run({"nft", "list", "tables"}, defaultToolEnv(), "", "").out;
}

// Inodes of the named namespaces, to find anything still living in them after deletion.
std::set<ino_t> inodesOf(const std::vector<std::string>& names) {
  std::set<ino_t> out;
  for (const auto& n : names) {
    struct stat st {};
    if (stat(("/run/netns/" + n).c_str(), &st) == 0) out.insert(st.st_ino);
  }
  return out;
}

// Processes or threads (of any process) whose network namespace is one of `inodes`.
std::vector<std::string> tasksIn(const std::set<ino_t>& inodes) {
  std::vector<std::string> out;
  for (const auto& proc : std::filesystem::directory_iterator("/proc")) {
    std::string pid = proc.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(proc.path() / "task", ec)) {
      struct stat st {};
      if (stat((task.path() / "ns/net").c_str(), &st) == 0 && inodes.count(st.st_ino))
        out.push_back(pid + "/" + task.path().filename().string());
    }
  }
  return out;
}

struct Child {
  pid_t pid = -1;
  int out = -1;
  std::string runId;
};

// Starts this test binary running only the child helper below, and waits for its cluster.
Child startChild(const std::string& mode) {
  Child c;
  int p[2];
  if (pipe(p) != 0) return c;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  posix_spawn_file_actions_addclose(&fa, p[0]);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.push_back(*e);
  env.push_back(std::string(kChildEnv) + "=" + mode);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string self = std::filesystem::read_symlink("/proc/self/exe");
  std::string filter = "--gtest_filter=RunnerLocalCleanupChild.HoldsAClusterUntilKilled";
  char* argv[] = {self.data(), filter.data(), nullptr};
  if (posix_spawn(&c.pid, self.c_str(), &fa, nullptr, argv, envp.data()) != 0) c.pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  c.out = p[0];
  // Read until "NPF_CHILD_READY <run>" (the child's gtest output comes along).
  std::string buf;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{c.out, POLLIN, 0};
    if (poll(&pfd, 1, 200) <= 0) continue;
    char tmp[4096];
    ssize_t n = read(c.out, tmp, sizeof tmp);
    if (n <= 0) break;
    buf.append(tmp, size_t(n));
    auto at = buf.find("NPF_CHILD_READY ");
    if (at != std::string::npos && buf.find('\n', at) != std::string::npos) {
      c.runId = buf.substr(at + 16, 10);
      break;
    }
  }
  if (c.runId.empty()) ADD_FAILURE() << "child did not set up a cluster:\n" << buf;
  return c;
}

int waitChild(Child& c) {
  int st = 0;
  waitpid(c.pid, &st, 0);
  close(c.out);
  return st;
}

// The child side: holds a cluster until killed. Runs only when started by the tests below.
TEST(RunnerLocalCleanupChild, HoldsAClusterUntilKilled) {
  const char* mode = std::getenv(kChildEnv);
  if (!mode) GTEST_SKIP() << "helper of RunnerLocalCleanup; runs only as their child process";
  if (std::string(mode) == "signal") installSignalTeardown();
  LocalBackend b;
  ASSERT_EQ(b.setUp(clusterFromYaml(smallClusterYaml())), "");
  std::printf("NPF_CHILD_READY %s\n", b.runId().c_str());
  std::fflush(stdout);
  for (int i = 0; i < 600; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

class RunnerLocalCleanup : public ::testing::Test {
 protected:
  void SetUp() override { NPF_REQUIRE_ROOT(); }
};

TEST_F(RunnerLocalCleanup, TearDownLeavesNoNamespaceTaskTableOrStateBehind) {
  std::string tablesBefore = rootTables();
  LocalBackend b;
  ASSERT_EQ(b.setUp(clusterFromYaml(smallClusterYaml())), "");
  std::string run = b.runId();
  auto names = b.namespaceNames();
  EXPECT_EQ(names.size(), 6u);  // fabric, 2 nodes, 3 pods
  EXPECT_EQ(listNamespaces(run + "-").size(), names.size());
  EXPECT_TRUE(std::filesystem::exists(std::string(kDefaultStateRoot) + "/" + run + "/pid"));
  expectCells(b, {{"x/a", "x/b", 80, Protocol::TCP, K::Connected}});
  auto inodes = inodesOf(names);
  ASSERT_EQ(inodes.size(), names.size());
  LocalTimings t = b.timings();
  RecordProperty("setup_ms", std::to_string(t.setUpMs));
  std::printf("setUp %.1f ms (rules %.1f ms), probe %.1f ms\n", t.setUpMs, t.rulesMs, t.probeMs);

  b.tearDown();
  EXPECT_TRUE(listNamespaces(run).empty());
  EXPECT_TRUE(tasksIn(inodes).empty()) << "a process or thread still lives in a deleted namespace";
  EXPECT_FALSE(std::filesystem::exists(std::string(kDefaultStateRoot) + "/" + run));
  EXPECT_EQ(rootTables(), tablesBefore) << "the root namespace's nftables must not change";
  b.tearDown();  // idempotent
}

TEST_F(RunnerLocalCleanup, LeftoversOfAKilledRunAreRemovedWhileALiveRunIsKept) {
  LocalBackend live;
  ASSERT_EQ(live.setUp(clusterFromYaml(smallClusterYaml())), "");
  auto liveNames = live.namespaceNames();

  Child c = startChild("kill");
  ASSERT_FALSE(c.runId.empty());
  kill(c.pid, SIGKILL);
  waitChild(c);
  auto left = listNamespaces(c.runId + "-");
  EXPECT_EQ(left.size(), 6u) << "a SIGKILLed run leaves its namespaces";
  EXPECT_TRUE(std::filesystem::exists(std::string(kDefaultStateRoot) + "/" + c.runId));

  CleanupReport r = cleanupLeftovers();
  EXPECT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_TRUE(listNamespaces(c.runId).empty());
  EXPECT_FALSE(std::filesystem::exists(std::string(kDefaultStateRoot) + "/" + c.runId));
  for (const auto& ns : left)
    EXPECT_NE(std::find(r.removedNamespaces.begin(), r.removedNamespaces.end(), ns),
              r.removedNamespaces.end())
        << ns;
  // The live run is untouched and still works.
  for (const auto& ns : liveNames) EXPECT_EQ(listNamespaces(ns).size(), 1u) << ns;
  expectCells(live, {{"y/c", "x/b", 80, Protocol::TCP, K::Connected}});
  live.tearDown();
}

TEST_F(RunnerLocalCleanup, SetUpRemovesLeftoversOfDeadRunsFirst) {
  // A dead run: a namespace named like ours whose recorded owner is a finished process.
  std::string dead = newRunId();
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  std::filesystem::create_directories(std::string(kDefaultStateRoot) + "/" + dead);
  { std::ofstream(std::string(kDefaultStateRoot) + "/" + dead + "/pid") << gone << " 1\n"; }
  std::string orphan = newRunId();
  {
    NamespaceCreationLock creating(kDefaultStateRoot);  // records whether /run/netns is new
    ASSERT_TRUE(realProcessRunner()
                    .run({"ip", "netns", "add", dead + "-n0"}, defaultToolEnv(), "", "")
                    .ok());
    // And an orphan namespace of a run without any state directory.
    ASSERT_TRUE(realProcessRunner()
                    .run({"ip", "netns", "add", orphan + "-p3"}, defaultToolEnv(), "", "")
                    .ok());
  }

  LocalBackend b;
  ASSERT_EQ(b.setUp(clusterFromYaml(smallClusterYaml())), "");
  EXPECT_TRUE(listNamespaces(dead).empty());
  EXPECT_TRUE(listNamespaces(orphan).empty());
  EXPECT_FALSE(std::filesystem::exists(std::string(kDefaultStateRoot) + "/" + dead));
  b.tearDown();
}

TEST_F(RunnerLocalCleanup, SigtermTearsTheClusterDown) {
  Child c = startChild("signal");
  ASSERT_FALSE(c.runId.empty());
  EXPECT_EQ(listNamespaces(c.runId + "-").size(), 6u);
  kill(c.pid, SIGTERM);
  int st = waitChild(c);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM) << "status " << st;
  EXPECT_TRUE(listNamespaces(c.runId).empty());
  EXPECT_FALSE(std::filesystem::exists(std::string(kDefaultStateRoot) + "/" + c.runId));
}

TEST_F(RunnerLocalCleanup, RefusesToStartWithoutNetAdmin) {
  pid_t pid = fork();
  if (pid == 0) {
    // Drop every capability in this child only.
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2] = {};
    if (syscall(SYS_capset, &h, d) != 0) _exit(2);
    LocalOptions o;
    o.cleanupLeftoversFirst = false;
    LocalBackend b(o);
    std::string err = b.setUp(Cluster{});
    _exit(err.find("CAP_NET_ADMIN") != std::string::npos && listNamespaces(b.runId()).empty() ? 0
                                                                                              : 1);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
}

}  // namespace
}  // namespace npf::runner::local
