#include "cli/load.h"

#include <iostream>

#include "cli/stopwatch.h"

namespace npf::cli {

Loaded loadCase(const std::vector<std::string>& files) {
  Stopwatch clock;
  CaseLoad r = loadCaseFiles(files);
  Loaded out{std::move(r.kase), std::move(r.errors), std::move(r.warnings), 0};
  out.seconds = clock.lap();
  return out;
}

void printDiagnostics(const Loaded& l) {
  for (const auto& w : l.warnings)
    std::cerr << w.file << ':' << w.line << ':' << w.col << ": warning: " << w.message << '\n';
  for (const auto& e : l.errors) std::cerr << toString(e) << '\n';
}

std::vector<Cluster> caseStates(const Case& c) {
  std::vector<Cluster> states{c.cluster};
  for (const auto& s : c.meta.steps) {
    Cluster next = states.back();
    applyStep(next, s);  // loadCase validated that every step applies
    states.push_back(std::move(next));
  }
  return states;
}

}  // namespace npf::cli
