// Probing helpers of the runner end-to-end tests: cells written as "from -> to:port/proto"
// with the outcome expected by hand (never from the oracle).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/probe.h"
#include "runner/backend.h"

namespace npf::testing {

struct Cell {
  std::string from, to;  // endpoint spellings: "x/a", "svc/x/web", "node/node-1", "ip/192.0.2.10"
  int port;
  Protocol protocol;
  runner::ProbeResult::Kind expected;
};

inline Probe toProbe(const Cell& c) {
  auto from = parseEndpoint(c.from);
  auto to = parseEndpoint(c.to);
  EXPECT_TRUE(from && to) << c.from << " " << c.to;
  return Probe{from.value_or(Endpoint{}), Target{to.value_or(Endpoint{}), c.port, c.protocol}};
}

inline std::string describe(const Cell& c) {
  return c.from + " -> " + c.to + ":" + std::to_string(c.port) + "/" + toString(c.protocol);
}

// Tests run next to other tests on two cores: allow one retry of a timeout.
inline runner::ProbeOptions testProbeOptions() {
  runner::ProbeOptions o;
  o.timeoutMs = 300;
  o.timeoutRetries = 1;
  return o;
}

// Probes every cell at once; one failure per cell whose outcome differs, with the detail.
inline std::vector<runner::ProbeResult> expectCells(runner::Backend& b,
                                                    const std::vector<Cell>& cells,
                                                    const std::string& context = "") {
  std::vector<Probe> probes;
  for (const auto& c : cells) probes.push_back(toProbe(c));
  auto results = b.probe(probes, testProbeOptions());
  EXPECT_EQ(results.size(), cells.size());
  for (size_t i = 0; i < cells.size() && i < results.size(); ++i)
    EXPECT_EQ(toString(results[i].kind), std::string(toString(cells[i].expected)))
        << context << (context.empty() ? "" : ": ") << describe(cells[i]) << " ("
        << results[i].detail << ", " << results[i].latencyMs << " ms)";
  return results;
}

}  // namespace npf::testing
