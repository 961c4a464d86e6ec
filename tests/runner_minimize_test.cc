// The minimizer on the real local dataplane: for several injected fault classes, the first
// failing case a short campaign finds shrinks to at most 2 policies and 4 pods with the same
// signature, within a minute. Needs root; skipped otherwise.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>

#include "runner/local/local_backend.h"
#include "runner/minimize.h"
#include "runner/session.h"
#include "tests/support/runner_cases.h"
#include "tests/support/session_sink.h"

namespace npf::runner {
namespace {

using local::listNamespaces;
using local::LocalBackend;

// The probe discipline of the CLI's defaults (fuzz, minimize, replay).
CheckOptions cliChecks() {
  CheckOptions c;
  c.firstRound.timeoutMs = 200;
  c.retryTimeoutMs = 500;
  c.convergeDeadlineMs = 300;
  return c;
}

class RunnerMinimize : public ::testing::TestWithParam<std::string> {};

TEST_P(RunnerMinimize, FirstFailingCaseShrinksToTwoPoliciesAndFourPods) {
  NPF_REQUIRE_ROOT();
  local::LocalOptions lo;
  lo.faults = {GetParam()};
  LocalBackend backend(lo);
  GeneratedCases cases(/*seed=*/1, /*firstIndex=*/0, /*count=*/200, ClusterSize::Small, {});
  SessionOptions o;
  o.maxFailingCases = 1;
  o.check = cliChecks();
  std::optional<Case> failing;
  std::set<std::string> signatures;
  npf::testing::OnEachCase keepFailing([&](const Case& c, const CaseResult& r) {
    if (r.discrepancies() == 0) return;
    failing = c;
    for (const auto& s : r.states)
      for (const auto& cell : s.notable)
        if (cell.status == CellStatus::Fail) signatures.insert(cell.signature);
  });
  SessionResult campaign = runSession(backend, cases, keepFailing, o);
  ASSERT_EQ(campaign.backendError, "");
  ASSERT_TRUE(failing) << GetParam() << " not detected";

  CaseRunner runner(backend, o.profile, cliChecks());
  MinimizeOptions mo;
  mo.maxSeconds = 120;
  MinimizeResult m = minimizeCase(runner, o.profile, *failing, mo);
  ASSERT_EQ(m.backendError, "");
  ASSERT_TRUE(m.reproduced) << failing->meta.name << " does not fail on a fresh cluster";
  EXPECT_TRUE(m.verified);
  EXPECT_TRUE(signatures.count(m.signature)) << m.signature;
  EXPECT_LE(m.after.policies, 2u) << toString(m.after);
  EXPECT_LE(m.after.pods, 4u) << toString(m.after);
  EXPECT_LT(m.seconds, 60.0);
  bool shown = false;
  for (const auto& s : m.finalRun.states)
    for (const auto& cell : s.notable)
      shown = shown || (cell.status == CellStatus::Fail && cell.signature == m.signature);
  EXPECT_TRUE(shown);
  std::printf("%-22s %s (case %zu): %zu trials, %.1f s: %s -> %s\n", GetParam().c_str(),
              failing->meta.name.c_str(), campaign.cases.size(), m.trials, m.seconds,
              toString(m.before).c_str(), toString(m.after).c_str());
  RecordProperty("trials", int(m.trials));
  RecordProperty("milliseconds", int(m.seconds * 1000));
  EXPECT_TRUE(listNamespaces(backend.runId()).empty());
}

INSTANTIATE_TEST_SUITE_P(Faults, RunnerMinimize,
                         ::testing::Values("ENDPORT_IGNORED", "LABEL_UPDATE_STALE",
                                           "IPBLOCK_EXCEPT_AS_DENY", "POLICYTYPES",
                                           "MATCHEXPRESSIONS"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace npf::runner
