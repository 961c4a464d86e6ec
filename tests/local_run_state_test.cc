// The parts of the local backend's run state (runner/local/run_state.h) that need no root:
// parsing /proc/<pid>/stat, and reading a state directory under a temporary root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runner/local/run_state.h"

namespace npf::runner::local {
namespace {

namespace fs = std::filesystem;

// A /proc/<pid>/stat line: pid, command name, then fields 3 (state) to 22 (starttime) and more.
std::string statLine(const std::string& comm, char state, const std::string& startTime) {
  std::string line = "4242 (" + comm + ") " + state;
  for (int field = 4; field <= 21; ++field) line += " " + std::to_string(field);
  return line + " " + startTime + " 23 24\n";
}

// A fresh state root under the test's temporary directory.
std::string freshStateRoot(const std::string& name) {
  std::string root =
      ::testing::TempDir() + "npf-run-state-" + name + "-" + std::to_string(getpid());
  fs::remove_all(root);
  fs::create_directories(root);
  return root;
}

TEST(LocalRunState, ProcessStatGivesStateAndStartTime) {
  auto stat = parseProcessStat(statLine("netpolfuzz", 'S', "987654"));
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->startTime, 987654u);
}

TEST(LocalRunState, ProcessStatSurvivesSpacesAndParenthesesInTheCommandName) {
  auto stat = parseProcessStat(statLine("a) Z (b c", 'R', "17"));
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->startTime, 17u);
}

TEST(LocalRunState, ProcessStatRejectsWhatIsNotOne) {
  EXPECT_FALSE(parseProcessStat(""));
  EXPECT_FALSE(parseProcessStat("4242 netpolfuzz S 1 2 3"));
  EXPECT_FALSE(parseProcessStat("4242 (netpolfuzz) S 1 2 3"));  // too few fields
  EXPECT_FALSE(parseProcessStat(statLine("netpolfuzz", 'S', "soon")));
}

TEST(LocalRunState, ThisProcessIsLiveWithAStartTimeAndACommandLine) {
  EXPECT_TRUE(liveStartTime(getpid()));
  EXPECT_FALSE(commandLineOf(getpid()).empty());
}

TEST(LocalRunState, ARunDirectoryRecordsItsLiveOwner) {
  std::string root = freshStateRoot("owner");
  ASSERT_EQ(createRunDir(root, "npf-0a0b0c"), "");
  EXPECT_EQ(runDir(root, "npf-0a0b0c"), root + "/npf-0a0b0c");
  EXPECT_EQ(ownerPid(root, "npf-0a0b0c"), long(getpid()));
  EXPECT_TRUE(runIsAlive(root, "npf-0a0b0c"));
  EXPECT_TRUE(runExists(root, "npf-0a0b0c"));
  removeRunDir(root, "npf-0a0b0c");
  EXPECT_FALSE(runExists(root, "npf-0a0b0c"));
  EXPECT_EQ(ownerPid(root, "npf-0a0b0c"), 0);
  fs::remove_all(root);
}

TEST(LocalRunState, AnOwnerWithAnotherStartTimeIsNotAlive) {
  std::string root = freshStateRoot("reused-pid");
  fs::create_directories(root + "/npf-0a0b0c");
  std::ofstream(root + "/npf-0a0b0c/pid")
      << getpid() << " " << *liveStartTime(getpid()) + 1 << "\n";
  EXPECT_EQ(ownerPid(root, "npf-0a0b0c"), long(getpid()));
  EXPECT_FALSE(runIsAlive(root, "npf-0a0b0c"));
  fs::remove_all(root);
}

TEST(LocalRunState, RunsWithStateAreTheRunIdDirectoriesSorted) {
  std::string root = freshStateRoot("runs");
  for (const char* dir :
       {"npf-00000f", "npf-00000a", "not-a-run", "npf-ABCDEF", ".tmp-npf-00000b-1"})
    fs::create_directories(root + "/" + dir);
  std::ofstream(root + "/npf-00000c") << "a file, not a run\n";
  EXPECT_EQ(runsWithState(root), (std::vector<std::string>{"npf-00000a", "npf-00000f"}));
  EXPECT_TRUE(runsWithState(root + "/missing").empty());
  EXPECT_FALSE(runExists(root, "not-a-run"));
  fs::remove_all(root);
}

}  // namespace
}  // namespace npf::runner::local
