// What a campaign writes: `results.json` (docs/results-format.md), the saved failing case with
// its observed cells, the end-of-run summary and the live progress line.
#pragma once

#include <string>
#include <vector>

#include "model/case.h"
#include "oracle/profile.h"
#include "runner/campaign.h"

namespace npf {

// Facts about a run that are not in the results themselves.
struct RunInfo {
  std::string tool = "netpolfuzz 0.1.0";
  std::string kind = "fuzz";  // fuzz | conformance | replay
  std::string backend = "local";
  uint64_t seed = 0;
  std::string size = "small";
  Profile profile;
  std::vector<std::string> faults;
  std::string started;  // ISO 8601 UTC
  std::string command;  // to reproduce the run
};

// The `netpolfuzz.results/v1` JSON document. `failureFiles[i]` is the saved file of
// result.cases[i], relative to the output directory ("" when the case passed).
std::string renderResultsJson(const runner::CampaignResult& result, const RunInfo& info,
                              const std::vector<std::string>& failureFiles);

// What a saved case records about where it was seen: tool, kernel, time, command.
std::vector<std::pair<std::string, std::string>> runEnvironment(const RunInfo& info);

// `c` with `spec.observed` holding the discrepant and flaky cells of `r`.
Case caseWithObservation(const Case& c, const runner::CaseResult& r, const RunInfo& info);

// The lines printed after a campaign: totals, failing cases with their first discrepancies,
// how to reproduce, where results went.
std::string renderCampaignSummary(const runner::CampaignResult& result, const RunInfo& info,
                                  const std::string& outDir);

// Per-tag pass/fail tables (bug classes, then families and sources, then API features): a tag
// passes when every case carrying it passed. Then the totals.
std::string renderTagTables(const runner::CampaignResult& result);

// `--timings`: where a run's time went, by phase (apply = set-up or reconcile including the wait
// for pods; probe = every probing round; oracle and diff = the rest of each case), with totals,
// shares and per-state medians, plus the convergence time per state.
std::string renderTimings(const runner::CampaignResult& result);

// One progress line (no newline): cases done/total, rate, probes/s, discrepancies, ETA.
// `totalCases` 0 with `durationSeconds` > 0: ETA from the duration.
std::string renderProgressLine(const runner::CampaignResult& sofar, size_t totalCases,
                               double durationSeconds);

}  // namespace npf
