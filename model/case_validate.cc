#include "model/case_validate.h"

#include <fmt/format.h>

#include <set>
#include <string>

#include "model/ip.h"
#include "model/validate.h"

namespace npf {
namespace {

void addStepProblems(const Case& c, std::vector<CaseProblem>& out) {
  Cluster state = c.cluster;
  // A problem a state keeps is reported once, at the step that introduced it.
  std::set<std::string> known;
  for (size_t i = 0; i < c.meta.steps.size(); ++i) {
    const Step& s = c.meta.steps[i];
    std::string prefix = fmt::format("spec.steps[{}] ({}): ", i, toString(s.action));
    if (std::string err = applyStep(state, s); !err.empty()) {
      out.push_back({CaseProblem::Part::Step, i, Diagnostic{"", 0, 0, prefix + err}});
      return;  // later steps build on this one
    }
    for (auto& d : validate(state))
      if (known.insert(d.message).second) {
        d.message = prefix + d.message;
        out.push_back({CaseProblem::Part::Step, i, std::move(d)});
      }
  }
}

void addProbeProblems(const Case& c, std::vector<CaseProblem>& out) {
  if (!c.meta.probes) return;
  Cluster all = c.cluster;
  for (const auto& s : c.meta.steps)
    if (s.pod) all.pods.push_back(*s.pod);
  auto known = [&](const Endpoint& e) {
    switch (e.kind) {
      case Endpoint::Kind::Pod:
        return all.findPod(e.namespace_, e.name) != nullptr;
      case Endpoint::Kind::Service:
        return all.findService(e.namespace_, e.name) != nullptr;
      case Endpoint::Kind::Node:
        return all.findNode(e.name) != nullptr;
      case Endpoint::Kind::External:
        return parseIp(e.name).has_value();
    }
    return false;
  };
  const auto& blocks = c.meta.probes->blocks;
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto problem = [&](const char* field, const Endpoint& e) {
      out.push_back({CaseProblem::Part::ProbeBlock, i,
                     Diagnostic{"", 0, 0,
                                fmt::format("spec.probes[{}].{}: no such endpoint {}", i, field,
                                            toString(e))}});
    };
    for (const auto& e : blocks[i].sources)
      if (!known(e)) problem("from", e);
    for (const auto& t : blocks[i].targets)
      if (!known(t.to)) problem("to", t.to);
  }
}

}  // namespace

std::vector<CaseProblem> caseProblems(const Case& c) {
  std::vector<CaseProblem> out;
  for (auto& d : validate(c.cluster))
    out.push_back({CaseProblem::Part::InitialState, 0, std::move(d)});
  if (out.empty()) addStepProblems(c, out);
  if (out.empty()) addProbeProblems(c, out);
  return out;
}

}  // namespace npf
