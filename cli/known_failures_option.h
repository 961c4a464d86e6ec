// `--known-failures FILE` and `--write-known-failures FILE` of `conformance` and `fuzz`: a run
// against a dataplane with written-down findings (a real CNI) fails only on what is new, or on
// a listed failure that went away (reports/known_failures.h).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "reports/known_failures.h"
#include "reports/results_model.h"
#include "reports/run_info.h"

namespace npf::cli {

struct KnownFailuresOptions {
  std::string file;       // --known-failures ("none": off)
  std::string writeFile;  // --write-known-failures
  // Set by load():
  std::string active;  // the file in force ("" : none)
  std::vector<results::KnownFailure> entries;
};

// `defaultNote`: what the default is, for --help.
void addKnownFailuresOptions(CLI::App& sub, KnownFailuresOptions& o,
                             const std::string& defaultNote);

// Reads the file in force: the one given, else `defaultFile` ("" : none); `none` turns it off.
// Prints file:line:col errors and returns false on a bad or unreadable file.
bool loadKnownFailures(KnownFailuresOptions& o, const std::string& defaultFile);

// After the run: writes --write-known-failures, then, when a file is in force, prints the check
// and returns its exit code (0 exactly as listed, 1 otherwise); -1 when no file is in force (the
// caller decides by discrepancies). kExitInfrastructure when the file cannot be written.
int finishKnownFailures(const KnownFailuresOptions& o, const results::Results& doc,
                        const RunInfo& info);

// The known-failures file of `--enforcer NAME` whose findings are written down
// (corpus/findings/<enforcer-version>/known-failures.txt), "" for others.
std::string defaultKnownFailuresFor(const std::string& enforcer);

}  // namespace npf::cli
