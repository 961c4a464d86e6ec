// Endpoint resolution as the EndpointSlice controller does it: which pods back a Service port,
// and on which of their ports. This is Kubernetes service plumbing, not NetworkPolicy
// semantics, so the oracle and the runners may both use it.
#pragma once

#include <vector>

#include "model/objects.h"

namespace npf {

struct Backend {
  const Pod* pod = nullptr;
  int32_t port = 0;  // the pod's port after resolving targetPort (numeric or named)
};

// Pods in the Service's namespace matched by its selector that have a pod IP and resolve the
// target port (a named targetPort needs a container port of that name and the Service port's
// protocol on that pod). A Service without a selector has no backends.
std::vector<Backend> serviceBackends(const Cluster& c, const Service& svc, const ServicePort& port);

}  // namespace npf
