// What Cyclonus's offline query reads and prints: `cyclonus analyze --mode query-traffic
// --policy-path DIR --traffic-path FILE`. The policies go one per file, defaulted as the API
// server stores them (Cyclonus reads spec.policyTypes and does not default it); every cell it
// can express becomes one Traffic object (both pods' labels and namespaces, the source's address
// of the destination's family, the port and the name the destination pod gives it); the verdict
// of each is the `IS ALLOWED?` footer of its table, in input order. Pure functions: the backend
// (analyzer_backend.h) runs the program.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/objects.h"
#include "model/probe.h"

namespace npf::runner::analyzer {

struct CyclonusQuery {
  // File name (under the policy directory) and YAML of each policy.
  std::vector<std::pair<std::string, std::string>> policyFiles;
  std::string trafficJson;    // a JSON array, one Traffic object per asked cell
  std::vector<size_t> asked;  // asked[i]: the probe index of Traffic object i
  // Per probe: why Cyclonus cannot be asked ("" when asked).
  std::vector<std::string> skipped;
};

CyclonusQuery cyclonusQuery(const Cluster& c, const std::vector<Probe>& probes);

// The verdicts of the `IS ALLOWED?` footers, in order (true: allowed). nullopt and `error` when
// the output holds something else than `expected` footers with TRUE or FALSE.
std::optional<std::vector<bool>> parseCyclonusVerdicts(std::string_view stdoutText, size_t expected,
                                                       std::string& error);

}  // namespace npf::runner::analyzer
