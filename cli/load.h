// Loading case files for a subcommand: decode every file, merge into one case, validate.
#pragma once

#include <string>
#include <vector>

#include "generator/weights.h"
#include "model/case_file.h"
#include "model/diagnostic.h"
#include "runner/atomic_file.h"

namespace npf::cli {

// Exit codes of DESIGN.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitDiscrepancies = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInfrastructure = 3;

struct Loaded {
  Case kase;                       // objects of all files plus the Case document, if any
  std::vector<Diagnostic> errors;  // decode and validation errors, in file order
  std::vector<Diagnostic> warnings;
  double seconds = 0;  // reading, parsing and validating
};

Loaded loadCase(const std::vector<std::string>& files);

// Prints warnings and errors to stderr, one `file:line:col: ...` line each.
void printDiagnostics(const Loaded& l);

// Every subcommand that writes a file writes it whole (runner/atomic_file.h).
using runner::writeFileAtomic;

// Reads a `--weights` file over the defaults in `w`; prints `file:line:col: ...` and returns
// false when it cannot be read or parsed.
bool loadWeightsFile(const std::string& path, GeneratorWeights& w);

// Every *.yaml / *.yml / *.json file under directory `p` (recursively), or `p` itself, sorted;
// sets `error` (`file:0:0: ...`) when `p` does not exist or cannot be read.
std::vector<std::string> listCaseFiles(const std::string& p, std::string& error);

// The states of a case: the initial cluster, then the cluster after each step.
std::vector<Cluster> caseStates(const Case& c);

}  // namespace npf::cli
