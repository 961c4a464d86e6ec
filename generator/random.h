// Deterministic randomness: splitmix64 and our own distributions, so one seed gives the same
// output with every compiler and standard library (std::uniform_*_distribution differs).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace npf {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  // Draws come from `tape` instead of the PRNG; past its end every draw is 0, the simplest
  // choice of every distribution. Fuzzers and property tests steer the generator through the
  // tape, and RapidCheck shrinks a case by shrinking its tape.
  static Random fromTape(std::vector<uint64_t> tape) {
    Random r(0);
    r.tape_ = std::make_shared<const std::vector<uint64_t>>(std::move(tape));
    return r;
  }

  uint64_t next() {
    if (tape_) return tapePos_ < tape_->size() ? (*tape_)[tapePos_++] : 0;
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n); 0 when n is 0. Rejection sampling, so no modulo bias.
  uint64_t below(uint64_t n) {
    if (n == 0) return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = next();
    while (x >= limit);
    return x % n;
  }

  // Uniform in [lo, hi], inclusive.
  int64_t range(int64_t lo, int64_t hi) { return lo + int64_t(below(uint64_t(hi - lo) + 1)); }

  // True with probability percent/100 (integers only: no floating point in the stream).
  bool percent(int p) { return p > 0 && (p >= 100 || int(below(100)) < p); }

  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  template <typename T, size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(N)];
  }

  // Index i with probability weights[i] / sum; the first index when all are zero.
  size_t weighted(std::span<const int> weights) {
    uint64_t total = 0;
    for (int w : weights) total += uint64_t(w > 0 ? w : 0);
    uint64_t r = below(total);
    for (size_t i = 0; i < weights.size(); ++i) {
      uint64_t w = uint64_t(weights[i] > 0 ? weights[i] : 0);
      if (r < w) return i;
      r -= w;
    }
    return weights.size() - 1;
  }

  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

  // A random subset of `v` of size k (k <= size), in the original order.
  template <typename T>
  std::vector<T> subset(const std::vector<T>& v, size_t k) {
    std::vector<size_t> idx(v.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    shuffle(idx);
    idx.resize(std::min(k, idx.size()));
    std::sort(idx.begin(), idx.end());
    std::vector<T> out;
    for (size_t i : idx) out.push_back(v[i]);
    return out;
  }

  // An independent stream for a sub-task, so adding draws in one place does not shift
  // every later case of a campaign.
  Random fork(uint64_t salt) {
    if (tape_) return *this;  // a tape is one stream
    return Random(next() ^ (salt * 0xd1b54a32d192ed03ULL));
  }

 private:
  uint64_t state_;
  std::shared_ptr<const std::vector<uint64_t>> tape_;
  size_t tapePos_ = 0;
};

}  // namespace npf
