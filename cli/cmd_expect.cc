// `netpolfuzz expect FILE...`: the oracle's expected verdict for every probe of the case.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/stopwatch.h"
#include "cli/load.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"
#include "reports/expect_render.h"

namespace npf::cli {

void addProfileOption(CLI::App& sub, std::vector<std::string>& settings) {
  sub.add_option("--profile", settings,
                 "Profile knob KEY=VALUE, repeatable: ipblock-matches-pod-ips=true|false (default "
                 "true), loopback=undefined|allow|policy (default undefined), "
                 "egress-to-own-node=policy|allow (default policy), "
                 "hostnetwork-selectable=true|false (default false)")
      ->type_name("KEY=VALUE");
}

// Applies --profile settings; prints the problem and returns false on a bad one.
bool parseProfile(const std::vector<std::string>& settings, Profile& profile) {
  for (const auto& s : settings) {
    std::string err = applyProfileSetting(profile, s);
    if (!err.empty()) {
      std::cerr << "netpolfuzz: --profile: " << err << '\n';
      return false;
    }
  }
  return true;
}

Command addExpectCommand(CLI::App& app) {
  struct Options {
    std::vector<std::string> files;
    std::string output = "text";
    std::vector<std::string> profile;
    std::string engine = "matrix";
    bool timings = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "expect",
      "Print the expected verdict of every probe of a case. Several files are merged into one "
      "cluster. Probes: every pod and node to every declared container port of every pod, and "
      "every pod to every port of every Service with a backend.");
  sub->add_option("files", o->files, "Case files (YAML or JSON manifests)")->required();
  sub->add_option("--output,-o", o->output,
                  "text: truth tables per port/protocol; json: the netpolfuzz.expect/v1 "
                  "contract; markdown: tables for a PR comment; summary: one line of counts")
      ->check(CLI::IsMember({"text", "json", "markdown", "summary"}))
      ->capture_default_str();
  addProfileOption(*sub, o->profile);
  sub->add_option("--engine", o->engine,
                  "matrix: the fast bitset engine; reference: the per-probe reference evaluator "
                  "(slow, for cross-checking)")
      ->check(CLI::IsMember({"matrix", "reference"}))
      ->capture_default_str();
  sub->add_flag("--timings", o->timings,
                "Print to stderr where the time went: load (read, parse, validate), probe set, "
                "compute, render");

  return {sub, [o]() {
            Profile profile;
            if (!parseProfile(o->profile, profile)) return kExitBadInput;
            Stopwatch clock;
            Loaded l = loadCase(o->files);
            printDiagnostics(l);
            if (!l.errors.empty()) return kExitBadInput;
            clock.lap();

            ProbeSet probes = defaultProbeSet(l.cluster);
            double probeSeconds = clock.lap();
            Matrix m;
            if (o->engine == "matrix") {
              m = computeMatrix(l.cluster, probes, profile);
            } else {
              m = Matrix(probes.cellCount());
              size_t i = 0;
              probes.forEach([&](const Probe& p) {
                auto v = evaluateProbe(l.cluster, p, profile);
                m.set(i++, !v                         ? Matrix::Cell::Skip
                           : *v == Verdict::Allow     ? Matrix::Cell::Allow
                           : *v == Verdict::Undefined ? Matrix::Cell::Undefined
                                                      : Matrix::Cell::Deny);
              });
            }
            double computeSeconds = clock.lap();
            if (o->output == "json") renderExpectJson(std::cout, probes, m, profile);
            else if (o->output == "markdown") renderExpectMarkdown(std::cout, probes, m, profile);
            else if (o->output == "summary") renderExpectSummary(std::cout, m);
            else renderExpectText(std::cout, probes, m, profile);
            std::cout.flush();
            if (o->timings)
              std::cerr << fmt::format(
                  "timings: read+parse {:.3f}s, validate {:.3f}s, probe set {:.3f}s, compute "
                  "{:.3f}s ({} cells, {} engine), render {:.3f}s\n",
                  l.decodeSeconds, l.validateSeconds, probeSeconds, computeSeconds, m.size(), o->engine, clock.lap());
            return std::cout ? kExitOk : kExitInfrastructure;
          }};
}

}  // namespace npf::cli
