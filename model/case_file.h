// Case files with their `Case` document (docs/case-format.md): decoding into a Case and
// encoding a Case back to a `kubectl apply`-able multi-document YAML file.
#pragma once

#include <string>
#include <vector>

#include "model/case.h"
#include "model/diagnostic.h"

namespace npf {

struct CaseLoad {
  Case kase;
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
};

// Decodes and merges `paths` (objects from all files; at most one Case document in all),
// then validates the initial state, every step's objects and every step state. Errors carry
// `file:line:col`.
CaseLoad loadCaseFiles(const std::vector<std::string>& paths);

// The objects, then the Case document (when meta.present or the cluster has external hosts).
std::string encodeCase(const Case& c);

}  // namespace npf
