// `netpolfuzz status`: the progress of a campaign's runs or shards from the results.json each
// rewrites while it runs (every ~10 s): per shard and for the whole campaign, once or
// continuously (--watch).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/backend_options.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "cli/report_files.h"
#include "reports/campaign_summary.h"

namespace npf::cli {

namespace fs = std::filesystem;

namespace {

struct StatusOptions {
  std::vector<std::string> inputs;
  bool watch = false;
  double interval = 5;
};

// The results of every argument as they are now; an argument without results yet (a shard not
// started) is a row saying so, not an error: a watched campaign's shards appear over time.
std::vector<RunProgress> readProgress(const std::vector<std::string>& args,
                                      std::vector<results::Results>& storage) {
  std::vector<RunProgress> out;
  std::vector<std::pair<std::string, std::string>> files;  // (argument, results.json or "")
  for (const auto& a : args) {
    std::string error;
    auto found = resultsFilesIn({a}, error);
    if (found.empty()) files.push_back({a, ""});
    for (const auto& f : found) files.push_back({a, f});
  }
  storage.clear();
  storage.reserve(files.size());
  for (const auto& [arg, file] : files) {
    RunProgress p;
    p.source = file.empty() ? arg : file;
    if (file.empty()) {
      p.problem = "no results yet";
      out.push_back(p);
      continue;
    }
    LoadedResults l = loadResults(file);
    if (!l.results) {
      p.problem = l.error;
      out.push_back(p);
      continue;
    }
    std::error_code ec;
    auto written = fs::last_write_time(file, ec);
    if (!ec)
      p.secondsSinceWrite =
          std::chrono::duration<double>(fs::file_time_type::clock::now() - written).count();
    storage.push_back(std::move(*l.results));
    p.run = &storage.back();
    out.push_back(p);
  }
  // A merge beside the shards (DIR/merged next to DIR/shard-*) would count every case twice.
  if (std::any_of(out.begin(), out.end(),
                  [](const RunProgress& p) { return p.run && p.run->isShard(); }))
    std::erase_if(out, [](const RunProgress& p) {
      return p.run && !p.run->isShard() && !p.run->mergedFrom.empty();
    });
  return out;
}

int runStatus(const StatusOptions& o) {
  const bool tty = isatty(STDOUT_FILENO);
  const std::atomic<bool>* stop = o.watch ? &installInterruptHandling() : nullptr;
  std::vector<results::Results> storage;
  for (bool first = true;; first = false) {
    auto progress = readProgress(o.inputs, storage);
    const bool done = campaignFinished(progress);
    std::string text = renderCampaignStatus(progress);
    if (o.watch && tty)
      std::cout << "\033[H\033[J";  // redraw in place
    else if (!first)
      std::cout << '\n';
    if (o.watch) std::cout << fmt::format("every {:g} s (Ctrl-C to stop)\n", o.interval);
    std::cout << text << std::flush;
    if (!o.watch || done) return done ? kExitOk : kExitDiscrepancies;
    for (double waited = 0; waited < o.interval && !stop->load(); waited += 0.1)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (stop->load()) return 130;
  }
}

}  // namespace

Command addStatusCommand(CLI::App& app) {
  auto o = std::make_shared<StatusOptions>();
  CLI::App* sub = app.add_subcommand(
      "status",
      "Show the progress of a campaign's runs or shards from the results.json each one "
      "rewrites while it runs: per shard its state (running, finished, interrupted, failed, "
      "stalled? when it has not written for 3 minutes), cases done of planned, failing cases, "
      "discrepancies, probes/s and last update; the shards of a sharded campaign not seen yet; "
      "then the campaign's total and ETA (from its slowest shard).\n"
      "Exit: 0 every run finished, 1 some still running or missing, 130 interrupted (--watch).\n"
      "Examples:\n"
      "  netpolfuzz status out/fuzz-s7-shard-*-of-4\n"
      "  netpolfuzz status /results --watch   # /results/shard-0, /results/shard-1, ...");
  sub->add_option("inputs", o->inputs,
                  "Runs: results.json files, directories holding one, or directories whose "
                  "subdirectories hold one each")
      ->required();
  sub->add_flag("--watch,-w", o->watch, "Redraw until every run has finished");
  sub->add_option("--interval", o->interval, "Seconds between redraws with --watch")
      ->check(CLI::Range(0.5, 3600.0))
      ->capture_default_str();
  return {sub, [o] { return runStatus(*o); }};
}

}  // namespace npf::cli
