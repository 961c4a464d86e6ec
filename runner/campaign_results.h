// A session's results in the shared results model (reports/results_model.h): the one place
// that turns runner values into what results.json, the reports and the summary are made from,
// plus the observation a saved failing case records.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "model/case.h"
#include "reports/results_model.h"
#include "reports/run_info.h"
#include "runner/session.h"

namespace npf::runner {

// The `netpolfuzz.results/v1` document of `result`. `failureFiles[i]` is the saved file of
// result.cases[i], relative to the output directory ("" when the case passed).
results::Results toResults(const SessionResult& result, const RunInfo& info,
                           const std::vector<std::string>& failureFiles);

// Only the totals (cheap: for the progress line after every case).
results::Totals toTotals(const SessionResult& result);

// What a saved case records about where it was seen: tool, kernel, time, command.
std::vector<std::pair<std::string, std::string>> runEnvironment(const RunInfo& info);

// `c` with `spec.observed` holding the discrepant and flaky cells of `r`.
Case caseWithObservation(const Case& c, const CaseResult& r, const RunInfo& info);

}  // namespace npf::runner
