#include "oracle/matrix.h"

namespace npf {

std::optional<Verdict> Matrix::verdict(size_t i) const {
  switch (get(i)) {
    case Cell::Deny:
      return Verdict::Deny;
    case Cell::Allow:
      return Verdict::Allow;
    case Cell::Undefined:
      return Verdict::Undefined;
    case Cell::Skip:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace npf
