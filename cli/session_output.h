// What a session of `fuzz` or `conformance` leaves behind in its output directory and on the
// terminal: each failing case saved to OUT/failures/ with what was observed, a FAIL line per
// failing case and a progress line on stderr, and OUT/results.json (while running, if asked, and
// at the end). `replay` prints per-case verdicts instead (cli/cmd_replay.cc).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "reports/results_model.h"
#include "reports/run_info.h"
#include "runner/session.h"
#include "runner/utc_time.h"

namespace npf::cli {

using runner::utcNow;  // for RunInfo::started

// Creates OUT/failures/; prints `OUT:0:0: cannot create directory: ...` and returns false when
// it cannot.
bool createOutputDirectory(const std::string& out);

struct SessionOutputOptions {
  std::string outDir;
  RunInfo info;  // recorded in results.json and in every saved case
  // Where a failing case is saved, relative to outDir ("failures/NAME.yaml").
  std::function<std::string(const runner::SessionCase&)> failureFile;
  // A failing case's line after "FAIL " (each command names its cases its own way); `saved` is
  // failureFile(c).
  std::function<std::string(const runner::SessionCase& c, const runner::CaseResult& r,
                            const std::string& saved)>
      failLine;
  double resultsEverySeconds = 0;  // also rewrite results.json while running (0: only at the end)
  bool quiet = false;              // no FAIL or progress lines
  // For the progress line: the cases planned (0: no end) and the time limit (0: none).
  size_t plannedCases = 0;
  double durationSeconds = 0;
};

class SessionOutput : public runner::SessionSink {
 public:
  explicit SessionOutput(SessionOutputOptions options);
  void caseDone(const runner::SessionCase& c, const runner::CaseResult& r,
                const runner::ReplayResult* replay, const runner::SessionResult& sofar) override;
  // After the session: clears the progress line, writes the final results.json and returns it.
  results::Results finish(const runner::SessionResult& result);
  // Writes `doc` as results.json again (after `fuzz --minimize` added its reproductions).
  void rewrite(const results::Results& doc);

 private:
  using Clock = std::chrono::steady_clock;
  void writeResults(const results::Results& doc);
  void printProgress(const runner::SessionResult& sofar, Clock::time_point now);

  SessionOutputOptions options_;
  const bool tty_;  // stderr is a terminal and not quiet: one progress line, redrawn in place
  std::vector<std::string> failureFiles_;  // failureFiles_[i]: the saved file of case i, or ""
  Clock::time_point lastWrite_ = Clock::now(), lastLine_ = lastWrite_;
  bool writeFailed_ = false;  // said once, not after every case
};

}  // namespace npf::cli
