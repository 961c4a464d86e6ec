// FNV-1a 64: the stable hash that names content (saved cases, findings). Not cryptographic:
// names only need to be short, stable across machines, and rarely collide.
#pragma once

#include <cstdint>
#include <string_view>

namespace npf {

inline uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace npf
