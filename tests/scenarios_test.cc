// Runs the hand-written oracle scenarios under tests/scenarios/ (format and readings:
// tests/scenarios/README.md): one GoogleTest test per data file, named after its path
// (`Scenarios.upstream_e2e/deny_egress_from_pod_a` for tests/scenarios/upstream-e2e/
// deny-egress-from-pod-a.yaml; '-' becomes '_' because --gtest_filter reads '-' as "except").
//
// Every expected cell is checked against both the reference evaluator (npf::evaluateProbe)
// and the matrix engine (npf::computeMatrix); a failure lists every mismatching cell as
// "from -> to port/proto: expected X got Y" and the tables as computed. A malformed data file
// fails its own test with `file:line:col: what is wrong`.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "model/codec.h"
#include "model/diagnostic.h"
#include "model/objects.h"
#include "model/probe.h"
#include "model/profile.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"
#include "oracle/verdict.h"
#include "tests/support/three_by_three.h"

namespace {

namespace fs = std::filesystem;
using npf::Diagnostic;
using npf::Endpoint;
using npf::Profile;
using npf::Protocol;
using npf::Verdict;

// Scenario files live here; `clusters/` holds shared clusters that scenarios name, not
// scenarios.
const char* const kScenarioDir = "tests/scenarios";
const char* const kClusterDir = "clusters";

// An expected cell outcome: a verdict, or nullopt for "not probed".
using Expected = std::optional<Verdict>;

std::atomic<size_t> gCellsChecked{0};
std::atomic<size_t> gScenariosRun{0};

class CountingEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    if (gScenariosRun > 0)
      std::printf("[scenarios] %zu scenario checks, %zu hand-written cells\n", gScenariosRun.load(),
                  gCellsChecked.load());
  }
};
[[maybe_unused]] const auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new CountingEnvironment);

// ---------------------------------------------------------------------------------------------
// The notation: endpoints, ports, verdicts (the test's own parsers, independent of the
// project's).
// ---------------------------------------------------------------------------------------------

std::vector<std::string_view> splitWs(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<Endpoint> parseEndpointText(std::string_view s) {
  auto nonEmpty = [](std::string_view v) { return !v.empty(); };
  if (s.starts_with("svc/")) {
    std::string_view rest = s.substr(4);
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string_view ns = rest.substr(0, slash), name = rest.substr(slash + 1);
    if (!nonEmpty(ns) || !nonEmpty(name) || name.find('/') != std::string_view::npos)
      return std::nullopt;
    return Endpoint::service(std::string(ns), std::string(name));
  }
  if (s.starts_with("node/") && s.size() > 5) return Endpoint::node(std::string(s.substr(5)));
  if (s.starts_with("ip/") && s.size() > 3) return Endpoint::external(std::string(s.substr(3)));
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view ns = s.substr(0, slash), name = s.substr(slash + 1);
  if (!nonEmpty(ns) || !nonEmpty(name) || name.find('/') != std::string_view::npos)
    return std::nullopt;
  return Endpoint::pod(std::string(ns), std::string(name));
}

std::string endpointText(const Endpoint& e) {
  switch (e.kind) {
    case Endpoint::Kind::Pod:
      return e.namespace_ + "/" + e.name;
    case Endpoint::Kind::Service:
      return "svc/" + e.namespace_ + "/" + e.name;
    case Endpoint::Kind::Node:
      return "node/" + e.name;
    case Endpoint::Kind::External:
      return "ip/" + e.name;
  }
  return "?";
}

const char* protoText(Protocol p) {
  switch (p) {
    case Protocol::TCP:
      return "TCP";
    case Protocol::UDP:
      return "UDP";
    case Protocol::SCTP:
      return "SCTP";
  }
  return "?";
}

// "PORT/PROTO", PORT 1..65535, PROTO TCP, UDP or SCTP.
std::optional<std::pair<int, Protocol>> parsePortProto(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  int port = 0;
  std::string_view digits = s.substr(0, slash);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535)
    return std::nullopt;
  std::string_view proto = s.substr(slash + 1);
  if (proto == "TCP") return std::pair{port, Protocol::TCP};
  if (proto == "UDP") return std::pair{port, Protocol::UDP};
  if (proto == "SCTP") return std::pair{port, Protocol::SCTP};
  return std::nullopt;
}

std::string verdictText(const Expected& v) {
  if (!v) return "not-probed";
  switch (*v) {
    case Verdict::Allow:
      return "allow";
    case Verdict::Deny:
      return "deny";
    case Verdict::Undefined:
      return "undefined";
  }
  return "?";
}

char verdictSymbol(const Expected& v) {
  if (!v) return '-';
  switch (*v) {
    case Verdict::Allow:
      return '.';
    case Verdict::Deny:
      return 'X';
    case Verdict::Undefined:
      return '?';
  }
  return '!';
}

// Parses a verdict symbol or word into *out; false when the token is not a verdict.
bool parseVerdictToken(std::string_view t, Expected* out) {
  if (t == "." || t == "allow")
    *out = Verdict::Allow;
  else if (t == "X" || t == "deny")
    *out = Verdict::Deny;
  else if (t == "?" || t == "undefined")
    *out = Verdict::Undefined;
  else if (t == "-" || t == "skip")
    *out = std::nullopt;
  else
    return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// A scenario file: the header document (kind: Scenario) then Kubernetes manifests.
// ---------------------------------------------------------------------------------------------

struct Loc {
  int line = 0;  // 1-based, 0 unknown
  int col = 0;
};

struct Cell {
  npf::Probe probe;
  Expected expected;
  Loc fromLoc, toLoc;  // where its endpoints are written
};

// One truth table: rows sources, columns destinations, for every port/protocol in its corner.
struct ParsedTable {
  std::vector<std::pair<int, Protocol>> portProtos;
  std::vector<Endpoint> rows, cols;
  std::vector<Loc> rowLocs, colLocs;
  std::vector<Expected> cells;  // row-major
};

struct ScenarioFile {
  std::string path;          // relative to the source tree, as diagnostics name it
  std::string clusterName;   // who to blame for a diagnostic inside clusterText
  std::string clusterText;   // manifests the header names (3x3 or a file), decoded first
  std::string manifestText;  // the file with its header blanked (line numbers unchanged)
  Profile profile{};
  std::vector<npf::ExternalHost> externalHosts;
  std::vector<ParsedTable> tables;
  std::vector<Cell> cells;
  bool runLast = false;
  std::vector<Diagnostic> errors;  // non-empty: the file is malformed; nothing else is valid
};

std::string sourceDir() { return NPF_SOURCE_DIR; }

std::optional<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

bool isDocumentSeparator(const std::string& line) {
  return line.starts_with("---") &&
         (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

class Loader {
 public:
  explicit Loader(ScenarioFile& f) : f_(f) {}

  void load(const std::string& text) {
    lines_ = splitLines(text);
    // The header is the first document (after comments and an optional leading `---`).
    size_t first = 0;
    while (first < lines_.size() &&
           (lines_[first].find_first_not_of(" \t\r") == std::string::npos ||
            lines_[first].starts_with("#")))
      ++first;
    size_t end = first < lines_.size() && isDocumentSeparator(lines_[first]) ? first + 1 : first;
    while (end < lines_.size() && !isDocumentSeparator(lines_[end])) ++end;
    std::string header;
    for (size_t i = 0; i < end; ++i) header += lines_[i] + "\n";
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (i >= end) f_.manifestText += lines_[i];
      if (i + 1 < lines_.size()) f_.manifestText += "\n";
    }
    YAML::Node loaded;
    try {
      loaded = YAML::Load(header);
    } catch (const YAML::Exception& e) {
      error(e.mark, "invalid YAML: " + e.msg);
      return;
    }
    const YAML::Node& h = loaded;
    const Loc headerLoc = h.IsMap() ? at(h.Mark()) : Loc{1, 1};
    if (!h.IsMap() || !h["kind"] || !h["kind"].IsScalar() || h["kind"].Scalar() != "Scenario") {
      error(headerLoc,
            "the first document must be the scenario header (a mapping with kind: "
            "Scenario)");
      return;
    }
    std::set<std::string> seen;
    for (const auto& kv : h) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      const YAML::Node& v = kv.second;
      if (!seen.insert(key).second)
        error(kv.first.Mark(), "duplicate key '" + key + "'");
      else if (key == "kind")
        continue;
      else if (key == "cluster")
        cluster(v);
      else if (key == "profile")
        profile(v);
      else if (key == "externalHosts")
        externalHosts(v);
      else if (key == "tables")
        tables(v);
      else if (key == "cells")
        cells(v);
      else if (key == "runLast")
        f_.runLast = boolean(v, "runLast");
      else
        error(kv.first.Mark(),
              "unknown key '" + key +
                  "' (want kind, cluster, profile, externalHosts, tables, cells, runLast)");
    }
    if (f_.errors.empty() && f_.tables.empty() && f_.cells.empty())
      error(headerLoc, "scenario without expectations (no tables, no cells)");
  }

 private:
  Loc at(const YAML::Mark& m) const {
    if (m.line < 0) return {};
    return {m.line + 1, m.column + 1};
  }
  void error(Loc l, std::string message) {
    f_.errors.push_back(Diagnostic{f_.path, l.line, l.col, std::move(message)});
  }
  void error(const YAML::Mark& m, std::string message) { error(at(m), std::move(message)); }

  std::optional<std::string> scalar(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) {
      error(n.Mark(), what + ": expected a string");
      return std::nullopt;
    }
    return n.Scalar();
  }
  bool boolean(const YAML::Node& n, const std::string& what) {
    auto s = scalar(n, what);
    if (s && *s != "true" && *s != "false") error(n.Mark(), what + ": expected true or false");
    return s && *s == "true";
  }
  bool isMap(const YAML::Node& n, const std::string& what) {
    if (n.IsMap()) return true;
    error(n.Mark(), what + ": expected a mapping");
    return false;
  }
  // A string -> string mapping (labels).
  std::map<std::string, std::string> labels(const YAML::Node& n, const std::string& what) {
    std::map<std::string, std::string> out;
    if (!isMap(n, what)) return out;
    for (const auto& kv : n) {
      auto k = scalar(kv.first, what);
      auto v = scalar(kv.second, what);
      if (k && v) out[*k] = *v;
    }
    return out;
  }

  // cluster: {threeByThree: {namespaceLabels: {NS: {K: V}}, podLabels: {NS/POD: {K: V}}}}
  //       or {file: PATH} (PATH relative to the source tree).
  void cluster(const YAML::Node& n) {
    if (!isMap(n, "cluster")) return;
    if (n.size() != 1) {
      error(n.Mark(), "cluster: want exactly one of threeByThree, file");
      return;
    }
    const auto kv = *n.begin();
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (key == "threeByThree") {
      npf::scenario::ThreeByThreeOptions o;
      const YAML::Node& v = kv.second;
      if (!isMap(v, "threeByThree")) return;
      const auto& namespaces = npf::scenario::threeByThreeNamespaces();
      const auto& pods = npf::scenario::threeByThreePodNames();
      auto known = [](const std::vector<std::string>& names, const std::string& s) {
        return std::find(names.begin(), names.end(), s) != names.end();
      };
      for (const auto& opt : v) {
        const std::string name = opt.first.IsScalar() ? opt.first.Scalar() : "";
        if (name != "namespaceLabels" && name != "podLabels") {
          error(opt.first.Mark(),
                "threeByThree: unknown option '" + name + "' (want namespaceLabels, podLabels)");
          continue;
        }
        if (!isMap(opt.second, name)) continue;
        for (const auto& entry : opt.second) {
          auto target = scalar(entry.first, name);
          if (!target) continue;
          if (name == "namespaceLabels") {
            if (!known(namespaces, *target))
              error(entry.first.Mark(),
                    "namespaceLabels: no namespace '" + *target + "' in the 3x3 cluster (x, y, z)");
            o.namespaceLabels[*target] = labels(entry.second, name + "." + *target);
          } else {
            size_t slash = target->find('/');
            if (slash == std::string::npos || !known(namespaces, target->substr(0, slash)) ||
                !known(pods, target->substr(slash + 1)))
              error(entry.first.Mark(),
                    "podLabels: no pod '" + *target + "' in the 3x3 cluster (NS/POD, x/a..z/c)");
            o.podLabels[*target] = labels(entry.second, name + "." + *target);
          }
        }
      }
      f_.clusterName = "three-by-three cluster (tests/support/three_by_three.h)";
      f_.clusterText = npf::scenario::threeByThreeYaml(o);
    } else if (key == "file") {
      auto rel = scalar(kv.second, "cluster.file");
      if (!rel) return;
      auto text = readText(sourceDir() + "/" + *rel);
      if (!text) {
        error(kv.second.Mark(),
              "cluster.file: cannot read '" + *rel + "' (a path relative to the source tree)");
        return;
      }
      f_.clusterName = *rel;
      f_.clusterText = *text;
    } else {
      error(kv.first.Mark(), "cluster: unknown key '" + key + "' (want threeByThree or file)");
    }
  }

  // profile: {KNOB: VALUE}, knobs and values as in SEMANTICS.md.
  void profile(const YAML::Node& n) {
    if (!isMap(n, "profile")) return;
    Profile& p = f_.profile;
    for (const auto& kv : n) {
      auto key = scalar(kv.first, "profile");
      auto value = scalar(kv.second, "profile");
      if (!key || !value) continue;
      bool ok = true;
      if (*key == "ipblock-matches-pod-ips" || *key == "hostnetwork-selectable") {
        ok = *value == "true" || *value == "false";
        (*key == "ipblock-matches-pod-ips" ? p.ipblockMatchesPodIps : p.hostnetworkSelectable) =
            *value == "true";
      } else if (*key == "loopback") {
        if (*value == "undefined")
          p.loopback = Profile::Loopback::Undefined;
        else if (*value == "allow")
          p.loopback = Profile::Loopback::Allow;
        else if (*value == "policy")
          p.loopback = Profile::Loopback::Policy;
        else
          ok = false;
      } else if (*key == "egress-to-own-node") {
        if (*value == "policy")
          p.egressToOwnNode = Profile::EgressToOwnNode::Policy;
        else if (*value == "allow")
          p.egressToOwnNode = Profile::EgressToOwnNode::Allow;
        else
          ok = false;
      } else {
        error(kv.first.Mark(), "profile: unknown knob '" + *key +
                                   "' (want ipblock-matches-pod-ips, loopback, "
                                   "egress-to-own-node, hostnetwork-selectable)");
        continue;
      }
      if (!ok) error(kv.second.Mark(), "profile: bad value '" + *value + "' for " + *key);
    }
  }

  // externalHosts: [{name: NAME, ip: ADDR}]
  void externalHosts(const YAML::Node& n) {
    if (!n.IsSequence()) {
      error(n.Mark(), "externalHosts: expected a list of {name, ip}");
      return;
    }
    for (const auto& h : n) {
      if (!isMap(h, "externalHosts entry")) continue;
      npf::ExternalHost host;
      for (const auto& kv : h) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
        auto v = scalar(kv.second, "externalHosts." + key);
        if (key == "name" && v)
          host.name = *v;
        else if (key == "ip" && v)
          host.ip = *v;
        else if (key != "name" && key != "ip")
          error(kv.first.Mark(), "externalHosts: unknown key '" + key + "' (want name, ip)");
      }
      if (host.name.empty() || host.ip.empty())
        error(h.Mark(), "externalHosts entry: needs both name and ip");
      else
        f_.externalHosts.push_back(host);
    }
  }

  // The non-blank lines of a text scalar with '#' comments removed, each with where it sits
  // in the file: in a `|` block content line k is file line mark+1+k; a scalar of any other
  // style is located at its start.
  struct TextLine {
    std::string_view text;
    int line;
    int indent;          // columns before the content on that file line
    bool exact = false;  // false: every token is located at the scalar's start
  };
  std::vector<TextLine> textLines(const YAML::Node& n) {
    std::vector<TextLine> out;
    const std::string& s = n.Scalar();
    const YAML::Mark m = n.Mark();
    bool literal = m.line >= 0 && static_cast<size_t>(m.line) < lines_.size() &&
                   static_cast<size_t>(m.column) < lines_[m.line].size() &&
                   lines_[m.line][m.column] == '|';
    size_t start = 0;
    for (int k = 0; start <= s.size(); ++k) {
      size_t nl = s.find('\n', start);
      if (nl == std::string::npos) nl = s.size();
      std::string_view l(s.data() + start, nl - start);
      if (size_t hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
      if (!splitWs(l).empty()) {
        TextLine t{l, m.line + 1, m.column};
        t.exact = literal;
        if (literal && static_cast<size_t>(m.line + 1 + k) < lines_.size()) {
          const std::string& raw = lines_[m.line + 1 + k];
          std::string_view full(s.data() + start, nl - start);
          t.line = m.line + 2 + k;
          t.indent = raw.size() >= full.size() ? static_cast<int>(raw.size() - full.size()) : 0;
        }
        out.push_back(t);
      }
      start = nl + 1;
    }
    return out;
  }
  Loc locOf(const TextLine& l, std::string_view token) const {
    if (!l.exact) return {l.line, l.indent + 1};
    return {l.line, l.indent + static_cast<int>(token.data() - l.text.data()) + 1};
  }

  // tables: a list of truth tables, each a `|` block: a header row `PORT/PROTO[,PORT/PROTO...]
  // DEST...` then one row per source `SOURCE VERDICT...`.
  void tables(const YAML::Node& n) {
    if (!n.IsSequence()) {
      error(n.Mark(), "tables: expected a list of truth tables");
      return;
    }
    for (const auto& t : n) {
      if (!t.IsScalar()) {
        error(t.Mark(), "tables: each table is a text block (`- |`)");
        continue;
      }
      auto ls = textLines(t);
      if (ls.empty()) {
        error(t.Mark(), "empty truth table");
        continue;
      }
      ParsedTable table;
      bool ok = true;
      auto header = splitWs(ls[0].text);
      std::string_view corner = header[0];
      size_t from = 0;
      while (from <= corner.size()) {
        size_t comma = corner.find(',', from);
        if (comma == std::string_view::npos) comma = corner.size();
        auto pp = parsePortProto(corner.substr(from, comma - from));
        if (!pp) {
          error(locOf(ls[0], corner), "bad table corner '" + std::string(corner) +
                                          "' (want PORT/PROTO[,PORT/PROTO...], e.g. 80/TCP)");
          ok = false;
          break;
        }
        table.portProtos.push_back(*pp);
        from = comma + 1;
      }
      for (size_t j = 1; ok && j < header.size(); ++j) {
        auto e = parseEndpointText(header[j]);
        if (!e) {
          error(locOf(ls[0], header[j]),
                "bad column endpoint '" + std::string(header[j]) + "' in table header");
          ok = false;
        } else {
          table.cols.push_back(*e);
          table.colLocs.push_back(locOf(ls[0], header[j]));
        }
      }
      if (ok && table.cols.empty()) {
        error(locOf(ls[0], corner), "table header has no destination columns");
        ok = false;
      }
      for (size_t i = 1; ok && i < ls.size(); ++i) {
        auto toks = splitWs(ls[i].text);
        auto e = parseEndpointText(toks[0]);
        if (!e) {
          error(locOf(ls[i], toks[0]), "bad row endpoint '" + std::string(toks[0]) + "'");
          ok = false;
          break;
        }
        if (toks.size() != table.cols.size() + 1) {
          error(locOf(ls[i], toks[0]), "table row '" + std::string(toks[0]) + "' has " +
                                           std::to_string(toks.size() - 1) + " cells, want " +
                                           std::to_string(table.cols.size()));
          ok = false;
          break;
        }
        table.rows.push_back(*e);
        table.rowLocs.push_back(locOf(ls[i], toks[0]));
        for (size_t j = 1; j < toks.size(); ++j) {
          Expected v;
          if (!parseVerdictToken(toks[j], &v)) {
            error(locOf(ls[i], toks[j]), "bad cell '" + std::string(toks[j]) + "' in row " +
                                             std::string(toks[0]) +
                                             " (want . X ? - or allow deny undefined skip)");
            ok = false;
            break;
          }
          table.cells.push_back(v);
        }
      }
      if (ok && table.rows.empty()) {
        error(locOf(ls[0], corner), "truth table without rows");
        ok = false;
      }
      if (ok) f_.tables.push_back(std::move(table));
    }
  }

  // cells: a `|` block of `FROM TO PORT/PROTO VERDICT` lines.
  void cells(const YAML::Node& n) {
    if (!n.IsScalar()) {
      error(n.Mark(), "cells: expected a text block of FROM TO PORT/PROTO VERDICT lines");
      return;
    }
    for (const auto& l : textLines(n)) {
      auto toks = splitWs(l.text);
      if (toks.size() != 4) {
        error(locOf(l, toks[0]),
              "bad cell line (want FROM TO PORT/PROTO VERDICT): '" + std::string(l.text) + "'");
        continue;
      }
      auto from = parseEndpointText(toks[0]);
      auto to = parseEndpointText(toks[1]);
      auto pp = parsePortProto(toks[2]);
      Expected v;
      if (!from)
        error(locOf(l, toks[0]), "bad endpoint '" + std::string(toks[0]) + "'");
      else if (!to)
        error(locOf(l, toks[1]), "bad endpoint '" + std::string(toks[1]) + "'");
      else if (!pp)
        error(locOf(l, toks[2]),
              "bad port/protocol '" + std::string(toks[2]) + "' (want e.g. 80/TCP)");
      else if (!parseVerdictToken(toks[3], &v))
        error(locOf(l, toks[3]), "bad verdict '" + std::string(toks[3]) +
                                     "' (want . X ? - or allow deny undefined skip)");
      else
        f_.cells.push_back(Cell{npf::Probe{*from, npf::Target{*to, pp->first, pp->second}}, v,
                                locOf(l, toks[0]), locOf(l, toks[1])});
    }
  }

  ScenarioFile& f_;
  std::vector<std::string> lines_;
};

ScenarioFile loadScenario(const std::string& relPath) {
  ScenarioFile f;
  f.path = relPath;
  try {
    auto text = readText(sourceDir() + "/" + relPath);
    if (!text)
      f.errors.push_back(Diagnostic{relPath, 0, 0, "cannot read the file"});
    else
      Loader(f).load(*text);
  } catch (const std::exception& e) {  // never expected: the loader reports, it does not throw
    f.errors.push_back(Diagnostic{relPath, 0, 0, std::string("cannot load: ") + e.what()});
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// Checking a scenario against both engines.
// ---------------------------------------------------------------------------------------------

bool endpointDeclared(const npf::Cluster& c, const Endpoint& e) {
  switch (e.kind) {
    case Endpoint::Kind::Pod:
      for (const auto& p : c.pods)
        if (p.meta.namespace_ == e.namespace_ && p.meta.name == e.name) return true;
      return false;
    case Endpoint::Kind::Service:
      for (const auto& s : c.services)
        if (s.meta.namespace_ == e.namespace_ && s.meta.name == e.name) return true;
      return false;
    case Endpoint::Kind::Node:
      for (const auto& n : c.nodes)
        if (n.meta.name == e.name) return true;
      return false;
    case Endpoint::Kind::External:
      for (const auto& h : c.externalHosts)
        if (h.ip == e.name) return true;
      return false;
  }
  return false;
}

std::string cellText(const npf::Probe& p) {
  return endpointText(p.from) + " -> " + endpointText(p.target.to) + " " +
         std::to_string(p.target.port) + "/" + protoText(p.target.protocol);
}

std::string explanationText(const npf::Explanation& why) {
  std::string s;
  auto add = [&](const char* label, const std::vector<std::string>& v) {
    for (const auto& line : v) s += std::string("\n        ") + label + ": " + line;
  };
  add("egress", why.egress);
  add("ingress", why.ingress);
  add("note", why.notes);
  return s;
}

std::string profileText(const Profile& p) {
  const char* loop = p.loopback == Profile::Loopback::Undefined ? "undefined"
                     : p.loopback == Profile::Loopback::Allow   ? "allow"
                                                                : "policy";
  return std::string("ipblock-matches-pod-ips=") + (p.ipblockMatchesPodIps ? "true" : "false") +
         " loopback=" + loop + " egress-to-own-node=" +
         (p.egressToOwnNode == Profile::EgressToOwnNode::Policy ? "policy" : "allow") +
         " hostnetwork-selectable=" + (p.hostnetworkSelectable ? "true" : "false");
}

std::string renderTable(const ParsedTable& t, const std::vector<Expected>& got) {
  size_t w = 4;
  for (const auto& e : t.rows) w = std::max(w, endpointText(e).size());
  for (const auto& e : t.cols) w = std::max(w, endpointText(e).size());
  auto pad = [&](std::string s) {
    s.resize(w + 1, ' ');
    return s;
  };
  std::string out = pad("");
  for (const auto& c : t.cols) out += pad(endpointText(c));
  out += "\n";
  for (size_t i = 0; i < t.rows.size(); ++i) {
    out += pad(endpointText(t.rows[i]));
    for (size_t j = 0; j < t.cols.size(); ++j) {
      Expected want = t.cells[i * t.cols.size() + j];
      Expected have = got[i * t.cols.size() + j];
      std::string cell(1, verdictSymbol(have));
      if (have != want) cell += "!";
      out += pad(cell);
    }
    out += "\n";
  }
  return out;
}

// Decodes the scenario's manifests and checks every hand-written cell against both engines.
void checkScenario(const ScenarioFile& s) {
  if (!s.errors.empty()) {
    std::string errs;
    for (const auto& d : s.errors) errs += "\n  " + npf::toString(d);
    FAIL() << "malformed scenario file:" << errs;
  }
  ++gScenariosRun;
  // One decode of the named cluster followed by the file's own manifests; diagnostics are
  // mapped back to the file they come from.
  std::string text = s.clusterText;
  if (!text.empty() && !text.ends_with('\n')) text += '\n';
  const int bodyFirstLine = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  text += s.manifestText;
  npf::DecodeResult r = npf::decodeManifests(text, s.path);
  {
    std::string errs;
    for (auto d : r.errors) {
      if (d.line >= bodyFirstLine)
        d.line -= bodyFirstLine - 1;
      else if (d.line > 0)
        d.file = s.clusterName;
      errs += "\n  " + npf::toString(d);
    }
    ASSERT_TRUE(r.errors.empty()) << "decodeManifests reported errors on a valid case:" << errs;
  }
  npf::Cluster c = std::move(r.cluster);
  for (const auto& h : s.externalHosts) c.externalHosts.push_back(h);

  // Probe set: one block per table and port/protocol, one 1x1 block per listed cell.
  npf::ProbeSet probes;
  std::vector<Cell> cells;
  struct TableRun {
    const ParsedTable* table;
    std::pair<int, Protocol> portProto;
    size_t first;  // index of its first cell
  };
  std::vector<TableRun> runs;
  for (const auto& t : s.tables) {
    for (const auto& pp : t.portProtos) {
      npf::ProbeBlock b;
      b.sources = t.rows;
      for (const auto& col : t.cols) b.targets.push_back(npf::Target{col, pp.first, pp.second});
      runs.push_back(TableRun{&t, pp, cells.size()});
      for (size_t i = 0; i < t.rows.size(); ++i)
        for (size_t j = 0; j < t.cols.size(); ++j)
          cells.push_back(Cell{npf::Probe{t.rows[i], b.targets[j]}, t.cells[i * t.cols.size() + j],
                               t.rowLocs[i], t.colLocs[j]});
      probes.blocks.push_back(std::move(b));
    }
  }
  for (const auto& cell : s.cells) {
    probes.blocks.push_back(npf::ProbeBlock{{cell.probe.from}, {cell.probe.target}});
    cells.push_back(cell);
  }
  ASSERT_FALSE(cells.empty()) << "scenario without expectations";
  size_t probeCells = 0;
  for (const auto& b : probes.blocks) probeCells += b.sources.size() * b.targets.size();
  ASSERT_EQ(probeCells, cells.size());
  gCellsChecked += cells.size();

  // Every endpoint named by the expectations must exist in the decoded cluster (catches both
  // typos in the data file and objects the decoder dropped).
  for (const auto& cell : cells) {
    for (const auto& [e, loc] :
         {std::pair{&cell.probe.from, cell.fromLoc}, std::pair{&cell.probe.target.to, cell.toLoc}})
      ASSERT_TRUE(endpointDeclared(c, *e)) << npf::toString(
          Diagnostic{s.path, loc.line, loc.col,
                     "endpoint " + endpointText(*e) + " is not in the decoded cluster"});
  }

  // Reference evaluator.
  std::vector<Expected> ref(cells.size());
  std::string refMismatches;
  size_t refBad = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    npf::Explanation why;
    ref[i] = npf::evaluateProbe(c, cells[i].probe, s.profile, &why);
    if (ref[i] != cells[i].expected) {
      ++refBad;
      refMismatches += "\n  " + cellText(cells[i].probe) + ": expected " +
                       verdictText(cells[i].expected) + " got " + verdictText(ref[i]) +
                       explanationText(why);
    }
  }
  // Matrix engine, over the whole probe set at once.
  npf::Matrix m = npf::computeMatrix(c, probes, s.profile);
  ASSERT_EQ(m.size(), cells.size()) << "computeMatrix returned the wrong number of cells";
  std::vector<Expected> mat(cells.size());
  std::string matMismatches;
  size_t matBad = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    mat[i] = m.verdict(i);
    if (mat[i] != cells[i].expected) {
      ++matBad;
      matMismatches += "\n  " + cellText(cells[i].probe) + ": expected " +
                       verdictText(cells[i].expected) + " got " + verdictText(mat[i]);
    }
  }

  auto renderTables = [&](const std::vector<Expected>& got) {
    std::string out;
    for (const auto& run : runs) {
      const ParsedTable& t = *run.table;
      std::vector<Expected> slice(got.begin() + run.first,
                                  got.begin() + run.first + t.rows.size() * t.cols.size());
      bool bad = false;
      for (size_t i = 0; i < slice.size(); ++i) bad |= slice[i] != t.cells[i];
      if (bad)
        out += "\n  table " + std::to_string(run.portProto.first) + "/" +
               protoText(run.portProto.second) + " as computed ('!' marks a wrong cell):\n" +
               renderTable(t, slice);
    }
    return out;
  };
  EXPECT_EQ(refBad, 0u) << "reference evaluator (evaluateProbe) disagrees on " << refBad << " of "
                        << cells.size() << " cells [profile " << profileText(s.profile) << "]"
                        << refMismatches << renderTables(ref);
  EXPECT_EQ(matBad, 0u) << "matrix engine (computeMatrix) disagrees on " << matBad << " of "
                        << cells.size() << " cells [profile " << profileText(s.profile) << "]"
                        << matMismatches << renderTables(mat);
}

// ---------------------------------------------------------------------------------------------
// One test per data file.
// ---------------------------------------------------------------------------------------------

class ScenarioTest : public ::testing::Test {
 public:
  explicit ScenarioTest(std::shared_ptr<const ScenarioFile> s) : s_(std::move(s)) {}
  void TestBody() override {
    try {
      checkScenario(*s_);
    } catch (const std::exception& e) {
      ADD_FAILURE() << s_->path << ":0:0: " << e.what();
    }
  }

 private:
  std::shared_ptr<const ScenarioFile> s_;
};

class MissingScenarios : public ::testing::Test {
 public:
  explicit MissingScenarios(std::string why) : why_(std::move(why)) {}
  void TestBody() override { FAIL() << why_; }

 private:
  std::string why_;
};

// "upstream-e2e/deny-egress-from-pod-a.yaml" -> "upstream_e2e/deny_egress_from_pod_a".
std::string testName(std::string rel) {
  rel.resize(rel.size() - std::string_view(".yaml").size());
  std::replace(rel.begin(), rel.end(), '-', '_');
  return rel;
}

bool registerScenarios() {
  const fs::path root = fs::path(sourceDir()) / kScenarioDir;
  std::vector<std::string> rels;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory() && it->path().filename() == kClusterDir) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".yaml")
      rels.push_back(it->path().lexically_relative(root).generic_string());
  }
  if (ec || rels.empty()) {
    std::string why = "no scenario files under " + root.string() +
                      (ec ? " (" + ec.message() + ")" : std::string());
    ::testing::RegisterTest("Scenarios", "discovery", nullptr, nullptr, __FILE__, __LINE__,
                            [why]() -> ::testing::Test* { return new MissingScenarios(why); });
    return false;
  }
  std::vector<std::shared_ptr<const ScenarioFile>> files;
  for (const auto& rel : rels)
    files.push_back(
        std::make_shared<const ScenarioFile>(loadScenario(std::string(kScenarioDir) + "/" + rel)));
  // Path order; `runLast` files after all others (see their comments).
  std::stable_sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return std::pair(a->runLast, a->path) < std::pair(b->runLast, b->path);
  });
  for (const auto& f : files) {
    std::string rel = f->path.substr(std::string_view(kScenarioDir).size() + 1);
    ::testing::RegisterTest("Scenarios", testName(rel).c_str(), nullptr, nullptr, f->path.c_str(),
                            1, [f]() -> ::testing::Test* { return new ScenarioTest(f); });
  }
  return true;
}

[[maybe_unused]] const bool kRegistered = registerScenarios();

}  // namespace
