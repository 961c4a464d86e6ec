// `netpolfuzz diff OLD NEW`: what changed between two runs, e.g. last night's merged campaign
// and tonight's: new, gone and persisting discrepancy signatures and the pass rates per tag that
// moved. Exit 1 when NEW has a signature OLD did not, so that a nightly job fails on news only.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/load.h"
#include "cli/report_files.h"
#include "reports/results_diff.h"

namespace npf::cli {

namespace fs = std::filesystem;

namespace {

struct DiffOptions {
  std::string older, newer;
  std::string format = "text";
  std::string out;
};

// One run's results from a results.json or a directory holding one (a merged campaign).
std::optional<results::Results> loadRun(const std::string& arg) {
  std::string error;
  std::error_code ec;
  std::string file = arg;
  if (fs::is_directory(arg, ec)) {
    file = (fs::path(arg) / "results.json").string();
    if (!fs::exists(file, ec)) {
      std::cerr << fmt::format(
          "{}:0:0: no results.json here (merge a sharded campaign first: netpolfuzz merge)\n", arg);
      return std::nullopt;
    }
  }
  LoadedResults l = loadResults(file);
  if (!l.results) {
    std::cerr << l.error << '\n';
    return std::nullopt;
  }
  if (l.results->isShard())
    std::cerr << fmt::format(
        "netpolfuzz diff: warning: {} is shard {}/{} of a campaign, not the whole of it\n", file,
        l.results->shardIndex, l.results->shardCount);
  return std::move(l.results);
}

int runDiff(const DiffOptions& o) {
  auto older = loadRun(o.older);
  if (!older) return kExitBadInput;
  auto newer = loadRun(o.newer);
  if (!newer) return kExitBadInput;
  results::RunDiff d = results::diffRuns(*older, *newer);
  std::string text = o.format == "json"       ? results::renderDiffJson(d, o.older, o.newer)
                     : o.format == "markdown" ? results::renderDiffMarkdown(d, o.older, o.newer)
                                              : results::renderDiffText(d, o.older, o.newer);
  if (o.out.empty()) {
    std::cout << text << std::flush;
  } else if (!writeFileAtomic(o.out, text)) {
    std::cerr << fmt::format("{}:0:0: cannot write\n", o.out);
    return kExitInfrastructure;
  }
  return d.hasNew() ? kExitDiscrepancies : kExitOk;
}

}  // namespace

Command addDiffCommand(CLI::App& app) {
  auto o = std::make_shared<DiffOptions>();
  CLI::App* sub = app.add_subcommand(
      "diff",
      "Compare two runs (e.g. last night's campaign and tonight's): the discrepancy signatures "
      "that are new in NEW, gone from it (\"fixed\" when both ran the same cases, else only "
      "\"not seen\"), and persisting, each with its cell and case counts and a reproduction; and "
      "the pass rates per tag (bug class, family, API feature) that moved.\n"
      "Exit: 0 no new signature, 1 new signatures, 2 unreadable input, 3 cannot write --out.\n"
      "Examples:\n"
      "  netpolfuzz diff last-night/ tonight/\n"
      "  netpolfuzz diff old/results.json new/results.json --format markdown > comment.md");
  sub->add_option("old", o->older, "The earlier run: results.json or a directory holding one")
      ->required();
  sub->add_option("new", o->newer, "The later run: results.json or a directory holding one")
      ->required();
  sub->add_option("--format,-f", o->format,
                  "text (terminal), markdown (a pull-request or issue comment), json")
      ->check(CLI::IsMember({"text", "markdown", "json"}))
      ->capture_default_str();
  sub->add_option("--out,-o", o->out, "Write to FILE instead of standard output");
  return {sub, [o] { return runDiff(*o); }};
}

}  // namespace npf::cli
