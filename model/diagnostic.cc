#include "model/diagnostic.h"

#include <fmt/format.h>

namespace npf {

std::string toString(const Diagnostic& d) {
  return fmt::format("{}:{}:{}: {}", d.file, d.line, d.col, d.message);
}

std::pair<int, int> lineColAt(std::string_view text, size_t at) {
  int line = 1, col = 1;
  for (size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n')
      ++line, col = 1;
    else
      ++col;
  }
  return {line, col};
}

}  // namespace npf
