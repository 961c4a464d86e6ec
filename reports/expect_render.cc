#include "reports/expect_render.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <map>
#include <nlohmann/json.hpp>

namespace npf {
namespace {

char symbol(Matrix::Cell c) {
  switch (c) {
    case Matrix::Cell::Allow:
      return '.';
    case Matrix::Cell::Deny:
      return 'X';
    case Matrix::Cell::Undefined:
      return '?';
    case Matrix::Cell::Skip:
      return '-';
  }
  return '-';
}

// A truth table for one port/protocol: the union of the blocks' sources and targets with
// that port/protocol, and the cell of each pair that was probed.
struct Table {
  int32_t port;
  Protocol protocol;
  std::vector<std::string> rows, columns;
  std::map<std::pair<size_t, size_t>, Matrix::Cell> cells;  // (row, column) -> cell
};

std::vector<Table> buildTables(const ProbeSet& probes, const Matrix& m) {
  std::map<std::pair<int32_t, Protocol>, Table> byPort;
  std::map<std::pair<int32_t, Protocol>, std::map<std::string, size_t>> rowIndex, colIndex;
  auto indexOf = [](std::map<std::string, size_t>& idx, std::vector<std::string>& names,
                    const std::string& name) {
    auto [it, inserted] = idx.emplace(name, names.size());
    if (inserted) names.push_back(name);
    return it->second;
  };
  size_t cell = 0;
  for (const auto& block : probes.blocks) {
    for (const auto& src : block.sources) {
      std::string from = toString(src);
      for (const auto& t : block.targets) {
        auto key = std::make_pair(t.port, t.protocol);
        Table& table = byPort[key];
        table.port = t.port;
        table.protocol = t.protocol;
        size_t r = indexOf(rowIndex[key], table.rows, from);
        size_t c = indexOf(colIndex[key], table.columns, toString(t.to));
        table.cells[{r, c}] = m.get(cell++);
      }
    }
  }
  std::vector<Table> out;
  for (auto& [key, t] : byPort) out.push_back(std::move(t));
  return out;
}

void renderLegend(std::ostream& out, const Profile& p) {
  out << "legend: . allow   X deny   ? undefined   - not probed\nprofile:";
  for (const auto& [k, v] : describeProfile(p)) out << ' ' << k << '=' << v;
  out << '\n';
}

}  // namespace

void renderExpectText(std::ostream& out, const ProbeSet& probes, const Matrix& m,
                      const Profile& p) {
  for (const Table& t : buildTables(probes, m)) {
    size_t rowWidth = 4;
    for (const auto& r : t.rows) rowWidth = std::max(rowWidth, r.size());
    out << fmt::format("{}/{}\n", t.port, toString(t.protocol));
    std::string line(rowWidth, ' ');
    for (const auto& c : t.columns) line += ' ' + c;
    out << line << '\n';
    for (size_t r = 0; r < t.rows.size(); ++r) {
      line = fmt::format("{:<{}}", t.rows[r], rowWidth);
      for (size_t c = 0; c < t.columns.size(); ++c) {
        auto it = t.cells.find({r, c});
        char s = it == t.cells.end() ? '-' : symbol(it->second);
        // Centre the symbol under its column name.
        size_t w = t.columns[c].size();
        line += ' ' + std::string((w - 1) / 2, ' ') + s + std::string(w - 1 - (w - 1) / 2, ' ');
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out << line << '\n';
    }
    out << '\n';
  }
  renderLegend(out, p);
}

void renderExpectMarkdown(std::ostream& out, const ProbeSet& probes, const Matrix& m,
                          const Profile& p) {
  for (const Table& t : buildTables(probes, m)) {
    out << fmt::format("### {}/{}\n\n| from \\ to |", t.port, toString(t.protocol));
    for (const auto& c : t.columns) out << " `" << c << "` |";
    out << "\n|---|";
    for (size_t c = 0; c < t.columns.size(); ++c) out << ":-:|";
    out << '\n';
    for (size_t r = 0; r < t.rows.size(); ++r) {
      out << "| `" << t.rows[r] << "` |";
      for (size_t c = 0; c < t.columns.size(); ++c) {
        auto it = t.cells.find({r, c});
        char s = it == t.cells.end() ? '-' : symbol(it->second);
        out << ' ' << (s == 'X' ? "**X**" : std::string(1, s)) << " |";
      }
      out << '\n';
    }
    out << '\n';
  }
  out << "Legend: `.` allow, **X** deny, `?` undefined, `-` not probed. Profile:";
  for (const auto& [k, v] : describeProfile(p)) out << " `" << k << '=' << v << '`';
  out << '\n';
}

void renderExpectJson(std::ostream& out, const std::vector<ExpectedState>& states,
                      const Profile& p) {
  nlohmann::json profile = nlohmann::json::object();
  for (const auto& [k, v] : describeProfile(p)) {
    if (v == "true" || v == "false")
      profile[k] = (v == "true");
    else
      profile[k] = v;
  }
  out << R"({"schema":"netpolfuzz.expect/v1","profile":)" << profile.dump() << R"(,"cells":[)";
  bool first = true;
  for (size_t step = 0; step < states.size(); ++step) {
    std::string stepField = states.size() > 1 ? fmt::format(R"(,"step":{})", step) : "";
    size_t cell = 0;
    for (const auto& block : states[step].probes.blocks) {
      for (const auto& src : block.sources) {
        std::string from = nlohmann::json(toString(src)).dump();
        for (const auto& t : block.targets) {
          auto v = states[step].matrix.verdict(cell++);
          if (!v) continue;
          out << (first ? "\n" : ",\n");
          first = false;
          out << fmt::format(R"({{"from":{},"to":{},"port":{},"protocol":"{}","verdict":"{}"{}}})",
                             from, nlohmann::json(toString(t.to)).dump(), t.port,
                             toString(t.protocol), toString(*v), stepField);
        }
      }
    }
  }
  out << "\n]}\n";
}

void renderExpectJson(std::ostream& out, const ProbeSet& probes, const Matrix& m,
                      const Profile& p) {
  renderExpectJson(out, std::vector<ExpectedState>{{"", probes, m}}, p);
}

VerdictCounts countVerdicts(const Matrix& m) {
  VerdictCounts n;
  for (size_t i = 0; i < m.size(); ++i) {
    switch (m.get(i)) {
      case Matrix::Cell::Allow:
        ++n.allow;
        break;
      case Matrix::Cell::Deny:
        ++n.deny;
        break;
      case Matrix::Cell::Undefined:
        ++n.undefined;
        break;
      case Matrix::Cell::Skip:
        ++n.skipped;
        continue;
    }
    ++n.cells;
  }
  return n;
}

void renderExpectSummary(std::ostream& out, const Matrix& m) {
  VerdictCounts n = countVerdicts(m);
  out << fmt::format("cells={} allow={} deny={} undefined={}\n", n.cells, n.allow, n.deny,
                     n.undefined);
}

}  // namespace npf
