#include "reports/results_model.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace npf::results {
namespace {

// Ordered, so that the profile keeps the file's order and renderJson gives the file back.
using json = nlohmann::ordered_json;
using ojson = nlohmann::ordered_json;

// Where a value sits in the document: object keys and array indexes from the root.
struct PathElem {
  bool isKey = true;
  std::string key;
  size_t index = 0;
};

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

size_t skipBlanks(std::string_view t, size_t i) {
  while (i < t.size() && isBlank(t[i])) ++i;
  return i;
}

// `t[i]` opens a string: the offset just past its closing quote.
size_t skipString(std::string_view t, size_t i) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\')
      ++i;
    else if (t[i] == '"')
      return i + 1;
  }
  return t.size();
}

// The offset just past the value starting at `t[i]` (iterative: nesting costs no stack).
size_t skipValue(std::string_view t, size_t i) {
  size_t depth = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == '"') {
      i = skipString(t, i);
    } else if (c == '{' || c == '[') {
      ++depth, ++i;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;
      --depth, ++i;
      if (depth == 0) return i;
      continue;
    } else if (depth == 0 && (c == ',' || c == ':')) {
      return i;
    } else {
      ++i;
    }
    if (depth == 0 && c == '"') return i;
  }
  return i;
}

// The offset of the value at `path` in `t`, which is valid JSON (it parsed). With duplicate
// keys, the last one (the one nlohmann keeps). Falls back to the deepest value found.
size_t locate(std::string_view t, const std::vector<PathElem>& path) {
  size_t at = skipBlanks(t, 0);
  for (const PathElem& p : path) {
    if (at >= t.size()) return at;
    if (p.isKey && t[at] == '{') {
      size_t i = skipBlanks(t, at + 1), found = std::string_view::npos;
      while (i < t.size() && t[i] == '"') {
        size_t end = skipString(t, i);
        std::string key;
        try {
          key = json::parse(t.substr(i, end - i)).get<std::string>();
        } catch (const std::exception&) {
        }
        i = skipBlanks(t, end);
        if (i < t.size() && t[i] == ':') i = skipBlanks(t, i + 1);
        if (key == p.key) found = i;
        i = skipBlanks(t, skipValue(t, i));
        if (i < t.size() && t[i] == ',')
          i = skipBlanks(t, i + 1);
        else
          break;
      }
      if (found == std::string_view::npos) return at;
      at = found;
    } else if (!p.isKey && t[at] == '[') {
      size_t i = skipBlanks(t, at + 1);
      for (size_t k = 0; k < p.index && i < t.size() && t[i] != ']'; ++k) {
        i = skipBlanks(t, skipValue(t, i));
        if (i < t.size() && t[i] == ',') i = skipBlanks(t, i + 1);
      }
      if (i >= t.size() || t[i] == ']') return at;
      at = i;
    } else {
      return at;
    }
  }
  return at;
}

class Reader {
 public:
  Reader(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  std::optional<Diagnostic> error;

  bool fail(const std::string& message) {
    if (error) return false;
    auto [line, col] = lineColAt(text_, locate(text_, path_));
    std::string where;
    for (const PathElem& p : path_) {
      if (!p.isKey) {
        where += fmt::format("[{}]", p.index);
        continue;
      }
      // Keys come from the file: quote one that would break the line.
      bool plain = !p.key.empty();
      for (unsigned char c : p.key) plain = plain && c >= 0x20 && c != 0x7f && c != '"';
      where += (where.empty() ? "" : ".") +
               (plain ? p.key : json(p.key).dump(-1, ' ', true, json::error_handler_t::replace));
    }
    error = Diagnostic{file_, line, col, where.empty() ? message : where + ": " + message};
    return false;
  }

  // Runs `f` with `key` (or `index`) pushed on the path.
  template <typename F>
  bool at(const std::string& key, F&& f) {
    path_.push_back({true, key, 0});
    bool ok = f();
    path_.pop_back();
    return ok;
  }
  template <typename F>
  bool at(size_t index, F&& f) {
    path_.push_back({false, "", index});
    bool ok = f();
    path_.pop_back();
    return ok;
  }

  // The member `key` of object `o`; nullptr when absent (an error when `required`).
  const json* member(const json& o, const char* key, bool required) {
    auto it = o.find(key);
    if (it != o.end()) return &*it;
    if (required) fail(fmt::format("missing key \"{}\"", key));
    return nullptr;
  }

  bool object(const json& v) { return v.is_object() || fail("expected an object"); }
  bool array(const json& v) { return v.is_array() || fail("expected an array"); }

  bool get(const json& v, std::string& out) {
    if (!v.is_string()) return fail("expected a string");
    out = v.get<std::string>();
    return true;
  }
  bool get(const json& v, bool& out) {
    if (!v.is_boolean()) return fail("expected true or false");
    out = v.get<bool>();
    return true;
  }
  bool get(const json& v, uint64_t& out) {
    if (v.is_number_unsigned()) {
      out = v.get<uint64_t>();
      return true;
    }
    return fail(v.is_number_integer() ? "expected a non-negative integer" : "expected an integer");
  }
  bool get(const json& v, int64_t& out) {
    if (v.is_number_unsigned() &&
        v.get<uint64_t>() <= uint64_t(std::numeric_limits<int64_t>::max())) {
      out = int64_t(v.get<uint64_t>());
      return true;
    }
    if (v.is_number_integer() && !v.is_number_unsigned()) {
      out = v.get<int64_t>();
      return true;
    }
    return fail(v.is_number_unsigned() ? "integer out of range" : "expected an integer");
  }
  bool get(const json& v, double& out) {
    if (!v.is_number()) return fail("expected a number");
    out = v.get<double>();
    if (!std::isfinite(out)) return fail("number out of range");
    return true;
  }
  bool get(const json& v, std::vector<std::string>& out) {
    if (!array(v)) return false;
    out.clear();
    for (size_t i = 0; i < v.size(); ++i) {
      std::string s;
      if (!at(i, [&] { return get(v[i], s); })) return false;
      out.push_back(std::move(s));
    }
    return true;
  }

  // Reads member `key` of `o` into `out` when present; an error when required and absent.
  template <typename T>
  bool field(const json& o, const char* key, T& out, bool required = false) {
    const json* v = member(o, key, required);
    if (!v) return !required;
    return at(key, [&] { return get(*v, out); });
  }

 private:
  std::string_view text_;
  std::string file_;
  std::vector<PathElem> path_;
};

bool validTarget(std::string_view t) {
  std::string endpoint, portProtocol;
  return splitTarget(t, endpoint, portProtocol);
}

bool readAttempt(Reader& r, const json& v, Attempt& a) {
  return r.object(v) && r.field(v, "result", a.result, true) &&
         r.field(v, "latencyMs", a.latencyMs) && r.field(v, "detail", a.detail) &&
         r.field(v, "sourcePort", a.sourcePort);
}

bool readCell(Reader& r, const json& v, CellRecord& c) {
  if (!r.object(v) || !r.field(v, "step", c.step, true) || !r.field(v, "status", c.status, true) ||
      !r.field(v, "from", c.from, true) || !r.field(v, "to", c.to, true) ||
      !r.field(v, "port", c.port, true) || !r.field(v, "protocol", c.protocol, true) ||
      !r.field(v, "expected", c.expected, true) || !r.field(v, "signature", c.signature) ||
      !r.field(v, "explanation", c.explanation))
    return false;
  if (c.port < 0 || c.port > 65535)
    return r.at("port", [&] { return r.fail("expected a port number 0..65535"); });
  if (c.from.empty()) return r.at("from", [&] { return r.fail("empty endpoint"); });
  if (c.to.empty()) return r.at("to", [&] { return r.fail("empty endpoint"); });
  const json* obs = r.member(v, "observed", false);
  if (!obs) return true;
  return r.at("observed", [&] {
    if (!r.array(*obs)) return false;
    for (size_t i = 0; i < obs->size(); ++i) {
      Attempt a;
      if (!r.at(i, [&] { return readAttempt(r, (*obs)[i], a); })) return false;
      c.observed.push_back(std::move(a));
    }
    return true;
  });
}

bool readBlock(Reader& r, const json& v, Block& b) {
  if (!r.object(v) || !r.field(v, "from", b.from, true) || !r.field(v, "to", b.to, true))
    return false;
  for (size_t i = 0; i < b.to.size(); ++i)
    if (!validTarget(b.to[i]))
      return r.at(
          "to", [&] { return r.at(i, [&] { return r.fail("expected ENDPOINT:PORT/PROTOCOL"); }); });
  return true;
}

bool readState(Reader& r, const json& v, State& s) {
  if (!r.object(v) || !r.field(v, "step", s.step, true) || !r.field(v, "cells", s.cells) ||
      !r.field(v, "passed", s.passed) || !r.field(v, "discrepancies", s.discrepancies) ||
      !r.field(v, "flaky", s.flaky) || !r.field(v, "undefined", s.undefined) ||
      !r.field(v, "skipped", s.skipped) || !r.field(v, "errors", s.errors) ||
      !r.field(v, "refusedDenied", s.refusedDenied) ||
      !r.field(v, "lateConverged", s.lateConverged) || !r.field(v, "rounds", s.rounds) ||
      !r.field(v, "probes", s.probes) || !r.field(v, "applyMs", s.applyMs) ||
      !r.field(v, "probeMs", s.probeMs) || !r.field(v, "convergeMs", s.convergeMs) ||
      !r.field(v, "enforcerMs", s.enforcerMs) ||
      !r.field(v, "enforcerTimedOutNodes", s.enforcerTimedOutNodes) ||
      !r.field(v, "expectedCells", s.expectedCells) ||
      !r.field(v, "observedCells", s.observedCells))
    return false;
  if (const json* blocks = r.member(v, "blocks", false)) {
    bool ok = r.at("blocks", [&] {
      if (!r.array(*blocks)) return false;
      for (size_t i = 0; i < blocks->size(); ++i) {
        Block b;
        if (!r.at(i, [&] { return readBlock(r, (*blocks)[i], b); })) return false;
        s.blocks.push_back(std::move(b));
      }
      return true;
    });
    if (!ok) return false;
  }
  // The cell strings must have one character per cell of the blocks.
  uint64_t n = 0;
  for (const Block& b : s.blocks) {
    uint64_t k = uint64_t(b.from.size()) * uint64_t(b.to.size());  // each below 2^32 in practice
    if (b.from.size() > 0xffffffffu || b.to.size() > 0xffffffffu || n + k < n)
      return r.at("blocks", [&] { return r.fail("too many cells"); });
    n += k;
  }
  auto check = [&](const char* key, const std::string& cells, auto symbolIsKnown) {
    if (cells.size() != n)
      return r.at(key, [&] {
        return r.fail(fmt::format("{} cells, but the blocks have {}", cells.size(), n));
      });
    for (size_t i = 0; i < cells.size(); ++i)
      if (!symbolIsKnown(cells[i]))
        return r.at(key, [&] {
          unsigned char c = static_cast<unsigned char>(cells[i]);
          return r.fail(c >= 0x20 && c < 0x7f
                            ? fmt::format("unexpected '{}' at cell {}", cells[i], i)
                            : fmt::format("unexpected byte 0x{:02x} at cell {}", c, i));
        });
    return true;
  };
  return check("expectedCells", s.expectedCells,
               [](char c) { return expectedFromSymbol(c).has_value(); }) &&
         check("observedCells", s.observedCells,
               [](char c) { return observedFromSymbol(c).has_value(); });
}

bool readCase(Reader& r, const json& v, CaseRecord& c) {
  if (!r.object(v) || !r.field(v, "name", c.name, true)) return false;
  if (const json* seed = r.member(v, "seed", false)) {
    uint64_t s = 0;
    if (!r.at("seed", [&] { return r.get(*seed, s); })) return false;
    c.seed = s;
  }
  if (!r.field(v, "index", c.index) || !r.field(v, "tags", c.tags) ||
      !r.field(v, "cells", c.cells) || !r.field(v, "probes", c.probes) ||
      !r.field(v, "discrepancies", c.discrepancies) || !r.field(v, "flaky", c.flaky) ||
      !r.field(v, "errors", c.errors) || !r.field(v, "clusterReused", c.clusterReused) ||
      !r.field(v, "file", c.file) || !r.field(v, "source", c.source) ||
      !r.field(v, "backendError", c.backendError))
    return false;
  if (const json* t = r.member(v, "timings", false)) {
    bool ok = r.at("timings", [&] {
      return r.object(*t) && r.field(*t, "applyMs", c.timings.applyMs) &&
             r.field(*t, "probeMs", c.timings.probeMs) && r.field(*t, "totalMs", c.timings.totalMs);
    });
    if (!ok) return false;
  }
  const json* states = r.member(v, "states", true);
  if (!states) return false;
  bool ok = r.at("states", [&] {
    if (!r.array(*states)) return false;
    for (size_t i = 0; i < states->size(); ++i) {
      State s;
      if (!r.at(i, [&] { return readState(r, (*states)[i], s); })) return false;
      c.states.push_back(std::move(s));
    }
    return true;
  });
  if (!ok) return false;
  const json* cells = r.member(v, "cellsNotPassing", false);
  if (!cells) return true;
  return r.at("cellsNotPassing", [&] {
    if (!r.array(*cells)) return false;
    for (size_t i = 0; i < cells->size(); ++i) {
      CellRecord cell;
      if (!r.at(i, [&] { return readCell(r, (*cells)[i], cell); })) return false;
      c.cellsNotPassing.push_back(std::move(cell));
    }
    return true;
  });
}

// `"shard": {"index": I, "count": N}` with I < N, when present.
bool readShard(Reader& r, const json& o, uint64_t& index, uint64_t& count) {
  const json* v = r.member(o, "shard", false);
  if (!v) return true;
  return r.at("shard", [&] {
    if (!r.object(*v) || !r.field(*v, "index", index, true) || !r.field(*v, "count", count, true))
      return false;
    if (count == 0) return r.at("count", [&] { return r.fail("a shard count is at least 1"); });
    if (index >= count)
      return r.at("index", [&] {
        return r.fail(fmt::format("shard index {} is not below the count {}", index, count));
      });
    return true;
  });
}

bool readPlanned(Reader& r, const json& o, Results& out) {
  const json* v = r.member(o, "planned", false);
  if (!v) return true;
  return r.at("planned", [&] {
    return r.object(*v) && r.field(*v, "cases", out.plannedCases) &&
           r.field(*v, "seconds", out.plannedSeconds);
  });
}

bool readMinimized(Reader& r, const json& v, MinimizedRecord& m) {
  return r.object(v) && r.field(v, "signature", m.signature, true) &&
         r.field(v, "file", m.file, true) && r.field(v, "case", m.caseName) &&
         r.field(v, "size", m.size) && r.field(v, "objects", m.objects);
}

bool readPart(Reader& r, const json& v, MergedPart& p) {
  return r.object(v) && r.field(v, "source", p.source, true) &&
         readShard(r, v, p.shardIndex, p.shardCount) && r.field(v, "started", p.started) &&
         r.field(v, "seconds", p.seconds) && r.field(v, "cases", p.cases) &&
         r.field(v, "finished", p.finished) && r.field(v, "interrupted", p.interrupted) &&
         r.field(v, "backendError", p.backendError);
}

// Member `key` of `doc`, an array whose elements `readOne` reads into `out` (absent: empty,
// unless `required`).
template <typename T, typename F>
bool readArray(Reader& r, const json& doc, const char* key, std::vector<T>& out, F readOne,
               bool required = false) {
  const json* a = r.member(doc, key, required);
  if (!a) return !required;
  return r.at(key, [&] {
    if (!r.array(*a)) return false;
    for (size_t i = 0; i < a->size(); ++i) {
      T item;
      if (!r.at(i, [&] { return readOne(r, (*a)[i], item); })) return false;
      out.push_back(std::move(item));
    }
    return true;
  });
}

bool readResults(Reader& r, const json& doc, Results& out) {
  if (!r.object(doc) || !r.field(doc, "schema", out.schema, true)) return false;
  if (out.schema != kSchema)
    return r.at("schema", [&] {
      std::string shown =
          json(out.schema.substr(0, 80)).dump(-1, ' ', true, json::error_handler_t::replace);
      return r.fail(
          fmt::format("unsupported schema {} (this netpolfuzz reads {})", shown, kSchema));
    });
  if (!r.field(doc, "tool", out.tool) || !r.field(doc, "command", out.command) ||
      !readShard(r, doc, out.shardIndex, out.shardCount) || !readPlanned(r, doc, out) ||
      !r.field(doc, "finished", out.finished) || !r.field(doc, "kind", out.kind) ||
      !r.field(doc, "backend", out.backend) || !r.field(doc, "enforcer", out.enforcer) ||
      !r.field(doc, "seed", out.seed) || !r.field(doc, "size", out.size) ||
      !r.field(doc, "faults", out.faults) || !r.field(doc, "started", out.started) ||
      !r.field(doc, "seconds", out.seconds) || !r.field(doc, "interrupted", out.interrupted) ||
      !r.field(doc, "backendError", out.backendError))
    return false;
  if (const json* p = r.member(doc, "profile", false)) {
    bool ok = r.at("profile", [&] {
      if (!r.object(*p)) return false;
      for (auto it = p->begin(); it != p->end(); ++it) {
        std::string value;
        if (it->is_string())
          value = it->get<std::string>();
        else if (it->is_boolean())
          value = it->get<bool>() ? "true" : "false";
        else if (it->is_number())
          value = it->dump();
        else
          return r.at(it.key(), [&] { return r.fail("expected a string"); });
        out.profile.emplace_back(it.key(), std::move(value));
      }
      return true;
    });
    if (!ok) return false;
  }
  const json* totals = r.member(doc, "totals", true);
  if (!totals) return false;
  Totals& t = out.totals;
  bool ok = r.at("totals", [&] {
    return r.object(*totals) && r.field(*totals, "cases", t.cases) &&
           r.field(*totals, "failingCases", t.failingCases) && r.field(*totals, "cells", t.cells) &&
           r.field(*totals, "probes", t.probes) &&
           r.field(*totals, "discrepancies", t.discrepancies) &&
           r.field(*totals, "flaky", t.flaky) && r.field(*totals, "errors", t.errors) &&
           r.field(*totals, "probesPerSecond", t.probesPerSecond);
  });
  if (!ok) return false;
  const json* cases = r.member(doc, "cases", true);
  if (!cases) return false;
  return readArray(r, doc, "cases", out.cases, readCase, true) &&
         readArray(r, doc, "minimized", out.minimized, readMinimized) &&
         readArray(r, doc, "mergedFrom", out.mergedFrom, readPart);
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: syntax
// error ..." without the part that `file:line:col` already says.
std::string parseErrorMessage(const std::string& what) {
  for (const char* marker : {"syntax error", "parse error"}) {
    auto p = what.find(marker);
    if (p == std::string::npos) continue;
    std::string m = what.substr(p);
    // "parse error at line 1, column 2: ..." -> the part after the position.
    if (m.rfind("parse error at line", 0) == 0)
      if (auto colon = m.find(": "); colon != std::string::npos) m = m.substr(colon + 2);
    return "invalid JSON: " + m;
  }
  return "invalid JSON";
}

}  // namespace

bool splitTarget(std::string_view t, std::string& endpoint, std::string& portProtocol) {
  auto slash = t.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  auto colon = t.rfind(':', slash);
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == slash || slash + 1 == t.size())
    return false;
  for (size_t i = colon + 1; i < slash; ++i)
    if (t[i] < '0' || t[i] > '9') return false;
  endpoint = std::string(t.substr(0, colon));
  portProtocol = std::string(t.substr(colon + 1));
  return true;
}

std::string CellRecord::target() const { return fmt::format("{}:{}/{}", to, port, protocol); }

ResultsLoad parseResults(std::string_view text, const std::string& file) {
  ResultsLoad out;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // e.byte is 1-based: the offending character is text[byte - 1].
    size_t at = e.byte > 0 ? e.byte - 1 : 0;
    auto [line, col] = lineColAt(text, at);
    out.error = Diagnostic{file, line, col, parseErrorMessage(e.what())};
    return out;
  } catch (const std::exception& e) {
    out.error = Diagnostic{file, 1, 1, std::string("invalid JSON: ") + e.what()};
    return out;
  }
  Reader r(text, file);
  Results res;
  try {
    if (readResults(r, doc, res)) {
      out.results = std::move(res);
      return out;
    }
  } catch (const std::exception& e) {
    // The reader checks every type before converting; this is a safety net.
    r.fail(std::string("internal error: ") + e.what());
  }
  out.error = r.error ? *r.error : Diagnostic{file, 1, 1, "invalid results document"};
  return out;
}

std::string renderJson(const Results& r) {
  ojson doc;
  doc["schema"] = r.schema;
  doc["tool"] = r.tool;
  doc["command"] = r.command;
  doc["kind"] = r.kind;
  doc["backend"] = r.backend;
  if (!r.enforcer.empty()) doc["enforcer"] = r.enforcer;
  const bool measuresEnforcer = !r.enforcer.empty() && r.enforcer != "nftables";
  doc["seed"] = r.seed;
  doc["size"] = r.size;
  ojson profile = ojson::object();
  for (const auto& [k, v] : r.profile) profile[k] = v;
  doc["profile"] = profile;
  doc["faults"] = r.faults;
  doc["started"] = r.started;
  doc["seconds"] = r.seconds;
  doc["interrupted"] = r.interrupted;
  doc["backendError"] = r.backendError;
  if (r.isShard()) doc["shard"] = {{"index", r.shardIndex}, {"count", r.shardCount}};
  doc["planned"] = {{"cases", r.plannedCases}, {"seconds", r.plannedSeconds}};
  doc["finished"] = r.finished;
  const Totals& t = r.totals;
  doc["totals"] = {{"cases", t.cases},   {"failingCases", t.failingCases},      {"cells", t.cells},
                   {"probes", t.probes}, {"discrepancies", t.discrepancies},    {"flaky", t.flaky},
                   {"errors", t.errors}, {"probesPerSecond", t.probesPerSecond}};
  ojson cases = ojson::array();
  for (const CaseRecord& c : r.cases) {
    ojson jc;
    jc["name"] = c.name;
    if (c.seed) jc["seed"] = *c.seed;
    jc["index"] = c.index;
    jc["tags"] = c.tags;
    jc["cells"] = c.cells;
    jc["probes"] = c.probes;
    jc["discrepancies"] = c.discrepancies;
    jc["flaky"] = c.flaky;
    jc["errors"] = c.errors;
    jc["clusterReused"] = c.clusterReused;
    jc["file"] = c.file;
    if (!c.source.empty()) jc["source"] = c.source;
    if (!c.backendError.empty()) jc["backendError"] = c.backendError;
    jc["timings"] = {{"applyMs", c.timings.applyMs},
                     {"probeMs", c.timings.probeMs},
                     {"totalMs", c.timings.totalMs}};
    ojson states = ojson::array();
    for (const State& s : c.states) {
      ojson blocks = ojson::array();
      for (const Block& b : s.blocks) blocks.push_back({{"from", b.from}, {"to", b.to}});
      ojson state = {{"step", s.step},
                     {"cells", s.cells},
                     {"passed", s.passed},
                     {"discrepancies", s.discrepancies},
                     {"flaky", s.flaky},
                     {"undefined", s.undefined},
                     {"skipped", s.skipped},
                     {"errors", s.errors},
                     {"refusedDenied", s.refusedDenied},
                     {"lateConverged", s.lateConverged},
                     {"rounds", s.rounds},
                     {"probes", s.probes},
                     {"applyMs", s.applyMs},
                     {"probeMs", s.probeMs},
                     {"convergeMs", s.convergeMs},
                     {"blocks", blocks},
                     {"expectedCells", s.expectedCells},
                     {"observedCells", s.observedCells}};
      // Only runs whose enforcer catches up after the writes measure it (docs/enforcers.md);
      // a document that has the figures anyway keeps them (they read back as written).
      if (measuresEnforcer || s.enforcerMs != 0 || s.enforcerTimedOutNodes != 0) {
        state["enforcerMs"] = s.enforcerMs;
        state["enforcerTimedOutNodes"] = s.enforcerTimedOutNodes;
      }
      states.push_back(std::move(state));
    }
    ojson cells = ojson::array();
    for (const CellRecord& cell : c.cellsNotPassing) {
      ojson attempts = ojson::array();
      for (const Attempt& a : cell.observed) {
        ojson ja = {{"result", a.result}, {"latencyMs", a.latencyMs}};
        if (!a.detail.empty()) ja["detail"] = a.detail;
        if (a.sourcePort) ja["sourcePort"] = a.sourcePort;
        attempts.push_back(ja);
      }
      ojson jcell = {{"step", cell.step},         {"status", cell.status},
                     {"from", cell.from},         {"to", cell.to},
                     {"port", cell.port},         {"protocol", cell.protocol},
                     {"expected", cell.expected}, {"observed", attempts}};
      if (!cell.signature.empty()) jcell["signature"] = cell.signature;
      if (!cell.explanation.empty()) jcell["explanation"] = cell.explanation;
      cells.push_back(jcell);
    }
    jc["states"] = states;
    jc["cellsNotPassing"] = cells;
    cases.push_back(jc);
  }
  doc["cases"] = cases;
  if (!r.minimized.empty()) {
    ojson minimized = ojson::array();
    for (const MinimizedRecord& m : r.minimized)
      minimized.push_back({{"signature", m.signature},
                           {"file", m.file},
                           {"case", m.caseName},
                           {"size", m.size},
                           {"objects", m.objects}});
    doc["minimized"] = minimized;
  }
  if (!r.mergedFrom.empty()) {
    ojson parts = ojson::array();
    for (const MergedPart& p : r.mergedFrom) {
      ojson jp = {{"source", p.source}};
      if (p.shardCount > 0) jp["shard"] = {{"index", p.shardIndex}, {"count", p.shardCount}};
      jp["started"] = p.started;
      jp["seconds"] = p.seconds;
      jp["cases"] = p.cases;
      jp["finished"] = p.finished;
      jp["interrupted"] = p.interrupted;
      jp["backendError"] = p.backendError;
      parts.push_back(std::move(jp));
    }
    doc["mergedFrom"] = parts;
  }
  // Strings came from a parsed document (valid UTF-8) or from the campaign; replace rather
  // than throw if a caller built one by hand with invalid bytes.
  return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace npf::results
