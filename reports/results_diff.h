// What changed between two runs (`netpolfuzz diff OLD NEW`, e.g. last night's campaign and
// tonight's): discrepancy signatures that are new, gone or persisting, and the pass rates per
// tag (bug class, family, API feature) that moved. Text for the terminal, Markdown for a pull
// request or issue comment, JSON for other tools. Values only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reports/results_model.h"

namespace npf::results {

// One signature in one run.
struct SignatureSeen {
  std::string signature;
  uint64_t cells = 0;       // failing cells with this signature
  uint64_t cases = 0;       // cases with at least one of them
  std::string exampleCase;  // the first such case
  std::string file;         // its reproduction, relative to the run's directory: the minimized case
                            // when the run has one for this signature, else the saved failing case
};

struct TagRate {
  std::string tag;
  uint64_t oldCases = 0, oldFailed = 0, newCases = 0, newFailed = 0;
  double oldPassRate() const { return oldCases ? double(oldCases - oldFailed) / oldCases : 0; }
  double newPassRate() const { return newCases ? double(newCases - newFailed) / newCases : 0; }
};

struct RunDiff {
  std::vector<SignatureSeen> added;                                 // in NEW only
  std::vector<SignatureSeen> gone;                                  // in OLD only
  std::vector<std::pair<SignatureSeen, SignatureSeen>> persisting;  // OLD's, NEW's
  std::vector<TagRate> moved;  // tags both runs have whose pass rate differs, biggest move first
  // Both ran the same cases (names): a gone signature is fixed, not merely unseen.
  bool sameCases = false;
  Totals oldTotals, newTotals;
  std::string oldBackendError, newBackendError;
  bool hasNew() const { return !added.empty(); }
};

RunDiff diffRuns(const Results& older, const Results& newer);

// `oldName`, `newName`: how the runs are named to the reader (their paths).
std::string renderDiffText(const RunDiff& d, const std::string& oldName,
                           const std::string& newName);
std::string renderDiffMarkdown(const RunDiff& d, const std::string& oldName,
                               const std::string& newName);
std::string renderDiffJson(const RunDiff& d, const std::string& oldName,
                           const std::string& newName);

// The signatures of a run, most cells first (shared with the findings database).
std::vector<SignatureSeen> signaturesOf(const Results& r);

}  // namespace npf::results
