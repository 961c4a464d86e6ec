// What every renderer of a results document needs: each cell's judgement, the truth tables of a
// state (one per port/protocol, rows = sources, columns = destinations), discrepancy signatures
// grouped across cases, and per-tag pass/fail counts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/cell_vocabulary.h"
#include "reports/results_model.h"

namespace npf::results {

// How a cell was judged (docs/results-format.md "How a cell is judged").
using Status = CellStatus;

// One port/protocol of a state: rows are sources and columns destination endpoints, in order
// of first appearance; `cells[r * columns.size() + c]` is the cell's index in the state's cell
// strings, or -1 where that pair was not probed.
struct Table {
  std::string portProtocol;  // "80/TCP"
  std::vector<std::string> rows, columns;
  std::vector<int64_t> cells;
  int64_t at(size_t r, size_t c) const { return cells[r * columns.size() + c]; }
};

struct StateGrid {
  std::vector<Table> tables;    // by port number, then TCP, UDP, SCTP
  std::vector<Status> status;   // per cell
  std::vector<int64_t> record;  // per cell: index in the case's cellsNotPassing, or -1
};

// The grid of `s` (a state of `c`): tables from the blocks; each cell's status from its
// `cellsNotPassing` record when there is one, else inferred from the expected and observed
// characters. Empty when the state has no matrix.
StateGrid buildGrid(const CaseRecord& c, const State& s);

// Table symbols. Expected: . allow, X deny, ? undefined, - not probed (as in the file).
// Observed (last attempt): . connected, X timeout, r refused, e error, - skipped.
// Diff: . agree, X discrepancy, ~ flaky, e error, ? undefined, - skipped.
char observedSymbol(char observedCell);
char diffSymbol(Status s);

// The namespace of an endpoint ("x" for x/a and svc/x/s), "" for nodes and external hosts.
std::string endpointNamespace(std::string_view endpoint);

// Discrepancies grouped by signature: how many cells and which cases (indexes into
// Results::cases, ascending), most cells first.
struct SignatureGroup {
  std::string signature;  // "" for discrepancies recorded without one
  size_t cells = 0;
  std::vector<size_t> cases;
};
std::vector<SignatureGroup> groupSignatures(const Results& r);

// Tags with how many cases carry them and how many of those failed; a tag passes when every
// case carrying it passed. Grouped as the campaign summary does: bug classes (upper case),
// families and sources, then API features; tags sorted within a group.
struct TagCount {
  std::string tag;
  size_t cases = 0, failed = 0;
};
struct TagGroup {
  std::string title;  // "bug class", "family / source", "feature"
  std::vector<TagCount> tags;
};
std::vector<TagGroup> tagGroups(const Results& r);

// The expected, observed and diff tables of one port/protocol as plain text (ANSI colours
// when `color`), side by side when that fits in `width` columns, else one under the other; the
// first line names the port/protocol. Names are made terminal-safe. No trailing newline.
std::string textTables(const Table& t, const State& s, const StateGrid& g, bool color,
                       size_t width = 132);

// `s` with terminal control characters (C0, DEL, C1) replaced by '?'; keeps newlines when
// `keepNewlines`.
std::string terminalSafe(std::string_view s, bool keepNewlines = false);

// "PASS", "FAIL" or "FLAKY" (no discrepancy but flaky cells).
const char* caseVerdict(const CaseRecord& c);

// "1 discrepancy", "2 discrepancies": `n` and the word for one or for many.
std::string count(uint64_t n, std::string_view one, std::string_view many);

// A cell's attempts for people (unescaped): "timeout 200 ms, timeout 1.0 s", with each
// attempt's detail when `details`; a run of four or more equal results collapses to
// "error ×12, 0.1 ms – 0.3 ms". "nothing" when there was no attempt.
std::string attemptsText(const CellRecord& c, bool details);

// "200 ms", "1.5 s": a latency or duration for people.
std::string formatMs(double ms);

}  // namespace npf::results
