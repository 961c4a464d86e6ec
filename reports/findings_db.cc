#include "reports/findings_db.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "model/content_hash.h"
#include "reports/results_diff.h"
#include "reports/results_merge.h"

namespace npf::results {

namespace {

using ojson = nlohmann::ordered_json;

}  // namespace

bool Reproduction::betterThan(const Reproduction& o) const {
  // Every field takes part, so the choice never depends on the order runs were added in.
  return std::make_tuple(!minimized, size, hash, from) <
         std::make_tuple(!o.minimized, o.size, o.hash, o.from);
}

std::string Finding::firstSeen() const {
  std::string s;
  for (const auto& x : seen)
    if (!x.started.empty() && (s.empty() || x.started < s)) s = x.started;
  return s;
}

std::string Finding::lastSeen() const {
  std::string s;
  for (const auto& x : seen) s = std::max(s, x.started);
  return s;
}

uint64_t Finding::cells() const {
  uint64_t n = 0;
  for (const auto& x : seen) n += x.cells;
  return n;
}

std::string findingId(const std::string& signature) {
  return fmt::format("{:016x}", fnv1a64(signature)).substr(0, 12);
}

std::string runKey(const Results& r) {
  // `started` alone is not unique (shards start together); the command without --shard and
  // the start of the earliest part identify a campaign, sharded or not.
  return fmt::format("{:016x}", fnv1a64(r.started + "\n" + unshardedCommand(r.command) + "\n" +
                                        fmt::format("{}", r.seed)));
}

std::vector<std::pair<std::string, Sighting>> sightingsOf(const Results& r) {
  std::vector<std::pair<std::string, Sighting>> out;
  const std::string key = runKey(r);
  for (const SignatureSeen& s : signaturesOf(r)) {
    Sighting x;
    x.run = key;
    x.started = r.started;
    x.command = r.command;
    x.backend = r.backend;
    x.enforcer = r.enforcer;
    x.cells = s.cells;
    x.cases = s.cases;
    x.exampleCase = s.exampleCase;
    out.push_back({s.signature, std::move(x)});
  }
  return out;
}

void addSighting(Finding& f, const Sighting& sighting) {
  auto same = std::find_if(f.seen.begin(), f.seen.end(),
                           [&](const Sighting& x) { return x.run == sighting.run; });
  if (same != f.seen.end())
    *same = sighting;
  else
    f.seen.push_back(sighting);
  std::sort(f.seen.begin(), f.seen.end(), [](const Sighting& a, const Sighting& b) {
    return std::tie(a.started, a.run) < std::tie(b.started, b.run);
  });
}

std::string renderFinding(const Finding& f) {
  ojson doc;
  doc["schema"] = kFindingSchema;
  doc["id"] = f.id;
  doc["signature"] = f.signature;
  doc["firstSeen"] = f.firstSeen();
  doc["lastSeen"] = f.lastSeen();
  doc["runs"] = f.seen.size();
  doc["cells"] = f.cells();
  if (f.reproduction) {
    const Reproduction& r = *f.reproduction;
    doc["reproduction"] = {{"file", f.id + ".yaml"},
                           {"minimized", r.minimized},
                           {"size", r.size},
                           {"hash", r.hash},
                           {"from", r.from}};
  }
  ojson seen = ojson::array();
  for (const Sighting& x : f.seen)
    seen.push_back({{"run", x.run},
                    {"started", x.started},
                    {"command", x.command},
                    {"backend", x.backend},
                    {"enforcer", x.enforcer},
                    {"cells", x.cells},
                    {"cases", x.cases},
                    {"exampleCase", x.exampleCase}});
  doc["seen"] = seen;
  return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

FindingLoad parseFinding(std::string_view text, const std::string& file) {
  FindingLoad out;
  auto fail = [&](const std::string& message) {
    out.error = Diagnostic{file, 1, 1, message};
    return out;
  };
  ojson doc;
  try {
    doc = ojson::parse(text.begin(), text.end());
  } catch (const ojson::parse_error& e) {
    // The position: nlohmann counts bytes from 1.
    size_t at = e.byte > 0 ? e.byte - 1 : 0;
    auto [line, col] = lineColAt(text, at);
    out.error = Diagnostic{file, line, col, "invalid JSON"};
    return out;
  } catch (const std::exception& e) {
    // A number out of range ("1e999") is not a parse_error; nlohmann gives no position then.
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return fail("invalid JSON: " + what);
  }
  try {
    if (!doc.is_object()) return fail("expected an object");
    if (doc.value("schema", "") != kFindingSchema)
      return fail(fmt::format("not a {} record", kFindingSchema));
    Finding f;
    f.id = doc.at("id").get<std::string>();
    f.signature = doc.at("signature").get<std::string>();
    if (f.id != findingId(f.signature))
      return fail(
          fmt::format("id {} is not the id of its signature ({})", f.id, findingId(f.signature)));
    if (doc.contains("reproduction")) {
      const auto& r = doc.at("reproduction");
      Reproduction rep;
      rep.minimized = r.at("minimized").get<bool>();
      rep.size = r.at("size").get<uint64_t>();
      rep.hash = r.at("hash").get<std::string>();
      rep.from = r.value("from", "");
      f.reproduction = rep;
    }
    for (const auto& x : doc.at("seen")) {
      Sighting s;
      s.run = x.at("run").get<std::string>();
      s.started = x.value("started", "");
      s.command = x.value("command", "");
      s.backend = x.value("backend", "");
      s.enforcer = x.value("enforcer", "");
      s.cells = x.value("cells", uint64_t(0));
      s.cases = x.value("cases", uint64_t(0));
      s.exampleCase = x.value("exampleCase", "");
      addSighting(f, s);
    }
    out.finding = std::move(f);
  } catch (const std::exception& e) {
    // A missing key or a wrong type: nlohmann says which.
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return fail("malformed record: " + what);
  }
  return out;
}

}  // namespace npf::results
