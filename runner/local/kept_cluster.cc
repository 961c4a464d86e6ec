#include "runner/local/kept_cluster.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "runner/atomic_file.h"
#include "runner/local/run_state.h"
#include "runner/utc_time.h"

namespace npf::runner::local {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kInfoFile = "up.json";
constexpr const char* kInfoSchema = "netpolfuzz.local-up/v1";

// The daemon's exit codes (those of the CLI: DESIGN.md).
constexpr int kDaemonOk = 0;
constexpr int kDaemonSetUpFailed = 3;

std::string readText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool writeAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

void sleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// ------------------------------------------------------------------ what the daemon holds

std::string portsOf(const Pod& p) {
  std::vector<std::string> out;
  for (const auto& c : p.containers)
    for (const auto& port : c.ports)
      out.push_back(fmt::format("{}/{}", port.containerPort, toString(port.effectiveProtocol())));
  return fmt::format("{}", fmt::join(out, ","));
}

std::string portsOf(const Service& s) {
  std::vector<std::string> out;
  for (const auto& p : s.ports) {
    std::string target;
    if (p.targetPort)
      target = p.targetPort->isNumber() ? std::to_string(p.targetPort->number())
                                        : std::get<std::string>(p.targetPort->value);
    out.push_back(
        fmt::format("{}/{}{}", p.port, toString(p.effectiveProtocol()),
                    target.empty() || target == std::to_string(p.port) ? "" : "->" + target));
  }
  return fmt::format("{}", fmt::join(out, ","));
}

// Every endpoint of the running cluster with its network namespace and the addresses the
// backend really serves.
std::vector<KeptEndpoint> describeEndpoints(const LocalBackend& b) {
  Cluster a = b.actual();
  std::vector<KeptEndpoint> eps;
  for (const Pod& p : a.pods) {
    std::vector<std::string> ips = p.podIPs;
    if (ips.empty() && !p.podIP.empty()) ips.push_back(p.podIP);
    eps.push_back({p.meta.namespace_ + "/" + p.meta.name, p.hostNetwork ? "hostnet-pod" : "pod",
                   p.nodeName, b.namespaceOf(Endpoint::pod(p.meta.namespace_, p.meta.name)), ips,
                   portsOf(p)});
  }
  for (const Node& n : a.nodes)
    eps.push_back({"node/" + n.meta.name, "node", n.meta.name,
                   b.namespaceOf(Endpoint::node(n.meta.name)), n.internalIPs, ""});
  for (const ExternalHost& e : a.externalHosts)
    eps.push_back(
        {"ip/" + e.ip, "external", "", b.namespaceOf(Endpoint::external(e.ip)), {e.ip}, ""});
  for (const Service& s : a.services)
    eps.push_back(
        {"svc/" + s.meta.namespace_ + "/" + s.meta.name, "service", "", "",
         s.clusterIP.empty() ? std::vector<std::string>{} : std::vector<std::string>{s.clusterIP},
         portsOf(s)});
  return eps;
}

// ------------------------------------------------------------------ the daemon

volatile sig_atomic_t gDaemonPid = 0;
volatile sig_atomic_t gInterrupted = 0;

void forwardSignal(int) {
  gInterrupted = 1;
  if (gDaemonPid > 0) kill(pid_t(gDaemonPid), SIGTERM);
}

// The daemon: owns the backend, brings the state up, reports "ok" or "error: ..." on `report`,
// then holds the cluster until SIGTERM/SIGINT. Returns its exit code.
int daemonMain(const KeepUpRequest& request, KeptClusterInfo info, int report) {
  setsid();
  if (chdir("/") != 0) {
    // Not fatal: only keeps the working directory busy.
  }
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0)
    for (int fd = 0; fd < 3; ++fd) dup2(devnull, fd);
  if (report != 3) {
    dup2(report, 3);
    report = 3;
  }
  fcntl(report, F_SETFD, FD_CLOEXEC);  // the tools the backend runs must not hold it
  close_range(4, ~0U, 0);              // nothing inherited keeps the caller's pipes open
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  // SIGINT/SIGTERM stay blocked (the parent blocked them before fork), so every thread the
  // backend starts has them blocked too and sigwait below is the only one to take them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  LocalBackend backend(request.options);
  std::string err = backend.setUp(request.states[0]);
  for (size_t i = 1; i <= request.step && err.empty(); ++i) {
    err = backend.reconcile(request.states[i]);
    if (!err.empty()) err = fmt::format("step {}: {}", i, err);
  }
  if (err.empty()) {
    info.pid = long(getpid());
    info.fabric = backend.runId() + "-fab";
    info.endpoints = describeEndpoints(backend);
    info.namespaces = backend.namespaceNames();
    std::string path = keptClusterInfoPath(request.options.stateRoot, backend.runId());
    if (!writeFileAtomic(path, encodeKeptClusterInfo(info))) err = "cannot write " + path;
  }
  if (!err.empty()) {
    backend.tearDown();
    writeAll(report, "error: " + err + "\n");
    return kDaemonSetUpFailed;
  }
  writeAll(report, "ok\n");
  close(report);
  int sig = 0;
  while (sigwait(&stop, &sig) != 0) {
  }
  backend.tearDown();
  return kDaemonOk;
}

// Everything up to EOF on `fd` (the daemon reported and closed its end, or died).
std::string readToEnd(int fd) {
  std::string msg;
  char buf[4096];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      msg.append(buf, size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return msg;
  }
}

}  // namespace

// ------------------------------------------------------------------ up.json

std::string encodeKeptClusterInfo(const KeptClusterInfo& info) {
  json endpoints = json::array();
  for (const KeptEndpoint& e : info.endpoints)
    endpoints.push_back({{"endpoint", e.endpoint},
                         {"kind", e.kind},
                         {"node", e.node},
                         {"netns", e.netns},
                         {"ips", e.ips},
                         {"ports", e.ports}});
  json j;
  j["schema"] = kInfoSchema;
  j["run"] = info.run;
  j["files"] = info.files;
  j["step"] = info.step;
  j["steps"] = info.steps;
  j["profile"] = info.profile;
  j["faults"] = info.faults;
  j["started"] = info.started;
  j["pid"] = info.pid;
  j["fabric"] = info.fabric;
  j["endpoints"] = endpoints;
  j["namespaces"] = info.namespaces;
  return j.dump(2) + "\n";
}

std::optional<KeptClusterInfo> decodeKeptClusterInfo(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  using Strings = std::vector<std::string>;
  try {
    if (!j.is_object() || j.value("schema", "") != kInfoSchema) return std::nullopt;
    KeptClusterInfo info;
    info.run = j.value("run", "");
    info.files = j.value("files", Strings{});
    info.step = j.value("step", size_t(0));
    info.steps = j.value("steps", size_t(0));
    info.profile = j.value("profile", Strings{});
    info.faults = j.value("faults", Strings{});
    info.started = j.value("started", "?");
    info.pid = j.value("pid", 0L);
    info.fabric = j.value("fabric", "");
    info.namespaces = j.value("namespaces", Strings{});
    if (j.contains("endpoints") && j["endpoints"].is_array())
      for (const json& e : j["endpoints"])
        info.endpoints.push_back({e.value("endpoint", ""), e.value("kind", ""), e.value("node", ""),
                                  e.value("netns", ""), e.value("ips", Strings{}),
                                  e.value("ports", "")});
    return info;
  } catch (const json::exception&) {
    return std::nullopt;  // a field of the wrong type
  }
}

std::string keptClusterInfoPath(const std::string& stateRoot, const std::string& runId) {
  return runDir(stateRoot, runId) + "/" + kInfoFile;
}

std::optional<KeptClusterInfo> readKeptClusterInfo(const std::string& stateRoot,
                                                   const std::string& runId) {
  std::string text = readText(keptClusterInfoPath(stateRoot, runId));
  if (text.empty()) return std::nullopt;
  return decodeKeptClusterInfo(text);
}

std::vector<std::string> liveKeptClusters(const std::string& stateRoot) {
  std::vector<std::string> out;
  for (const auto& run : runsWithState(stateRoot))
    if (readKeptClusterInfo(stateRoot, run) && runIsAlive(stateRoot, run)) out.push_back(run);
  return out;
}

std::string missingKeptClusterTools(const std::string& cniPath) {
  for (const char* plugin : {"ptp", "static"})
    if (access((cniPath + "/" + plugin).c_str(), X_OK) != 0)
      return fmt::format(
          "the CNI plugin {}/{} is missing; install Debian's containernetworking-plugins or pass "
          "--cni-path",
          cniPath, plugin);
  for (const char* tool : {"ip", "nft"})
    if (access((std::string("/usr/sbin/") + tool).c_str(), X_OK) != 0 &&
        access((std::string("/sbin/") + tool).c_str(), X_OK) != 0)
      return fmt::format("{} is missing; install iproute2 and nftables", tool);
  return "";
}

// ------------------------------------------------------------------ up

KeepUpResult keepClusterUp(const KeepUpRequest& request) {
  KeepUpRequest req = request;
  LocalOptions& lo = req.options;
  if (lo.runId.empty()) {
    do lo.runId = newRunId();
    while (runExists(lo.stateRoot, lo.runId));
  }
  KeepUpResult result;
  result.run = lo.runId;

  KeptClusterInfo info;
  info.run = lo.runId;
  for (const auto& f : req.files) {
    std::error_code ec;
    fs::path abs = fs::absolute(f, ec);
    info.files.push_back(ec ? f : abs.lexically_normal().string());
  }
  info.step = req.step;
  info.steps = req.states.size() - 1;
  info.profile = req.profile;
  info.faults = req.faults;
  info.started = utcNow();

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + strerror(errno);
    return result;
  }
  // Block SIGINT/SIGTERM across fork: the daemon keeps them blocked (for its sigwait); here
  // they are forwarded to the daemon once the handlers are in place.
  sigset_t stop, old;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, &old);
  std::fflush(nullptr);  // the caller's buffered output must not be written twice
  pid_t pid = fork();
  if (pid < 0) {
    result.error = std::string("fork: ") + strerror(errno);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    close(pipefd[0]);
    close(pipefd[1]);
    return result;
  }
  if (pid == 0) {
    close(pipefd[0]);
    _exit(daemonMain(req, info, pipefd[1]));
  }
  close(pipefd[1]);
  gDaemonPid = pid;
  struct sigaction sa {
  }, oldInt{}, oldTerm{};
  sa.sa_handler = forwardSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &oldInt);
  sigaction(SIGTERM, &sa, &oldTerm);
  sigprocmask(SIG_SETMASK, &old, nullptr);

  std::string msg = readToEnd(pipefd[0]);
  close(pipefd[0]);

  auto reapAndClean = [&]() {
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (runExists(lo.stateRoot, lo.runId)) {
      auto rep = cleanupLeftovers(lo.processes ? *lo.processes : realProcessRunner(), lo.stateRoot);
      result.cleanupErrors = rep.errors;
    }
  };
  // From here on a signal no longer stops the daemon: check and restore atomically.
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  bool interrupted = gInterrupted;
  sigaction(SIGINT, &oldInt, nullptr);
  sigaction(SIGTERM, &oldTerm, nullptr);
  gDaemonPid = 0;
  if (interrupted) {
    // The signal stays blocked: the caller reports the interruption and exits.
    reapAndClean();
    result.outcome = KeepUpResult::Outcome::Interrupted;
    return result;
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  if (msg.rfind("ok\n", 0) != 0) {
    reapAndClean();
    result.outcome = KeepUpResult::Outcome::SetUpFailed;
    if (msg.rfind("error: ", 0) == 0) {
      result.error = msg.substr(7);
      if (!result.error.empty() && result.error.back() == '\n') result.error.pop_back();
    } else {
      result.error = "the daemon died while setting the case up";
    }
    return result;
  }
  auto up = readKeptClusterInfo(lo.stateRoot, lo.runId);
  if (!up) {
    result.outcome = KeepUpResult::Outcome::InfoUnreadable;
    return result;
  }
  result.outcome = KeepUpResult::Outcome::Up;
  result.info = std::move(*up);
  return result;
}

// ------------------------------------------------------------------ down

StopResult stopKeptCluster(const std::string& stateRoot, const std::string& runId,
                           int waitSeconds) {
  StopResult result;
  result.namespacesBefore = listNamespaces(runId + "-");
  if (!runIsAlive(stateRoot, runId)) return result;
  result.pid = ownerPid(stateRoot, runId);
  if (!readKeptClusterInfo(stateRoot, runId)) {
    result.outcome = StopResult::Outcome::NotKeptCluster;
    return result;
  }
  const long pid = result.pid;
  auto started = liveStartTime(pid);
  kill(pid_t(pid), SIGTERM);
  // The daemon removes its run directory just before it exits: wait for the exit too, so
  // that nothing of the run is left when this returns.
  auto gone = [&] {
    return !runIsAlive(stateRoot, runId) && listNamespaces(runId + "-").empty() &&
           !fs::exists(runDir(stateRoot, runId)) && (!started || liveStartTime(pid) != started);
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(waitSeconds);
  while (!gone() && std::chrono::steady_clock::now() < deadline) sleepMs(50);
  result.outcome = gone() ? StopResult::Outcome::Stopped : StopResult::Outcome::StillThere;
  return result;
}

void killKeptCluster(const std::string& stateRoot, const std::string& runId, long pid) {
  if (runIsAlive(stateRoot, runId)) kill(pid_t(pid), SIGKILL);
  for (int i = 0; i < 100 && runIsAlive(stateRoot, runId); ++i) sleepMs(20);
}

}  // namespace npf::runner::local
