// The reference evaluator: one probe in, verdict and explanation out. A direct transcription
// of SEMANTICS.md, kept simple on purpose; the matrix engine is judged against it.
#pragma once

#include <string>
#include <vector>

#include "model/objects.h"
#include "model/probe.h"
#include "model/profile.h"
#include "oracle/verdict.h"

namespace npf {

// Why a probe got its verdict, in sentences a CNI developer can act on.
struct Explanation {
  // e.g. "source x/a is isolated for egress by x/deny-egress, x/allow-dns".
  std::vector<std::string> egress;
  // e.g. "allowed by y/allow-80 ingress rule 0, peer 1 (namespaceSelector ns=x), port 0 (TCP 80)"
  // or "no rule allows it: y/allow-http ingress rule 0: named port 'http' is not defined on y/b for
  // TCP".
  std::vector<std::string> ingress;
  // Service translation, loopback, node exemptions and other notes.
  std::vector<std::string> notes;
};

// Evaluates one probe. Returns nullopt (and a note in *why) when the probe cannot be made:
// unknown endpoint, pod without an IP, Service port without backends.
// For a Service target, every backend is judged; disagreeing backends give Undefined.
std::optional<Verdict> evaluateProbe(const Cluster& c, const Probe& p, const Profile& profile,
                                     Explanation* why = nullptr);

// Multi-line human-readable rendering of a verdict and its explanation.
std::string renderExplanation(const Probe& p, std::optional<Verdict> v, const Explanation& why);

}  // namespace npf
