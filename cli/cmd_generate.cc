// `netpolfuzz generate`: seeded random cases (or the enumerated conformance suite) as files.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>

#include "cli/commands.h"
#include "cli/load.h"
#include "generator/case_gen.h"
#include "generator/conformance.h"
#include "generator/features.h"
#include "model/case_file.h"

namespace npf::cli {

namespace fs = std::filesystem;

// The coverage table of --stats: every bug class (with a mark when under 5%), then features.
static void printStats(const std::vector<std::set<std::string>>& tagsPerCase) {
  std::map<std::string, int> counts;
  for (const auto& tags : tagsPerCase)
    for (const auto& t : tags) ++counts[t];
  size_t n = tagsPerCase.size();
  auto pct = [&](int k) { return n ? 100.0 * k / double(n) : 0.0; };
  std::cout << fmt::format("\ncoverage over {} cases\n{:<28} {:>6} {:>7}\n", n, "bug class",
                           "cases", "share");
  int covered = 0, atTarget = 0;
  for (const auto& cls : expressibleBugClasses()) {
    int k = counts.count(cls) ? counts[cls] : 0;
    covered += k > 0;
    atTarget += pct(k) >= 5.0;
    std::cout << fmt::format("{:<28} {:>6} {:>6.1f}%{}\n", cls, k, pct(k),
                             k == 0         ? "  MISSING"
                             : pct(k) < 5.0 ? "  below 5%"
                                            : "");
  }
  std::cout << fmt::format("{:<28} {:>6} {:>7}\n", "feature", "cases", "share");
  for (const auto& [tag, k] : counts)
    if (!tag.empty() && std::islower(static_cast<unsigned char>(tag[0])))
      std::cout << fmt::format("{:<28} {:>6} {:>6.1f}%\n", tag, k, pct(k));
  std::cout << fmt::format("bug classes: {} of {} covered, {} in at least 5% of cases\n", covered,
                           expressibleBugClasses().size(), atTarget);
}

namespace {

struct GenerateOptions {
  std::optional<uint64_t> seed;
  int count = 10;
  std::string out;
  std::string size = "small";
  std::string weights;
  bool stats = false;
  bool conformance = false;
};

int runGenerate(const GenerateOptions& o) {
  GeneratorWeights weights;
  if (!o.weights.empty() && !loadWeightsFile(o.weights, weights)) return kExitBadInput;
  if (o.out.empty() && !o.stats) {
    std::cerr << "netpolfuzz generate: give --out DIR, --stats, or both\n";
    return kExitBadInput;
  }
  std::error_code ec;
  if (!o.out.empty()) {
    fs::create_directories(o.out, ec);
    if (ec) {
      std::cerr << fmt::format("{}:0:0: cannot create directory: {}\n", o.out, ec.message());
      return kExitInfrastructure;
    }
  }
  std::vector<Case> cases;
  uint64_t seed = 0;
  if (o.conformance) {
    cases = conformanceSuite();
    std::cout << fmt::format("conformance suite: {} cases\n", cases.size());
  } else {
    seed = o.seed ? *o.seed : std::random_device{}();
    std::cout << fmt::format("seed {} ({} {} cases)\n", seed, o.count, o.size);
    ClusterSize size = o.size == "large"    ? ClusterSize::Large
                       : o.size == "medium" ? ClusterSize::Medium
                                            : ClusterSize::Small;
    for (int i = 0; i < o.count; ++i)
      cases.push_back(generateCase(seed, uint64_t(i), size, weights));
  }
  std::vector<std::set<std::string>> tags;
  for (const Case& c : cases) {
    tags.emplace_back(c.meta.tags.begin(), c.meta.tags.end());
    if (o.out.empty()) continue;
    fs::path path = fs::path(o.out) / (c.meta.name + ".yaml");
    fs::create_directories(path.parent_path(), ec);
    if (!writeFileAtomic(path, encodeCase(c))) {
      std::cerr << fmt::format("{}:0:0: cannot write case file\n", path.string());
      return kExitInfrastructure;
    }
  }
  if (!o.out.empty()) std::cout << fmt::format("wrote {} case files to {}\n", cases.size(), o.out);
  if (o.stats) printStats(tags);
  return kExitOk;
}

}  // namespace

Command addGenerateCommand(CLI::App& app) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* sub = app.add_subcommand(
      "generate",
      "Generate random cases (clusters, policies, steps) reproducibly from a seed, one case "
      "file per case, or write the enumerated conformance suite (--conformance).");
  sub->add_option("--seed", o->seed, "Seed (default: random; always printed)");
  sub->add_option("--count,-n", o->count, "Number of cases")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  sub->add_option("--out,-o", o->out,
                  "Output directory (created if missing); without it, only --stats runs");
  sub->add_option(
         "--size", o->size,
         "Cluster size: small (3x3 pods, 2 nodes), medium (4x4, 3 nodes), large (8x6, 4 nodes)")
      ->check(CLI::IsMember({"small", "medium", "large"}))
      ->capture_default_str();
  sub->add_option(
      "--weights", o->weights,
      "File of `name: value` lines overriding generator weights (see docs/generator.md)");
  sub->add_flag("--stats", o->stats,
                "Print the feature and bug-class coverage of the generated cases");
  sub->add_flag("--conformance", o->conformance,
                "Write the enumerated conformance suite instead of random cases");

  return {sub, [o] { return runGenerate(*o); }};
}

}  // namespace npf::cli
