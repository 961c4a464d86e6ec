// Subcommands: each file registers one on the app and returns the function that runs it
// (called by main only when that subcommand was given), returning the process exit code. The
// flags fill an options struct (ExpectOptions); a named function runs on it (runExpect), so
// that what a command does reads apart from how its flags are declared.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace npf {
struct Profile;
}

namespace npf::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command addExpectCommand(CLI::App& app);
Command addExplainCommand(CLI::App& app);
Command addValidateCommand(CLI::App& app);
Command addValidationDiffCommand(CLI::App& app);
Command addGenerateCommand(CLI::App& app);
Command addFuzzCommand(CLI::App& app);
Command addConformanceCommand(CLI::App& app);
Command addLocalCommand(CLI::App& app);
Command addReportCommand(CLI::App& app);
Command addMinimizeCommand(CLI::App& app);
Command addReplayCommand(CLI::App& app);
Command addKindCommand(CLI::App& app);
Command addMergeCommand(CLI::App& app);
Command addStatusCommand(CLI::App& app);
Command addDiffCommand(CLI::App& app);
Command addFindingsCommand(CLI::App& app);

// Adds `--profile KEY=VALUE` (repeatable) to a subcommand; `savedCaseDefault`: the command
// judges a case by the profile it records unless --profile is given.
void addProfileOption(CLI::App& sub, std::vector<std::string>& settings,
                      bool savedCaseDefault = false);
// Applies the settings to `profile`; prints the problem and returns false on a bad one.
bool parseProfile(const std::vector<std::string>& settings, npf::Profile& profile);

}  // namespace npf::cli
