#include "reports/results_grid.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace npf::results {
namespace {

// Sort key of "PORT/PROTOCOL": the port number, then TCP, UDP, SCTP, anything else.
std::tuple<long, int, std::string> portKey(const std::string& pp) {
  long port = 0;
  size_t i = 0;
  for (; i < pp.size() && i < 9 && pp[i] >= '0' && pp[i] <= '9'; ++i)
    port = port * 10 + (pp[i] - '0');
  std::string proto = i < pp.size() ? pp.substr(i + 1) : "";
  int rank = proto == "TCP" ? 0 : proto == "UDP" ? 1 : proto == "SCTP" ? 2 : 3;
  return {port, rank, pp};
}

// The status of a cell without a record, from its last attempt: the parser guarantees the
// characters are the vocabulary's.
Status inferred(char expectedCell, char observedCell) {
  auto expected = expectedFromSymbol(expectedCell);
  auto observed = observedFromSymbol(observedCell);
  if (expected == Expected::Undefined) return Status::Undefined;
  if (expected == Expected::Skip || observed == Observed::Skipped) return Status::Skipped;
  if (observed == Observed::Error) return Status::Error;
  if (expected == Expected::Allow && observed == Observed::Timeout) return Status::Fail;
  if (expected == Expected::Deny && observed == Observed::Connected) return Status::Fail;
  return Status::Pass;
}

}  // namespace

StateGrid buildGrid(const CaseRecord& c, const State& s) {
  StateGrid g;
  if (!s.hasMatrix()) return g;
  size_t n = s.expectedCells.size();
  g.status.resize(n);
  g.record.assign(n, -1);
  for (size_t i = 0; i < n; ++i) g.status[i] = inferred(s.expectedCells[i], s.observedCells[i]);

  // Tables: cells grouped by port/protocol, rows and columns in order of first appearance.
  // Blocks are rectangles, so a port's table is dense unless blocks with different sources and
  // targets share the port; when the table would be mostly holes (quadratic in the cells), that
  // port gets one table per block instead.
  std::vector<std::vector<std::pair<std::string, std::string>>> split;  // per block, per target
  for (const Block& b : s.blocks) {
    auto& targets = split.emplace_back();
    for (const auto& t : b.to) {
      std::string ep, pp;
      if (!splitTarget(t, ep, pp)) ep = t, pp = "?";
      targets.emplace_back(std::move(ep), std::move(pp));
    }
  }
  struct Shape {
    std::unordered_set<std::string> rows, cols;
    uint64_t cells = 0;
  };
  std::unordered_map<std::string, Shape> shapes;
  for (size_t bi = 0; bi < s.blocks.size(); ++bi)
    for (const auto& [ep, pp] : split[bi]) {
      Shape& sh = shapes[pp];
      sh.cols.insert(ep);
      sh.cells += s.blocks[bi].from.size();
      for (const auto& f : s.blocks[bi].from) sh.rows.insert(f);
    }
  auto perBlock = [&](const std::string& pp) {
    const Shape& sh = shapes[pp];
    return uint64_t(sh.rows.size()) * sh.cols.size() > 2 * sh.cells + 1024;
  };

  struct Building {
    Table table;
    std::unordered_map<std::string, size_t> rowIndex, colIndex;
    std::vector<std::tuple<size_t, size_t, int64_t>> cells;
  };
  std::map<std::tuple<long, int, std::string, size_t>, Building> byPort;
  std::unordered_map<std::string, int64_t> cellOf;  // "FROM TARGET" -> cell
  int64_t cell = 0;
  for (size_t bi = 0; bi < s.blocks.size(); ++bi) {
    const Block& b = s.blocks[bi];
    std::vector<bool> own;
    for (const auto& [ep, pp] : split[bi]) own.push_back(perBlock(pp));
    for (const auto& from : b.from) {
      for (size_t k = 0; k < split[bi].size(); ++k) {
        const auto& [ep, pp] = split[bi][k];
        auto [port, rank, name] = portKey(pp);
        Building& bt = byPort[{port, rank, name, own[k] ? bi + 1 : 0}];
        bt.table.portProtocol = own[k] ? fmt::format("{} (block {})", pp, bi + 1) : pp;
        auto [ri, rnew] = bt.rowIndex.emplace(from, bt.table.rows.size());
        if (rnew) bt.table.rows.push_back(from);
        auto [ci, cnew] = bt.colIndex.emplace(ep, bt.table.columns.size());
        if (cnew) bt.table.columns.push_back(ep);
        bt.cells.emplace_back(ri->second, ci->second, cell);
        cellOf.emplace(from + ' ' + b.to[k], cell);
        ++cell;
      }
    }
  }
  for (auto& [key, bt] : byPort) {
    Table& t = bt.table;
    t.cells.assign(t.rows.size() * t.columns.size(), -1);
    for (const auto& [r, col, index] : bt.cells) t.cells[r * t.columns.size() + col] = index;
    g.tables.push_back(std::move(t));
  }

  for (size_t k = 0; k < c.cellsNotPassing.size(); ++k) {
    const CellRecord& rec = c.cellsNotPassing[k];
    if (rec.step != s.step) continue;
    auto it = cellOf.find(rec.from + ' ' + rec.target());
    if (it == cellOf.end()) continue;
    g.record[it->second] = int64_t(k);
    if (auto st = cellStatusFromWord(rec.status);
        st == Status::Fail || st == Status::Flaky || st == Status::Error)
      g.status[it->second] = *st;
  }
  return g;
}

char observedSymbol(char o) {
  switch (observedFromSymbol(o).value_or(Observed::Skipped)) {
    case Observed::Connected:
      return '.';
    case Observed::Timeout:
      return 'X';
    case Observed::Refused:
      return 'r';
    case Observed::Error:
      return 'e';
    case Observed::Skipped:
      return '-';
  }
  return '-';
}

char diffSymbol(Status s) {
  switch (s) {
    case Status::Pass:
      return '.';
    case Status::Fail:
      return 'X';
    case Status::Flaky:
      return '~';
    case Status::Error:
      return 'e';
    case Status::Undefined:
      return '?';
    case Status::Skipped:
      return '-';
  }
  return '-';
}

std::string endpointNamespace(std::string_view ep) {
  if (ep.rfind("node/", 0) == 0 || ep.rfind("ip/", 0) == 0) return "";
  if (ep.rfind("svc/", 0) == 0) ep.remove_prefix(4);
  auto slash = ep.find('/');
  return slash == std::string_view::npos ? "" : std::string(ep.substr(0, slash));
}

std::vector<SignatureGroup> groupSignatures(const Results& r) {
  std::map<std::string, SignatureGroup> groups;
  for (size_t i = 0; i < r.cases.size(); ++i)
    for (const CellRecord& cell : r.cases[i].cellsNotPassing) {
      if (!cell.is(CellStatus::Fail)) continue;
      SignatureGroup& g = groups[cell.signature];
      g.signature = cell.signature;
      ++g.cells;
      if (g.cases.empty() || g.cases.back() != i) g.cases.push_back(i);
    }
  std::vector<SignatureGroup> out;
  for (auto& [k, g] : groups) out.push_back(std::move(g));
  std::stable_sort(out.begin(), out.end(), [](const SignatureGroup& a, const SignatureGroup& b) {
    return a.cells != b.cells ? a.cells > b.cells : a.cases.size() > b.cases.size();
  });
  return out;
}

std::vector<TagGroup> tagGroups(const Results& r) {
  std::map<std::string, TagCount> tags;
  for (const CaseRecord& c : r.cases) {
    std::vector<std::string> seen;
    for (const auto& t : c.tags) {
      if (std::find(seen.begin(), seen.end(), t) != seen.end()) continue;  // counted once per case
      seen.push_back(t);
      TagCount& k = tags[t];
      k.tag = t;
      ++k.cases;
      k.failed += c.failed();
    }
  }
  auto group = [](const std::string& t) {
    if (!t.empty() && std::isupper(static_cast<unsigned char>(t[0]))) return 0;
    if (t.rfind("family:", 0) == 0 || t.rfind("source:", 0) == 0) return 1;
    return 2;
  };
  std::vector<TagGroup> out{{"bug class", {}}, {"family / source", {}}, {"feature", {}}};
  for (auto& [t, k] : tags) out[group(t)].tags.push_back(k);
  out.erase(
      std::remove_if(out.begin(), out.end(), [](const TagGroup& g) { return g.tags.empty(); }),
      out.end());
  return out;
}

const char* caseVerdict(const CaseRecord& c) {
  if (c.failed()) return "FAIL";
  if (c.flaky > 0) return "FLAKY";
  return "PASS";
}

std::string count(uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string attemptsText(const CellRecord& c, bool details) {
  std::string out;
  const auto& a = c.observed;
  for (size_t i = 0; i < a.size();) {
    size_t j = i + 1;
    while (j < a.size() && a[j].result == a[i].result && a[j].detail == a[i].detail) ++j;
    std::string what = a[i].result;
    if (details && !a[i].detail.empty()) what += " (" + a[i].detail + ")";
    if (!out.empty()) out += ", ";
    if (j - i >= 4) {
      double lo = a[i].latencyMs, hi = a[i].latencyMs;
      for (size_t k = i; k < j; ++k)
        lo = std::min(lo, a[k].latencyMs), hi = std::max(hi, a[k].latencyMs);
      out += fmt::format(
          "{} ×{}, {}", what, j - i,
          formatMs(lo) == formatMs(hi) ? formatMs(lo) : formatMs(lo) + " – " + formatMs(hi));
      i = j;
    } else {
      for (; i < j; ++i)
        out += (out.empty() || out.ends_with(", ") ? "" : ", ") + what + " " +
               formatMs(a[i].latencyMs);
    }
  }
  return out.empty() ? "nothing" : out;
}

std::string formatMs(double ms) {
  if (ms < 0) ms = 0;
  if (ms < 10) return fmt::format("{:.1f} ms", ms);
  if (ms < 1000) return fmt::format("{:.0f} ms", ms);
  return fmt::format("{:.1f} s", ms / 1000);
}

}  // namespace npf::results

namespace npf::results {
namespace {

// Columns a string takes on a terminal (one per code point; names are ASCII in practice).
size_t displayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string padRight(const std::string& s, size_t width) {
  size_t w = displayWidth(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

const char* kReset = "\x1b[0m";

// The ANSI colour of a table symbol: which = 0 expected, 1 observed, 2 diff.
const char* colorOf(int which, char symbol) {
  switch (which) {
    case 0:
      return symbol == '.'   ? "\x1b[32m"
             : symbol == 'X' ? "\x1b[31m"
             : symbol == '?' ? "\x1b[33m"
                             : "\x1b[2m";
    case 1:
      return symbol == '.'                    ? "\x1b[32m"
             : symbol == 'X' || symbol == 'r' ? "\x1b[31m"
             : symbol == 'e'                  ? "\x1b[35m"
                                              : "\x1b[2m";
    default:
      return symbol == 'X'   ? "\x1b[1;97;41m"
             : symbol == '~' ? "\x1b[1;30;43m"
             : symbol == 'e' ? "\x1b[1;35m"
                             : "\x1b[2m";
  }
}

}  // namespace

std::string terminalSafe(std::string_view s, bool keepNewlines) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n' && keepNewlines)
      out += '\n';
    else if (c == '\t')
      out += ' ';
    else if (c < 0x20 || c == 0x7f)
      out += '?';
    else if (c == 0xC2 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0x80)
      out += '?', ++i;  // C1 control U+0080..U+009F (CSI and friends)
    else
      out += char(c);
  }
  return out;
}

std::string textTables(const Table& t, const State& s, const StateGrid& g, bool color,
                       size_t width) {
  std::vector<std::string> rows, cols;
  for (const auto& r : t.rows) rows.push_back(terminalSafe(r));
  for (const auto& c : t.columns) cols.push_back(terminalSafe(c));
  std::string pp = terminalSafe(t.portProtocol);
  size_t rowWidth = std::max<size_t>(4, displayWidth(pp));
  for (const auto& r : rows) rowWidth = std::max(rowWidth, displayWidth(r));
  std::vector<size_t> colWidth;
  size_t section = 0;
  for (const auto& c : cols) {
    colWidth.push_back(std::max<size_t>(1, displayWidth(c)));
    section += 1 + colWidth.back();
  }
  section = std::max<size_t>(section, 9);  // room for " expected"
  const char* titles[] = {"expected", "observed", "diff"};
  const size_t gap = 3;
  bool sideBySide = rowWidth + 3 * section + 2 * gap <= width;

  auto symbol = [&](int which, int64_t cell) -> char {
    if (cell < 0) return which == 2 ? ' ' : '-';
    switch (which) {
      case 0:
        return s.expectedCells[size_t(cell)];
      case 1:
        return observedSymbol(s.observedCells[size_t(cell)]);
      default:
        return diffSymbol(g.status[size_t(cell)]);
    }
  };
  // One section of a line: the column names, or the symbols of row `r`.
  auto header = [&]() {
    std::string line;
    for (const auto& c : cols) line += ' ' + c;
    return padRight(line, section);
  };
  auto cells = [&](int which, size_t r) {
    std::string line;
    size_t used = 0;
    for (size_t c = 0; c < cols.size(); ++c) {
      char sym = symbol(which, t.at(r, c));
      size_t w = colWidth[c], left = (w - 1) / 2;
      line += ' ' + std::string(left, ' ');
      if (color && sym != ' ')
        line += std::string(colorOf(which, sym)) + sym + kReset;
      else
        line += sym;
      line += std::string(w - 1 - left, ' ');
      used += 1 + w;
    }
    if (used < section) line += std::string(section - used, ' ');
    return line;
  };
  auto trim = [](std::string line) {
    line.erase(line.find_last_not_of(' ') + 1);
    return line + '\n';
  };

  std::string out;
  if (sideBySide) {
    std::string line = padRight(pp, rowWidth);
    for (int k = 0; k < 3; ++k)
      line += std::string(k ? gap : 0, ' ') + padRight(std::string(" ") + titles[k], section);
    out += trim(line);
    line = std::string(rowWidth, ' ');
    for (int k = 0; k < 3; ++k) line += std::string(k ? gap : 0, ' ') + header();
    out += trim(line);
    for (size_t r = 0; r < rows.size(); ++r) {
      line = padRight(rows[r], rowWidth);
      for (int k = 0; k < 3; ++k) line += std::string(k ? gap : 0, ' ') + cells(k, r);
      out += trim(line);
    }
  } else {
    for (int k = 0; k < 3; ++k) {
      if (k) out += '\n';
      out += trim(pp + ' ' + titles[k]);
      out += trim(std::string(rowWidth, ' ') + header());
      for (size_t r = 0; r < rows.size(); ++r)
        out += trim(padRight(rows[r], rowWidth) + cells(k, r));
    }
  }
  out.pop_back();
  return out;
}

}  // namespace npf::results
