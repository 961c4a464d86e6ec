// `netpolfuzz conformance` on the real local dataplane: the whole suite passes; an injected
// fault fails exactly the tags it should. Needs root; skipped otherwise.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/support/run_process.h"
#include "tests/support/runner_cases.h"

namespace npf {
namespace {

namespace fs = std::filesystem;
const std::string kCli = NPF_CLI;
const std::string kSuite = std::string(NPF_SOURCE_DIR) + "/corpus/conformance";

// The row of `tag` in the tag tables: cases, passed, failed.
struct Row {
  int cases = -1, passed = -1, failed = -1;
};
Row row(const std::string& out, const std::string& tag) {
  std::smatch m;
  std::regex re("\n" + tag + " +([0-9]+) +([0-9]+) +([0-9]+) ");
  if (!std::regex_search(out, m, re)) return {};
  return {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
}

class RunnerConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    NPF_REQUIRE_ROOT();
    out = ::testing::TempDir() + "/npf-conformance-" + std::to_string(getpid());
    fs::remove_all(out);
  }
  void TearDown() override { fs::remove_all(out); }
  std::string out;
};

TEST_F(RunnerConformance, WholeSuitePassesOnTheLocalDataplane) {
  auto r = testing::runProcess({kCli, "conformance", kSuite, "--out", out, "-q"});
  EXPECT_EQ(r.exitCode, 0) << r.out.substr(r.out.size() > 3000 ? r.out.size() - 3000 : 0) << r.err;
  EXPECT_NE(r.out.find("total: 451 cases, 451 passed, 0 failed"), std::string::npos) << r.out;
  Row all = row(r.out, "conformance");
  EXPECT_EQ(all.cases, 451);
  EXPECT_EQ(all.failed, 0);
  std::string results = testing::readWhole(out + "/results.json");
  EXPECT_NE(results.find("\"kind\": \"conformance\""), std::string::npos);
  EXPECT_NE(results.find("\"source\": \"" + kSuite + "/upstream-e2e/"), std::string::npos);
  // JUnit and HTML by default, for CI systems and people.
  std::string junit = testing::readWhole(out + "/junit.xml");
  EXPECT_NE(junit.find("<testsuites"), std::string::npos);
  EXPECT_EQ(junit.find("<failure"), std::string::npos);
  EXPECT_NE(testing::readWhole(out + "/report.html").find("</html>"), std::string::npos);
  // The time it took, for the record.
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("451 cases in ([0-9.]+) s")))
    std::printf("suite: %s s\n", m[1].str().c_str());
}

TEST_F(RunnerConformance, InjectedFaultsFailTheirTags) {
  struct FaultCase {
    const char* fault;
    const char* include;
    const char* failingTag;  // must show failures
    const char* cleanTag;    // selected too, but not affected
  };
  for (FaultCase f : {FaultCase{"ENDPORT_IGNORED", "port:end-port,peer:ip-block-with-except",
                                "port:end-port", "peer:ip-block-with-except"},
                      FaultCase{"IPBLOCK_EXCEPT_AS_DENY", "port:end-port,peer:ip-block-with-except",
                                "peer:ip-block-with-except", "port:end-port"}}) {
    SCOPED_TRACE(f.fault);
    auto r = testing::runProcess({kCli, "conformance", kSuite, "--include", f.include,
                                  "--inject-fault", f.fault, "--out", out, "-q"});
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    Row bad = row(r.out, f.failingTag), good = row(r.out, f.cleanTag);
    EXPECT_GT(bad.failed, 0) << r.out;
    EXPECT_GT(good.cases, 0) << r.out;
    EXPECT_LT(good.failed, good.cases) << r.out;
    EXPECT_FALSE(fs::is_empty(out + "/failures"));
    EXPECT_NE(testing::readWhole(out + "/junit.xml").find("<failure"), std::string::npos);
    fs::remove_all(out);
  }
}

TEST(Conformance, ListSelectsByTagWithoutADataplane) {
  auto r = testing::runProcess({kCli, "conformance", kSuite, "--list", "--include",
                                "ENDPORT_IGNORED", "--exclude", "protocol:udp"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("range/tcp-82-to-8080.yaml"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("protocol:udp"), std::string::npos) << r.out;
  auto none =
      testing::runProcess({kCli, "conformance", kSuite, "--list", "--include", "no-such-tag"});
  EXPECT_EQ(none.exitCode, 2);
  auto missing = testing::runProcess({kCli, "conformance", "/nonexistent/dir", "--list"});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_NE(missing.err.find("/nonexistent/dir:0:0:"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace npf
