// Where a probe connects: the address of its destination as a cluster has it. Every backend
// resolves destinations here, on the cluster as it really has it (`Backend::actual()`, with the
// addresses it assigned), so that the backends aim at the same address and word a missing
// object or address the same way in their Skipped results.
#pragma once

#include <optional>
#include <string>

#include "model/ip.h"
#include "model/objects.h"
#include "model/probe.h"

namespace npf {

struct DestinationAddress {
  enum class Problem { None, NoSuchObject, NoAddress };
  std::optional<IpAddress> address;  // set when problem is None
  Problem problem = Problem::None;
  std::string why;  // otherwise, e.g. "destination x/b is not a pod of the cluster"
};

// A pod: its podIP. A Service: its ClusterIP (the dataplane forwards the Service port to a
// backend; the probe's port stays the Service port). A node: its first InternalIP. ip/ADDR:
// ADDR, when it is the address of one of the cluster's external hosts (never an address the
// case did not declare). A backend that cannot reach an address of that family, or through
// that kind of object, says so itself.
DestinationAddress destinationAddress(const Cluster& c, const Endpoint& to);

}  // namespace npf
