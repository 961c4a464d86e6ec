#include "runner/tool_cache.h"

#include <cstdlib>

namespace npf::runner {

std::string defaultToolBinDir() {
  if (const char* d = std::getenv("NETPOLFUZZ_BIN_DIR"); d && *d) return d;
  std::string cache;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    cache = x;
  else if (const char* h = std::getenv("HOME"); h && *h)
    cache = std::string(h) + "/.cache";
  else
    cache = "/root/.cache";
  return cache + "/netpolfuzz/bin";
}

}  // namespace npf::runner
