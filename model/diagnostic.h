// One problem found in input, located as `file:line:col` (the format editors and CI parse).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace npf {

struct Diagnostic {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown (then printed as file:0:0)
  int col = 0;
  std::string message;
  // A warning that `kubectl apply` (strict field validation, its default) would turn into an
  // error: an unknown field. `validate` fails on these; the other commands go on.
  bool rejectedByStrictValidation = false;
  bool operator==(const Diagnostic&) const = default;
};

// "file:line:col: message"
std::string toString(const Diagnostic& d);

// The 1-based line and column (in bytes) of offset `at` in `text`.
std::pair<int, int> lineColAt(std::string_view text, size_t at);

}  // namespace npf
