// Runs side by side: the same cases (the same seed, the same suite) on several dataplanes or
// enforcers, e.g. `--enforcer nftables` and `--enforcer kube-router`. One table of totals and
// speeds, one row per case that failed anywhere, and the cells that failed in some runs only.
// (`netpolfuzz report A/results.json --compare B/results.json`.)
#pragma once

#include <string>
#include <vector>

#include "reports/results_model.h"

namespace npf::results {

struct LabelledRun {
  std::string label;  // e.g. the enforcer, or the file
  const Results* run = nullptr;
};

// `markdown`: GitHub tables; else aligned terminal text. `maxCells`: cell lines shown at most.
std::string renderComparison(const std::vector<LabelledRun>& runs, bool markdown,
                             size_t maxCells = 40);

// What to call a run in a comparison: its enforcer, else its backend.
std::string runLabel(const Results& r);

}  // namespace npf::results
