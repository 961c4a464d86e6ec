#include "runner/daemon.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "runner/process.h"

namespace npf::runner {

Daemon::~Daemon() { stop(); }

std::string Daemon::start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          const std::string& netns, const std::string& logPath) {
  if (pid_ > 0 && running()) return "already running";
  if (argv.empty()) return "empty command";
  std::string exe = findExecutable(argv[0], env);
  if (exe.empty()) return argv[0] + ": not found";
  name_ = argv[0];
  log_ = logPath;
  int logFd = open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (logFd < 0) return "cannot open log " + logPath + ": " + strerror(errno);
  int nullFd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int nsFd = -1;
  if (!netns.empty()) {
    nsFd = open(netnsPath(netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (nsFd < 0) {
      close(logFd);
      if (nullFd >= 0) close(nullFd);
      return "cannot open network namespace " + netnsPath(netns) + ": " + strerror(errno);
    }
  }
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int status[2] = {-1, -1};
  if (pipe2(status, O_CLOEXEC) != 0) {
    close(logFd);
    if (nullFd >= 0) close(nullFd);
    if (nsFd >= 0) close(nsFd);
    return std::string("pipe: ") + strerror(errno);
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    auto fail = [&](int step) {
      int msg[2] = {step, errno};
      ssize_t ignored = write(status[1], msg, sizeof msg);
      (void)ignored;
      _exit(127);
    };
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    setpgid(0, 0);  // a terminal's SIGINT goes to netpolfuzz, which stops its daemons itself
    if (nsFd >= 0 && setns(nsFd, CLONE_NEWNET) != 0) fail(1);
    if (dup2(nullFd, 0) < 0 || dup2(logFd, 1) < 0 || dup2(logFd, 2) < 0) fail(2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(exe.c_str(), args.data(), envp.data());
    fail(3);
  }
  close(logFd);
  if (nullFd >= 0) close(nullFd);
  if (nsFd >= 0) close(nsFd);
  close(status[1]);
  if (pid < 0) {
    close(status[0]);
    return std::string("fork: ") + strerror(errno);
  }
  int msg[2] = {0, 0};
  ssize_t got = read(status[0], msg, sizeof msg);  // EOF at execve (O_CLOEXEC)
  close(status[0]);
  pid_ = pid;
  reaped_ = false;
  if (got == sizeof msg) {
    running();  // reap
    const char* step = msg[0] == 1 ? "setns into " : msg[0] == 2 ? "dup2 for " : "execve of ";
    return std::string(step) + (msg[0] == 1 ? netnsPath(netns) : exe) + ": " + strerror(msg[1]);
  }
  return "";
}

bool Daemon::running() {
  if (pid_ <= 0 || reaped_) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    status_ = st;
    return false;
  }
  return r == 0;
}

std::string Daemon::exitDescription() {
  if (running() || pid_ <= 0) return "";
  if (WIFEXITED(status_)) return "exited with status " + std::to_string(WEXITSTATUS(status_));
  if (WIFSIGNALED(status_)) return "killed by signal " + std::to_string(WTERMSIG(status_));
  return "ended";
}

void Daemon::stop(int graceMs) {
  if (pid_ <= 0 || reaped_) return;
  if (running()) {
    kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(graceMs);
    while (running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (running()) kill(pid_, SIGKILL);
  }
  while (!reaped_) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, 0);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      reaped_ = true;
      status_ = st;
    }
  }
}

std::string tailOfFile(const std::string& path, size_t maxBytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  auto size = static_cast<size_t>(in.tellg());
  size_t from = size > maxBytes ? size - maxBytes : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string text(size - from, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

}  // namespace npf::runner
