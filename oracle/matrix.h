// The matrix engine: every cell of a probe set at once, from per-policy bitsets. Must agree
// with evaluateProbe on every cell (property-tested).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "model/objects.h"
#include "model/probe.h"
#include "model/profile.h"
#include "oracle/verdict.h"

namespace npf {

// Verdicts of a probe set, cell i being the i-th probe of ProbeSet::forEach. Two bits per
// cell: `valid` (the probe can be made, see evaluateProbe's nullopt) is folded into
// Verdict-or-skip.
class Matrix {
 public:
  enum class Cell : uint8_t { Deny = 0, Allow = 1, Undefined = 2, Skip = 3 };
  Matrix() = default;
  explicit Matrix(size_t cells) : bits_((cells * 2 + 63) / 64, 0), size_(cells) {}
  size_t size() const { return size_; }
  Cell get(size_t i) const { return Cell((bits_[i / 32] >> ((i % 32) * 2)) & 3); }
  void set(size_t i, Cell c) {
    uint64_t& w = bits_[i / 32];
    int sh = (i % 32) * 2;
    w = (w & ~(uint64_t(3) << sh)) | (uint64_t(c) << sh);
  }
  // Sets cells [first, first + 32) at once; cell first + k comes from bits 2k..2k+1 of
  // `packed`. For bulk writers (the engine fills 100 million cells).
  void set32(size_t first, uint64_t packed) {
    size_t w = first / 32;
    int sh = int(first % 32) * 2;
    if (sh == 0) {
      bits_[w] = packed;
      return;
    }
    bits_[w] = (bits_[w] & ((uint64_t(1) << sh) - 1)) | (packed << sh);
    bits_[w + 1] = (bits_[w + 1] & ~((uint64_t(1) << (64 - sh)) - 1)) | (packed >> (64 - sh));
  }
  // nullopt for Skip.
  std::optional<Verdict> verdict(size_t i) const;

 private:
  std::vector<uint64_t> bits_;
  size_t size_ = 0;
};

Matrix computeMatrix(const Cluster& c, const ProbeSet& probes, const Profile& profile);

// Every cell by the reference evaluator, one probe at a time (what the engine is judged by).
Matrix referenceMatrix(const Cluster& c, const ProbeSet& probes, const Profile& profile);

}  // namespace npf
