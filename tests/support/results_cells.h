// A case's cells in a results.json without times or ports used: for tests that require two runs
// (a sharded one merged and a single one) to agree cell for cell.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "reports/results_model.h"
#include "tests/support/run_process.h"

namespace npf::testing {

inline results::Results loadResultsFile(const std::string& path) {
  auto r = results::parseResults(readWhole(path), path);
  EXPECT_TRUE(r.results) << toString(r.error);
  return r.results ? *r.results : results::Results{};
}

// Every state's expected and observed matrix and every cell not passing, with its status,
// signature, explanation and the result of each attempt (not its latency or source port).
inline std::string cellsOf(const results::CaseRecord& c) {
  std::string out = c.name + " " + std::to_string(c.index) + "\n";
  for (const auto& s : c.states) {
    // An undefined cell accepts any outcome, and may get either from run to run (a Service
    // whose backends disagree picks one at random): its observation is not compared.
    std::string observed = s.observedCells;
    for (size_t k = 0; k < observed.size() && k < s.expectedCells.size(); ++k)
      if (s.expectedCells[k] == '?') observed[k] = '?';
    out += fmt::format("{} {} {}\n", s.step, s.expectedCells, observed);
  }
  for (const auto& cell : c.cellsNotPassing) {
    out += fmt::format("{} {} {} {} {} {} {}:", cell.step, cell.status, cell.from, cell.target(),
                       cell.expected, cell.signature, cell.explanation);
    for (const auto& a : cell.observed) out += " " + a.result;
    out += "\n";
  }
  return out;
}

}  // namespace npf::testing
