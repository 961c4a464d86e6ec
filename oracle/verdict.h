#pragma once

#include <optional>

#include "model/cell_vocabulary.h"

namespace npf {

// Expected outcome of one probe cell.
enum class Verdict { Allow, Deny, Undefined };
const char* toString(Verdict v);  // "allow", "deny", "undefined" (model/cell_vocabulary.h)
// The expected column of a cell: the verdict, or Skip when the oracle does not judge it.
Expected expectedOf(std::optional<Verdict> v);

}  // namespace npf
