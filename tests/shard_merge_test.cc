// Sharded campaigns without a dataplane: shards partition a run's cases; merging the shards'
// results gives the whole run's; `diff` classifies signatures; the findings database is
// idempotent and order-independent. (The CLI end to end: cli_shard_test.cc; on real
// namespaces: runner_shard_test.cc.)
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "model/case_file.h"
#include "reports/campaign_summary.h"
#include "reports/findings_db.h"
#include "reports/results_diff.h"
#include "reports/results_merge.h"
#include "reports/results_render.h"
#include "runner/session.h"
#include "runner/shard.h"

namespace npf {
namespace {

using results::CaseRecord;
using results::CellRecord;
using results::MergeInput;
using results::Results;
using runner::Shard;

// --- Shards -------------------------------------------------------------------------------

struct ShardText {
  const char* text;
  bool ok;
  uint64_t index, count;
  const char* error;  // part of the message
};

TEST(Shard, ParsesIOverN) {
  const ShardText table[] = {
      {"0/1", true, 0, 1, ""},
      {"0/4", true, 0, 4, ""},
      {"3/4", true, 3, 4, ""},
      {"4/4", false, 0, 0, "I counts from 0 to N-1 (3)"},
      {"1/0", false, 0, 0, "at least 1"},
      {"", false, 0, 0, "is not I/N"},
      {"1", false, 0, 0, "is not I/N"},
      {"/4", false, 0, 0, "is not I/N"},
      {"1/", false, 0, 0, "is not I/N"},
      {"-1/4", false, 0, 0, "is not I/N"},
      {"1/4/2", false, 0, 0, "is not I/N"},
      {" 1/4", false, 0, 0, "is not I/N"},
      {"1/99999999999999999999", false, 0, 0, "is not I/N"},
      {"$(JOB_COMPLETION_INDEX)/4", false, 0, 0, "is not I/N"},
  };
  for (const auto& t : table) {
    SCOPED_TRACE(t.text);
    std::string error;
    auto s = runner::parseShard(t.text, error);
    ASSERT_EQ(s.has_value(), t.ok) << error;
    if (t.ok) {
      EXPECT_EQ(s->index, t.index);
      EXPECT_EQ(s->count, t.count);
      EXPECT_EQ(s->toString(), t.text);
    } else {
      EXPECT_NE(error.find(t.error), std::string::npos) << error;
    }
  }
}

RC_GTEST_PROP(ShardProperty, ShardsPartitionTheRunsPositions, ()) {
  const uint64_t count = *rc::gen::inRange<uint64_t>(1, 12);
  const uint64_t total = *rc::gen::inRange<uint64_t>(0, 60);
  std::vector<int> owners(total, 0);
  uint64_t sum = 0;
  for (uint64_t i = 0; i < count; ++i) {
    Shard s{i, count};
    uint64_t mine = 0;
    for (uint64_t p = 0; p < total; ++p)
      if (s.has(p)) ++owners[p], ++mine;
    RC_ASSERT(s.casesOf(total) == mine);
    sum += mine;
  }
  RC_ASSERT(sum == total);
  for (int o : owners) RC_ASSERT(o == 1);
}

TEST(Shard, GeneratedShardsGiveExactlyTheRunsCasesUnderTheSameNames) {
  const uint64_t seed = 11, first = 5;
  const size_t cases = 7;
  std::map<uint64_t, std::string> whole;
  runner::GeneratedCases all(seed, first, cases, ClusterSize::Small, {});
  while (auto c = all.next()) whole[c->index] = encodeCase(c->kase);
  ASSERT_EQ(whole.size(), cases);
  std::map<uint64_t, std::string> joined;
  for (uint64_t i = 0; i < 3; ++i) {
    runner::GeneratedCases part(seed, first, cases, ClusterSize::Small, {}, Shard{i, 3});
    size_t n = 0;
    while (auto c = part.next()) {
      EXPECT_EQ((c->index - first) % 3, i);
      EXPECT_TRUE(joined.emplace(c->index, encodeCase(c->kase)).second);
      ++n;
    }
    EXPECT_EQ(n, part.count());
  }
  EXPECT_EQ(joined, whole);  // same indexes, same cases, same names
}

TEST(Shard, ListedShardsKeepTheirPositionsAsIndexes) {
  std::vector<runner::SessionCase> list(5);
  for (size_t i = 0; i < list.size(); ++i) list[i].kase.meta.name = "c" + std::to_string(i);
  runner::ListedCases part(list, Shard{1, 2});
  EXPECT_EQ(part.count(), 2u);
  auto a = part.next(), b = part.next();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->index, 1u);
  EXPECT_EQ(a->kase.meta.name, "c1");
  EXPECT_EQ(b->index, 3u);
  EXPECT_FALSE(part.next());
}

// --- Merge --------------------------------------------------------------------------------

CellRecord failCell(const std::string& signature, uint64_t step = 0) {
  CellRecord c;
  c.step = step;
  c.status = "fail";
  c.from = "x/a";
  c.to = "y/b";
  c.port = 80;
  c.protocol = "TCP";
  c.expected = "allow";
  c.observed = {{"timeout", 200, "", 0}, {"timeout", 1000, "", 0}};
  c.signature = signature;
  return c;
}

// A run of `n` cases; case i fails with signature "sig-(i % 3)" when i % 4 == 0, and its
// first failing case of each signature was minimized to (i + 1) objects.
Results wholeRun(uint64_t n) {
  Results r;
  r.command = "netpolfuzz fuzz --backend local --seed 9 --size small --cases " + std::to_string(n);
  r.kind = "fuzz";
  r.backend = "local";
  r.enforcer = "nftables";
  r.seed = 9;
  r.started = "2026-12-01T00:00:00Z";
  r.plannedCases = n;
  std::set<std::string> minimized;
  for (uint64_t i = 0; i < n; ++i) {
    CaseRecord c;
    c.name = fmt::format("small-s9-{:04}", i);
    c.index = i;
    c.seed = 9;
    c.tags = {i % 2 ? "peer:pod-selector" : "peer:ip-block"};
    c.cells = 10, c.probes = 12;
    if (i % 4 == 0) {
      std::string sig = "sig-" + std::to_string(i % 3);
      c.cellsNotPassing = {failCell(sig), failCell(sig, 1)};
      c.discrepancies = 2;
      c.file = "failures/" + c.name + ".yaml";
      if (minimized.insert(sig).second)
        r.minimized.push_back({sig, fmt::format("minimized/m{}.yaml", i), c.name, "", i + 1});
    }
    r.totals.cases += 1;
    r.totals.cells += c.cells;
    r.totals.probes += c.probes;
    r.totals.discrepancies += c.discrepancies;
    r.totals.failingCases += c.failed();
    r.cases.push_back(c);
  }
  return r;
}

// The whole run cut into shards as `fuzz --shard` would have written them.
std::vector<MergeInput> shardsOf(const Results& whole, uint64_t count) {
  std::vector<MergeInput> out;
  for (uint64_t i = 0; i < count; ++i) {
    Results s = whole;
    s.command += " --shard " + std::to_string(i) + "/" + std::to_string(count);
    s.shardIndex = i, s.shardCount = count;
    s.cases.clear(), s.minimized.clear();
    s.totals = {};
    s.seconds = 1;
    s.plannedCases = Shard{i, count}.casesOf(whole.cases.size());
    for (const auto& c : whole.cases)
      if (c.index % count == i) {
        s.cases.push_back(c);
        s.totals.cases += 1, s.totals.cells += c.cells, s.totals.probes += c.probes;
        s.totals.discrepancies += c.discrepancies, s.totals.failingCases += c.failed();
      }
    // Each shard minimized its own first case of each signature it saw.
    std::set<std::string> seen;
    for (const auto& c : s.cases)
      for (const auto& cell : c.cellsNotPassing)
        if (seen.insert(cell.signature).second)
          s.minimized.push_back({cell.signature, fmt::format("minimized/m{}.yaml", c.index), c.name,
                                 "", c.index + 1});
    out.push_back({"shard-" + std::to_string(i) + "/results.json", s});
  }
  return out;
}

RC_GTEST_PROP(MergeProperty, MergedShardsAreTheWholeRunInAnyOrder, ()) {
  const uint64_t n = *rc::gen::inRange<uint64_t>(0, 30);
  const uint64_t count = *rc::gen::inRange<uint64_t>(1, 6);
  const Results whole = wholeRun(n);
  auto inputs = shardsOf(whole, count);
  const auto order =
      *rc::gen::unique<std::vector<size_t>>(count, rc::gen::inRange<size_t>(0, count));
  std::vector<MergeInput> shuffled;
  for (size_t i : order) shuffled.push_back(inputs[i]);
  auto m = results::mergeResults(shuffled);
  RC_ASSERT(m.errors.empty());
  RC_ASSERT(m.warnings.empty());
  RC_ASSERT(m.merged.cases == whole.cases);
  RC_ASSERT(m.merged.command == whole.command);
  RC_ASSERT(!m.merged.isShard());
  RC_ASSERT(m.merged.plannedCases == n);
  RC_ASSERT(m.merged.totals.cases == whole.totals.cases);
  RC_ASSERT(m.merged.totals.discrepancies == whole.totals.discrepancies);
  RC_ASSERT(m.merged.totals.failingCases == whole.totals.failingCases);
  RC_ASSERT(m.merged.mergedFrom.size() == count);
  // One reproduction per signature, and the smallest: the whole run's first case of it (the
  // shards' later ones are bigger by construction).
  std::map<std::string, uint64_t> smallest;
  for (const auto& in : inputs)
    for (const auto& r : in.results.minimized)
      if (!smallest.count(r.signature) || r.objects < smallest[r.signature])
        smallest[r.signature] = r.objects;
  RC_ASSERT(m.merged.minimized.size() == smallest.size());
  for (const auto& r : m.merged.minimized) RC_ASSERT(r.objects == smallest[r.signature]);
}

TEST(Merge, RefusesRunsThatAreNotPartsOfOne) {
  const Results whole = wholeRun(8);
  struct Bad {
    const char* what;
    std::function<void(Results&)> change;
    const char* message;
  };
  const Bad table[] = {
      {"seed", [](Results& r) { r.seed = 10; }, "the seed differs"},
      {"backend", [](Results& r) { r.backend = "kind"; }, "the backend differs"},
      {"enforcer", [](Results& r) { r.enforcer = "kube-router v2.1.0"; }, "the enforcer differs"},
      {"faults", [](Results& r) { r.faults = {"ENDPORT_IGNORED"}; }, "the injected faults differ"},
      {"profile",
       [](Results& r) {
         r.profile = {{"loopback", "policy"}};
       },
       "the profile differs"},
      {"kind", [](Results& r) { r.kind = "conformance"; }, "the kind of run differs"},
      {"command", [](Results& r) { r.command += " --cases 9"; }, "the command"},
      {"shard count", [](Results& r) { r.shardCount = 3; }, "sharding differs"},
  };
  for (const Bad& b : table) {
    SCOPED_TRACE(b.what);
    auto inputs = shardsOf(whole, 2);
    b.change(inputs[1].results);
    auto m = results::mergeResults(inputs);
    ASSERT_FALSE(m.errors.empty());
    EXPECT_NE(m.errors.front().find(b.message), std::string::npos) << m.errors.front();
    EXPECT_NE(m.errors.front().find("shard-1/results.json"), std::string::npos);
  }
  // A shard twice, and a case in two inputs.
  auto inputs = shardsOf(whole, 2);
  inputs.push_back(inputs[0]);
  inputs.back().source = "copy/results.json";
  auto m = results::mergeResults(inputs);
  ASSERT_FALSE(m.errors.empty());
  EXPECT_NE(m.errors.front().find("shard 0/2 is given twice"), std::string::npos);
  m = results::mergeResults({{"a/results.json", whole}, {"b/results.json", whole}});
  ASSERT_FALSE(m.errors.empty());
  EXPECT_NE(m.errors.front().find("is in more than one input"), std::string::npos);
  EXPECT_FALSE(results::mergeResults({}).errors.empty());
}

TEST(Merge, WarnsAboutMissingAndUnfinishedShards) {
  auto inputs = shardsOf(wholeRun(12), 4);
  inputs.erase(inputs.begin() + 2);
  inputs[0].results.finished = false;
  auto m = results::mergeResults(inputs);
  ASSERT_TRUE(m.errors.empty());
  ASSERT_EQ(m.warnings.size(), 2u);
  EXPECT_EQ(m.warnings[0], "incomplete: shard 2 of 4 missing");
  EXPECT_NE(m.warnings[1].find("shard-0/results.json is still running"), std::string::npos);
  EXPECT_FALSE(m.merged.finished);
  EXPECT_EQ(m.merged.cases.size(), 9u);
}

TEST(Merge, SummaryAndMarkdownNameTheShards) {
  auto inputs = shardsOf(wholeRun(8), 2);
  inputs[1].results.backendError = "setup | failed";
  auto m = results::mergeResults(inputs);
  ASSERT_TRUE(m.errors.empty());
  std::string summary = renderCampaignSummary(m.merged, "");
  EXPECT_NE(summary.find("merged from 2 runs"), std::string::npos) << summary;
  EXPECT_NE(renderCampaignSummary(inputs[0].results, "").find("shard 0/2: the cases at"),
            std::string::npos);
  std::string md = results::renderMarkdown(m.merged);
  EXPECT_NE(md.find("| `shard-0/results.json` | 0/2 | 4 | 1.0 | finished |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("backend failure: setup \\| failed"), std::string::npos) << md;
}

TEST(Merge, UnshardedCommandTakesOnlyATrailingShardOff) {
  EXPECT_EQ(results::unshardedCommand("netpolfuzz fuzz --seed 1 --shard 2/4"),
            "netpolfuzz fuzz --seed 1");
  EXPECT_EQ(results::unshardedCommand("netpolfuzz fuzz --seed 1"), "netpolfuzz fuzz --seed 1");
  EXPECT_EQ(results::unshardedCommand("netpolfuzz fuzz --shard 2/4 --seed 1"),
            "netpolfuzz fuzz --shard 2/4 --seed 1");
}

// --- Diff ---------------------------------------------------------------------------------

Results runWith(const std::vector<std::pair<std::string, std::vector<std::string>>>& cases) {
  Results r;
  r.seed = 1;
  uint64_t i = 0;
  for (const auto& [name, signatures] : cases) {
    CaseRecord c;
    c.name = name;
    c.index = i++;
    c.tags = {"family:peers", name.substr(0, 1) == "p" ? "port:named" : "peer:ip-block"};
    for (const auto& s : signatures) c.cellsNotPassing.push_back(failCell(s));
    c.discrepancies = signatures.size();
    if (!signatures.empty()) c.file = "failures/" + name + ".yaml";
    r.totals.cases++, r.totals.discrepancies += c.discrepancies,
        r.totals.failingCases += c.failed();
    r.cases.push_back(c);
  }
  return r;
}

std::vector<std::string> names(const std::vector<results::SignatureSeen>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(s.signature);
  return out;
}

TEST(Diff, ClassifiesSignaturesAndMovedPassRates) {
  Results old = runWith({{"a", {"gone", "kept"}}, {"b", {}}, {"p1", {}}});
  Results now = runWith({{"a", {"kept", "kept"}}, {"b", {"new|pipe"}}, {"p1", {}}});
  now.minimized.push_back({"kept", "minimized/k.yaml", "a", "", 3});
  auto d = results::diffRuns(old, now);
  EXPECT_TRUE(d.sameCases);
  EXPECT_EQ(names(d.added), std::vector<std::string>{"new|pipe"});
  EXPECT_EQ(names(d.gone), std::vector<std::string>{"gone"});
  ASSERT_EQ(d.persisting.size(), 1u);
  EXPECT_EQ(d.persisting[0].second.cells, 2u);
  EXPECT_EQ(d.persisting[0].second.file, "minimized/k.yaml");  // the minimized case wins
  EXPECT_EQ(d.persisting[0].first.file, "failures/a.yaml");
  EXPECT_TRUE(d.hasNew());
  // peer:ip-block went from 1 of 2 cases passing to 0 of 2; family:peers 2/3 -> 1/3;
  // port:named did not move.
  ASSERT_EQ(d.moved.size(), 2u);
  EXPECT_EQ(d.moved[0].tag, "peer:ip-block");
  EXPECT_EQ(d.moved[1].tag, "family:peers");

  std::string text = results::renderDiffText(d, "old", "new");
  EXPECT_NE(text.find("fixed signatures"), std::string::npos);
  EXPECT_NE(text.find("NEW DISCREPANCIES: 1 new, 1 fixed, 1 persisting"), std::string::npos);
  std::string md = results::renderDiffMarkdown(d, "old", "new");
  EXPECT_NE(md.find("new\\|pipe"), std::string::npos) << md;  // a | never splits a table cell
  EXPECT_EQ(md.find("new|pipe"), std::string::npos);
  auto json = nlohmann::json::parse(results::renderDiffJson(d, "old", "new"));
  EXPECT_EQ(json["newSignatures"][0]["signature"], "new|pipe");
  EXPECT_EQ(json["goneSignatures"][0]["signature"], "gone");
  EXPECT_EQ(json["sameCases"], true);
}

TEST(Diff, OtherCasesMeanNotSeenRatherThanFixed) {
  Results old = runWith({{"a", {"s"}}});
  Results now = runWith({{"b", {}}});
  auto d = results::diffRuns(old, now);
  EXPECT_FALSE(d.sameCases);
  EXPECT_FALSE(d.hasNew());
  std::string text = results::renderDiffText(d, "old", "new");
  EXPECT_NE(text.find("not proof of a fix"), std::string::npos);
  EXPECT_NE(text.find("1 not seen"), std::string::npos);
  std::string same = results::renderDiffText(results::diffRuns(old, old), "o", "o");
  EXPECT_NE(same.find("no new discrepancies: 0 new, 0 fixed, 1 persisting"), std::string::npos)
      << same;
}

// --- Findings database --------------------------------------------------------------------

TEST(Findings, RecordRoundTripsAndRejectsATamperedId) {
  results::Finding f;
  f.signature = "expected allow, observed timeout · ingress";
  f.id = results::findingId(f.signature);
  EXPECT_EQ(f.id.size(), 12u);
  results::addSighting(f, {"r2", "2026-12-02T00:00:00Z", "cmd2", "local", "nftables", 3, 1, "c"});
  results::addSighting(f, {"r1", "2026-12-01T00:00:00Z", "cmd1", "local", "nftables", 2, 1, "c"});
  f.reproduction = results::Reproduction{true, 4, "00ff", "r1 (minimized/x.yaml)"};
  std::string text = results::renderFinding(f);
  auto back = results::parseFinding(text, "db/x.json");
  ASSERT_TRUE(back.finding) << toString(back.error);
  EXPECT_EQ(*back.finding, f);
  EXPECT_EQ(f.firstSeen(), "2026-12-01T00:00:00Z");
  EXPECT_EQ(f.lastSeen(), "2026-12-02T00:00:00Z");
  EXPECT_EQ(f.cells(), 5u);
  auto json = nlohmann::json::parse(text);
  EXPECT_EQ(json["runs"], 2);
  EXPECT_EQ(json["reproduction"]["file"], f.id + ".yaml");

  json["id"] = "000000000000";
  auto bad = results::parseFinding(json.dump(), "db/x.json");
  ASSERT_FALSE(bad.finding);
  EXPECT_NE(toString(bad.error).find("db/x.json:1:1: id 000000000000 is not the id"),
            std::string::npos)
      << toString(bad.error);
  auto huge = results::parseFinding("{\"schema\": 74e627}", "db/z.json");  // found by fuzzing
  ASSERT_FALSE(huge.finding);
  EXPECT_EQ(toString(huge.error).rfind("db/z.json:1:1: invalid JSON: number overflow", 0), 0u)
      << toString(huge.error);
  auto broken = results::parseFinding("{\n  \"schema\": ", "db/y.json");
  ASSERT_FALSE(broken.finding);
  EXPECT_EQ(toString(broken.error).rfind("db/y.json:2:", 0), 0u) << toString(broken.error);
  json.erase("seen");
  json["id"] = f.id;
  EXPECT_FALSE(results::parseFinding(json.dump(), "db/x.json").finding);
}

RC_GTEST_PROP(FindingsProperty, AddingSightingsIsIdempotentAndOrderIndependent, ()) {
  const auto runs = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 6));
  auto sighting = [](int r) {
    return results::Sighting{"run" + std::to_string(r),
                             fmt::format("2026-12-0{}T00:00:00Z", r + 1),
                             "cmd",
                             "local",
                             "",
                             uint64_t(r + 1),
                             1,
                             "c"};
  };
  auto rep = [](int r) {
    return results::Reproduction{r % 2 == 0, uint64_t(10 - r % 3), fmt::format("{:04}", r % 4),
                                 "run" + std::to_string(r)};
  };
  auto build = [&](const std::vector<int>& order) {
    results::Finding f;
    for (int r : order) {
      results::addSighting(f, sighting(r));
      if (!f.reproduction || rep(r).betterThan(*f.reproduction)) f.reproduction = rep(r);
    }
    return f;
  };
  std::vector<int> reversed(runs.rbegin(), runs.rend());
  std::vector<int> twice = runs;
  twice.insert(twice.end(), runs.begin(), runs.end());
  const auto f = build(runs);
  RC_ASSERT(build(reversed) == f);
  RC_ASSERT(build(twice) == f);
  RC_ASSERT(f.seen.size() == std::set<int>(runs.begin(), runs.end()).size());
}

}  // namespace
}  // namespace npf
