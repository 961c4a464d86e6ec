// Signatures of discrepancies: a short, stable description of what kind of disagreement a cell
// shows, used to group findings across cases ("the same bug seen 14 times") and to keep the
// minimizer shrinking towards the same bug rather than any bug.
#pragma once

#include <optional>
#include <string>

#include "model/case.h"
#include "model/probe.h"
#include "model/profile.h"
#include "oracle/verdict.h"
#include "runner/backend.h"

namespace npf::runner {

// "expected allow, observed timeout · ingress · cross-namespace · udp · peer:namespace-selector
// · port:named": the verdicts, the isolated direction(s) (egress, ingress, both, or none), what
// the last step did (after relabel-pod ...), the endpoint kinds (from node, to service, to
// external, cross-namespace), a non-TCP protocol, and the API features of the policies that
// isolate the source (egress) or the destination (ingress). Names, labels, addresses and
// port numbers are left out so that the same bug in different cases has the same signature.
std::string discrepancySignature(const Cluster& state, const Probe& probe,
                                 std::optional<Verdict> expected, ProbeResult::Kind observed,
                                 const Profile& profile, const Step* lastStep = nullptr);

}  // namespace npf::runner
