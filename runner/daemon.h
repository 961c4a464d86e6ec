// Long-running helper programs of a run (etcd, kube-apiserver, a CNI's policy agent): started
// from an argv vector inside a network namespace, output appended to a log file, stopped with
// SIGTERM then SIGKILL. Each child gets PR_SET_PDEATHSIG(SIGKILL), which fires when the *thread*
// that started it exits: start daemons from a thread that outlives them (the backend's caller),
// never from a short-lived worker. After a SIGKILL of netpolfuzz they die with it, and
// cleanupLeftovers() kills whatever is still inside a dead run's namespaces.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace npf::runner {

class Daemon {
 public:
  Daemon() = default;
  ~Daemon();  // stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Starts argv (an absolute path, or a name looked up in the PATH of `env`) with exactly `env`,
  // inside `netns` (a name under /run/netns, a path, or "" for the caller's), stdin from
  // /dev/null, stdout and stderr appended to `logPath`. Error message or "".
  std::string start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& netns, const std::string& logPath);
  // Whether it has been started and has not exited (reaps it when it has).
  bool running();
  // How it ended ("exited with status 1", "killed by signal 9"), "" while running.
  std::string exitDescription();
  pid_t pid() const { return pid_; }
  const std::string& logPath() const { return log_; }
  // SIGTERM, up to `graceMs` for it to exit, then SIGKILL; reaps it. Idempotent.
  void stop(int graceMs = 3000);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string log_, name_;
};

// The last `maxBytes` of a file, for error messages that point at a log ("" if unreadable).
std::string tailOfFile(const std::string& path, size_t maxBytes = 2000);

}  // namespace npf::runner
