// The `netpolfuzz.results/v1` document (docs/results-format.md) read back as plain values, for
// the renderers of `netpolfuzz report` (reports/results_render.h). Independent of the runner:
// what a campaign wrote is all there is (the writer is reports/campaign_report.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/cell_vocabulary.h"
#include "model/diagnostic.h"

namespace npf::results {

inline constexpr const char* kSchema = "netpolfuzz.results/v1";

// One probe attempt of a cell that did not simply pass.
struct Attempt {
  std::string result;  // connected | timeout | refused | error | skipped
  double latencyMs = 0;
  std::string detail;       // errno text, why skipped, ... (may be empty)
  uint64_t sourcePort = 0;  // the probe's source port (0: not recorded)
  bool operator==(const Attempt&) const = default;
};

// An entry of a case's `cellsNotPassing`: a discrepancy, a flaky or an erroring cell.
struct CellRecord {
  uint64_t step = 0;
  std::string status;  // fail | flaky | error (CellStatus words; others are kept as written)
  std::string from;    // endpoint: NS/POD, svc/NS/NAME, node/NAME, ip/ADDR
  std::string to;      // endpoint, without port
  int64_t port = 0;
  std::string protocol;  // TCP | UDP | SCTP
  std::string expected;  // allow | deny | undefined | skip
  std::vector<Attempt> observed;
  std::string signature;    // discrepancies only
  std::string explanation;  // discrepancies only: the oracle's reasoning
  // "TO:PORT/PROTOCOL", the spelling of a block's target.
  std::string target() const;
  // Whether `status` is the word of `s` (model/cell_vocabulary.h).
  bool is(CellStatus s) const { return status == toString(s); }
  bool operator==(const CellRecord&) const = default;
};

// Every source to every target ("EP:PORT/PROTO").
struct Block {
  std::vector<std::string> from, to;
  bool operator==(const Block&) const = default;
};

// One state of a case: step 0 = the initial objects, step i = after the i-th change.
struct State {
  uint64_t step = 0;
  uint64_t cells = 0, passed = 0, discrepancies = 0, flaky = 0, undefined = 0, skipped = 0,
           errors = 0, refusedDenied = 0, lateConverged = 0, probes = 0;
  int64_t rounds = 0;
  double applyMs = 0, probeMs = 0, convergeMs = 0;
  double enforcerMs = 0;               // the enforcer catching up (within applyMs)
  uint64_t enforcerTimedOutNodes = 0;  // nodes it had not caught up on when probing began
  // Every cell, block by block, source-major. `expectedCells[i]` and `observedCells[i]` are
  // cell i (docs/results-format.md). Empty in files from writers that did not record them;
  // when present the parser guarantees both strings have one character per cell.
  std::vector<Block> blocks;
  std::string expectedCells, observedCells;
  bool hasMatrix() const { return !blocks.empty(); }
  bool operator==(const State&) const = default;
};

struct Timings {
  double applyMs = 0, probeMs = 0, totalMs = 0;
  bool operator==(const Timings&) const = default;
};

struct CaseRecord {
  std::string name;
  std::optional<uint64_t> seed;
  uint64_t index = 0;
  std::vector<std::string> tags;
  uint64_t cells = 0, probes = 0, discrepancies = 0, flaky = 0, errors = 0;
  bool clusterReused = false;
  std::string file;    // the saved failing case, relative to the results directory ("" if none)
  std::string source;  // the case file it was read from, as given on the command line
  std::string backendError;
  Timings timings;
  std::vector<State> states;
  std::vector<CellRecord> cellsNotPassing;
  // A case fails when it has a discrepancy or the backend failed on it.
  bool failed() const { return discrepancies > 0 || !backendError.empty(); }
  bool operator==(const CaseRecord&) const = default;
};

struct Totals {
  uint64_t cases = 0, failingCases = 0, cells = 0, probes = 0, discrepancies = 0, flaky = 0,
           errors = 0;
  double probesPerSecond = 0;
  bool operator==(const Totals&) const = default;
};

// A reproduction that `fuzz --minimize` shrank from a failing case, keeping one signature.
struct MinimizedRecord {
  std::string signature;
  std::string file;      // relative to the results directory ("minimized/HASH.yaml")
  std::string caseName;  // the failing case it was shrunk from
  std::string size;      // "1 policy, 2 pods, ..." (runner/minimize.h)
  uint64_t objects = 0;  // the counts of `size` added: smaller is simpler
  bool operator==(const MinimizedRecord&) const = default;
};

// One input of `netpolfuzz merge`: a shard's (or any run's) results.
struct MergedPart {
  std::string source;                       // the results.json as given to merge
  uint64_t shardIndex = 0, shardCount = 0;  // shardCount 0: not a shard
  std::string started;
  double seconds = 0;
  uint64_t cases = 0;
  bool finished = true, interrupted = false;
  std::string backendError;
  bool operator==(const MergedPart&) const = default;
};

struct Results {
  std::string schema = kSchema;
  std::string tool, command;
  std::string kind;  // fuzz | conformance | replay ("" in files from older writers)
  std::string backend;
  std::string enforcer;  // the local backend's policy enforcer ("" from other backends)
  uint64_t seed = 0;
  std::string size;
  std::vector<std::pair<std::string, std::string>> profile;  // in document order
  std::vector<std::string> faults;
  std::string started;
  double seconds = 0;
  bool interrupted = false;
  std::string backendError;
  // `--shard I/N`: this run is the cases whose position is I modulo N (count 0: not a shard).
  uint64_t shardIndex = 0, shardCount = 0;
  // What the run set out to do, for `netpolfuzz status`: cases (0: no limit) and seconds (0: no
  // time limit).
  uint64_t plannedCases = 0;
  double plannedSeconds = 0;
  // False in the results a campaign rewrites while it runs; true once it has ended (in files
  // from older writers, which did not say, true).
  bool finished = true;
  Totals totals;
  std::vector<CaseRecord> cases;
  std::vector<MinimizedRecord> minimized;  // `fuzz --minimize`'s reproductions
  std::vector<MergedPart> mergedFrom;      // `merge`: the runs this one is the union of
  bool isShard() const { return shardCount > 0; }
  bool operator==(const Results&) const = default;
};

// Splits a block target "ENDPOINT:PORT/PROTOCOL" into "ENDPOINT" and "PORT/PROTOCOL"; false
// when it is not of that form.
bool splitTarget(std::string_view target, std::string& endpoint, std::string& portProtocol);

// The outcome of parsing: the document, or the first problem as `file:line:col: message`.
struct ResultsLoad {
  std::optional<Results> results;
  Diagnostic error;  // meaningful when !results
};

// Parses a results.json text. Strict about types (a count must be a non-negative integer, a
// string a string), about the schema name, and about the cell strings matching the blocks;
// lenient about keys older writers did not write (defaults) and keys it does not know
// (ignored). `file` only names the input in the error. Never throws.
ResultsLoad parseResults(std::string_view text, const std::string& file);

// The canonical `netpolfuzz.results/v1` text of `r` (the key order and layout of the
// campaign writer): parseResults(renderJson(r)) gives `r` back.
std::string renderJson(const Results& r);

}  // namespace npf::results
