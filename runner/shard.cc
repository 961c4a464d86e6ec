#include "runner/shard.h"

#include <fmt/format.h>

#include <charconv>

namespace npf::runner {

std::string Shard::toString() const { return fmt::format("{}/{}", index, count); }

std::optional<Shard> parseShard(const std::string& text, std::string& error) {
  auto number = [](std::string_view s, uint64_t& out) {
    if (s.empty() || s.size() > 9) return false;  // up to 999,999,999 shards
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  auto slash = text.find('/');
  Shard s;
  if (slash == std::string::npos || !number(std::string_view(text).substr(0, slash), s.index) ||
      !number(std::string_view(text).substr(slash + 1), s.count)) {
    error = fmt::format("'{}' is not I/N (e.g. 0/4: the first of four shards)", text);
    return std::nullopt;
  }
  if (s.count == 0) {
    error = "the number of shards N must be at least 1";
    return std::nullopt;
  }
  if (s.index >= s.count) {
    error = fmt::format("shard {} of {} does not exist: I counts from 0 to N-1 ({})", s.index,
                        s.count, s.count - 1);
    return std::nullopt;
  }
  return s;
}

}  // namespace npf::runner
