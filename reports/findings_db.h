// The findings database: what nightly campaigns found, kept across nights in the spirit of a
// fuzzing corpus. A directory holding, per discrepancy signature, one record `ID.json` (ID: 12
// hex digits of the signature's FNV-1a hash) and its smallest reproduction `ID.yaml` (a case
// file, `netpolfuzz replay`-able as is). Adding a run is idempotent (a run already recorded
// changes nothing) and order-independent (the same runs in any order give the same files), so
// merging nights, or re-running a night's merge, is always safe. This file holds the values and
// the record codec; `netpolfuzz findings` does the file work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"
#include "reports/results_model.h"

namespace npf::results {

inline constexpr const char* kFindingSchema = "netpolfuzz.finding/v1";

// One run in which the signature was seen.
struct Sighting {
  std::string run;  // the run's identity: when it started and its command (see runKey)
  std::string started, command, backend, enforcer;
  uint64_t cells = 0, cases = 0;
  std::string exampleCase;
  bool operator==(const Sighting&) const = default;
};

// The reproduction kept for a signature: a minimized case beats a saved failing case, then
// the fewer objects (minimized) or bytes (saved), then the lower content hash.
struct Reproduction {
  bool minimized = false;
  uint64_t size = 0;  // objects when minimized, else bytes of the case file
  std::string hash;   // FNV-1a of the text, 16 hex digits
  std::string from;   // the run and file it came from, for the reader
  bool operator==(const Reproduction&) const = default;
  bool betterThan(const Reproduction& o) const;
};

struct Finding {
  std::string id, signature;
  std::vector<Sighting> seen;  // sorted by (started, run); one per run
  std::optional<Reproduction> reproduction;
  bool operator==(const Finding&) const = default;
  std::string firstSeen() const;  // earliest `started`
  std::string lastSeen() const;
  uint64_t cells() const;  // added over the runs
};

// The ID of a signature: its FNV-1a 64 hash, 12 hex digits.
std::string findingId(const std::string& signature);

// A run's identity: the same results (or a merge of the same shards) always give the same key.
std::string runKey(const Results& r);

// The record's JSON (sorted, derived fields included: firstSeen, lastSeen, runs, cells).
std::string renderFinding(const Finding& f);

struct FindingLoad {
  std::optional<Finding> finding;
  Diagnostic error;
};
// Parses a record; errors as `file:line:col: message`. Never throws.
FindingLoad parseFinding(std::string_view text, const std::string& file);

// Adds `sighting` to `f` (replacing the same run's: idempotent).
void addSighting(Finding& f, const Sighting& sighting);

// The sightings of a run, one per signature it has, with their example cases.
std::vector<std::pair<std::string, Sighting>> sightingsOf(const Results& r);

}  // namespace npf::results
