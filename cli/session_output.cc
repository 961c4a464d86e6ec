#include "cli/session_output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <iostream>

#include "cli/load.h"
#include "model/case_file.h"
#include "reports/campaign_summary.h"
#include "runner/campaign_results.h"

namespace npf::cli {

namespace fs = std::filesystem;

// Lines are written every so often, not after every case, when stderr is a log, not a terminal.
constexpr auto kQuietPeriod = std::chrono::seconds(10);

bool createOutputDirectory(const std::string& out) {
  std::error_code ec;
  fs::create_directories(fs::path(out) / "failures", ec);
  if (!ec) return true;
  std::cerr << fmt::format("{}:0:0: cannot create directory: {}\n", out, ec.message());
  return false;
}

SessionOutput::SessionOutput(SessionOutputOptions options)
    : options_(std::move(options)), tty_(isatty(STDERR_FILENO) && !options_.quiet) {
  if (options_.resultsEverySeconds > 0) {
    // At once, so that `netpolfuzz status` sees the run before its first case ends.
    results::Results doc = runner::toResults({}, options_.info, {});
    doc.finished = false;
    writeResults(doc);
  }
}

void SessionOutput::caseDone(const runner::SessionCase& c, const runner::CaseResult& r,
                             const runner::ReplayResult*, const runner::SessionResult& sofar) {
  std::string saved;
  if (r.discrepancies() > 0) {
    saved = options_.failureFile(c);
    // A case that ran under settings of its own (its recorded profile) is saved with them.
    RunInfo info = options_.info;
    if (c.settings) {
      info.profile = c.settings->profile;
      info.faults = c.settings->faults;
    }
    if (!writeFileAtomic((fs::path(options_.outDir) / saved).string(),
                         encodeCase(runner::caseWithObservation(c.kase, r, info))))
      std::cerr << fmt::format("{}/{}:0:0: cannot write failing case\n", options_.outDir, saved);
  }
  failureFiles_.push_back(saved);
  const auto now = Clock::now();
  if (options_.resultsEverySeconds > 0 &&
      now - lastWrite_ > std::chrono::duration<double>(options_.resultsEverySeconds)) {
    results::Results doc = runner::toResults(sofar, options_.info, failureFiles_);
    doc.finished = false;  // `netpolfuzz status` tells a running campaign from a finished one
    writeResults(doc);
    lastWrite_ = now;
  }
  if (r.discrepancies() > 0 && !options_.quiet)
    std::cerr << (tty_ ? "\r\033[K" : "") << "FAIL " << options_.failLine(c, r, saved) << '\n';
  printProgress(sofar, now);
}

void SessionOutput::printProgress(const runner::SessionResult& sofar, Clock::time_point now) {
  auto line = [&] {
    return renderProgressLine(runner::toTotals(sofar), sofar.seconds, options_.plannedCases,
                              options_.durationSeconds);
  };
  if (tty_) {
    std::cerr << "\r\033[K" << line() << std::flush;
  } else if (!options_.quiet && now - lastLine_ > kQuietPeriod) {
    std::cerr << line() << '\n';
    lastLine_ = now;
  }
}

results::Results SessionOutput::finish(const runner::SessionResult& result) {
  if (tty_) std::cerr << "\r\033[K" << std::flush;
  results::Results doc = runner::toResults(result, options_.info, failureFiles_);
  writeResults(doc);
  return doc;
}

void SessionOutput::rewrite(const results::Results& doc) { writeResults(doc); }

void SessionOutput::writeResults(const results::Results& doc) {
  if (writeFileAtomic((fs::path(options_.outDir) / "results.json").string(),
                      results::renderJson(doc)) ||
      writeFailed_)
    return;
  writeFailed_ = true;
  std::cerr << fmt::format("{}/results.json:0:0: cannot write results\n", options_.outDir);
}

}  // namespace npf::cli
