// `netpolfuzz minimize`: shrinks a failing case by delta debugging with the dataplane in the
// loop (runner/minimize.h), keeping a discrepancy with the same signature, and writes the
// smallest reproduction with its observed cells.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/backend_options.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "runner/campaign_results.h"
#include "runner/minimize.h"
#include "runner/replay.h"

namespace npf::cli {

namespace fs = std::filesystem;

namespace {

// FILE.yaml -> FILE.min.yaml (next to it).
std::string defaultOut(const std::string& file) {
  fs::path p(file);
  std::string stem = p.extension() == ".yaml" || p.extension() == ".yml" || p.extension() == ".json"
                         ? p.stem().string()
                         : p.filename().string();
  return (p.parent_path() / (stem + ".min.yaml")).string();
}

std::string cellLine(const runner::CellOutcome& o, size_t step) {
  std::string obs;
  for (const auto& a : o.attempts) obs += (obs.empty() ? "" : ",") + std::string(toString(a.kind));
  return fmt::format("step {}: {} -> {}  expected {}, observed {}", step, toString(o.probe.from),
                     toString(o.probe.target), o.expected ? toString(*o.expected) : "skip", obs);
}

struct MinimizeOptions {
  BackendOptions backend;
  std::string file;
  std::string out;
  std::string signature;
  double maxSeconds = 300;
  size_t maxTrials = 2000;
  bool quiet = false;
};

int runMinimize(const MinimizeOptions& o) {
  BackendOptions bo = o.backend;  // parseBackendOptions completes it
  if (!parseBackendOptions(bo, "minimize")) return kExitBadInput;
  Loaded l = loadCase({o.file});
  if (!l.errors.empty()) {
    printDiagnostics(l);
    return kExitBadInput;
  }
  Case input = std::move(l.kase);
  if (input.meta.name.empty()) input.meta.name = fs::path(o.file).stem().string();
  runner::RunSettings settings;
  std::string note;
  if (auto e = savedCaseSettings(bo, input, settings, note); !e.empty()) {
    std::cerr << fmt::format("{}: {}\n", o.file, e);
    return kExitBadInput;
  }
  if (!note.empty()) std::cerr << fmt::format("note: {}: {}\n", o.file, note);
  if (!checkBackendMachine(bo, "minimize")) return kExitInfrastructure;

  MadeBackend made = makeBackend(bo);
  runner::Backend* backend = made.backend;
  if (auto e = backend->configure(settings); !e.empty()) {
    std::cerr << "netpolfuzz minimize: " << e << '\n';
    return kExitBadInput;
  }
  const std::string under = describeRunSettings(settings);
  const std::atomic<bool>& stop = installInterruptHandling();
  std::cout << fmt::format("netpolfuzz minimize: {} ({}) on the {} backend (run {}){}\n", o.file,
                           toString(runner::caseSize(input)), bo.backend, made.runId,
                           under.empty() ? "" : ", " + under)
            << std::flush;

  const bool tty = isatty(STDERR_FILENO) && !o.quiet;
  runner::MinimizeOptions mo;
  mo.signature = o.signature;
  mo.maxSeconds = o.maxSeconds;
  mo.maxTrials = o.maxTrials;
  mo.stop = &stop;
  runner::CaseSize lastSize;
  bool firstReport = true;
  mo.progress = [&](const runner::MinimizeProgress& p) {
    if (o.quiet) return;
    bool shrank = firstReport || !(p.size == lastSize);
    firstReport = false;
    lastSize = p.size;
    std::string line = fmt::format("trial {:>3}  {:5.1f} s  {:<27} {}", p.trials, p.seconds,
                                   p.phase, toString(p.size));
    if (tty)
      std::cerr << "\r\033[K" << line << (shrank ? "\n" : "") << std::flush;
    else if (shrank)
      std::cerr << line << '\n';
  };
  runner::MinimizeResult res;
  {
    runner::CaseRunner runner(*backend, settings.profile, checkOptions(bo));
    res = runner::minimizeCase(runner, settings.profile, input, mo);
  }
  backend->tearDown();
  if (tty) std::cerr << "\r\033[K" << std::flush;
  if (!res.backendError.empty()) {
    std::cerr << "netpolfuzz minimize: backend failure: " << res.backendError << '\n';
    return kExitInfrastructure;
  }
  if (!res.reproduced) {
    std::cout << fmt::format("no discrepancy{} on this backend: nothing to minimize\n",
                             o.signature.empty() ? "" : " with signature '" + o.signature + "'");
    if (!(settings == runner::recordedSettings(input)))
      std::cout << fmt::format("(ran with {}; the case records {})\n",
                               under.empty() ? "the default profile and no fault" : under,
                               describeRunSettings(runner::recordedSettings(input)));
    return kExitDiscrepancies;
  }

  RunInfo info;
  info.kind = "minimize";
  info.backend = bo.backend;
  info.enforcer = enforcerDescription(bo);
  info.profile = settings.profile;
  info.faults = settings.faults;
  // An unverified result has no observed cells, but still records what it ran under.
  Case out = runner::caseWithObservation(res.minimized,
                                         res.verified ? res.finalRun : runner::CaseResult{}, info);
  std::string hash = runner::caseContentHash(out);
  out.meta.name = hash;
  out.meta.present = true;
  std::string path = o.out.empty() ? defaultOut(o.file) : o.out;
  std::error_code ec;
  if (!o.out.empty() && (fs::is_directory(o.out, ec) || o.out.back() == '/')) {
    fs::create_directories(o.out, ec);
    path = (fs::path(o.out) / (hash + ".yaml")).string();
  }
  if (!writeFileAtomic(path, encodeCase(out))) {
    std::cerr << fmt::format("{}:0:0: cannot write the minimized case\n", path);
    return kExitInfrastructure;
  }

  std::cout << fmt::format("\nminimized in {} trials, {:.1f} s{}: {} -> {}\n", res.trials,
                           res.seconds, res.capped ? " (stopped at the limit)" : "",
                           toString(res.before), toString(res.after));
  std::cout << "signature: " << res.signature << '\n';
  if (res.verified && res.cell) {
    for (const auto& s : res.finalRun.states)
      for (const auto& c : s.notable)
        if (c.status == runner::CellStatus::Fail && c.probe == *res.cell && s.step == res.step)
          std::cout << "cell: " << cellLine(c, s.step) << '\n';
  } else {
    std::cout << "warning: the minimized case did not show the signature again on a fresh cluster "
                 "(a flaky or history-dependent discrepancy); it is written without observed "
                 "cells\n";
  }
  std::cout << "minimized case: " << path << '\n';
  // The case records its profile and faults: replay needs no more options.
  std::cout << "replay: netpolfuzz replay " << path << '\n';
  return kExitOk;
}

}  // namespace

Command addMinimizeCommand(CLI::App& app) {
  auto o = std::make_shared<MinimizeOptions>();
  CLI::App* sub = app.add_subcommand(
      "minimize",
      "Shrink a failing case to a small one that still shows the same discrepancy: delta "
      "debugging with the dataplane in the loop. Drops steps, policies, namespaces, pods, "
      "Services, external hosts, rules, peers, ports, except entries, selector terms, labels, "
      "container ports and unused nodes, big chunks first, keeping each reduction that still "
      "gives a discrepancy with the same signature (runner/signature.h: verdicts, direction, "
      "endpoint kinds, features of the involved rule). Only the failing cell is probed during "
      "trials; the result is verified on a fresh cluster and written with its observed cells.\n"
      "The target is the first discrepancy of the first run, or --signature. The case runs under "
      "the profile and injected faults it records (spec.profile, spec.observed.faults), which "
      "--profile/--cni and --inject-fault replace; the minimized case records what it ran under.\n"
      "The local backend needs root (CAP_NET_ADMIN); it creates only network namespaces named "
      "npf-* and removes them at the end.\n"
      "Exit: 0 minimized case written, 1 the case shows no such discrepancy here (nothing to "
      "minimize), 2 bad input or usage, 3 backend failure.\n"
      "Examples:\n"
      "  netpolfuzz minimize out/fuzz-s1/failures/small-s1-0002.yaml\n"
      "  netpolfuzz minimize case.yaml --out corpus/regressions/ --signature \"$(jq -r "
      "'.cases[0].cellsNotPassing[0].signature' out/fuzz-s1/results.json)\"\n"
      "  netpolfuzz replay case.min.yaml");
  sub->add_option("file", o->file,
                  "The failing case (a saved case from fuzz, conformance or a hand-written file)")
      ->required();
  sub->add_option("--out,-o", o->out,
                  "Where to write the minimized case: a file, or an existing directory (then "
                  "DIR/<content hash>.yaml). Default: FILE with .min.yaml");
  sub->add_option("--signature", o->signature,
                  "Keep a discrepancy with exactly this signature (as printed by fuzz and in "
                  "results.json); default: the first discrepancy the case shows");
  sub->add_option("--max-seconds", o->maxSeconds,
                  "Stop reducing after this long (the smallest case so far is kept)")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  sub->add_option("--max-trials", o->maxTrials,
                  "Stop reducing after this many runs on the dataplane")
      ->check(CLI::Range(size_t(1), size_t(1000000)))
      ->capture_default_str();
  sub->add_flag("--quiet,-q", o->quiet, "No progress lines");
  addBackendOptions(*sub, o->backend, /*savedCases=*/true);

  return {sub, [o] { return runMinimize(*o); }};
}

}  // namespace npf::cli
