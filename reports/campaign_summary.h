// What a campaign prints from its results (reports/results_model.h): the end-of-run summary,
// the per-tag tables of `conformance`, `--timings`, and the live progress line. No I/O.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

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

// One run as `netpolfuzz status` sees it: its results so far (nullptr: none yet, or unreadable
// with `problem` saying why) and how long ago they were written.
struct RunProgress {
  std::string source;  // the results.json or directory, as the user named it
  const results::Results* run = nullptr;
  std::string problem;  // why there are no results ("no results yet", a parse error)
  double secondsSinceWrite = 0;
};

// A run that has not written its results for this long while unfinished is shown as stalled
// (a campaign rewrites them every 10 s or so, after each case).
inline constexpr double kStalledAfterSeconds = 180;

// `netpolfuzz status`: one line per run or shard (state, cases done of planned, failing cases,
// discrepancies, probes/s, last update), the shards missing from a sharded campaign, then the
// whole campaign's progress and ETA.
std::string renderCampaignStatus(const std::vector<RunProgress>& runs);

// Whether every run is there and finished.
bool campaignFinished(const std::vector<RunProgress>& runs);

}  // namespace npf
