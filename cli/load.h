// Loading case files for a subcommand: decode every file, merge into one cluster, validate.
#pragma once

#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/objects.h"

namespace npf::cli {

// Exit codes of DESIGN.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitDiscrepancies = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInfrastructure = 3;

struct Loaded {
  Cluster cluster;
  std::vector<Diagnostic> errors;  // decode and validation errors, in file order
  std::vector<Diagnostic> warnings;
  double decodeSeconds = 0;  // reading and parsing the files
  double validateSeconds = 0;
};

// Decodes and validates `files` as one cluster. Validation runs only when decoding found no
// errors (a half-decoded cluster would produce misleading cross-object errors).
Loaded loadCase(const std::vector<std::string>& files);

// Prints warnings and errors to stderr, one `file:line:col: ...` line each.
void printDiagnostics(const Loaded& l);

}  // namespace npf::cli
