#pragma once

namespace npf {

// Expected outcome of one probe cell.
enum class Verdict { Allow, Deny, Undefined };
const char* toString(Verdict v);  // "allow", "deny", "undefined"

}  // namespace npf
