// An offline NetworkPolicy analyzer as a backend: instead of sending packets, each state of a
// case goes to the analyzer as its inputs (the policies, and one query per cell it can
// express), and its verdicts come back as observed cells: allowed is `connected` (or `refused`
// when no server declares the port, as a dataplane would answer), denied is `timeout`. The
// diff, signatures, reports, minimizer and replay are unchanged: the analyzer is judged by the
// oracle like a dataplane is. Cells the analyzer cannot express are Skipped with the reason.
// Analyzers are deterministic, so a cell is asked once per state (re-probes are answered from
// that answer). No root, no kernel: the analyzer runs as a plain process from the tool cache.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runner/backend.h"
#include "runner/process.h"

namespace npf::runner::analyzer {

struct AnalyzerInfo {
  std::string name;     // --analyzer NAME
  std::string version;  // pinned; the binary is <binDir>/<name>-<version>
  std::string summary;  // one line for --help
  // The profile settings its documented choices need (docs/analyzers.md), applied before the
  // user's --profile.
  std::vector<std::string> profileSettings;
};

const std::vector<AnalyzerInfo>& analyzerCatalogue();
const AnalyzerInfo* findAnalyzer(const std::string& name);
std::vector<std::string> analyzerNames();
// The cached binary of `info` under `binDir` ("" : runner/tool_cache.h's default).
std::string analyzerBinary(const AnalyzerInfo& info, const std::string& binDir = "");

struct AnalyzerOptions {
  std::string analyzer = "cyclonus";
  std::string binDir;                  // "" : runner/tool_cache.h's default
  ProcessRunner* processes = nullptr;  // null: a real one (120 s per query)
};

// What the analyzer was asked (tests check that a state is asked once).
struct AnalyzerCounters {
  size_t queries = 0;  // analyzer runs
  size_t asked = 0;    // cells sent to it
};

class AnalyzerBackend : public Backend {
 public:
  explicit AnalyzerBackend(AnalyzerOptions options);
  ~AnalyzerBackend() override;

  std::string name() const override { return "analyzer"; }
  std::string setUp(const Cluster& desired) override;
  std::string reconcile(const Cluster& desired) override;
  Cluster actual() const override { return actual_; }
  std::vector<ProbeResult> probe(const std::vector<Probe>& probes,
                                 const ProbeOptions& options) override;
  void tearDown() override;

  const AnalyzerCounters& counters() const { return counters_; }

 private:
  // Asks the analyzer about `probes` (none answered yet in this state).
  std::vector<ProbeResult> ask(const std::vector<Probe>& probes);

  AnalyzerOptions opt_;
  const AnalyzerInfo* info_ = nullptr;
  ProcessRunner* proc_ = nullptr;
  bool up_ = false;
  Cluster actual_;
  std::string workDir_;                    // policies/ and traffic.json of the last query
  std::map<Probe, ProbeResult> answered_;  // this state's answers
  AnalyzerCounters counters_;
};

}  // namespace npf::runner::analyzer
