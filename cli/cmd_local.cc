// `netpolfuzz local up|down|status|cleanup`: keep one case's cluster up on the local dataplane
// so that people can poke at it by hand (ip netns exec, nft), and manage the runs under
// /run/netpolfuzz. The servers of the pods are threads of the process owning the backend, so
// `up` forks a daemon that owns it until `down` (SIGTERM) or a crash (then `cleanup`).
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/load.h"
#include "model/ip.h"
#include "model/profile.h"
#include "runner/local/local_backend.h"
#include "runner/local/run_state.h"

namespace npf::cli {

namespace fs = std::filesystem;
using json = nlohmann::json;
namespace rl = runner::local;

namespace {

// Written by the daemon into its run's state directory; `up` and `status` read it, and its
// presence marks a run as a `local up` run.
constexpr const char* kUpInfoFile = "up.json";
constexpr const char* kUpInfoSchema = "netpolfuzz.local-up/v1";

std::string runDir(const std::string& run) { return std::string(rl::kDefaultStateRoot) + "/" + run; }

std::string readText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The owner recorded in <run>/pid ("<pid> <starttime>", run_state.h); 0 when unreadable.
long ownerPid(const std::string& run) {
  std::istringstream in(readText(runDir(run) + "/pid"));
  long pid = 0;
  in >> pid;
  return pid > 0 ? pid : 0;
}

// The start time (clock ticks after boot) of process `pid`, or "" when it is gone or a zombie:
// with the pid it names one process, even if the pid is reused later.
std::string liveStartTime(long pid) {
  std::string stat = readText("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream in(stat.substr(close + 1));
  std::vector<std::string> fields;  // from field 3 (state) on
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() < 20 || fields[0] == "Z" || fields[0] == "X") return "";
  return fields[19];  // field 22, starttime
}

std::optional<json> readUpInfo(const std::string& run) {
  std::string text = readText(runDir(run) + "/" + kUpInfoFile);
  if (text.empty()) return std::nullopt;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("schema", "") != kUpInfoSchema) return std::nullopt;
  return j;
}

// Run ids with a state directory, sorted.
std::vector<std::string> stateRuns() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(rl::kDefaultStateRoot, ec)) {
    std::string name = e.path().filename().string();
    if (rl::isRunId(name) && e.is_directory(ec)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The command line of a live process, shortened for a table cell ("" when unreadable).
std::string commandLineOf(long pid) {
  std::string raw = readText("/proc/" + std::to_string(pid) + "/cmdline");
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  std::replace(raw.begin(), raw.end(), '\0', ' ');
  if (raw.size() > 80) raw = raw.substr(0, 77) + "...";
  return raw;
}

std::string utcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A word the user can paste into a shell.
std::string shellWord(const std::string& s) {
  if (!s.empty() &&
      s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,") ==
          std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
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

std::string joinWords(const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, " ")); }

// ------------------------------------------------------------------ what a run looks like

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
    out.push_back(fmt::format("{}/{}{}", p.port, toString(p.effectiveProtocol()),
                              target.empty() || target == std::to_string(p.port) ? "" : "->" + target));
  }
  return fmt::format("{}", fmt::join(out, ","));
}

// Every endpoint of the running cluster with its network namespace and addresses (the
// addresses the backend really serves: IPv4 first).
json describeEndpoints(const rl::LocalBackend& b) {
  Cluster a = b.actual();
  json eps = json::array();
  auto add = [&](std::string endpoint, std::string kind, std::string node, std::string netns,
                 std::vector<std::string> ips, std::string ports) {
    eps.push_back({{"endpoint", std::move(endpoint)},
                   {"kind", std::move(kind)},
                   {"node", std::move(node)},
                   {"netns", std::move(netns)},
                   {"ips", std::move(ips)},
                   {"ports", std::move(ports)}});
  };
  for (const Pod& p : a.pods) {
    std::vector<std::string> ips = p.podIPs;
    if (ips.empty() && !p.podIP.empty()) ips.push_back(p.podIP);
    add(p.meta.namespace_ + "/" + p.meta.name, p.hostNetwork ? "hostnet-pod" : "pod", p.nodeName,
        b.namespaceOf(Endpoint::pod(p.meta.namespace_, p.meta.name)), ips, portsOf(p));
  }
  for (const Node& n : a.nodes)
    add("node/" + n.meta.name, "node", n.meta.name, b.namespaceOf(Endpoint::node(n.meta.name)),
        n.internalIPs, "");
  for (const ExternalHost& e : a.externalHosts)
    add("ip/" + e.ip, "external", "", b.namespaceOf(Endpoint::external(e.ip)), {e.ip}, "");
  for (const Service& s : a.services)
    add("svc/" + s.meta.namespace_ + "/" + s.meta.name, "service", "", "",
        s.clusterIP.empty() ? std::vector<std::string>{} : std::vector<std::string>{s.clusterIP},
        portsOf(s));
  return eps;
}

std::string stateLabel(const json& info) {
  int step = info.value("step", 0), steps = info.value("steps", 0);
  if (step == 0) return steps ? fmt::format("initial state (of {} step{})", steps, steps == 1 ? "" : "s") : "initial state";
  return fmt::format("state after step {} of {}", step, steps);
}

// The table of endpoints and the commands to poke at them (for `up` and `status RUN`).
void printUpInfo(const json& info) {
  const std::string run = info.value("run", "");
  struct Row {
    std::string cells[6];
  };
  std::vector<Row> rows{{{"ENDPOINT", "KIND", "NODE", "NETWORK NAMESPACE", "IP", "PORTS"}}};
  const json* srcPod = nullptr;  // examples: a pod with its own namespace ...
  const json* dstPod = nullptr;  // ... and another pod with an IPv4 and a TCP port
  const json* node = nullptr;
  static const json kNone = json::array();
  const json& endpoints = info.contains("endpoints") && info["endpoints"].is_array() ? info["endpoints"] : kNone;
  for (const json& e : endpoints) {
    std::string kind = e.value("kind", "");
    std::string netns = e.value("netns", "");
    if (kind == "service") netns = "(DNAT on every node)";
    std::vector<std::string> ips = e.value("ips", std::vector<std::string>{});
    rows.push_back({{e.value("endpoint", ""), kind, e.value("node", "").empty() ? "-" : e.value("node", ""),
                     netns.empty() ? "- (IPv6 only: not wired)" : netns, ips.empty() ? "-" : joinWords(ips),
                     e.value("ports", "").empty() ? "-" : e.value("ports", "")}});
    bool wired = !e.value("netns", "").empty();
    if (kind == "pod" && wired && !srcPod) srcPod = &e;
    if (kind == "node" && wired && !node) node = &e;
  }
  for (const json& e : endpoints) {
    std::string kind = e.value("kind", "");
    if ((kind != "pod" && kind != "hostnet-pod") || e.value("netns", "").empty() || &e == srcPod) continue;
    if (e.value("ports", "").find("/TCP") == std::string::npos) continue;
    auto ips = e.value("ips", std::vector<std::string>{});
    if (ips.empty() || !parseIp(ips.front()) || parseIp(ips.front())->family != IpFamily::V4) continue;
    dstPod = &e;
    break;
  }
  rows.push_back({{"fabric", "fabric", "-", info.value("fabric", ""), "169.254.0.1", "-"}});
  size_t w[6] = {};
  for (const auto& r : rows)
    for (int i = 0; i < 6; ++i) w[i] = std::max(w[i], r.cells[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (int i = 0; i < 6; ++i) line += fmt::format("{:<{}}", r.cells[i], i == 5 ? 0 : w[i] + 2);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << "  " << line << '\n';
  }

  std::vector<std::pair<std::string, std::string>> ex;  // command, comment
  if (srcPod) {
    std::string ns = srcPod->value("netns", ""), name = srcPod->value("endpoint", "");
    ex.push_back({"ip netns exec " + ns + " bash", "a shell inside pod " + name + "'s network"});
    ex.push_back({"ip -n " + ns + " -br addr", "its interfaces and addresses"});
    if (dstPod) {
      std::string ip = dstPod->value("ips", std::vector<std::string>{}).front();
      std::string ports = dstPod->value("ports", "");
      size_t tcp = ports.find("/TCP");
      size_t start = ports.rfind(',', tcp);
      std::string port = ports.substr(start == std::string::npos ? 0 : start + 1,
                                      tcp - (start == std::string::npos ? 0 : start + 1));
      ex.push_back({fmt::format("ip netns exec {} timeout 1 bash -c '</dev/tcp/{}/{}' && echo open", ns, ip, port),
                    fmt::format("TCP connect {} -> {}:{} (a dropped one times out)", name,
                                dstPod->value("endpoint", ""), port)});
    }
  }
  if (node) {
    std::string ns = node->value("netns", ""), name = node->value("node", "");
    ex.push_back({"ip netns exec " + ns + " nft -a list ruleset",
                  name + "'s Service and NetworkPolicy rules"});
    ex.push_back({"ip -n " + ns + " route", name + "'s routes to its pods"});
  }
  std::vector<std::string> files;
  for (const auto& f : info.value("files", std::vector<std::string>{})) files.push_back(shellWord(f));
  if (!files.empty())
    ex.push_back({"netpolfuzz expect " + joinWords(files), "the verdict the oracle expects for every cell"});
  size_t cw = 0;
  for (const auto& [c, _] : ex) cw = std::max(cw, c.size());
  std::cout << "\nPoke at it (as root):\n";
  for (const auto& [c, comment] : ex) std::cout << fmt::format("  {:<{}}  # {}\n", c, cw, comment);
  std::cout << fmt::format("Status:       netpolfuzz local status {}\n", run);
  std::cout << fmt::format("Take it down: netpolfuzz local down {}\n", run);
}

// ------------------------------------------------------------------ up

struct UpOptions {
  std::vector<std::string> files;
  std::optional<size_t> step;
  std::vector<std::string> profile;
  std::vector<std::string> faults;
  std::string cniPath = "/usr/lib/cni";
};

volatile sig_atomic_t gDaemonPid = 0;
volatile sig_atomic_t gInterrupted = 0;

void forwardSignal(int) {
  gInterrupted = 1;
  if (gDaemonPid > 0) kill(pid_t(gDaemonPid), SIGTERM);
}

// The daemon: owns the backend, brings the state up, reports "ok" or "error: ..." on `report`,
// then holds the cluster until SIGTERM/SIGINT. Returns its exit code.
int daemonMain(const std::vector<Cluster>& states, size_t step, const rl::LocalOptions& lo, json info,
               int report) {
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

  rl::LocalBackend backend(lo);
  std::string err = backend.setUp(states[0]);
  for (size_t i = 1; i <= step && err.empty(); ++i) {
    err = backend.reconcile(states[i]);
    if (!err.empty()) err = fmt::format("step {}: {}", i, err);
  }
  if (err.empty()) {
    info["pid"] = long(getpid());
    info["fabric"] = backend.runId() + "-fab";
    info["endpoints"] = describeEndpoints(backend);
    info["namespaces"] = backend.namespaceNames();
    std::string path = runDir(backend.runId()) + "/" + kUpInfoFile;
    if (!writeFileAtomic(path, info.dump(2) + "\n")) err = "cannot write " + path;
  }
  if (!err.empty()) {
    backend.tearDown();
    writeAll(report, "error: " + err + "\n");
    return kExitInfrastructure;
  }
  writeAll(report, "ok\n");
  close(report);
  int sig = 0;
  while (sigwait(&stop, &sig) != 0) {
  }
  backend.tearDown();
  return kExitOk;
}

// What the local backend needs on this machine besides root; "" when all is there.
std::string missingTools(const std::string& cniPath) {
  for (const char* plugin : {"ptp", "static"})
    if (access((cniPath + "/" + plugin).c_str(), X_OK) != 0)
      return fmt::format(
          "the CNI plugin {}/{} is missing; install Debian's containernetworking-plugins or pass --cni-path",
          cniPath, plugin);
  for (const char* tool : {"ip", "nft"})
    if (access((std::string("/usr/sbin/") + tool).c_str(), X_OK) != 0 &&
        access((std::string("/sbin/") + tool).c_str(), X_OK) != 0)
      return fmt::format("{} is missing; install iproute2 and nftables", tool);
  return "";
}

int runUp(const UpOptions& o) {
  Profile profile;
  if (!parseProfile(o.profile, profile)) return kExitBadInput;
  const auto& supported = rl::LocalBackend::supportedFaults();
  for (const auto& f : o.faults)
    if (std::find(supported.begin(), supported.end(), f) == supported.end()) {
      std::cerr << fmt::format("netpolfuzz local up: --inject-fault: unknown fault class '{}'; supported: {}\n", f,
                               fmt::join(supported, ", "));
      return kExitBadInput;
    }
  Loaded l = loadCase(o.files);
  printDiagnostics(l);
  if (!l.errors.empty()) return kExitBadInput;
  std::vector<Cluster> states = caseStates(l.kase);
  size_t step = o.step.value_or(0);
  if (step >= states.size()) {
    std::cerr << fmt::format("netpolfuzz local up: --step {}: the case has {} step{} (give 0..{})\n", step,
                             states.size() - 1, states.size() == 2 ? "" : "s", states.size() - 1);
    return kExitBadInput;
  }
  if (auto e = rl::checkPrivileges(); !e.empty()) {
    std::cerr << "netpolfuzz local up: " << e << '\n';
    return kExitInfrastructure;
  }
  if (auto e = missingTools(o.cniPath); !e.empty()) {
    std::cerr << "netpolfuzz local up: " << e << '\n';
    return kExitInfrastructure;
  }

  rl::LocalOptions lo;
  lo.profile = profile;
  lo.faults = {o.faults.begin(), o.faults.end()};
  lo.cniPath = o.cniPath;
  do lo.runId = rl::newRunId();
  while (fs::exists(runDir(lo.runId)) || !rl::listNamespaces(lo.runId + "-").empty());
  const std::string run = lo.runId;

  json info;
  info["schema"] = kUpInfoSchema;
  info["run"] = run;
  std::vector<std::string> files;
  for (const auto& f : o.files) {
    std::error_code ec;
    fs::path abs = fs::absolute(f, ec);
    files.push_back(ec ? f : abs.lexically_normal().string());
  }
  info["files"] = files;
  info["step"] = step;
  info["steps"] = states.size() - 1;
  info["profile"] = o.profile;
  info["faults"] = o.faults;
  info["started"] = utcNow();

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    std::cerr << "netpolfuzz local up: pipe: " << strerror(errno) << '\n';
    return kExitInfrastructure;
  }
  // Block SIGINT/SIGTERM across fork: the daemon keeps them blocked (for its sigwait); here
  // they are forwarded to the daemon once the handlers are in place.
  sigset_t stop, old;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, &old);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    std::cerr << "netpolfuzz local up: fork: " << strerror(errno) << '\n';
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return kExitInfrastructure;
  }
  if (pid == 0) {
    close(pipefd[0]);
    _exit(daemonMain(states, step, lo, info, pipefd[1]));
  }
  close(pipefd[1]);
  gDaemonPid = pid;
  struct sigaction sa {}, oldInt {}, oldTerm {};
  sa.sa_handler = forwardSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &oldInt);
  sigaction(SIGTERM, &sa, &oldTerm);
  sigprocmask(SIG_SETMASK, &old, nullptr);

  std::string msg;
  char buf[4096];
  while (true) {
    ssize_t n = read(pipefd[0], buf, sizeof buf);
    if (n > 0) {
      msg.append(buf, size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EOF: the daemon reported and closed its end, or died
  }
  close(pipefd[0]);

  auto reapAndClean = [&]() {
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (fs::exists(runDir(run)) || !rl::listNamespaces(run + "-").empty()) {
      auto rep = rl::cleanupLeftovers(runner::realProcessRunner(), rl::kDefaultStateRoot);
      for (const auto& e : rep.errors) std::cerr << "netpolfuzz local up: cleanup: " << e << '\n';
    }
  };
  // From here on a signal no longer stops the daemon: check and restore atomically.
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  bool interrupted = gInterrupted;
  sigaction(SIGINT, &oldInt, nullptr);
  sigaction(SIGTERM, &oldTerm, nullptr);
  gDaemonPid = 0;
  if (interrupted) {
    reapAndClean();
    std::cerr << fmt::format("netpolfuzz local up: interrupted; run {} torn down\n", run);
    return 130;
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  if (msg.rfind("ok\n", 0) != 0) {
    reapAndClean();
    std::string err = msg.rfind("error: ", 0) == 0 ? msg.substr(7) : "the daemon died while setting the case up\n";
    std::cerr << fmt::format("netpolfuzz local up: cannot bring {} up: {}", run, err);
    return kExitInfrastructure;
  }
  auto up = readUpInfo(run);
  if (!up) {
    std::cerr << fmt::format("netpolfuzz local up: {}/{} is unreadable; the run may have been stopped\n", runDir(run),
                             kUpInfoFile);
    return kExitInfrastructure;
  }
  std::cout << fmt::format("run {} is up (daemon pid {}): {}, {}{}{}\n", run, up->value("pid", 0L),
                           joinWords(o.files), stateLabel(*up),
                           o.faults.empty() ? "" : ", injected fault " + fmt::format("{}", fmt::join(o.faults, ",")),
                           o.profile.empty() ? "" : ", profile " + joinWords(o.profile));
  printUpInfo(*up);
  return kExitOk;
}

// ------------------------------------------------------------------ down, status, cleanup

// "npf-1a2b3c-fab npf-1a2b3c-n0 ..." when few, else a summary by kind ("fabric, 4 nodes, ...").
std::string describeNamespaces(const std::string& run, const std::vector<std::string>& names) {
  if (names.size() <= 12) return joinWords(names);
  std::map<char, size_t> kinds;
  for (const auto& n : names) ++kinds[n.size() > run.size() + 1 ? n[run.size() + 1] : '?'];
  std::vector<std::string> parts;
  for (auto [k, label] : {std::pair{'f', "fabric"}, {'n', "node"}, {'e', "external host"}, {'p', "pod"}})
    if (kinds.count(k)) parts.push_back(k == 'f' ? label : fmt::format("{} {}{}", kinds[k], label, kinds[k] == 1 ? "" : "s"));
  return fmt::format("{}-*: {}", run, fmt::join(parts, ", "));
}

void printCleanupReport(const rl::CleanupReport& r, const std::string& prefix) {
  if (!r.killedPids.empty()) {
    std::vector<std::string> pids;
    for (int p : r.killedPids) pids.push_back(std::to_string(p));
    std::cout << fmt::format("{}killed {} process(es) left in leftover namespaces: {}\n", prefix, pids.size(),
                             joinWords(pids));
  }
  if (!r.removedNamespaces.empty())
    std::cout << fmt::format("{}removed {} network namespace(s): {}\n", prefix, r.removedNamespaces.size(),
                             joinWords(r.removedNamespaces));
  if (!r.removedRuns.empty())
    std::cout << fmt::format("{}removed the state of {} dead run(s): {}\n", prefix, r.removedRuns.size(),
                             joinWords(r.removedRuns));
  for (const auto& e : r.errors) std::cerr << "netpolfuzz local: " << e << '\n';
}

bool knownRun(const std::string& run) {
  return rl::isRunId(run) && (fs::exists(runDir(run)) || !rl::listNamespaces(run + "-").empty());
}

int runDown(const std::vector<std::string>& given, int waitSeconds) {
  for (const auto& r : given)
    if (!knownRun(r)) {
      std::cerr << fmt::format("netpolfuzz local down: unknown run '{}' (see netpolfuzz local status)\n", r);
      return kExitBadInput;
    }
  if (auto e = rl::checkPrivileges(); !e.empty()) {
    std::cerr << "netpolfuzz local down: " << e << '\n';
    return kExitInfrastructure;
  }
  std::vector<std::string> runs = given;
  if (runs.empty()) {
    for (const auto& r : stateRuns())
      if (readUpInfo(r) && rl::runIsAlive(rl::kDefaultStateRoot, r)) runs.push_back(r);
    if (runs.empty()) {
      std::cout << "no `local up` run is alive\n";
      return kExitOk;
    }
  }
  int rc = kExitOk;
  bool leftovers = false;
  for (const auto& run : runs) {
    auto before = rl::listNamespaces(run + "-");
    if (!rl::runIsAlive(rl::kDefaultStateRoot, run)) {
      std::cout << fmt::format("{}: dead; removing its leftovers\n", run);
      leftovers = true;
      continue;
    }
    long pid = ownerPid(run);
    if (!readUpInfo(run)) {
      std::cerr << fmt::format(
          "netpolfuzz local down: {} is not a `local up` run (owner pid {}: {}); stop that program instead\n", run,
          pid, commandLineOf(pid));
      rc = kExitBadInput;
      continue;
    }
    std::string started = liveStartTime(pid);
    kill(pid_t(pid), SIGTERM);
    // The daemon removes its run directory just before it exits: wait for the exit too, so
    // that nothing of the run is left when `down` returns.
    auto gone = [&] {
      return !rl::runIsAlive(rl::kDefaultStateRoot, run) && rl::listNamespaces(run + "-").empty() &&
             !fs::exists(runDir(run)) && (started.empty() || liveStartTime(pid) != started);
    };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(waitSeconds);
    while (!gone() && std::chrono::steady_clock::now() < deadline) sleepMs(50);
    if (gone()) {
      std::cout << fmt::format("{}: stopped (daemon pid {}); removed {} network namespace(s) ({}) and {}\n", run,
                               pid, before.size(), describeNamespaces(run, before), runDir(run));
      continue;
    }
    std::cout << fmt::format("{}: still there after {} s; killing daemon pid {}\n", run, waitSeconds, pid);
    if (rl::runIsAlive(rl::kDefaultStateRoot, run)) kill(pid_t(pid), SIGKILL);
    for (int i = 0; i < 100 && rl::runIsAlive(rl::kDefaultStateRoot, run); ++i) sleepMs(20);
    leftovers = true;
  }
  if (leftovers) {
    rl::CleanupReport r = rl::cleanupLeftovers(runner::realProcessRunner(), rl::kDefaultStateRoot);
    printCleanupReport(r, "");
    if (!r.errors.empty()) rc = std::max(rc, kExitInfrastructure);
  }
  return rc;
}

int runStatus(const std::vector<std::string>& given) {
  for (const auto& r : given)
    if (!knownRun(r)) {
      std::cerr << fmt::format("netpolfuzz local status: unknown run '{}'\n", r);
      return kExitBadInput;
    }
  std::vector<std::string> runs = given.empty() ? stateRuns() : given;
  std::vector<std::string> all = rl::listNamespaces("npf-");
  std::set<std::string> withState(runs.begin(), runs.end());
  std::map<std::string, std::vector<std::string>> orphans;  // run -> namespaces without state
  std::vector<std::string> foreign;                          // npf-* not named by a run id
  if (given.empty())
    for (const auto& ns : all) {
      std::string run = rl::runIdOfNamespace(ns);
      if (run.empty()) foreign.push_back(ns);
      else if (!withState.count(run)) orphans[run].push_back(ns);
    }
  if (runs.empty() && orphans.empty() && foreign.empty()) {
    std::cout << "no runs\n";
    return kExitOk;
  }
  if (!runs.empty()) {
    struct Row {
      std::string run, state, pid, ns, what;
    };
    std::vector<Row> rows{{"RUN", "STATE", "PID", "NAMESPACES", "WHAT"}};
    for (const auto& run : runs) {
      bool alive = rl::runIsAlive(rl::kDefaultStateRoot, run);
      long pid = ownerPid(run);
      std::string what;
      if (auto up = readUpInfo(run)) {
        what = fmt::format("local up {}, {}", joinWords(up->value("files", std::vector<std::string>{})),
                           stateLabel(*up));
        auto faults = up->value("faults", std::vector<std::string>{});
        if (!faults.empty()) what += ", injected fault " + fmt::format("{}", fmt::join(faults, ","));
        what += ", since " + up->value("started", std::string("?"));
      } else if (alive) {
        what = "other run: " + commandLineOf(pid);
      } else {
        what = "other run (owner gone)";
      }
      if (!alive) what += "; leftovers: netpolfuzz local cleanup";
      rows.push_back({run, alive ? "alive" : "dead", pid ? std::to_string(pid) : "-",
                      std::to_string(rl::listNamespaces(run + "-").size()), what});
    }
    size_t w[4] = {};
    for (const auto& r : rows) {
      w[0] = std::max(w[0], r.run.size()), w[1] = std::max(w[1], r.state.size());
      w[2] = std::max(w[2], r.pid.size()), w[3] = std::max(w[3], r.ns.size());
    }
    for (const auto& r : rows)
      std::cout << fmt::format("{:<{}}  {:<{}}  {:>{}}  {:>{}}  {}\n", r.run, w[0], r.state, w[1], r.pid, w[2], r.ns,
                               w[3], r.what);
  }
  if (!orphans.empty()) {
    std::cout << "\nnetwork namespaces of runs without a state directory (leftovers; netpolfuzz local cleanup "
                 "removes them):\n";
    for (const auto& [run, names] : orphans)
      std::cout << fmt::format("  {}: {} namespace(s): {}\n", run, names.size(), joinWords(names));
  }
  if (!foreign.empty())
    std::cout << fmt::format("\nnamespaces named npf-* that no netpolfuzz run owns (left alone): {}\n",
                             joinWords(foreign));
  for (const auto& run : given)
    if (auto up = readUpInfo(run)) {
      std::cout << fmt::format("\n{}: {}, {}\n", run, joinWords(up->value("files", std::vector<std::string>{})),
                               stateLabel(*up));
      printUpInfo(*up);
    }
  return kExitOk;
}

int runCleanup() {
  if (auto e = rl::checkPrivileges(); !e.empty()) {
    std::cerr << "netpolfuzz local cleanup: " << e << '\n';
    return kExitInfrastructure;
  }
  rl::CleanupReport r = rl::cleanupLeftovers(runner::realProcessRunner(), rl::kDefaultStateRoot);
  if (r.killedPids.empty() && r.removedNamespaces.empty() && r.removedRuns.empty() && r.errors.empty())
    std::cout << "nothing to clean up\n";
  printCleanupReport(r, "");
  std::vector<std::string> live;
  for (const auto& run : stateRuns())
    if (rl::runIsAlive(rl::kDefaultStateRoot, run)) live.push_back(run);
  if (!live.empty())
    std::cout << fmt::format("left alone: {} live run(s): {}\n", live.size(), joinWords(live));
  return r.errors.empty() ? kExitOk : kExitInfrastructure;
}

}  // namespace

Command addLocalCommand(CLI::App& app) {
  CLI::App* local = app.add_subcommand(
      "local",
      "Keep one case's cluster up on the local dataplane (network namespaces, CNI ptp, nftables) "
      "to inspect it by hand, and manage netpolfuzz runs on this machine: up, down, status, "
      "cleanup.\nExample: netpolfuzz local up case.yaml; then netpolfuzz local down");
  local->require_subcommand(1);

  auto up = std::make_shared<UpOptions>();
  CLI::App* upCmd = local->add_subcommand(
      "up",
      "Bring a case's cluster up on the local dataplane and leave it up: every pod, node and "
      "external host becomes a network namespace (pods with their case IP and servers on every "
      "declared container port: TCP accepts, UDP echoes), Services and NetworkPolicies become "
      "nftables rules in the node namespaces. A daemon process owns the cluster until "
      "`netpolfuzz local down`. Prints the run id, every endpoint's network namespace and IP, "
      "and commands to inspect them.\nNeeds root (CAP_NET_ADMIN, CAP_SYS_ADMIN), iproute2, "
      "nftables and containernetworking-plugins.\nExit: 0 up, 2 bad input, 3 could not be set "
      "up (nothing is left behind).\nExample: sudo netpolfuzz local up case.yaml --step 1");
  upCmd->add_option("files", up->files, "Case files (YAML or JSON manifests), merged into one case")->required();
  upCmd->add_option("--step", up->step,
                    "Bring up the state after this many of the case's steps (the initial state is "
                    "set up and each step applied in turn, as a run does); default 0")
      ->type_name("N");
  addProfileOption(*upCmd, up->profile);
  upCmd->add_option("--inject-fault", up->faults,
                    "Make the dataplane reproduce a known CNI bug class (repeatable; `netpolfuzz "
                    "fuzz --list-faults` lists them)")
      ->type_name("CLASS");
  upCmd->add_option("--cni-path", up->cniPath, "Directory of the CNI plugin binaries")->capture_default_str();

  auto downRuns = std::make_shared<std::vector<std::string>>();
  auto waitSeconds = std::make_shared<int>(10);
  CLI::App* downCmd = local->add_subcommand(
      "down",
      "Take `local up` runs down: SIGTERM to each run's daemon, which removes its namespaces "
      "and state; one that is not gone after --wait seconds is killed and its leftovers "
      "removed. Without RUN: every live `local up` run. A dead RUN's leftovers are removed as "
      "by `local cleanup`. Never stops other programs' runs (fuzz campaigns, tests).\nNeeds "
      "root.\nExit: 0 done, 2 unknown run, 3 something could not be removed.\nExample: sudo "
      "netpolfuzz local down npf-1a2b3c");
  downCmd->add_option("runs", *downRuns, "Run ids (npf-xxxxxx) as printed by `local up` / `local status`")
      ->type_name("RUN");
  downCmd->add_option("--wait", *waitSeconds, "Seconds to wait for a run to go before killing it")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();

  auto statusRuns = std::make_shared<std::vector<std::string>>();
  CLI::App* statusCmd = local->add_subcommand(
      "status",
      "List every netpolfuzz run on this machine (state under /run/netpolfuzz): run id, alive "
      "or dead (a crashed run's leftovers), owner pid, network namespaces, and what it is (a "
      "`local up` run with its case files and step, or another program such as a fuzz "
      "campaign); and npf-* network namespaces that no run's state explains. With RUN: also "
      "that `local up` run's endpoints, namespaces and IPs.\nNeeds no root.\nExample: "
      "netpolfuzz local status; netpolfuzz local status npf-1a2b3c");
  statusCmd->add_option("runs", *statusRuns, "Run ids to show in detail")->type_name("RUN");

  CLI::App* cleanupCmd = local->add_subcommand(
      "cleanup",
      "Remove what dead netpolfuzz runs left behind (a killed `local up` daemon or fuzz "
      "campaign): processes inside their namespaces, the namespaces (with their veths, routes, "
      "nftables tables and conntrack entries) and their state directories. Live runs are never "
      "touched.\nNeeds root.\nExit: 0 done, 3 something could not be removed.\nExample: sudo "
      "netpolfuzz local cleanup");

  return {local, [=]() {
            if (upCmd->parsed()) return runUp(*up);
            if (downCmd->parsed()) return runDown(*downRuns, *waitSeconds);
            if (statusCmd->parsed()) return runStatus(*statusRuns);
            if (cleanupCmd->parsed()) return runCleanup();
            return kExitBadInput;
          }};
}

}  // namespace npf::cli
