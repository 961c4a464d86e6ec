#include "cli/report_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/load.h"
#include "model/diagnostic.h"

namespace npf::cli {

namespace fs = std::filesystem;

namespace {

// Case files are a few kilobytes; a huge one would only bloat the page.
constexpr std::uintmax_t kMaxCaseFileBytes = 4u << 20;

// The whole file, or the reason it could not be read.
bool readFile(const fs::path& path, std::string& text, std::string& error,
              std::uintmax_t limit = 0) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    error = "is a directory";
    return false;
  }
  if (limit) {
    auto size = fs::file_size(path, ec);
    if (!ec && size > limit) {
      error = fmt::format("larger than {} MiB", limit >> 20);
      return false;
    }
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno ? errno : ENOENT);
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return false;
  }
  text = buf.str();
  return true;
}

}  // namespace

bool readTextFile(const std::string& path, std::string& text, std::string& error,
                  std::uintmax_t limit) {
  return readFile(path, text, error, limit);
}

std::vector<std::string> resultsFilesIn(const std::vector<std::string>& args, std::string& error) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::error_code ec;
    const fs::path p(a);
    if (!fs::is_directory(p, ec)) {
      if (!fs::exists(p, ec)) {
        error = fmt::format("{}:0:0: no such file or directory", a);
        return {};
      }
      out.push_back(a);
      continue;
    }
    if (fs::exists(p / "results.json", ec)) {
      out.push_back((p / "results.json").string());
      continue;
    }
    std::vector<std::string> inside;
    for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_directory(ec) && fs::exists(it->path() / "results.json", ec))
        inside.push_back((it->path() / "results.json").string());
    if (inside.empty()) {
      error = fmt::format("{}:0:0: no results.json in this directory or in its subdirectories", a);
      return {};
    }
    std::sort(inside.begin(), inside.end());
    out.insert(out.end(), inside.begin(), inside.end());
  }
  return out;
}

LoadedResults loadResults(const std::string& path) {
  LoadedResults out;
  std::string text, error;
  if (!readFile(path, text, error)) {
    out.error = fmt::format("{}:0:0: cannot read results file: {}", path, error);
    return out;
  }
  results::ResultsLoad r = results::parseResults(text, path);
  if (!r.results) {
    out.error = toString(r.error);
    return out;
  }
  out.results = std::move(r.results);
  return out;
}

std::vector<results::CaseFile> readCaseFiles(const results::Results& r,
                                             const std::string& resultsDir) {
  std::vector<results::CaseFile> files;
  fs::path dir = resultsDir.empty() ? fs::path(".") : fs::path(resultsDir);
  for (const results::CaseRecord& c : r.cases) {
    results::CaseFile f;
    std::vector<fs::path> tries;
    if (!c.file.empty()) {
      f.path = c.file;
      tries.push_back(fs::path(c.file).is_absolute() ? fs::path(c.file) : dir / c.file);
    } else if (!c.source.empty()) {
      f.path = c.source;
      tries.push_back(c.source);
      if (fs::path(c.source).is_relative()) tries.push_back(dir / c.source);
    }
    for (const fs::path& p : tries) {
      std::string error;
      if (readFile(p, f.text, error, kMaxCaseFileBytes)) {
        f.error.clear();
        break;
      }
      if (f.error.empty()) f.error = error + " (" + p.string() + ")";
    }
    files.push_back(std::move(f));
  }
  return files;
}

std::string reportFileName(const std::string& format) {
  if (format == "html") return "report.html";
  if (format == "junit") return "junit.xml";
  if (format == "markdown") return "report.md";
  if (format == "text") return "report.txt";
  if (format == "json") return "results.json";
  return "";
}

std::string writeReports(const std::string& resultsJsonPath,
                         const std::vector<std::string>& formats, const std::string& outDir) {
  for (const auto& f : formats)
    if (reportFileName(f).empty())
      return fmt::format("unknown report format \"{}\" (html, junit, markdown, text, json)", f);
  LoadedResults loaded = loadResults(resultsJsonPath);
  if (!loaded.results) return loaded.error;
  const results::Results& r = *loaded.results;
  fs::path resultsDir = fs::path(resultsJsonPath).parent_path();
  fs::path dir = outDir.empty() ? resultsDir : fs::path(outDir);
  std::error_code ec;
  if (!dir.empty()) fs::create_directories(dir, ec);
  if (ec) return fmt::format("{}:0:0: cannot create directory: {}", dir.string(), ec.message());
  for (const auto& format : formats) {
    std::string text;
    if (format == "html")
      text = results::renderHtml(r, readCaseFiles(r, resultsDir.string()));
    else if (format == "junit")
      text = results::renderJunit(r);
    else if (format == "markdown")
      text = results::renderMarkdown(r);
    else if (format == "text")
      text = results::renderText(r);
    else
      text = results::renderJson(r);
    fs::path path = dir / reportFileName(format);
    // Never rewrite the results file being read.
    if (format == "json" && fs::equivalent(path, resultsJsonPath, ec)) continue;
    if (!writeFileAtomic(path.string(), text))
      return fmt::format("{}:0:0: cannot write report", path.string());
  }
  return "";
}

}  // namespace npf::cli
