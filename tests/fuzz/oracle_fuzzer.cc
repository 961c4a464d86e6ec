// Structure-aware fuzzing of the oracle: the input bytes steer the case generator (as its
// random tape), and every generated case must satisfy the oracle's invariants: it validates
// (initially and after every step), and the matrix engine agrees with the reference
// evaluator on every cell of every state under the fuzzed profile.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>

#include "generator/case_gen.h"
#include "model/case_file.h"
#include "model/case_probes.h"
#include "model/validate.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "oracle_fuzzer: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npf;
  FuzzedDataProvider in(data, size);
  Profile profile;
  profile.ipblockMatchesPodIps = in.ConsumeBool();
  profile.loopback = Profile::Loopback(in.ConsumeIntegralInRange<int>(0, 2));
  profile.egressToOwnNode = Profile::EgressToOwnNode(in.ConsumeIntegralInRange<int>(0, 1));
  profile.hostnetworkSelectable = in.ConsumeBool();
  GeneratorWeights w;
  w.steps = in.ConsumeIntegralInRange<int>(0, 100);
  w.dualStack = in.ConsumeIntegralInRange<int>(0, 100);
  std::vector<uint64_t> tape;
  while (in.remaining_bytes() > 0 && tape.size() < 4096)
    tape.push_back(in.ConsumeIntegral<uint64_t>());
  Random rng = Random::fromTape(std::move(tape));
  Case c = generateCaseFrom(rng, ClusterSize::Small, w, "fuzz");

  if (auto errors = validate(c.cluster); !errors.empty())
    fail("generated case does not validate", toString(errors[0]));
  Cluster state = c.cluster;
  std::vector<Cluster> states{state};
  for (const auto& s : c.meta.steps) {
    if (std::string err = applyStep(state, s); !err.empty())
      fail("generated step does not apply", err);
    if (auto errors = validate(state); !errors.empty())
      fail("step state does not validate", toString(errors[0]));
    states.push_back(state);
  }
  for (const Cluster& st : states) {
    ProbeSet probes = probeSetFor(c, st);
    Matrix m = computeMatrix(st, probes, profile);
    size_t i = 0;
    probes.forEach([&](const Probe& p) {
      auto expected = evaluateProbe(st, p, profile);
      if (m.verdict(i) != expected)
        fail("matrix engine disagrees with the reference evaluator",
             toString(p.from) + " -> " + toString(p.target.to) + " " +
                 std::to_string(p.target.port) + "/" + toString(p.target.protocol) + "\n" +
                 encodeCase(c));
      ++i;
    });
  }
  return 0;
}
