// `netpolfuzz expect FILE...`: the oracle's expected verdict for every probe of the case.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/load.h"
#include "cli/stopwatch.h"
#include "model/case_probes.h"
#include "model/defaults.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"
#include "reports/expect_render.h"

namespace npf::cli {

void addProfileOption(CLI::App& sub, std::vector<std::string>& settings, bool savedCaseDefault) {
  sub.add_option(
         "--profile", settings,
         std::string(
             "Profile knob KEY=VALUE, repeatable: ipblock-matches-pod-ips=true|false (default "
             "true), loopback=undefined|allow|policy (default undefined), "
             "egress-to-own-node=policy|allow (default policy), "
             "hostnetwork-selectable=true|false (default false), "
             "cluster-policy-ties=undefined|name (default undefined)") +
             (savedCaseDefault ? ". Default: the profile the case records (spec.profile); "
                                 "--profile replaces it as a whole"
                               : ""))
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

// "delete-policy x/p1", "relabel-pod x/a", "create-cluster-policy AdminNetworkPolicy/deny-x".
static std::string describeStep(const Step& s) {
  std::string target =
      s.policy ? s.policy->meta.namespace_ + "/" + s.policy->meta.name
      : s.pod  ? s.pod->meta.namespace_ + "/" + s.pod->meta.name
      : s.clusterPolicy
          ? std::string(toString(s.clusterPolicy->kind)) + "/" + s.clusterPolicy->meta.name
      : s.action == Step::Action::DeleteClusterPolicy ? std::string(toString(s.kind)) + "/" + s.name
      : s.namespace_.empty()                          ? s.name
                                                      : s.namespace_ + "/" + s.name;
  return std::string(toString(s.action)) + " " + target;
}

namespace {

struct ExpectOptions {
  std::vector<std::string> files;
  std::string output = "text";
  std::vector<std::string> profile;
  std::string engine = "matrix";
  bool timings = false;
};

int runExpect(const ExpectOptions& o) {
  Profile profile;
  if (!parseProfile(o.profile, profile)) return kExitBadInput;
  Stopwatch clock;
  Loaded l = loadCase(o.files);
  printDiagnostics(l);
  if (!l.errors.empty()) return kExitBadInput;
  applyDefaults(l.kase);  // what the API server would hold
  if (o.profile.empty() && l.kase.meta.profile) profile = *l.kase.meta.profile;
  clock.lap();

  // One expected matrix per state: the initial cluster, then after each step.
  std::vector<Cluster> clusters = caseStates(l.kase);
  std::vector<ExpectedState> states;
  double probeSeconds = 0, computeSeconds = 0;
  for (size_t i = 0; i < clusters.size(); ++i) {
    ExpectedState st;
    st.label = i == 0 ? "initial state"
                      : fmt::format("after step {}: {}", i, describeStep(l.kase.meta.steps[i - 1]));
    st.probes = probeSetFor(l.kase, clusters[i]);
    probeSeconds += clock.lap();
    st.matrix = o.engine == "matrix" ? computeMatrix(clusters[i], st.probes, profile)
                                     : referenceMatrix(clusters[i], st.probes, profile);
    computeSeconds += clock.lap();
    states.push_back(std::move(st));
  }
  size_t cells = 0;
  for (const auto& st : states) cells += st.matrix.size();

  if (o.output == "json") {
    renderExpectJson(std::cout, states, profile);
  } else {
    for (const auto& st : states) {
      if (states.size() > 1)
        std::cout << (o.output == "markdown" ? "## " : "== ") << st.label
                  << (o.output == "markdown" ? "\n\n" : " ==\n");
      if (o.output == "markdown")
        renderExpectMarkdown(std::cout, st.probes, st.matrix, profile);
      else if (o.output == "summary")
        renderExpectSummary(std::cout, st.matrix);
      else
        renderExpectText(std::cout, st.probes, st.matrix, profile);
      if (states.size() > 1 && o.output != "summary") std::cout << '\n';
    }
  }
  std::cout.flush();
  if (o.timings)
    std::cerr << fmt::format(
        "timings: load (read, parse, validate) {:.3f}s, probe sets {:.3f}s, compute {:.3f}s "
        "({} cells, {} engine), render {:.3f}s\n",
        l.seconds, probeSeconds, computeSeconds, cells, o.engine, clock.lap());
  return std::cout ? kExitOk : kExitInfrastructure;
}

}  // namespace

Command addExpectCommand(CLI::App& app) {
  auto o = std::make_shared<ExpectOptions>();
  CLI::App* sub = app.add_subcommand(
      "expect",
      "Print the expected verdict of every probe of a case. Several files are merged into one "
      "case. Probes: the Case document's probe set, else every pod and node to every declared "
      "container port of every pod, every pod to every port of every Service with a backend, "
      "and external hosts to and from pods. A case with steps gets one matrix per state.");
  sub->add_option("files", o->files, "Case files (YAML or JSON manifests)")->required();
  sub->add_option("--output,-o", o->output,
                  "text: truth tables per port/protocol; json: the netpolfuzz.expect/v1 "
                  "contract; markdown: tables for a PR comment; summary: one line of counts")
      ->check(CLI::IsMember({"text", "json", "markdown", "summary"}))
      ->capture_default_str();
  addProfileOption(*sub, o->profile, /*savedCaseDefault=*/true);
  sub->add_option("--engine", o->engine,
                  "matrix: the fast bitset engine; reference: the per-probe reference evaluator "
                  "(slow, for cross-checking)")
      ->check(CLI::IsMember({"matrix", "reference"}))
      ->capture_default_str();
  sub->add_flag("--timings", o->timings,
                "Print to stderr where the time went: load (read, parse, validate), probe set, "
                "compute, render");

  return {sub, [o] { return runExpect(*o); }};
}

}  // namespace npf::cli
