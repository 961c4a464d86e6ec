#include "runner/process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace npf::runner {

namespace {

void closePair(int p[2]) {
  if (p[0] >= 0) close(p[0]);
  if (p[1] >= 0) close(p[1]);
}

}  // namespace

std::string findExecutable(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : env)
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    std::string dir =
        path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

std::string netnsPath(const std::string& nameOrPath) {
  if (!nameOrPath.empty() && nameOrPath[0] == '/') return nameOrPath;
  return "/run/netns/" + nameOrPath;
}

std::string describeCommand(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  return s;
}

const std::vector<std::string>& defaultToolEnv() {
  static const std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
  return env;
}

ProcessRunner& realProcessRunner() {
  static RealProcessRunner runner;
  return runner;
}

ProcessResult RealProcessRunner::run(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env,
                                     const std::string& stdinData, const std::string& netns) {
  ProcessResult r;
  if (argv.empty()) {
    r.err = "empty command";
    return r;
  }
  std::string exe = findExecutable(argv[0], env);
  if (exe.empty()) {
    r.err = argv[0] + ": not found";
    return r;
  }
  int nsFd = -1;
  if (!netns.empty()) {
    nsFd = open(netnsPath(netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (nsFd < 0) {
      r.err = "cannot open network namespace " + netnsPath(netns) + ": " + strerror(errno);
      return r;
    }
  }
  // Everything the child needs is prepared before fork: after fork only async-signal-safe calls.
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, status[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) ||
      pipe2(status, O_CLOEXEC)) {
    r.err = std::string("pipe: ") + strerror(errno);
    closePair(in), closePair(out), closePair(err), closePair(status);
    if (nsFd >= 0) close(nsFd);
    return r;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    r.err = std::string("fork: ") + strerror(errno);
    closePair(in), closePair(out), closePair(err), closePair(status);
    if (nsFd >= 0) close(nsFd);
    return r;
  }
  if (pid == 0) {
    // Child. Report a failure before execve through the status pipe (errno + step).
    auto fail = [&](int step) {
      int msg[2] = {step, errno};
      ssize_t ignored = write(status[1], msg, sizeof msg);
      (void)ignored;
      _exit(127);
    };
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (nsFd >= 0 && setns(nsFd, CLONE_NEWNET) != 0) fail(1);
    if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0) fail(2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(exe.c_str(), args.data(), envp.data());
    fail(3);
  }
  if (nsFd >= 0) close(nsFd);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  close(status[1]);
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  // A child that exits without reading its input must not kill us with SIGPIPE: block it in
  // this thread while writing, and consume a pending one afterwards.
  sigset_t pipeSet, oldMask;
  sigemptyset(&pipeSet);
  sigaddset(&pipeSet, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipeSet, &oldMask);

  size_t written = 0;
  if (stdinData.empty()) {
    close(in[1]);
    in[1] = -1;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs_);
  bool timedOut = false;
  int outFd = out[0], errFd = err[0];
  char buf[16384];
  while (outFd >= 0 || errFd >= 0 || in[1] >= 0) {
    pollfd fds[3];
    int n = 0;
    if (in[1] >= 0) fds[n++] = {in[1], POLLOUT, 0};
    if (outFd >= 0) fds[n++] = {outFd, POLLIN, 0};
    if (errFd >= 0) fds[n++] = {errFd, POLLIN, 0};
    int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(
                       deadline - std::chrono::steady_clock::now())
                       .count());
    if (left <= 0) {
      timedOut = true;
      break;
    }
    int k = poll(fds, n, left);
    if (k < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      int fd = fds[i].fd;
      if (fd == in[1]) {
        ssize_t w = write(fd, stdinData.data() + written, stdinData.size() - written);
        if (w > 0) written += size_t(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) written = stdinData.size();  // EPIPE
        if (written >= stdinData.size()) {
          close(in[1]);
          in[1] = -1;
        }
        continue;
      }
      ssize_t got = read(fd, buf, sizeof buf);
      if (got > 0) {
        (fd == outFd ? r.out : r.err).append(buf, size_t(got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(fd);
        if (fd == outFd)
          outFd = -1;
        else
          errFd = -1;
      }
    }
  }
  if (in[1] >= 0) close(in[1]);
  {
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) && !sigismember(&oldMask, SIGPIPE)) {
      timespec zero{0, 0};
      sigtimedwait(&pipeSet, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &oldMask, nullptr);
  }
  if (outFd >= 0) close(outFd);
  if (errFd >= 0) close(errFd);
  if (timedOut) kill(pid, SIGKILL);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  int msg[2] = {0, 0};
  ssize_t got = read(status[0], msg, sizeof msg);
  close(status[0]);
  if (got == sizeof msg) {
    const char* step = msg[0] == 1 ? "setns into " : msg[0] == 2 ? "dup2 for " : "execve of ";
    r.err += std::string(step) + (msg[0] == 1 ? netnsPath(netns) : exe) + ": " + strerror(msg[1]);
    r.exitCode = -1;
    return r;
  }
  if (timedOut) {
    r.err += "\n" + describeCommand(argv) + ": killed after " + std::to_string(timeoutMs_) + " ms";
    r.exitCode = -1;
  } else if (WIFEXITED(st)) {
    r.exitCode = WEXITSTATUS(st);
  } else {
    r.err += "\n" + describeCommand(argv) + ": killed by signal " + std::to_string(WTERMSIG(st));
    r.exitCode = -1;
  }
  return r;
}

}  // namespace npf::runner
