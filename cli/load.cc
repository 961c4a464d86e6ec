#include "cli/load.h"

#include <iostream>

#include "cli/stopwatch.h"
#include "model/codec.h"
#include "model/validate.h"

namespace npf::cli {

Loaded loadCase(const std::vector<std::string>& files) {
  Loaded out;
  Stopwatch clock;
  for (const auto& f : files) {
    DecodeResult r = decodeFile(f);
    out.cluster.append(std::move(r.cluster));
    out.errors.insert(out.errors.end(), r.errors.begin(), r.errors.end());
    out.warnings.insert(out.warnings.end(), r.warnings.begin(), r.warnings.end());
  }
  out.decodeSeconds = clock.lap();
  if (out.errors.empty()) out.errors = validate(out.cluster);
  out.validateSeconds = clock.lap();
  return out;
}

void printDiagnostics(const Loaded& l) {
  for (const auto& w : l.warnings)
    std::cerr << w.file << ':' << w.line << ':' << w.col << ": warning: " << w.message << '\n';
  for (const auto& e : l.errors) std::cerr << toString(e) << '\n';
}

}  // namespace npf::cli
