// Feature and bug-class tags of a case, computed from its objects and steps (not from what
// the generator meant to produce), so coverage statistics are honest.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "model/case.h"

namespace npf {

// Bug classes of BUG-CLASSES.md (upper case, e.g. "ENDPORT_IGNORED") and API features (lower
// case, e.g. "peer:namespace-selector", "port:end-port").
std::set<std::string> computeTags(const Case& c);

// The BUG-CLASSES.md rows a generated case can exercise, in the table's order.
const std::vector<std::string>& expressibleBugClasses();

}  // namespace npf
