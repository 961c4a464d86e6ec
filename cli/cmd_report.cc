// `netpolfuzz report`: renders a results.json (docs/results-format.md) as terminal text, JSON,
// Markdown, one self-contained HTML page, or JUnit XML.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/load.h"
#include "cli/report_files.h"
#include "reports/comparison.h"

namespace npf::cli {

namespace fs = std::filesystem;

namespace {

struct ReportOptions {
  std::string results;
  std::string format = "text";
  std::string out;
  bool all = false;
  std::string color = "auto";
  std::vector<std::string> compare;  // more results.json files, side by side
};

int runReport(const ReportOptions& o) {
  LoadedResults loaded = loadResults(o.results);
  if (!loaded.results) {
    std::cerr << loaded.error << '\n';
    return kExitBadInput;
  }
  const results::Results& r = *loaded.results;
  std::string text;
  if (!o.compare.empty()) {
    if (o.format != "text" && o.format != "markdown") {
      std::cerr << "netpolfuzz report: --compare renders text or markdown\n";
      return kExitBadInput;
    }
    std::vector<LoadedResults> others;
    for (const auto& f : o.compare) {
      others.push_back(loadResults(f));
      if (!others.back().results) {
        std::cerr << others.back().error << '\n';
        return kExitBadInput;
      }
    }
    std::vector<results::LabelledRun> runs{{results::runLabel(r), &r}};
    for (const auto& l : others) runs.push_back({results::runLabel(*l.results), &*l.results});
    // Two runs on the same enforcer: tell them apart by file.
    for (size_t i = 0; i < runs.size(); ++i)
      for (size_t j = 0; j < runs.size(); ++j)
        if (i != j && runs[i].label == runs[j].label) {
          runs[i].label += " (" + (i == 0 ? o.results : o.compare[i - 1]) + ")";
          break;
        }
    text = results::renderComparison(runs, o.format == "markdown");
  } else if (o.format == "json") {
    text = results::renderJson(r);
  } else if (o.format == "markdown") {
    text = results::renderMarkdown(r, o.all);
  } else if (o.format == "html") {
    text = results::renderHtml(r, readCaseFiles(r, fs::path(o.results).parent_path().string()));
  } else if (o.format == "junit") {
    text = results::renderJunit(r);
  } else {
    const char* noColor = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    bool color =
        o.color == "always" || (o.color == "auto" && o.out.empty() && isatty(STDOUT_FILENO) &&
                                !(noColor && *noColor) && !(term && std::string(term) == "dumb"));
    text = results::renderText(r, {color, o.all});
  }
  if (o.out.empty()) {
    std::cout << text << std::flush;
    return std::cout ? kExitOk : kExitInfrastructure;
  }
  std::error_code ec;
  fs::path parent = fs::path(o.out).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (!writeFileAtomic(o.out, text)) {
    std::cerr << fmt::format("{}:0:0: cannot write report\n", o.out);
    return kExitInfrastructure;
  }
  std::cerr << fmt::format("wrote {} ({} report of {} cases)\n", o.out, o.format, r.cases.size());
  return kExitOk;
}

}  // namespace

Command addReportCommand(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* sub = app.add_subcommand(
      "report",
      "Render a campaign's results.json (written by fuzz and conformance) as text truth tables "
      "(expected, observed, diff), JSON, a Markdown summary for a pull request, one "
      "self-contained HTML page (matrices, filters, explanations, the cases' policies), or JUnit "
      "XML.");
  sub->add_option("results", o->results, "The results.json file")->required();
  sub->add_option(
         "--format,-f", o->format,
         "text: truth tables of failing states and a line per passing case; json: the canonical "
         "document; markdown: summary, signature and per-tag tables; html: a single page; junit: "
         "one testcase per case and step")
      ->check(CLI::IsMember({"text", "json", "markdown", "html", "junit"}))
      ->capture_default_str();
  sub->add_option("--out,-o", o->out, "Write to FILE instead of standard output");
  sub->add_option("--compare", o->compare,
                  "Another run's results.json, side by side with this one (repeatable; text or "
                  "markdown): totals and speed per run, the cases that failed in any, the cells "
                  "that fail in some runs only. For the same seed or suite on two enforcers")
      ->type_name("RESULTS");
  sub->add_flag("--all", o->all,
                "text and markdown: every case and state in full, passing ones included");
  sub->add_option("--color", o->color,
                  "text: ANSI colours (auto: when standard output is a terminal)")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  sub->footer(
      "The HTML page shows each case's NetworkPolicies from its case file (`file`, relative to the "
      "results directory, or `source`).\n"
      "Exit: 0 rendered, 2 unreadable or invalid results file (file:line:col: message), 3 cannot "
      "write --out.\n"
      "Examples:\n"
      "  netpolfuzz report out/fuzz/results.json\n"
      "  netpolfuzz report out/fuzz/results.json --format html --out out/fuzz/report.html\n"
      "  netpolfuzz report out/conformance/results.json --format junit --out junit.xml\n"
      "  netpolfuzz report out/nft/results.json --compare out/kube-router/results.json");

  return {sub, [o] { return runReport(*o); }};
}

}  // namespace npf::cli
