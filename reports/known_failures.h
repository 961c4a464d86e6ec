// Known failures: the discrepancies a dataplane is known to have (a real CNI's findings), one
// cell per line, so that `conformance` fails on anything new, or on a known failure that went
// away, and not on what is already written down.
//
//   # comment
//   CASE  STEP  FROM  TO:PORT/PROTOCOL  [# note, e.g. the finding's signature]
//   peers/egress/pair/ip-block+ip-block-except  0  x/a  y/b:80/TCP  # ipblock-except-spans-peers
//
// CASE is the case's name as results.json has it, STEP the state, FROM and TO as in the reports.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"
#include "reports/results_model.h"

namespace npf::results {

struct KnownFailure {
  std::string caseName;
  uint64_t step = 0;
  std::string from, target;  // "x/a", "y/b:80/TCP"
  std::string note;
  int line = 0;
  bool sameCell(const std::string& c, uint64_t s, const std::string& f,
                const std::string& t) const {
    return caseName == c && step == s && from == f && target == t;
  }
};

struct KnownFailuresFile {
  std::vector<KnownFailure> entries;
  std::vector<Diagnostic> errors;  // file:line:col of every malformed line
};

KnownFailuresFile parseKnownFailures(std::string_view text, const std::string& fileName);

struct FailedCell {
  std::string caseName;
  uint64_t step = 0;
  std::string from, target, expected, observed, signature;
};

struct KnownFailureCheck {
  std::vector<FailedCell> unexpected;  // failed, not listed
  std::vector<KnownFailure> fixed;     // listed for a case that ran, and did not fail
  size_t matched = 0;                  // listed and failed (flaky counts: it failed once)
  bool ok() const { return unexpected.empty() && fixed.empty(); }
};

// Compares a run with the known failures. Entries of cases that did not run are ignored (a
// run of part of the suite checks that part).
KnownFailureCheck checkKnownFailures(const Results& run, const std::vector<KnownFailure>& known);

// A known-failures file listing every failed cell of `run`, with `header` as comment lines.
std::string renderKnownFailures(const Results& run, const std::string& header);

// What the check found, for the terminal: one line per unexpected or fixed cell, then a verdict.
std::string renderKnownFailureCheck(const KnownFailureCheck& check, const std::string& fileName);

}  // namespace npf::results
