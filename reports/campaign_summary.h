// What a campaign prints from its results (reports/results_model.h): the end-of-run summary,
// the per-tag tables of `conformance`, `--timings`, and the live progress line. No I/O.
#pragma once

#include <cstddef>
#include <string>

#include "reports/results_model.h"

namespace npf {

// The lines printed after a campaign: totals, failing cases with their first discrepancies,
// how to reproduce, where results went (`outDir`, "" for nowhere).
std::string renderCampaignSummary(const results::Results& r, const std::string& outDir);

// Per-tag pass/fail tables (bug classes, then families and sources, then API features): a tag
// passes when every case carrying it passed. Then the totals.
std::string renderTagTables(const results::Results& r);

// `--timings`: where a run's time went, by phase (apply = set-up or reconcile including the wait
// for pods; probe = every probing round; oracle and diff = the rest of each case), with totals,
// shares and per-state medians, plus the convergence time per state.
std::string renderTimings(const results::Results& r);

// One progress line (no newline): cases done/total, rate, probes/s, discrepancies, ETA, from the
// totals so far after `seconds`. `totalCases` 0 with `durationSeconds` > 0: ETA from the duration.
std::string renderProgressLine(const results::Totals& sofar, double seconds, size_t totalCases,
                               double durationSeconds);

}  // namespace npf
