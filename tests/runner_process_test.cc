// Starting external programs: argv only, exact environment, stdin, exit codes, namespaces.
#include <gtest/gtest.h>

#include "runner/process.h"

namespace npf::runner {
namespace {

TEST(RunnerProcess, PassesStdinAndCollectsStdoutAndExitCode) {
  RealProcessRunner r;
  auto res = r.run({"cat"}, defaultToolEnv(), "hello\nworld\n", "");
  EXPECT_EQ(res.exitCode, 0) << res.err;
  EXPECT_EQ(res.out, "hello\nworld\n");
  auto fail = r.run({"sh", "-c", "echo oops >&2; exit 3"}, defaultToolEnv(), "", "");
  EXPECT_EQ(fail.exitCode, 3);
  EXPECT_EQ(fail.err, "oops\n");
}

TEST(RunnerProcess, ArgumentsAreNeverInterpretedByAShell) {
  RealProcessRunner r;
  auto res = r.run({"echo", "$(id)", ";", "*"}, defaultToolEnv(), "", "");
  EXPECT_EQ(res.out, "$(id) ; *\n");
}

TEST(RunnerProcess, EnvironmentIsExactlyTheGivenOne) {
  RealProcessRunner r;
  auto res = r.run({"/usr/bin/env"}, {"A=1", "CNI_COMMAND=ADD"}, "", "");
  EXPECT_EQ(res.out, "A=1\nCNI_COMMAND=ADD\n");
}

TEST(RunnerProcess, LargeStdinAndAChildThatIgnoresItAreBothFine) {
  RealProcessRunner r;
  std::string big(1 << 20, 'x');
  auto res = r.run({"wc", "-c"}, defaultToolEnv(), big, "");
  EXPECT_EQ(res.out, std::to_string(big.size()) + "\n");
  auto ignore = r.run({"true"}, defaultToolEnv(), big, "");  // EPIPE, no SIGPIPE death
  EXPECT_EQ(ignore.exitCode, 0);
}

TEST(RunnerProcess, MissingProgramAndMissingNamespaceAreErrorsNotCrashes) {
  RealProcessRunner r;
  auto res = r.run({"no-such-program-npf"}, defaultToolEnv(), "", "");
  EXPECT_EQ(res.exitCode, -1);
  EXPECT_NE(res.err.find("not found"), std::string::npos);
  auto ns = r.run({"true"}, defaultToolEnv(), "", "npf-000000-does-not-exist");
  EXPECT_EQ(ns.exitCode, -1);
  EXPECT_NE(ns.err.find("/run/netns/npf-000000-does-not-exist"), std::string::npos) << ns.err;
}

TEST(RunnerProcess, TimeoutKillsTheChild) {
  RealProcessRunner r(200);
  auto res = r.run({"sleep", "10"}, defaultToolEnv(), "", "");
  EXPECT_EQ(res.exitCode, -1);
  EXPECT_NE(res.err.find("killed after 200 ms"), std::string::npos) << res.err;
}

}  // namespace
}  // namespace npf::runner
