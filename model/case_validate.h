// Case-level rules: what makes a whole case valid beyond each object's own validation
// (model/validate.h): every step applies and leaves a valid state, and an explicit probe set
// names only endpoints that exist. A loaded case file and a shrunk candidate of the minimizer
// are held to these same rules.
#pragma once

#include <cstddef>
#include <vector>

#include "model/case.h"
#include "model/diagnostic.h"

namespace npf {

// One problem of a case, with the part of the case it belongs to so that a case file can
// point at that part of its Case document.
struct CaseProblem {
  enum class Part { InitialState, Step, ProbeBlock };
  Part part = Part::InitialState;
  size_t index = 0;  // the step (Step) or the probe block (ProbeBlock)
  // The message names the part, e.g. "spec.steps[1] (create-pod): Pod x/b: ..." or
  // "spec.probes[0].from: no such endpoint x/zz". Located where validate() located it
  // (the object's Origin); a step that does not apply and probe problems have no location.
  Diagnostic diagnostic;
  bool operator==(const CaseProblem&) const = default;
};

// The problems of `c`, in this order and stopping at the first part that has any:
//  1. the initial state (validate());
//  2. the steps: the first one that does not apply ends the list (later steps build on it);
//     each step state's problems that no earlier state had;
//  3. probe endpoints: each must be an object of the initial state or created by a step, or
//     an IP address for ip/ADDR.
// Empty when `c` is a valid case.
std::vector<CaseProblem> caseProblems(const Case& c);

}  // namespace npf
