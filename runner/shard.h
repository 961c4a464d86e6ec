// Shards: one slice of a campaign or of the suite, so that N machines (a Kubernetes Indexed Job,
// a CI matrix) together run exactly the cases of one run. Shard I of N (I counts from 0, like
// JOB_COMPLETION_INDEX) holds the cases whose position is I modulo N: every shard sees cases of
// every size and family in the same proportions, finishes at about the same time, and a run
// with no fixed number of cases (`fuzz --duration`) can be sharded too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace npf::runner {

struct Shard {
  uint64_t index = 0, count = 1;
  // Whether the case at `position` (from 0, in the unsharded run's order) is in this shard.
  bool has(uint64_t position) const { return position % count == index; }
  // How many of the first `total` positions are in this shard.
  uint64_t casesOf(uint64_t total) const {
    return total > index ? (total - index + count - 1) / count : 0;
  }
  bool whole() const { return count == 1; }
  std::string toString() const;  // "I/N"
};

// Parses "I/N" (0 <= I < N, N >= 1). On failure, nullopt and `error` says why in a sentence.
std::optional<Shard> parseShard(const std::string& text, std::string& error);

}  // namespace npf::runner
