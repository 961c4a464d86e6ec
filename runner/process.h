// Starting external programs (ip, nft, CNI plugins) from an argv vector, never a shell, and
// optionally inside a named network namespace. Behind an interface so that the local backend's
// orchestration can be unit-tested with a fake that records commands.
#pragma once

#include <string>
#include <vector>

namespace npf::runner {

struct ProcessResult {
  // The program's exit status; -1 when it could not be started, was killed by a signal or
  // timed out (then `err` says why).
  int exitCode = -1;
  std::string out;
  std::string err;
  bool ok() const { return exitCode == 0; }
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Runs argv[0] (an absolute path, or a name looked up in the PATH of `env`, else in
  // /usr/sbin:/usr/bin:/sbin:/bin) with exactly the environment `env` ("KEY=VALUE"), writes
  // `stdinData` to its standard input and collects its output. `netns` is empty (the caller's
  // network namespace), a name under /run/netns, or an absolute path to a netns file; the child
  // enters it with setns() before execve(). Thread-safe.
  virtual ProcessResult run(const std::vector<std::string>& argv,
                            const std::vector<std::string>& env, const std::string& stdinData,
                            const std::string& netns) = 0;
};

// fork + setns + execve, pipes for stdin/stdout/stderr, PR_SET_PDEATHSIG(SIGKILL) so that a
// killed netpolfuzz leaves no child behind, and a wall-clock limit (then SIGKILL).
class RealProcessRunner : public ProcessRunner {
 public:
  explicit RealProcessRunner(int timeoutMs = 30000) : timeoutMs_(timeoutMs) {}
  ProcessResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& stdinData, const std::string& netns) override;

 private:
  int timeoutMs_;
};

// A shared RealProcessRunner.
ProcessRunner& realProcessRunner();

// The environment external tools get by default: a fixed PATH and the C locale.
const std::vector<std::string>& defaultToolEnv();

// `name` itself when it holds a '/', else the first executable `name` in the PATH of `env`
// (default /usr/sbin:/usr/bin:/sbin:/bin); "" when there is none.
std::string findExecutable(const std::string& name, const std::vector<std::string>& env);

// "/run/netns/NAME" for a name, the path itself for an absolute path.
std::string netnsPath(const std::string& nameOrPath);

// argv joined with spaces (for error messages only; never executed).
std::string describeCommand(const std::vector<std::string>& argv);

}  // namespace npf::runner
