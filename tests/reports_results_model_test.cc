// The results.json reader (reports/results_model.h): it reads what the campaign writer writes,
// gives it back unchanged, validates against docs/results.schema.json, and reports bad input as
// one `file:line:col: message`.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "reports/results_grid.h"
#include "reports/results_model.h"
#include "runner/campaign_results.h"

#if __has_include(<valijson/validator.hpp>)
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#define NPF_HAVE_VALIJSON 1
#endif

namespace npf::results {
namespace {

using nlohmann::json;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kFixture = std::string(NPF_SOURCE_DIR) + "/tests/golden/reports/results.json";
const std::string kSchemaFile = std::string(NPF_SOURCE_DIR) + "/docs/results.schema.json";

Results fixture() {
  ResultsLoad r = parseResults(readFile(kFixture), kFixture);
  EXPECT_TRUE(r.results) << toString(r.error);
  return r.results ? *r.results : Results{};
}

// --- A small JSON Schema checker for the keywords docs/results.schema.json uses (draft-07
// subset). Valijson (Debian's libvalijson-dev) checks the same documents when installed; this
// one keeps the test meaningful without it.
class MiniSchema {
 public:
  explicit MiniSchema(json root) : root_(std::move(root)) {}

  // Keywords this checker understands; the schema may use no other.
  static const std::set<std::string>& known() {
    static const std::set<std::string> k{
        "$schema",    "$id",       "title",      "description",
        "type",       "required",  "properties", "additionalProperties",
        "items",      "enum",      "const",      "minimum",
        "maximum",    "minLength", "pattern",    "$ref",
        "definitions"};
    return k;
  }
  // Every keyword used anywhere in the schema that the checker would ignore.
  std::vector<std::string> unknownKeywords() const {
    std::vector<std::string> out;
    walk(root_, out);
    return out;
  }

  // Problems of `doc` against the schema, as "path: what".
  std::vector<std::string> validate(const json& doc) const {
    std::vector<std::string> problems;
    check(root_, doc, "", problems);
    return problems;
  }

 private:
  json root_;

  void walk(const json& s, std::vector<std::string>& out) const {
    if (!s.is_object()) return;
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (!known().count(it.key())) out.push_back(it.key());
      if (it.key() == "properties" || it.key() == "definitions")
        for (const auto& sub : *it) walk(sub, out);
      else if (it.key() == "items" || it.key() == "additionalProperties")
        walk(*it, out);
    }
  }

  const json& resolve(const json& s) const {
    if (!s.contains("$ref")) return s;
    std::string ref = s["$ref"];
    EXPECT_EQ(ref.rfind("#/definitions/", 0), 0u) << ref;
    return resolve(root_["definitions"][ref.substr(14)]);
  }

  static bool hasType(const json& v, const std::string& t) {
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "boolean") return v.is_boolean();
    if (t == "integer") return v.is_number_integer();
    if (t == "number") return v.is_number();
    if (t == "null") return v.is_null();
    return false;
  }

  void check(const json& schemaIn, const json& v, const std::string& path,
             std::vector<std::string>& out) const {
    const json& s = resolve(schemaIn);
    auto bad = [&](const std::string& what) {
      out.push_back((path.empty() ? "/" : path) + ": " + what);
    };
    if (s.contains("type") && !hasType(v, s["type"].get<std::string>()))
      return bad("not of type " + s["type"].get<std::string>());
    if (s.contains("const") && v != s["const"]) return bad("not the constant " + s["const"].dump());
    if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end())
      return bad("not in enum");
    if (s.contains("minimum") && v.is_number() && v.get<double>() < s["minimum"].get<double>())
      bad("below minimum");
    if (s.contains("maximum") && v.is_number() && v.get<double>() > s["maximum"].get<double>())
      bad("above maximum");
    if (v.is_string()) {
      std::string str = v;
      if (s.contains("minLength") && str.size() < s["minLength"].get<size_t>()) bad("too short");
      if (s.contains("pattern") &&
          !std::regex_search(str, std::regex(s["pattern"].get<std::string>())))
        bad("does not match " + s["pattern"].get<std::string>());
    }
    if (v.is_object()) {
      if (s.contains("required"))
        for (const auto& k : s["required"])
          if (!v.contains(k.get<std::string>())) bad("missing " + k.get<std::string>());
      for (auto it = v.begin(); it != v.end(); ++it) {
        std::string sub = path + "/" + it.key();
        if (s.contains("properties") && s["properties"].contains(it.key())) {
          check(s["properties"][it.key()], *it, sub, out);
        } else if (s.contains("additionalProperties")) {
          const json& ap = s["additionalProperties"];
          if (ap.is_boolean()) {
            if (!ap.get<bool>()) out.push_back(sub + ": unexpected key");
          } else {
            check(ap, *it, sub, out);
          }
        }
      }
    }
    if (v.is_array() && s.contains("items"))
      for (size_t i = 0; i < v.size(); ++i)
        check(s["items"], v[i], path + "/" + std::to_string(i), out);
  }
};

// Problems of `doc` against docs/results.schema.json, by both checkers.
std::vector<std::string> schemaProblems(const std::string& text) {
  json schema = json::parse(readFile(kSchemaFile));
  json doc = json::parse(text);
  MiniSchema mini(schema);
  EXPECT_TRUE(mini.unknownKeywords().empty())
      << "the schema uses a keyword the mini checker ignores: " << mini.unknownKeywords().front();
  std::vector<std::string> problems = mini.validate(doc);
#ifdef NPF_HAVE_VALIJSON
  valijson::Schema vs;
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter schemaAdapter(schema);
  parser.populateSchema(schemaAdapter, vs);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter docAdapter(doc);
  if (!validator.validate(vs, docAdapter, &results)) {
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
      std::string where;
      for (const auto& c : e.context) where += c;
      problems.push_back("valijson " + where + ": " + e.description);
    }
  }
#endif
  return problems;
}

// A campaign result built by hand: a failing case with a Service cell, a flaky and an erroring
// cell; a passing case with two states.
runner::SessionResult handMadeCampaign() {
  using runner::CellOutcome;
  using runner::CellStatus;
  using K = runner::ProbeResult::Kind;
  runner::SessionResult res;
  res.seconds = 2.5;

  runner::CaseResult a;
  a.name = "hand-0001";
  a.seed = 7;
  a.index = 1;
  a.tags = {"ENDPORT_IGNORED", "port:end-port"};
  a.totalMs = 812.5;
  runner::StateResult s;
  s.step = 0;
  ProbeBlock b;
  b.sources = {Endpoint::pod("x", "a"), Endpoint::node("node-1")};
  b.targets = {{Endpoint::pod("y", "b"), 8081, Protocol::TCP},
               {Endpoint::service("y", "web"), 80, Protocol::TCP}};
  s.probeSet.blocks = {b};
  s.expectedCells = ".X..";
  s.observedCells = "tctc";
  s.cells = 4, s.passed = 1, s.failed = 2, s.flaky = 1, s.probes = 9, s.rounds = 3;
  s.applyMs = 100.25, s.probeMs = 700.5, s.convergeMs = 150.0;
  CellOutcome fail{{Endpoint::pod("x", "a"), b.targets[0]},
                   Verdict::Allow,
                   {{K::Timeout, 200.5, "", 33012}, {K::Timeout, 1000.0, "", 33013}},
                   CellStatus::Fail,
                   "x/a -> y/b: allow",
                   "expected allow, observed timeout · ingress"};
  CellOutcome svc{{Endpoint::pod("x", "a"), b.targets[1]},
                  Verdict::Deny,
                  {{K::Connected, 0.5, ""}, {K::Connected, 0.25, ""}},
                  CellStatus::Fail,
                  "why",
                  "expected deny, observed connected · to service"};
  CellOutcome flaky{{Endpoint::node("node-1"), b.targets[0]},
                    Verdict::Allow,
                    {{K::Connected, 1.0, ""}, {K::Timeout, 1000.0, ""}},
                    CellStatus::Flaky,
                    "",
                    ""};
  CellOutcome err{{Endpoint::node("node-1"), b.targets[1]},
                  std::nullopt,
                  {{K::Error, 0.125, "connect: Network is unreachable"}},
                  CellStatus::Error,
                  "",
                  ""};
  s.notable = {fail, svc, flaky, err};
  a.states.push_back(s);
  res.cases.push_back(a);

  runner::CaseResult p;
  p.name = "actions/two-states";
  p.source = "corpus/conformance/actions/two-states.yaml";
  p.index = 2;
  p.clusterReused = true;
  p.tags = {"conformance", "family:actions"};
  for (size_t step = 0; step < 2; ++step) {
    runner::StateResult t;
    t.step = step;
    ProbeBlock pb;
    pb.sources = {Endpoint::pod("x", "a")};
    pb.targets = {{Endpoint::pod("x", "b"), 80, Protocol::UDP}};
    t.probeSet.blocks = {pb};
    t.expectedCells = step ? "X" : ".";
    t.observedCells = step ? "t" : "c";
    t.cells = 1, t.passed = 1, t.probes = 1, t.rounds = 1;
    p.states.push_back(t);
  }
  res.cases.push_back(p);
  return res;
}

TEST(ReportsResultsModel, ReadsTheFixture) {
  Results r = fixture();
  EXPECT_EQ(r.kind, "fuzz");
  EXPECT_EQ(r.seed, 42u);
  ASSERT_EQ(r.profile.size(), 4u);
  EXPECT_EQ(r.profile[0].first, "ipblock-matches-pod-ips");  // document order is kept
  EXPECT_EQ(r.totals.discrepancies, 3u);
  ASSERT_EQ(r.cases.size(), 3u);
  const CaseRecord& a = r.cases[0];
  EXPECT_EQ(a.seed, std::optional<uint64_t>(42));
  EXPECT_FALSE(r.cases[1].seed);
  EXPECT_EQ(r.cases[1].source, "cases/create-policy.yaml");
  ASSERT_EQ(a.states.size(), 1u);
  EXPECT_EQ(a.states[0].blocks.size(), 2u);
  EXPECT_EQ(a.states[0].expectedCells.size(), 13u);
  ASSERT_EQ(a.cellsNotPassing.size(), 4u);
  EXPECT_EQ(a.cellsNotPassing[1].target(), "svc/y/web:80/TCP");
  EXPECT_EQ(a.cellsNotPassing[3].observed[0].detail, "connect: Network is unreachable");
}

TEST(ReportsResultsModel, RenderJsonGivesTheCanonicalDocumentBack) {
  std::string text = readFile(kFixture);
  ResultsLoad r = parseResults(text, kFixture);
  ASSERT_TRUE(r.results) << toString(r.error);
  EXPECT_EQ(renderJson(*r.results), text);
}

TEST(ReportsResultsModel, FixtureMatchesTheSchema) {
  auto problems = schemaProblems(readFile(kFixture));
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(ReportsResultsModel, CampaignWriterOutputReadsBackWithTheSameTotals) {
  runner::SessionResult res = handMadeCampaign();
  RunInfo info;
  info.kind = "fuzz";
  info.seed = 7;
  info.faults = {"ENDPORT_IGNORED"};
  info.started = "2026-11-28T10:00:00Z";
  info.command = "netpolfuzz fuzz --seed 7";
  std::string written = renderJson(runner::toResults(res, info, {"failures/hand-0001.yaml", ""}));
  ResultsLoad r = parseResults(written, "results.json");
  ASSERT_TRUE(r.results) << toString(r.error) << "\n" << written;
  const Results& m = *r.results;
  EXPECT_EQ(m.totals.cases, res.cases.size());
  EXPECT_EQ(m.totals.failingCases, res.failingCases());
  EXPECT_EQ(m.totals.cells, res.cells());
  EXPECT_EQ(m.totals.probes, res.probes());
  EXPECT_EQ(m.totals.discrepancies, res.discrepancies());
  EXPECT_EQ(m.totals.flaky, res.flaky());
  EXPECT_EQ(m.totals.errors, res.errors());
  ASSERT_EQ(m.cases.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(m.cases[i].name, res.cases[i].name);
    EXPECT_EQ(m.cases[i].discrepancies, res.cases[i].discrepancies());
    EXPECT_EQ(m.cases[i].states.size(), res.cases[i].states.size());
  }
  EXPECT_EQ(m.cases[0].file, "failures/hand-0001.yaml");
  EXPECT_EQ(m.cases[1].source, "corpus/conformance/actions/two-states.yaml");
  EXPECT_EQ(m.cases[0].cellsNotPassing.size(), 4u);
  EXPECT_EQ(m.cases[0].cellsNotPassing[3].expected, "skip");
  EXPECT_EQ(m.cases[0].cellsNotPassing[0].observed[1].sourcePort, 33013u);
  // The reader and the writer agree byte for byte, and the writer's output fits the schema.
  EXPECT_EQ(renderJson(m), written);
  auto problems = schemaProblems(written);
  EXPECT_TRUE(problems.empty()) << problems.front() << "\n" << written;
  // And the grid finds every recorded cell in the matrix.
  StateGrid g = buildGrid(m.cases[0], m.cases[0].states[0]);
  ASSERT_EQ(g.status.size(), 4u);
  EXPECT_EQ(g.status[0], Status::Fail);
  EXPECT_EQ(g.status[1], Status::Fail);
  EXPECT_EQ(g.status[2], Status::Flaky);
  EXPECT_EQ(g.status[3], Status::Error);
  EXPECT_EQ(g.record, (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(ReportsResultsModel, SchemaRejectsWhatTheWriterNeverWrites) {
  json doc = json::parse(readFile(kFixture));
  doc["cases"][0]["states"][0]["expectedCells"] = "..Z";
  doc["cases"][0]["cellsNotPassing"][0]["status"] = "maybe";
  doc["totals"].erase("cells");
  doc["extra"] = 1;
  auto problems = schemaProblems(doc.dump());
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  for (const char* p : {"/cases/0/states/0/expectedCells", "/cases/0/cellsNotPassing/0/status",
                        "missing cells", "/extra"})
    EXPECT_NE(all.find(p), std::string::npos) << p << "\n" << all;
}

struct BadInput {
  const char* text;
  const char* error;  // expected "file:line:col: message" (a prefix of it)
};

TEST(ReportsResultsModel, BadInputIsOneLineWithLineAndColumn) {
  const BadInput cases[] = {
      {"", "r.json:1:1: invalid JSON: syntax error while parsing value"},
      {"{\n  \"schema\": \"netpolfuzz.results/v1\",\n  \"totals\": {,}\n}",
       "r.json:3:14: invalid JSON: syntax error"},
      {"[1, 2]", "r.json:1:1: expected an object"},
      {"{\"schema\": \"netpolfuzz.results/v2\", \"totals\": {}, \"cases\": []}",
       "r.json:1:12: schema: unsupported schema \"netpolfuzz.results/v2\""},
      {"{\"schema\": \"netpolfuzz.results/v1\", \"cases\": []}",
       "r.json:1:1: missing key \"totals\""},
      {"{\"schema\": \"netpolfuzz.results/v1\",\n \"totals\": {\"cases\": -1}, \"cases\": []}",
       "r.json:2:22: totals.cases: expected a non-negative integer"},
      {"{\"schema\": \"netpolfuzz.results/v1\", \"totals\": {\"seconds\": 1}, \"seconds\": \"1\", "
       "\"cases\": []}",
       "r.json:1:74: seconds: expected a number"},
      {"{\"schema\": \"netpolfuzz.results/v1\", \"totals\": {}, \"cases\": [\n  {\"name\": \"a\", "
       "\"states\": [\n"
       "    {\"step\": 0, \"blocks\": [{\"from\": [\"x/a\"], \"to\": [\"x/b:80/TCP\", "
       "\"x/c:80/TCP\"]}],\n"
       "     \"expectedCells\": \".\", \"observedCells\": \"cc\"}]}]}",
       "r.json:4:23: cases[0].states[0].expectedCells: 1 cells, but the blocks have 2"},
      {"{\"schema\": \"netpolfuzz.results/v1\", \"totals\": {}, \"cases\": [{\"name\": \"a\", "
       "\"states\": [{\"step\": 0,"
       " \"blocks\": [{\"from\": [\"x/a\"], \"to\": [\"x/b:80/TCP\"]}], \"expectedCells\": \".\", "
       "\"observedCells\": \"\\u001b\"}]}]}",
       "r.json:1:190: cases[0].states[0].observedCells: unexpected byte 0x1b at cell 0"},
      {"{\"schema\": \"netpolfuzz.results/v1\", \"totals\": {}, \"cases\": [{\"name\": \"a\", "
       "\"states\": [{\"step\": 0,"
       " \"blocks\": [{\"from\": [\"x/a\"], \"to\": [\"x/b\"]}]}]}]}",
       "r.json:1:134: cases[0].states[0].blocks[0].to[0]: expected ENDPOINT:PORT/PROTOCOL"},
      {"{\"schema\": \"netpolfuzz.results/v1\", \"totals\": {}, \"cases\": [{\"name\": \"a\", "
       "\"states\": [], "
       "\"cellsNotPassing\": [{\"step\": 0, \"status\": \"fail\", \"from\": \"x/a\", \"to\": "
       "\"x/b\", \"port\": 70000,"
       " \"protocol\": \"TCP\", \"expected\": \"allow\"}]}]}",
       "r.json:1:175: cases[0].cellsNotPassing[0].port: expected a port number 0..65535"},
      {"{\"schema\": \"netpolfuzz.results/v1\", \"totals\": {}, \"seconds\": 1e999, \"cases\": []}",
       "r.json:1:"},  // out of range: either the parser or the reader says so
  };
  for (const BadInput& b : cases) {
    ResultsLoad r = parseResults(b.text, "r.json");
    ASSERT_FALSE(r.results) << b.text;
    std::string got = toString(r.error);
    EXPECT_EQ(got.rfind(b.error, 0), 0u)
        << "input: " << b.text << "\n got: " << got << "\nwant: " << b.error;
    EXPECT_EQ(got.find('\n'), std::string::npos) << got;
  }
}

TEST(ReportsResultsModel, ShardsMinimizedAndMergedPartsRoundTripAndFitTheSchema) {
  Results r = fixture();
  r.shardIndex = 2, r.shardCount = 4;
  r.plannedCases = 25, r.plannedSeconds = 600;
  r.finished = false;
  r.minimized = {{"expected allow, observed timeout", "minimized/abc.yaml", "small-s42-0001",
                  "1 policy, 2 pods", 3}};
  r.mergedFrom = {{"out/s0/results.json", 0, 4, "2026-11-28T10:00:00Z", 1.5, 7, true, false, ""},
                  {"out/x/results.json", 0, 0, "", 0, 0, false, true, "setup failed"}};
  std::string text = renderJson(r);
  ResultsLoad back = parseResults(text, "r.json");
  ASSERT_TRUE(back.results) << toString(back.error);
  EXPECT_EQ(*back.results, r);
  auto problems = schemaProblems(text);
  EXPECT_TRUE(problems.empty()) << problems.front();
  // Files from writers before shards: not a shard, finished, nothing planned.
  Results old = fixture();
  json doc = json::parse(readFile(kFixture));
  doc.erase("planned"), doc.erase("finished");
  ResultsLoad o = parseResults(doc.dump(), "old.json");
  ASSERT_TRUE(o.results);
  EXPECT_FALSE(o.results->isShard());
  EXPECT_TRUE(o.results->finished);
  EXPECT_EQ(o.results->plannedCases, 0u);
}

TEST(ReportsResultsModel, ImpossibleShardsAreLocatedErrors) {
  struct Bad {
    const char* shard;
    const char* message;
  };
  for (const Bad& b :
       {Bad{R"({"index": 4, "count": 4})", "shard.index: shard index 4 is not below"},
        Bad{R"({"index": 0, "count": 0})", "shard.count: a shard count is at least 1"},
        Bad{R"({"index": 0})", "shard: missing key \"count\""},
        Bad{R"("1/4")", "shard: expected an object"}}) {
    SCOPED_TRACE(b.shard);
    std::string text = readFile(kFixture);
    auto at = text.find("  \"planned\"");
    ASSERT_NE(at, std::string::npos);
    text.insert(at, std::string("  \"shard\": ") + b.shard + ",\n");
    ResultsLoad r = parseResults(text, "r.json");
    ASSERT_FALSE(r.results);
    EXPECT_NE(toString(r.error).find(b.message), std::string::npos) << toString(r.error);
    EXPECT_EQ(toString(r.error).rfind("r.json:22:", 0), 0u) << toString(r.error);
  }
}

TEST(ReportsResultsModel, AcceptsFilesFromWritersWithoutMatrices) {
  // Before blocks and cell strings were recorded, a state had only its counts.
  ResultsLoad r =
      parseResults(R"({"schema": "netpolfuzz.results/v1", "totals": {"cases": 1}, "cases": [
    {"name": "old", "states": [{"step": 0, "cells": 3, "passed": 3}], "cellsNotPassing": []}]})",
                   "old.json");
  ASSERT_TRUE(r.results) << toString(r.error);
  EXPECT_FALSE(r.results->cases[0].states[0].hasMatrix());
  EXPECT_TRUE(buildGrid(r.results->cases[0], r.results->cases[0].states[0]).tables.empty());
}

TEST(ReportsResultsModel, GridTablesArePerPortWithRowsAndColumnsInOrder) {
  Results r = fixture();
  StateGrid g = buildGrid(r.cases[0], r.cases[0].states[0]);
  ASSERT_EQ(g.tables.size(), 3u);
  EXPECT_EQ(g.tables[0].portProtocol, "53/UDP");
  EXPECT_EQ(g.tables[1].portProtocol, "80/TCP");
  EXPECT_EQ(g.tables[2].portProtocol, "8081/TCP");
  EXPECT_EQ(g.tables[1].rows, (std::vector<std::string>{"x/a", "x/b", "node/node-1"}));
  EXPECT_EQ(g.tables[1].columns, (std::vector<std::string>{"x/a", "x/b", "svc/y/web"}));
  EXPECT_EQ(g.tables[1].at(1, 2), 7);  // x/b -> svc/y/web:80/TCP is cell 7
  EXPECT_EQ(g.status[7], Status::Fail);
  EXPECT_EQ(g.status[9], Status::Flaky);
  EXPECT_EQ(g.status[10], Status::Error);
  EXPECT_EQ(g.status[0], Status::Undefined);
  EXPECT_EQ(g.status[12], Status::Skipped);
  EXPECT_EQ(endpointNamespace("svc/y/web"), "y");
  EXPECT_EQ(endpointNamespace("x/a"), "x");
  EXPECT_EQ(endpointNamespace("node/node-1"), "");
  EXPECT_EQ(endpointNamespace("ip/192.0.2.1"), "");
}

TEST(ReportsResultsModel, SignaturesGroupDiscrepanciesAcrossCases) {
  Results r = fixture();
  CaseRecord copy = r.cases[0];
  copy.name = "small-s42-0011";
  r.cases.push_back(copy);
  auto groups = groupSignatures(r);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].cells, 2u);
  EXPECT_EQ(groups[0].cases, (std::vector<size_t>{0, 3}));
  auto tags = tagGroups(r);
  ASSERT_EQ(tags.size(), 3u);
  EXPECT_EQ(tags[0].title, "bug class");
  EXPECT_EQ(tags[0].tags[0].tag, "ENDPORT_IGNORED");
  EXPECT_EQ(tags[0].tags[0].cases, 2u);
  EXPECT_EQ(tags[0].tags[0].failed, 2u);
}

}  // namespace
}  // namespace npf::results

namespace npf::results {
namespace {

TEST(ReportsResultsModel, LongRunsOfEqualAttemptsCollapse) {
  CellRecord c;
  EXPECT_EQ(attemptsText(c, true), "nothing");
  c.observed = {{"timeout", 200, ""}, {"timeout", 500, ""}, {"connected", 1, ""}};
  EXPECT_EQ(attemptsText(c, true), "timeout 200 ms, timeout 500 ms, connected 1.0 ms");
  c.observed.assign(12, {"error", 0.25, "Operation not permitted"});
  c.observed[3].latencyMs = 3;
  EXPECT_EQ(attemptsText(c, true), "error (Operation not permitted) ×12, 0.2 ms – 3.0 ms");
  EXPECT_EQ(attemptsText(c, false), "error ×12, 0.2 ms – 3.0 ms");
}

}  // namespace
}  // namespace npf::results
