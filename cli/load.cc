#include "cli/load.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/stopwatch.h"

namespace npf::cli {

Loaded loadCase(const std::vector<std::string>& files) {
  Stopwatch clock;
  CaseLoad r = loadCaseFiles(files);
  Loaded out{std::move(r.kase), std::move(r.errors), std::move(r.warnings), 0};
  out.seconds = clock.lap();
  return out;
}

void printDiagnostics(const Loaded& l) {
  for (const auto& w : l.warnings)
    std::cerr << w.file << ':' << w.line << ':' << w.col << ": warning: " << w.message << '\n';
  for (const auto& e : l.errors) std::cerr << toString(e) << '\n';
}

std::vector<Cluster> caseStates(const Case& c) {
  std::vector<Cluster> states{c.cluster};
  for (const auto& s : c.meta.steps) {
    Cluster next = states.back();
    applyStep(next, s);  // loadCase validated that every step applies
    states.push_back(std::move(next));
  }
  return states;
}

}  // namespace npf::cli

namespace npf::cli {

bool loadWeightsFile(const std::string& path, GeneratorWeights& w) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << path << ":0:0: cannot read weights file\n";
    return false;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string err = parseWeights(text, w);
  if (err.empty()) return true;
  // parseWeights says "line N: ..."; turn it into file:line:col.
  int line = 0;
  std::sscanf(err.c_str(), "line %d", &line);
  auto colon = err.find(": ");
  std::cerr << path << ":" << line
            << ":1: " << (line && colon != std::string::npos ? err.substr(colon + 2) : err) << "\n";
  return false;
}

namespace fs = std::filesystem;

std::vector<std::string> listCaseFiles(const std::string& p, std::string& error) {
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    for (auto it = fs::recursive_directory_iterator(p, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      auto ext = it->path().extension().string();
      if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json"))
        out.push_back(it->path().string());
    }
    if (ec) error = fmt::format("{}:0:0: cannot read directory: {}", p, ec.message());
  } else if (fs::exists(p, ec)) {
    out.push_back(p);
  } else {
    error = fmt::format("{}:0:0: no such file or directory", p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace npf::cli
