// The probe set a case is probed with in one of its states: its own `probes`, or the default
// probe set of the state (model/probe.h) widened to the case's external hosts.
#pragma once

#include "model/case.h"
#include "model/objects.h"
#include "model/probe.h"

namespace npf {

// The probe set of a case: its `probes` when given, else the default probe set of `state`
// plus external hosts (each as a source to every pod port, and every pod to each external
// host on TCP 80). Probes naming objects that do not exist in `state` are dropped (a
// deleted pod).
ProbeSet probeSetFor(const Case& c, const Cluster& state);

}  // namespace npf
