// Merging the results of the shards of one campaign (`fuzz --shard I/N`, `conformance --shard
// I/N`) into the results of the whole: what `netpolfuzz merge` writes, and what the merged
// reports render. Values only: the command reads the files and copies the saved cases.
#pragma once

#include <string>
#include <vector>

#include "reports/results_model.h"

namespace npf::results {

struct MergeInput {
  std::string source;  // the results.json, as named to the user
  Results results;
};

struct MergeOutcome {
  Results merged;
  // Why the inputs are not parts of one run (then `merged` is meaningless), one sentence each.
  std::vector<std::string> errors;
  // What the user should know but does not stop the merge (a missing shard, an unfinished one).
  std::vector<std::string> warnings;
};

// The command without its trailing " --shard I/N": the same for every shard of one run.
std::string unshardedCommand(const std::string& command);

// Merges runs that are parts of one: same kind, backend, enforcer, seed, size, profile, faults
// and (without --shard) command; shards of one count with distinct indexes, or all unsharded
// with no case twice. The cases come out in the whole run's order (by index); the totals are
// added up (seconds: the parts' seconds added, so probes/s is per machine, comparable with one
// run's); per signature, only the smallest minimized reproduction is kept; `mergedFrom` lists
// the inputs. Merging one run gives its cases and totals back.
MergeOutcome mergeResults(const std::vector<MergeInput>& inputs);

}  // namespace npf::results
