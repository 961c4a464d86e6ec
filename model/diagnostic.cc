#include "model/diagnostic.h"

#include <fmt/format.h>

namespace npf {

std::string toString(const Diagnostic& d) {
  return fmt::format("{}:{}:{}: {}", d.file, d.line, d.col, d.message);
}

}  // namespace npf
