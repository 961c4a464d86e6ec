// libFuzzer target for `--enforcer-cmd` templates (runner/local/enforcer.h): splitting never
// crashes or hangs; a template that splits gives at least one word, and no word of it still
// holds a placeholder it knows.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "runner/local/enforcer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string tmpl(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto argv = npf::runner::local::expandCommandTemplate(tmpl, "/k", "node-1", "10.0.0.1", error);
  if (!error.empty()) {
    if (!argv.empty()) std::abort();
    return 0;
  }
  if (argv.empty()) std::abort();
  for (const auto& w : argv)
    for (const char* p : {"{kubeconfig}", "{node}", "{node-ip}"})
      if (w.find(p) != std::string::npos) {
        std::fprintf(stderr, "placeholder left in %s\n", w.c_str());
        std::abort();
      }
  return 0;
}
