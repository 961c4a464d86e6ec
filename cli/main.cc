// netpolfuzz: a Kubernetes NetworkPolicy fuzzer and conformance suite. Thin CLI: parse flags,
// call the libraries, print.
#include <iostream>

#include "cli/commands.h"
#include "cli/load.h"

int main(int argc, char** argv) {
  using namespace npf::cli;
  CLI::App app{
      "netpolfuzz: a Kubernetes NetworkPolicy fuzzer and conformance suite.\n"
      "Generates seeded random cases and the conformance suite as plain Kubernetes manifests,\n"
      "computes their expected reachability with an exact reference oracle, explains verdicts,\n"
      "validates manifests like the apiserver, and runs differential fuzz campaigns against a\n"
      "real dataplane (fuzz).\n"
      "Exit codes: 0 ok, 1 discrepancies, 2 bad input or usage, 3 infrastructure failure."};
  app.set_version_flag("--version", "netpolfuzz 0.1.0");
  app.require_subcommand(1);
  app.fallthrough(false);

  const Command commands[] = {
      addExpectCommand(app),   addExplainCommand(app), addValidateCommand(app),
      addGenerateCommand(app), addFuzzCommand(app),    addConformanceCommand(app),
      addLocalCommand(app),    addReportCommand(app),  addMinimizeCommand(app),
      addReplayCommand(app),   addKindCommand(app),    addValidationDiffCommand(app),
      addMergeCommand(app),    addStatusCommand(app),  addDiffCommand(app),
      addFindingsCommand(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0 in CLI11.
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  for (const Command& c : commands)
    if (c.app->parsed()) {
      try {
        return c.run();
      } catch (const std::exception& e) {
        // Libraries report errors as values; reaching here is a bug, but never a crash.
        std::cerr << "netpolfuzz: internal error: " << e.what() << '\n';
        return kExitInfrastructure;
      }
    }
  return kExitBadInput;
}
