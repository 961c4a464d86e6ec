// `netpolfuzz findings`: the findings database (reports/findings_db.h), one record and one
// reproduction per discrepancy signature, kept across nights. `add` records runs into it
// (idempotent, in any order); `list` shows it.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/load.h"
#include "cli/report_files.h"
#include "model/content_hash.h"
#include "reports/findings_db.h"
#include "reports/results_grid.h"

namespace npf::cli {

namespace fs = std::filesystem;

namespace {

struct FindingsOptions {
  std::string db;
  std::vector<std::string> runs;
  std::string format = "text";
};

// Every record of the database, by id; false (problems printed) when one is unreadable: the
// database is then left alone rather than half rewritten.
bool loadDatabase(const std::string& db, std::map<std::string, results::Finding>& out) {
  std::error_code ec;
  if (!fs::exists(db, ec)) return true;  // a new database
  if (!fs::is_directory(db, ec)) {
    std::cerr << fmt::format("{}:0:0: not a directory\n", db);
    return false;
  }
  bool ok = true;
  for (fs::directory_iterator it(db, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".json") continue;
    std::string text, error;
    if (!readTextFile(it->path().string(), text, error)) {
      std::cerr << fmt::format("{}:0:0: cannot read: {}\n", it->path().string(), error);
      ok = false;
      continue;
    }
    auto l = results::parseFinding(text, it->path().string());
    if (!l.finding) {
      std::cerr << toString(l.error) << '\n';
      ok = false;
      continue;
    }
    if (it->path().stem().string() != l.finding->id) {
      std::cerr << fmt::format("{}:1:1: the record of {} must be named {}.json\n",
                               it->path().string(), l.finding->id, l.finding->id);
      ok = false;
      continue;
    }
    out[l.finding->id] = std::move(*l.finding);
  }
  if (ec) {
    std::cerr << fmt::format("{}:0:0: cannot list: {}\n", db, ec.message());
    return false;
  }
  return ok;
}

int runAdd(const FindingsOptions& o) {
  std::string error;
  auto files = resultsFilesIn(o.runs, error);
  if (!error.empty()) {
    std::cerr << error << '\n';
    return kExitBadInput;
  }
  std::vector<std::pair<std::string, results::Results>> runs;
  for (const auto& f : files) {
    LoadedResults l = loadResults(f);
    if (!l.results) {
      std::cerr << l.error << '\n';
      return kExitBadInput;
    }
    if (l.results->isShard()) {
      std::cerr << fmt::format(
          "netpolfuzz findings: {} is shard {}/{}: merge the shards first (netpolfuzz merge), "
          "so that a campaign counts as one run\n",
          f, l.results->shardIndex, l.results->shardCount);
      return kExitBadInput;
    }
    if (!l.results->finished)
      std::cerr << fmt::format("netpolfuzz findings: warning: {} is still running\n", f);
    runs.push_back({f, std::move(*l.results)});
  }
  std::map<std::string, results::Finding> db;
  if (!loadDatabase(o.db, db)) return kExitBadInput;
  const std::map<std::string, results::Finding> before = db;
  std::map<std::string, std::string> newCaseText;  // id -> the reproduction to write
  for (const auto& [file, run] : runs) {
    const fs::path dir = fs::path(file).parent_path();
    for (const auto& [signature, sighting] : results::sightingsOf(run)) {
      const std::string id = results::findingId(signature);
      results::Finding& f = db[id];
      f.id = id;
      f.signature = signature;
      results::addSighting(f, sighting);
      // The candidate reproduction: the run's minimized case, else its saved failing case.
      results::Reproduction rep;
      std::string rel;
      for (const auto& m : run.minimized)
        if (m.signature == signature) {
          rep.minimized = true;
          rep.size = m.objects;
          rel = m.file;
        }
      if (rel.empty())
        for (const auto& c : run.cases)
          if (c.name == sighting.exampleCase) rel = c.file;
      if (rel.empty()) continue;
      std::string text, why;
      const fs::path path = fs::path(rel).is_absolute() ? fs::path(rel) : dir / rel;
      if (!readTextFile(path.string(), text, why)) {
        std::cerr << fmt::format("netpolfuzz findings: warning: {}:0:0: cannot read: {}\n",
                                 path.string(), why);
        continue;
      }
      if (!rep.minimized) rep.size = text.size();
      rep.hash = fmt::format("{:016x}", fnv1a64(text));
      rep.from = fmt::format("{} ({})", sighting.run, rel);
      if (!f.reproduction || rep.betterThan(*f.reproduction)) {
        f.reproduction = rep;
        newCaseText[id] = text;
      }
    }
  }
  std::error_code ec;
  fs::create_directories(o.db, ec);
  if (ec) {
    std::cerr << fmt::format("{}:0:0: cannot create directory: {}\n", o.db, ec.message());
    return kExitInfrastructure;
  }
  size_t added = 0, updated = 0;
  for (const auto& [id, f] : db) {
    auto old = before.find(id);
    if (old != before.end() && old->second == f) continue;
    // The reproduction first: a record never names a file that is not there.
    if (auto t = newCaseText.find(id); t != newCaseText.end())
      if (!writeFileAtomic((fs::path(o.db) / (id + ".yaml")).string(), t->second)) {
        std::cerr << fmt::format("{}/{}.yaml:0:0: cannot write\n", o.db, id);
        return kExitInfrastructure;
      }
    if (!writeFileAtomic((fs::path(o.db) / (id + ".json")).string(), results::renderFinding(f))) {
      std::cerr << fmt::format("{}/{}.json:0:0: cannot write\n", o.db, id);
      return kExitInfrastructure;
    }
    (old == before.end() ? added : updated)++;
  }
  std::cout << fmt::format("{}: {} run{} added; {} new finding{}, {} updated, {} in all\n", o.db,
                           runs.size(), runs.size() == 1 ? "" : "s", added, added == 1 ? "" : "s",
                           updated, db.size());
  return kExitOk;
}

int runList(const FindingsOptions& o) {
  std::map<std::string, results::Finding> db;
  std::error_code ec;
  if (!fs::is_directory(o.db, ec)) {
    std::cerr << fmt::format("{}:0:0: no findings database here\n", o.db);
    return kExitBadInput;
  }
  if (!loadDatabase(o.db, db)) return kExitBadInput;
  std::vector<const results::Finding*> sorted;
  for (const auto& [id, f] : db) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return std::make_tuple(a->lastSeen(), a->cells()) > std::make_tuple(b->lastSeen(), b->cells());
  });
  if (o.format == "json") {
    std::string out = "[";
    for (size_t i = 0; i < sorted.size(); ++i) {
      std::string r = results::renderFinding(*sorted[i]);
      out += (i ? ",\n" : "\n") + r.substr(0, r.size() - 1);
    }
    std::cout << out << (sorted.empty() ? "]\n" : "\n]\n");
    return kExitOk;
  }
  std::cout << fmt::format("{:<12}  {:>4}  {:>6}  {:<10}  {:<10}  {}\n", "id", "runs", "cells",
                           "first", "last", "signature");
  for (const auto* f : sorted)
    std::cout << fmt::format("{:<12}  {:>4}  {:>6}  {:<10}  {:<10}  {}\n", f->id, f->seen.size(),
                             f->cells(), f->firstSeen().substr(0, 10), f->lastSeen().substr(0, 10),
                             results::terminalSafe(f->signature));
  std::cout << fmt::format("{} findings; reproductions: {}/ID.yaml (netpolfuzz replay)\n",
                           db.size(), o.db);
  return kExitOk;
}

}  // namespace

Command addFindingsCommand(CLI::App& app) {
  auto o = std::make_shared<FindingsOptions>();
  CLI::App* sub = app.add_subcommand(
      "findings",
      "The findings database: a directory with one record (ID.json: the signature, first and "
      "last seen, the runs and cells it was seen in) and one reproduction (ID.yaml: the smallest "
      "case seen, minimized ones first; replayable as is) per discrepancy signature, kept across "
      "nights. Adding a run is idempotent and order-independent: re-adding changes nothing, and "
      "the same runs in any order give the same files.");
  sub->require_subcommand(1);
  CLI::App* add = sub->add_subcommand(
      "add",
      "Record runs (results.json files or directories; a sharded campaign merged first) into "
      "the database, created if needed.\nExit: 0 recorded, 2 unreadable run or record, 3 cannot "
      "write.\nExample: netpolfuzz findings add findings-db out/nightly/merged");
  add->add_option("db", o->db, "The database directory")->required();
  add->add_option("runs", o->runs, "Runs to record")->required();
  CLI::App* list = sub->add_subcommand(
      "list", "List the findings, most recently seen first.\nExit: 0, 2 unreadable database.");
  list->add_option("db", o->db, "The database directory")->required();
  list->add_option("--format,-f", o->format, "text or json (every record)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  return {sub, [o, add] { return add->parsed() ? runAdd(*o) : runList(*o); }};
}

}  // namespace npf::cli
