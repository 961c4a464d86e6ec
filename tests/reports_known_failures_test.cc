// The known-failures file: what parses, where errors point, and how a run is checked against it.
#include <gtest/gtest.h>

#include "reports/known_failures.h"

namespace npf::results {
namespace {

CaseRecord caseWith(const std::string& name, std::vector<CellRecord> cells) {
  CaseRecord c;
  c.name = name;
  c.cellsNotPassing = std::move(cells);
  return c;
}

CellRecord cell(uint64_t step, const std::string& status, const std::string& from,
                const std::string& to, int port, const std::string& proto) {
  CellRecord c;
  c.step = step;
  c.status = status;
  c.from = from;
  c.to = to;
  c.port = port;
  c.protocol = proto;
  c.expected = "allow";
  c.observed = {{"refused", 1.0, "", 0}};
  c.signature = "sig";
  return c;
}

TEST(KnownFailures, ParsesCellsCommentsAndNotes) {
  auto f = parseKnownFailures(
      "# header\n\n  peers/a  0  x/a  y/b:80/TCP   # ipblock-except\r\n"
      "upstream/b\t2\tx/b\tip/2001:db8::1:0443/UDP\n",
      "k.txt");
  ASSERT_TRUE(f.errors.empty()) << toString(f.errors[0]);
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].caseName, "peers/a");
  EXPECT_EQ(f.entries[0].step, 0u);
  EXPECT_EQ(f.entries[0].from, "x/a");
  EXPECT_EQ(f.entries[0].target, "y/b:80/TCP");
  EXPECT_EQ(f.entries[0].note, "ipblock-except");
  EXPECT_EQ(f.entries[0].line, 3);
  EXPECT_EQ(f.entries[1].step, 2u);
  EXPECT_EQ(f.entries[1].target, "ip/2001:db8::1:443/UDP") << "the port as reports spell it";
}

TEST(KnownFailures, ErrorsPointAtLineAndColumn) {
  struct Row {
    const char* text;
    int line, col;
    const char* message;
  };
  for (const Row& r : {
           Row{"a 0 x/a\n", 1, 5, "expected CASE STEP FROM TO:PORT/PROTOCOL, got 3 fields"},
           Row{"# ok\na 0 x/a y:80/TCP extra\n", 2, 18, "got 5 fields"},
           Row{"a zero x/a y:80/TCP\n", 1, 3, "STEP must be a state number"},
           Row{"a 0 x/a y/b:80/ICMP\n", 1, 9, "expected TO:PORT/PROTOCOL"},
           Row{"a 0 x/a y/b:70000/TCP\n", 1, 9, "expected TO:PORT/PROTOCOL"},
           Row{"a 0 x/a y/b/TCP\n", 1, 9, "expected TO:PORT/PROTOCOL"},
           Row{"a 0 x/a y/b:80/TCP\na 0 x/a y/b:080/TCP\n", 2, 1, "listed twice"},
       }) {
    auto f = parseKnownFailures(r.text, "k.txt");
    ASSERT_EQ(f.errors.size(), 1u) << r.text;
    EXPECT_EQ(f.errors[0].line, r.line) << r.text;
    EXPECT_EQ(f.errors[0].col, r.col) << r.text;
    EXPECT_NE(f.errors[0].message.find(r.message), std::string::npos)
        << r.text << " -> " << f.errors[0].message;
  }
}

TEST(KnownFailures, ARunPassesOnlyWhenItFailsExactlyAsListed) {
  auto known =
      parseKnownFailures("c1 0 x/a y/b:80/TCP\nc1 1 x/a y/b:80/UDP\nc3 0 x/a y/b:80/TCP\n", "k.txt")
          .entries;
  Results run;
  run.cases.push_back(caseWith(
      "c1", {cell(0, "fail", "x/a", "y/b", 80, "TCP"), cell(1, "flaky", "x/a", "y/b", 80, "UDP")}));
  run.cases.push_back(caseWith("c2", {cell(0, "error", "x/a", "y/b", 80, "TCP")}));
  // c3 did not run: its entry says nothing.
  auto check = checkKnownFailures(run, known);
  EXPECT_TRUE(check.ok());
  EXPECT_EQ(check.matched, 2u) << "a flaky known cell still fails sometimes";

  run.cases[1].cellsNotPassing.push_back(cell(0, "fail", "x/a", "y/b", 81, "TCP"));
  check = checkKnownFailures(run, known);
  ASSERT_EQ(check.unexpected.size(), 1u);
  EXPECT_EQ(check.unexpected[0].caseName, "c2");
  EXPECT_EQ(check.unexpected[0].target, "y/b:81/TCP");
  EXPECT_FALSE(check.ok());

  run.cases.push_back(caseWith("c3", {}));  // ran, and passed: its known failure went away
  run.cases[1].cellsNotPassing.pop_back();
  check = checkKnownFailures(run, known);
  ASSERT_EQ(check.fixed.size(), 1u);
  EXPECT_EQ(check.fixed[0].caseName, "c3");
  EXPECT_EQ(check.fixed[0].line, 3);
  EXPECT_NE(renderKnownFailureCheck(check, "k.txt").find("NO LONGER FAILS k.txt:3: c3"),
            std::string::npos);

  run.cases.back().backendError = "setUp failed";  // no cells: no evidence either way
  EXPECT_TRUE(checkKnownFailures(run, known).ok());
}

TEST(KnownFailures, RenderedFileParsesBackToTheFailedCells) {
  Results run;
  run.cases.push_back(caseWith(
      "c1", {cell(0, "fail", "x/a", "ip/192.0.2.10", 80, "TCP"),
             cell(0, "flaky", "x/a", "y/b", 81, "TCP"), cell(2, "fail", "x/b", "y/b", 53, "UDP")}));
  std::string text = renderKnownFailures(run, "line one\nline two");
  EXPECT_EQ(text.rfind("# line one\n# line two\n", 0), 0u) << text;
  auto f = parseKnownFailures(text, "k.txt");
  ASSERT_TRUE(f.errors.empty());
  ASSERT_EQ(f.entries.size(), 2u) << "flaky cells are not failures";
  EXPECT_EQ(f.entries[1].target, "y/b:53/UDP");
  EXPECT_EQ(f.entries[1].note, "sig");
  EXPECT_TRUE(checkKnownFailures(run, f.entries).ok());
}

}  // namespace
}  // namespace npf::results
