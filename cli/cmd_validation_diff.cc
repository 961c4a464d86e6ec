// `netpolfuzz validation-diff`: `validate` judged by a real kube-apiserver (docs/validation.md).
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/load.h"
#include "runner/local/api_judge.h"
#include "runner/validation_diff.h"

namespace npf::cli {

namespace {

struct ValidationDiffCliOptions {
  uint64_t seed = 1;
  int generatedCases = 100;
  int mutated = 1000;
  std::string outDir = "out/validation-diff";
  std::string binDir;
};

int runValidationDiffCommand(const ValidationDiffCliOptions& o) {
  runner::local::ApiJudgeOptions jo;
  if (!o.binDir.empty()) jo.binDir = o.binDir;
  jo.logDir = o.outDir + "/logs";
  jo.progress = [](size_t done, size_t total) {
    std::cerr << fmt::format("validation-diff: the API server judged {} of {} files\n", done,
                             total);
  };
  runner::local::ApiJudge judge(jo);
  // SIGINT/SIGTERM: the control plane is stopped and its namespace removed, then the signal
  // takes its default course.
  runner::local::installSignalTeardown();
  std::cerr << "validation-diff: starting etcd and kube-apiserver " << runner::local::kKubeVersion
            << " (logs in " << jo.logDir << ")\n";
  if (auto e = judge.start(); !e.empty()) {
    std::cerr << "netpolfuzz: " << e << '\n';
    return kExitInfrastructure;
  }
  std::cerr << fmt::format("validation-diff: API server ready in {:.1f} s\n",
                           judge.readyMs() / 1000);
  runner::ValidationDiffOptions vo;
  vo.seed = o.seed;
  vo.generatedCases = o.generatedCases;
  vo.mutated = o.mutated;
  vo.outDir = o.outDir;
  vo.progress = [](const std::string& line) { std::cerr << line << '\n'; };
  runner::ValidationDiffReport report;
  if (auto e = runner::runValidationDiff(vo, judge, report); !e.empty()) {
    std::cerr << "netpolfuzz: " << e << '\n';
    return kExitInfrastructure;
  }
  std::cerr << fmt::format("validation-diff: {} kubectl runs for {} manifests\n",
                           judge.kubectlRuns(), report.samples.size());
  judge.stop();
  std::string summary = runner::renderValidationDiffSummary(report);
  std::string path = o.outDir + "/summary.txt";
  if (!writeFileAtomic(path, summary)) {
    std::cerr << "netpolfuzz: cannot write " << path << '\n';
    return kExitInfrastructure;
  }
  if (!writeFileAtomic(o.outDir + "/verdicts.tsv", runner::renderValidationDiffVerdicts(report))) {
    std::cerr << "netpolfuzz: cannot write " << o.outDir << "/verdicts.tsv\n";
    return kExitInfrastructure;
  }
  // The table only; the disagreements are in the file.
  size_t tableEnd = summary.find("\n\n");
  std::cout << (tableEnd == std::string::npos ? summary : summary.substr(0, tableEnd + 1))
            << "summary: " << path << '\n';
  if (!report.defaultingError.empty()) return kExitInfrastructure;
  bool agree =
      report.undocumented == 0 && report.generatedRejected == 0 && report.defaultingDiffers == 0;
  return agree ? kExitOk : kExitDiscrepancies;
}

}  // namespace

Command addValidationDiffCommand(CLI::App& app) {
  auto o = std::make_shared<ValidationDiffCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "validation-diff",
      "Judge `validate` against a real kube-apiserver: generated objects (both must accept them, "
      "and the server must store them as netpolfuzz defaults them) and mutated ones (both must "
      "agree), through `kubectl create --dry-run=server --validate=strict`. Needs root and the "
      "binaries of scripts/install-deps.sh --with-kube-router. Exit 0 when every disagreement is "
      "documented in docs/validation.md, 1 when one is not (or a generated object is rejected or "
      "defaulted differently), 3 when the API server cannot run.\n"
      "Writes DIR/manifests/ (one object per file), DIR/summary.txt (the agreement table and "
      "every disagreement) and DIR/verdicts.tsv (both verdicts and messages per file).\n"
      "Examples:\n"
      "  sudo netpolfuzz validation-diff --seed 1 --generated 100 --mutated 5000 --out out/vd\n"
      "  awk -F'\\t' 'NR > 1 && $4 != $5' out/vd/verdicts.tsv   # the disagreements");
  sub->add_option("--seed", o->seed, "Generator and mutator seed")->capture_default_str();
  sub->add_option("--generated", o->generatedCases,
                  "Generated cases whose objects (and steps' objects) are samples")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  sub->add_option("--mutated", o->mutated, "Mutated samples")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  sub->add_option("--out", o->outDir,
                  "Output directory: manifests/, summary.txt, verdicts.tsv, logs/")
      ->capture_default_str();
  sub->add_option("--bin-dir", o->binDir,
                  "Where kube-apiserver-v1.31.2 and kubectl-v1.31.2 are (default: "
                  "$NETPOLFUZZ_BIN_DIR, else ~/.cache/netpolfuzz/bin)");
  return {sub, [o] { return runValidationDiffCommand(*o); }};
}

}  // namespace npf::cli
