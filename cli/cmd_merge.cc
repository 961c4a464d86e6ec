// `netpolfuzz merge`: the shards of one campaign (`fuzz --shard I/N`, `conformance --shard
// I/N`) joined into the output directory the whole run would have written: one results.json,
// the saved failing cases, one minimized reproduction per signature, and reports.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "cli/backend_options.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "cli/report_files.h"
#include "reports/campaign_summary.h"
#include "reports/results_merge.h"

namespace npf::cli {

namespace fs = std::filesystem;

namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out;
  std::vector<std::string> reports = {"html"};
  bool quiet = false;
};

// Copies IN_DIR/REL to OUT_DIR/REL. A file this merge already wrote there must be the same (the
// shards of one run never save two different cases under one name); one left by an earlier
// merge is replaced (a shard may have been run again since). Returns "" or the problem.
std::string copyInto(const fs::path& inDir, const std::string& rel, const fs::path& outDir,
                     std::map<std::string, std::string>& written) {
  std::string text, error;
  const fs::path from = inDir / rel, to = outDir / rel;
  if (!readTextFile(from.string(), text, error))
    return fmt::format("{}:0:0: cannot read: {}", from.string(), error);
  if (auto it = written.find(rel); it != written.end()) {
    if (it->second == text) return "";
    return fmt::format("{}:0:0: two inputs saved different files as {}", from.string(), rel);
  }
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (!writeFileAtomic(to.string(), text)) return fmt::format("{}:0:0: cannot write", to.string());
  written.emplace(rel, std::move(text));
  return "";
}

int runMerge(const MergeOptions& o) {
  std::string error;
  std::vector<std::string> files = resultsFilesIn(o.inputs, error);
  if (!error.empty()) {
    std::cerr << error << '\n';
    return kExitBadInput;
  }
  std::vector<results::MergeInput> inputs;
  std::error_code ec;
  for (const auto& f : files) {
    // A merge into a subdirectory of the shards' directory is found there the next time:
    // merging again must not take the last merge for a shard.
    if (fs::equivalent(fs::path(f).parent_path().empty() ? "." : fs::path(f).parent_path(), o.out,
                       ec)) {
      if (!o.quiet) std::cerr << fmt::format("netpolfuzz merge: skipping {} (the output)\n", f);
      continue;
    }
    LoadedResults l = loadResults(f);
    if (!l.results) {
      std::cerr << l.error << '\n';
      return kExitBadInput;
    }
    inputs.push_back({f, std::move(*l.results)});
  }
  // A previous merge beside the shards (DIR/merged next to DIR/shard-*) is not a shard.
  if (std::any_of(inputs.begin(), inputs.end(),
                  [](const results::MergeInput& in) { return in.results.isShard(); }))
    std::erase_if(inputs, [&](const results::MergeInput& in) {
      bool previousMerge = !in.results.isShard() && !in.results.mergedFrom.empty();
      if (previousMerge && !o.quiet)
        std::cerr << fmt::format("netpolfuzz merge: skipping {} (a previous merge)\n", in.source);
      return previousMerge;
    });
  if (inputs.empty()) {
    std::cerr << "netpolfuzz merge: no results to merge besides the output directory's\n";
    return kExitBadInput;
  }
  results::MergeOutcome m = results::mergeResults(inputs);
  if (!m.errors.empty()) {
    for (const auto& e : m.errors) std::cerr << "netpolfuzz merge: " << e << '\n';
    return kExitBadInput;
  }
  for (const auto& w : m.warnings) std::cerr << "netpolfuzz merge: warning: " << w << '\n';
  results::Results& merged = m.merged;

  fs::create_directories(o.out, ec);
  if (ec) {
    std::cerr << fmt::format("{}:0:0: cannot create directory: {}\n", o.out, ec.message());
    return kExitInfrastructure;
  }
  // Saved failing cases: each from the directory of the input that ran the case.
  std::map<std::string, fs::path> dirOfCase;
  for (const auto& in : inputs)
    for (const auto& c : in.results.cases) dirOfCase[c.name] = fs::path(in.source).parent_path();
  size_t copied = 0;
  std::map<std::string, std::string> written;  // relative path -> text, this merge's files
  for (auto& c : merged.cases) {
    if (c.file.empty()) continue;
    if (fs::path(c.file).is_absolute()) continue;  // already names where it is
    if (std::string e = copyInto(dirOfCase[c.name], c.file, o.out, written); !e.empty()) {
      std::cerr << "netpolfuzz merge: " << e << '\n';
      if (e.find("two inputs") != std::string::npos) return kExitBadInput;
      c.file.clear();  // unreadable: the merged results must not point at a missing file
      continue;
    }
    ++copied;
  }
  // The minimized reproduction kept per signature, from the input that made it.
  for (auto it = merged.minimized.begin(); it != merged.minimized.end();) {
    fs::path from;
    for (const auto& in : inputs)
      for (const auto& r : in.results.minimized)
        if (from.empty() && r == *it) from = fs::path(in.source).parent_path();
    if (std::string e = copyInto(from, it->file, o.out, written); !e.empty()) {
      std::cerr << "netpolfuzz merge: " << e << '\n';
      it = merged.minimized.erase(it);
      continue;
    }
    ++it;
  }
  const std::string resultsPath = (fs::path(o.out) / "results.json").string();
  if (!writeFileAtomic(resultsPath, results::renderJson(merged))) {
    std::cerr << fmt::format("{}:0:0: cannot write results\n", resultsPath);
    return kExitInfrastructure;
  }
  if (!o.quiet) {
    std::cout << fmt::format(
        "merged {} run{} ({} cases, {} saved failing cases, {} minimized reproductions)\n",
        inputs.size(), inputs.size() == 1 ? "" : "s", merged.cases.size(), copied,
        merged.minimized.size());
    if (merged.kind == "conformance") std::cout << renderTagTables(merged);
    std::cout << renderCampaignSummary(merged, o.out);
  }
  if (!writeRequestedReports(o.out, o.reports)) return kExitInfrastructure;
  if (!merged.backendError.empty()) return kExitInfrastructure;
  if (merged.totals.discrepancies > 0) return kExitDiscrepancies;
  return kExitOk;
}

}  // namespace

Command addMergeCommand(CLI::App& app) {
  auto o = std::make_shared<MergeOptions>();
  CLI::App* sub = app.add_subcommand(
      "merge",
      "Join the output directories of the shards of one campaign (`fuzz --shard I/N`, "
      "`conformance --shard I/N`) into the directory the whole run would have written: one "
      "results.json (cases in the run's order, totals added up, `mergedFrom` naming the "
      "shards), the saved failing cases, one minimized reproduction per discrepancy signature "
      "(the smallest any shard made), and reports. Refuses runs that are not parts of one (a "
      "different seed, backend, enforcer, profile, faults or command, a shard given twice); "
      "warns about missing or unfinished shards.\n"
      "Exit: 0 merged, no discrepancies; 1 merged, discrepancies; 2 bad input (unreadable or "
      "incompatible results); 3 cannot write, or a shard's backend failed.\n"
      "Examples:\n"
      "  netpolfuzz merge out/fuzz-s7-shard-*-of-4 --out out/fuzz-s7\n"
      "  netpolfuzz merge /results --out /results/merged   # /results/shard-0, /results/shard-1, "
      "...");
  sub->add_option("inputs", o->inputs,
                  "The shards' results: results.json files, directories holding one, or "
                  "directories whose subdirectories hold one each")
      ->required();
  sub->add_option("--out,-o", o->out, "The merged output directory")->required();
  addReportOption(*sub, o->reports);
  sub->add_flag("--quiet,-q", o->quiet, "Print nothing but problems");
  return {sub, [o] { return runMerge(*o); }};
}

}  // namespace npf::cli
