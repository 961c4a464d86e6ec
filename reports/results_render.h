// The renderings of a results document (`netpolfuzz report`): terminal text, Markdown, one
// self-contained HTML page, and JUnit XML. All take the model of reports/results_model.h and
// return the text; none does I/O (the caller reads case files and writes the output).
// Everything taken from the document is escaped for its target: terminal control characters,
// Markdown punctuation, HTML and XML.
#pragma once

#include <string>
#include <vector>

#include "reports/results_model.h"

namespace npf::results {

struct TextOptions {
  bool color = false;  // ANSI colours (the CLI turns them on for a terminal)
  bool all = false;    // every state in full; by default only states with discrepancies,
                       // flaky or erroring cells, and one line per other case
};

// Per case and step: the expected, observed and diff truth tables of each port/protocol
// (side by side when they fit in 132 columns), the cells not passing with their attempts,
// signature and explanation; then the legend and the totals.
std::string renderText(const Results& r, const TextOptions& options = {});

// For a pull-request comment: verdict and totals, per-case summary (failing, flaky and erroring
// cases; every case with `all`), discrepancy signatures, per-tag pass/fail tables, and the
// first failing cells of each failing case.
std::string renderMarkdown(const Results& r, bool all = false);

// The case file of a case, as the caller could read it.
struct CaseFile {
  std::string path;   // as the page should name it ("" when the case names no file)
  std::string text;   // the multi-document YAML
  std::string error;  // non-empty: why it could not be read
};

// One self-contained HTML page (inline CSS and JavaScript, no external resource): totals, the
// discrepancy signatures with links to their cases, and per case and step a matrix of coloured
// cells with filters (namespace, port, verdict); a click on a cell shows its expected verdict,
// attempts with latency and the oracle's explanation. `files[i]` is cases[i]'s case file (its
// NetworkPolicies are shown); missing entries count as "no case file".
std::string renderHtml(const Results& r, const std::vector<CaseFile>& files = {});

// JUnit XML: one testcase per case and step (classname: the case's `family:` tag, else
// "netpolfuzz"; name: "CASE step N"); a failure per state with discrepancies, its text the
// failing cells and the diff tables; skipped when every cell of the state was skipped; an error
// for a backend failure.
std::string renderJunit(const Results& r);

}  // namespace npf::results
