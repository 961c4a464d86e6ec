// Runs a program from an argv vector (never a shell) and captures its output, for CLI tests.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace npf::testing {

struct ProcessResult {
  int exitCode = -1;  // -1 when killed by a signal
  std::string out, err;
};

inline std::string readWhole(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline ProcessResult runProcess(const std::vector<std::string>& argv) {
  char outPath[] = "/tmp/npf-test-out-XXXXXX";
  char errPath[] = "/tmp/npf-test-err-XXXXXX";
  int outFd = mkstemp(outPath), errFd = mkstemp(errPath);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, outFd, 1);
  posix_spawn_file_actions_adddup2(&actions, errFd, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ProcessResult r;
  pid_t pid;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  close(outFd);
  close(errFd);
  r.out = readWhole(outPath);
  r.err = readWhole(errPath);
  unlink(outPath);
  unlink(errPath);
  return r;
}

}  // namespace npf::testing
