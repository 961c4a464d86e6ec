// Report files from a results.json: reading it and the case files its cases name, and writing
// the renderings next to it. Used by `netpolfuzz report` and, after a run, by `fuzz` and
// `conformance`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reports/results_model.h"
#include "reports/results_render.h"

namespace npf::cli {

// Reads and parses `path`. On failure, `error` holds the one-line `file:line:col: message`.
struct LoadedResults {
  std::optional<results::Results> results;
  std::string error;
};
LoadedResults loadResults(const std::string& path);

// The results files that command-line arguments name, for `merge`, `status`, `diff` and
// `findings`: an argument is a results.json file, a directory holding one (a run's output), or
// a directory whose subdirectories hold one each (the shards' volume: DIR/shard-0, ...), taken
// in name order. `error` says which argument names none.
std::vector<std::string> resultsFilesIn(const std::vector<std::string>& args, std::string& error);

// The whole of a text file, or in `error` why not (with `limit`, files over it are refused).
bool readTextFile(const std::string& path, std::string& text, std::string& error,
                  std::uintmax_t limit = 0);

// The case file of each case, for the HTML page: the case's `file` (relative to
// `resultsDir`) when it has one, else its `source` as written (tried as given, then relative to
// `resultsDir`). Unreadable files carry the reason in CaseFile::error.
std::vector<results::CaseFile> readCaseFiles(const results::Results& r,
                                             const std::string& resultsDir);

// The file name a format is written to by writeReports: report.html, junit.xml, report.md,
// report.txt, results.json; "" for an unknown format.
std::string reportFileName(const std::string& format);

// Reads `resultsJsonPath` and writes each of `formats` (html, junit, markdown, text, json) into
// `outDir` ("" = the directory of results.json) under reportFileName(format), atomically.
// Returns "" on success, else the first problem as one line (`file:line:col: message` for a
// bad results file).
std::string writeReports(const std::string& resultsJsonPath,
                         const std::vector<std::string>& formats, const std::string& outDir = "");

}  // namespace npf::cli
