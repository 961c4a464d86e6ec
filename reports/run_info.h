// Facts about a run that its results do not hold by themselves: what ran, where, how to run it
// again. The runner's adapter (runner/campaign_results.h) copies them into results.json.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/profile.h"

namespace npf {

struct RunInfo {
  std::string tool = "netpolfuzz 0.1.0";
  std::string kind = "fuzz";  // fuzz | conformance | replay
  std::string backend = "local";
  std::string enforcer;  // local backend: who enforced policy ("nftables", "kube-router v2.1.0")
  uint64_t seed = 0;
  std::string size = "small";
  Profile profile;
  std::vector<std::string> faults;
  std::string started;  // ISO 8601 UTC
  std::string command;  // to reproduce the run
  // `--shard I/N` (shardCount 0: the whole run).
  uint64_t shardIndex = 0, shardCount = 0;
  // What the run set out to do (0: no limit): `netpolfuzz status` shows progress against it.
  uint64_t plannedCases = 0;
  double plannedSeconds = 0;
};

}  // namespace npf
