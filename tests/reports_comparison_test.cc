// Runs side by side: totals per run, the cases that failed anywhere, the cells that fail in
// some runs only.
#include <gtest/gtest.h>

#include "reports/comparison.h"

namespace npf::results {
namespace {

CellRecord failed(uint64_t step, const std::string& from, const std::string& to, int port) {
  CellRecord c;
  c.step = step;
  c.status = "fail";
  c.from = from;
  c.to = to;
  c.port = port;
  c.protocol = "TCP";
  c.expected = "deny";
  c.observed = {{"connected", 1, "", 0}};
  return c;
}

Results run(const std::string& enforcer, std::vector<CaseRecord> cases) {
  Results r;
  r.kind = "fuzz";
  r.seed = 1;
  r.size = "small";
  r.backend = "local";
  r.enforcer = enforcer;
  r.seconds = 10;
  for (const auto& c : cases) {
    r.totals.discrepancies += c.discrepancies;
    r.totals.failingCases += c.failed();
  }
  r.cases = std::move(cases);
  return r;
}

CaseRecord kase(const std::string& name, std::vector<CellRecord> cells) {
  CaseRecord c;
  c.name = name;
  c.discrepancies = cells.size();
  c.cellsNotPassing = std::move(cells);
  c.timings.totalMs = 100;
  return c;
}

TEST(Comparison, ShowsWhatFailsWhereOnly) {
  Results nft =
      run("nftables", {kase("c1", {}), kase("c2", {failed(0, "x/a", "y/b", 80)}), kase("c3", {})});
  Results kr =
      run("kube-router v2.1.0", {kase("c1", {failed(1, "x/a", "ip/192.0.2.10", 80)}),
                                 kase("c2", {failed(0, "x/a", "y/b", 80)}), kase("c3", {})});
  kr.cases[0].states.push_back(State{});
  kr.cases[0].states.back().enforcerMs = 120;
  std::string text = renderComparison({{"nftables", &nft}, {"kube-router v2.1.0", &kr}}, false);
  EXPECT_NE(text.find("Cases that failed in any run (2)"), std::string::npos) << text;
  EXPECT_EQ(text.find("c3"), std::string::npos) << "passing everywhere: not listed\n" << text;
  EXPECT_NE(text.find("Cells that fail in some runs only (1)"), std::string::npos) << text;
  EXPECT_NE(text.find("c1 step 1: x/a -> ip/192.0.2.10:80/TCP: fails on kube-router v2.1.0 "
                      "(expected deny, observed connected), passes on nftables"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("120"), std::string::npos) << "median enforcer time\n" << text;
  std::string md = renderComparison({{"nftables", &nft}, {"kube-router v2.1.0", &kr}}, true);
  EXPECT_NE(md.find("| run | kind |"), std::string::npos) << md;
  EXPECT_NE(md.find("| c1 | pass | 1 discrepancies |"), std::string::npos) << md;
}

}  // namespace
}  // namespace npf::results
