#include "reports/known_failures.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace npf::results {

namespace {

struct Word {
  std::string text;
  int col = 0;  // 1-based
};

std::vector<Word> wordsOf(std::string_view line) {
  std::vector<Word> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    out.push_back({std::string(line.substr(start, i - start)), int(start) + 1});
  }
  return out;
}

bool validTarget(const std::string& t) {
  auto colon = t.rfind(':');
  auto slash = t.rfind('/');
  if (colon == std::string::npos || slash == std::string::npos || slash < colon || colon == 0)
    return false;
  std::string port = t.substr(colon + 1, slash - colon - 1);
  std::string proto = t.substr(slash + 1);
  return !port.empty() && std::all_of(port.begin(), port.end(), ::isdigit) && port.size() <= 5 &&
         std::stoi(port) <= 65535 && (proto == "TCP" || proto == "UDP" || proto == "SCTP");
}

// "y/b:0080/TCP" -> "y/b:80/TCP": the spelling CellRecord::target() gives.
std::string canonicalTarget(const std::string& t) {
  auto colon = t.rfind(':');
  auto slash = t.rfind('/');
  return t.substr(0, colon + 1) +
         std::to_string(std::stoi(t.substr(colon + 1, slash - colon - 1))) + t.substr(slash);
}

bool failedOrFlaky(const CellRecord& c) {
  return c.is(CellStatus::Fail) || c.is(CellStatus::Flaky);
}

}  // namespace

KnownFailuresFile parseKnownFailures(std::string_view text, const std::string& fileName) {
  KnownFailuresFile out;
  int lineNo = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string note;
    if (auto hash = line.find('#'); hash != std::string_view::npos) {
      note = std::string(line.substr(hash + 1));
      note.erase(0, note.find_first_not_of(' '));
      line = line.substr(0, hash);
    }
    auto words = wordsOf(line);
    if (words.empty()) continue;
    auto fail = [&](int col, const std::string& message) {
      out.errors.push_back({fileName, lineNo, col, message});
    };
    if (words.size() != 4) {
      fail(words.size() > 4 ? words[4].col : words.back().col,
           fmt::format("expected CASE STEP FROM TO:PORT/PROTOCOL, got {} field{}", words.size(),
                       words.size() == 1 ? "" : "s"));
      continue;
    }
    KnownFailure k;
    k.caseName = words[0].text;
    const std::string& step = words[1].text;
    if (step.empty() || step.size() > 6 || !std::all_of(step.begin(), step.end(), ::isdigit)) {
      fail(words[1].col, "STEP must be a state number (0 = the initial objects)");
      continue;
    }
    k.step = std::stoull(step);
    k.from = words[2].text;
    k.target = words[3].text;
    if (!validTarget(k.target)) {
      fail(words[3].col, "expected TO:PORT/PROTOCOL (e.g. y/b:80/TCP, ip/192.0.2.10:443/TCP)");
      continue;
    }
    k.target = canonicalTarget(k.target);
    k.note = note;
    k.line = lineNo;
    bool dup = false;
    for (const auto& e : out.entries) dup = dup || e.sameCell(k.caseName, k.step, k.from, k.target);
    if (dup) {
      fail(words[0].col, "this cell is listed twice");
      continue;
    }
    out.entries.push_back(std::move(k));
  }
  return out;
}

KnownFailureCheck checkKnownFailures(const Results& run, const std::vector<KnownFailure>& known) {
  KnownFailureCheck out;
  std::map<std::string, const CaseRecord*> ran;
  for (const auto& c : run.cases) ran[c.name] = &c;
  std::vector<bool> seen(known.size(), false);
  for (const auto& c : run.cases)
    for (const auto& cell : c.cellsNotPassing) {
      if (!failedOrFlaky(cell)) continue;
      std::string target = cell.target();
      bool listed = false;
      for (size_t i = 0; i < known.size(); ++i)
        if (known[i].sameCell(c.name, cell.step, cell.from, target)) {
          listed = true;
          if (!seen[i]) ++out.matched;
          seen[i] = true;
        }
      if (!listed && cell.is(CellStatus::Fail)) {
        std::string observed;
        for (const auto& a : cell.observed) observed += (observed.empty() ? "" : ",") + a.result;
        out.unexpected.push_back(
            {c.name, cell.step, cell.from, target, cell.expected, observed, cell.signature});
      }
    }
  for (size_t i = 0; i < known.size(); ++i)
    if (!seen[i] && ran.count(known[i].caseName)) {
      // A case that failed on the backend (no cells) says nothing about its cells.
      if (!ran[known[i].caseName]->backendError.empty()) continue;
      out.fixed.push_back(known[i]);
    }
  return out;
}

std::string renderKnownFailures(const Results& run, const std::string& header) {
  std::string out;
  size_t start = 0;
  while (start < header.size()) {
    size_t nl = header.find('\n', start);
    out += "# " + header.substr(start, nl == std::string::npos ? nl : nl - start) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  out += "# CASE  STEP  FROM  TO:PORT/PROTOCOL  # signature\n";
  for (const auto& c : run.cases)
    for (const auto& cell : c.cellsNotPassing)
      if (cell.is(CellStatus::Fail))
        out += fmt::format("{}  {}  {}  {}{}\n", c.name, cell.step, cell.from, cell.target(),
                           cell.signature.empty() ? "" : "  # " + cell.signature);
  return out;
}

std::string renderKnownFailureCheck(const KnownFailureCheck& check, const std::string& fileName) {
  std::string out;
  for (const auto& u : check.unexpected)
    out += fmt::format("NEW FAILURE {} step {}: {} -> {}  expected {}, observed {}{}\n", u.caseName,
                       u.step, u.from, u.target, u.expected, u.observed,
                       u.signature.empty() ? "" : "  [" + u.signature + "]");
  for (const auto& f : check.fixed)
    out += fmt::format(
        "NO LONGER FAILS {}:{}: {} step {}: {} -> {} (remove it from the file if it is fixed)\n",
        fileName, f.line, f.caseName, f.step, f.from, f.target);
  if (check.ok())
    out += fmt::format("known failures: exactly the {} listed in {} (exit 0)\n", check.matched,
                       fileName);
  else
    out +=
        fmt::format("known failures: {} new, {} no longer failing, {} as listed in {} (exit 1)\n",
                    check.unexpected.size(), check.fixed.size(), check.matched, fileName);
  return out;
}

}  // namespace npf::results
