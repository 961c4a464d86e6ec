#pragma once

#include <chrono>

namespace npf::cli {

// Wall-clock laps for --timings output.
class Stopwatch {
 public:
  // Seconds since construction or the previous lap.
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace npf::cli
