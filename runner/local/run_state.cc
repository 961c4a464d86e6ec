#include "runner/local/run_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace npf::runner::local {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRunNetns = "/run/netns";

std::string readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

std::optional<ProcessStat> parseProcessStat(const std::string& statText) {
  size_t close = statText.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(statText.substr(close + 1));
  std::vector<std::string> fields;  // from field 3 (state) on
  for (std::string field; rest >> field;) fields.push_back(field);
  if (fields.size() < 20) return std::nullopt;
  ProcessStat stat;
  stat.state = fields[0].empty() ? '?' : fields[0][0];
  const std::string& start = fields[19];
  auto [end, ec] = std::from_chars(start.data(), start.data() + start.size(), stat.startTime);
  if (ec != std::errc() || end != start.data() + start.size()) return std::nullopt;
  return stat;
}

std::optional<unsigned long long> liveStartTime(long pid) {
  auto stat = parseProcessStat(readFile("/proc/" + std::to_string(pid) + "/stat"));
  if (!stat || stat->state == 'Z' || stat->state == 'X') return std::nullopt;
  return stat->startTime;
}

std::string commandLineOf(long pid) {
  std::string raw = readFile("/proc/" + std::to_string(pid) + "/cmdline");
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  std::replace(raw.begin(), raw.end(), '\0', ' ');
  return raw;
}

std::string newRunId() {
  std::random_device rd;
  uint32_t v = rd() & 0xffffff;
  char buf[16];
  snprintf(buf, sizeof buf, "npf-%06x", v);
  return buf;
}

bool isRunId(const std::string& s) {
  if (s.size() != 10 || s.rfind("npf-", 0) != 0) return false;
  for (size_t i = 4; i < 10; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(s[i])) ||
        std::isupper(static_cast<unsigned char>(s[i])))
      return false;
  return true;
}

std::string runIdOfNamespace(const std::string& name) {
  if (name.size() < 11 || name[10] != '-') return "";
  std::string run = name.substr(0, 10);
  return isRunId(run) ? run : "";
}

std::string checkPrivileges() {
  std::ifstream f("/proc/self/status");
  std::string line;
  unsigned long long eff = 0;
  while (std::getline(f, line))
    if (line.rfind("CapEff:", 0) == 0) eff = std::stoull(line.substr(7), nullptr, 16);
  const unsigned long long netAdmin = 1ull << 12, sysAdmin = 1ull << 21;
  if ((eff & netAdmin) && (eff & sysAdmin)) return "";
  return "the local backend needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network "
         "namespaces "
         "and nftables rules; run as root, or use another backend";
}

std::string createRunDir(const std::string& stateRoot, const std::string& runId) {
  std::error_code ec;
  fs::create_directories(stateRoot, ec);
  if (ec) return "cannot create " + stateRoot + ": " + ec.message();
  std::string tmp = stateRoot + "/.tmp-" + runId + "-" + std::to_string(getpid());
  fs::remove_all(tmp, ec);
  if (mkdir(tmp.c_str(), 0755) != 0) return "cannot create " + tmp + ": " + strerror(errno);
  {
    std::ofstream pid(tmp + "/pid");
    pid << getpid() << " " << liveStartTime(getpid()).value_or(0) << "\n";
    if (!pid) return "cannot write " + tmp + "/pid";
  }
  std::string dir = runDir(stateRoot, runId);
  if (rename(tmp.c_str(), dir.c_str()) != 0) {
    std::string err = "cannot create " + dir + ": " + strerror(errno);
    fs::remove_all(tmp, ec);
    return err;
  }
  return "";
}

std::string runDir(const std::string& stateRoot, const std::string& runId) {
  return stateRoot + "/" + runId;
}

std::vector<std::string> runsWithState(const std::string& stateRoot) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(stateRoot, ec)) {
    std::string name = e.path().filename().string();
    if (isRunId(name) && e.is_directory(ec)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool runExists(const std::string& stateRoot, const std::string& runId) {
  return isRunId(runId) &&
         (fs::exists(runDir(stateRoot, runId)) || !listNamespaces(runId + "-").empty());
}

long ownerPid(const std::string& stateRoot, const std::string& runId) {
  std::istringstream in(readFile(runDir(stateRoot, runId) + "/pid"));
  long pid = 0;
  in >> pid;
  return pid > 0 ? pid : 0;
}

void removeRunDir(const std::string& stateRoot, const std::string& runId) {
  std::error_code ec;
  if (isRunId(runId)) fs::remove_all(runDir(stateRoot, runId), ec);
}

bool runIsAlive(const std::string& stateRoot, const std::string& runId) {
  std::istringstream in(readFile(runDir(stateRoot, runId) + "/pid"));
  long pid = 0;
  unsigned long long recorded = 0;
  if (!(in >> pid >> recorded) || pid <= 0) return false;
  return liveStartTime(pid) == recorded;
}

std::vector<std::string> listNamespaces(const std::string& prefix) {
  std::vector<std::string> out;
  DIR* d = opendir(kRunNetns);
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.rfind(prefix, 0) == 0) out.push_back(n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

CleanupReport cleanupLeftovers(ProcessRunner& processes, const std::string& stateRoot,
                               const std::string& keepRun) {
  CleanupReport report;
  std::map<std::string, bool> alive;  // run -> alive
  auto isAlive = [&](const std::string& run) {
    auto it = alive.find(run);
    if (it != alive.end()) return it->second;
    return alive[run] = runIsAlive(stateRoot, run);
  };
  std::vector<std::string> dead;
  for (const auto& ns : listNamespaces("npf-")) {
    std::string run = runIdOfNamespace(ns);
    if (run.empty() || run == keepRun || isAlive(run)) continue;
    dead.push_back(ns);
  }
  if (!dead.empty()) {
    // Processes still inside a leftover namespace keep it alive after `ip netns del`.
    std::map<std::pair<dev_t, ino_t>, std::string> inodes;
    for (const auto& ns : dead) {
      struct stat st {};
      if (stat((std::string(kRunNetns) + "/" + ns).c_str(), &st) == 0)
        inodes[{st.st_dev, st.st_ino}] = ns;
    }
    if (DIR* d = opendir("/proc")) {
      while (dirent* e = readdir(d)) {
        char* end = nullptr;
        long pid = strtol(e->d_name, &end, 10);
        if (!end || *end || pid <= 0 || pid == getpid()) continue;
        struct stat st {};
        if (stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &st) != 0) continue;
        if (inodes.count({st.st_dev, st.st_ino}) && kill(pid_t(pid), SIGKILL) == 0)
          report.killedPids.push_back(int(pid));
      }
      closedir(d);
    }
    std::string batch;
    for (const auto& ns : dead) batch += "netns del " + ns + "\n";
    auto r = processes.run({"ip", "-force", "-batch", "-"}, defaultToolEnv(), batch, "");
    std::set<std::string> still;
    for (const auto& ns : listNamespaces("npf-")) still.insert(ns);
    for (const auto& ns : dead) {
      if (still.count(ns))
        report.errors.push_back("cannot delete network namespace " + ns + ": " + r.err);
      else
        report.removedNamespaces.push_back(ns);
    }
  }
  std::error_code ec;
  if (fs::is_directory(stateRoot, ec)) {
    for (const auto& entry : fs::directory_iterator(stateRoot, ec)) {
      std::string name = entry.path().filename().string();
      if (name.rfind(".tmp-", 0) == 0) {
        // ".tmp-<run>-<pid>": a run that died between creating and publishing its directory.
        long pid = std::strtol(name.substr(name.rfind('-') + 1).c_str(), nullptr, 10);
        if (pid > 0 && kill(pid_t(pid), 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
        continue;
      }
      if (!isRunId(name) || name == keepRun || isAlive(name)) continue;
      if (!listNamespaces(name + "-").empty()) continue;  // could not delete them: keep the record
      fs::remove_all(entry.path(), ec);
      report.removedRuns.push_back(name);
    }
  }
  removeRunNetnsIfOurs(stateRoot);
  return report;
}

NamespaceCreationLock::NamespaceCreationLock(const std::string& stateRoot) {
  std::error_code ec;
  fs::create_directories(stateRoot, ec);
  fd_ = open((stateRoot + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ >= 0) flock(fd_, LOCK_SH);
  struct stat st {};
  if (stat(kRunNetns, &st) != 0) std::ofstream(stateRoot + "/created-run-netns") << "1\n";
}

NamespaceCreationLock::~NamespaceCreationLock() {
  if (fd_ >= 0) close(fd_);  // releases the lock
}

void removeRunNetnsIfOurs(const std::string& stateRoot) {
  std::string marker = stateRoot + "/created-run-netns";
  struct stat st {};
  if (stat(marker.c_str(), &st) != 0) return;
  int fd = open((stateRoot + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
    bool empty = true;
    if (DIR* d = opendir(kRunNetns)) {
      while (dirent* e = readdir(d))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
      closedir(d);
    } else {
      empty = false;  // already gone
      unlink(marker.c_str());
    }
    bool anyAlive = false;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(stateRoot, ec)) {
      std::string name = entry.path().filename().string();
      if (isRunId(name) && runIsAlive(stateRoot, name)) anyAlive = true;
    }
    if (empty && !anyAlive) {
      umount2(kRunNetns, MNT_DETACH);
      if (rmdir(kRunNetns) == 0 || errno == ENOENT) unlink(marker.c_str());
    }
  }
  close(fd);
}

// ------------------------------------------------------------------ signals

namespace {

std::mutex& registryMutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, std::function<void()>>& registry() {
  static std::map<std::string, std::function<void()>> r;
  return r;
}
int gSignalPipe[2] = {-1, -1};

void onSignal(int sig) { notifyTeardownSignal(sig); }

}  // namespace

void registerTeardown(const std::string& runId, std::function<void()> fn) {
  std::lock_guard lock(registryMutex());
  registry()[runId] = std::move(fn);
}

void unregisterTeardown(const std::string& runId) {
  std::lock_guard lock(registryMutex());
  registry().erase(runId);
}

void tearDownAllLocalRuns() {
  std::lock_guard lock(registryMutex());
  for (auto& [run, fn] : registry()) fn();
}

void notifyTeardownSignal(int sig) {
  int saved = errno;
  unsigned char b = static_cast<unsigned char>(sig);
  if (gSignalPipe[1] >= 0) {
    ssize_t ignored = write(gSignalPipe[1], &b, 1);
    (void)ignored;
  }
  errno = saved;
}

void installSignalTeardown(bool installHandlers) {
  static std::once_flag once;
  std::call_once(once, [] {
    if (pipe2(gSignalPipe, O_CLOEXEC) != 0) return;
    std::thread([] {
      unsigned char b = 0;
      while (true) {
        ssize_t got = read(gSignalPipe[0], &b, 1);
        if (got == 1) break;
        if (got < 0 && errno == EINTR) continue;
        return;
      }
      tearDownAllLocalRuns();
      signal(b, SIG_DFL);
      raise(b);
      _exit(128 + b);
    }).detach();
  });
  if (installHandlers) {
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
  }
}

}  // namespace npf::runner::local
