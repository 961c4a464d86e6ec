#include "oracle/verdict.h"

namespace npf {

Expected expectedOf(std::optional<Verdict> v) {
  if (!v) return Expected::Skip;
  switch (*v) {
    case Verdict::Allow:
      return Expected::Allow;
    case Verdict::Deny:
      return Expected::Deny;
    case Verdict::Undefined:
      return Expected::Undefined;
  }
  return Expected::Skip;
}

const char* toString(Verdict v) { return toString(expectedOf(v)); }

}  // namespace npf
