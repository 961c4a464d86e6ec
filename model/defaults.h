// Defaulting as the API server does it (k8s.io/kubernetes pkg/apis/{networking,core}/v1
// defaults.go), for the fields netpolfuzz models. `expect` and `explain` compute on defaulted
// objects and `validate --print-defaulted` shows them; the oracle gives the same answers either
// way (a property test holds it to that), since absent fields already mean their defaults.
//
//   NetworkPolicy  spec.podSelector {} when absent; spec.policyTypes [Ingress], plus Egress when
//                  there are egress rules, when absent or empty; every port's protocol TCP.
//   Pod            every container port's protocol TCP.
//   Service        every port's protocol TCP; targetPort the port when absent.
//   Namespace      the label kubernetes.io/metadata.name = its name.
#pragma once

#include "model/case.h"
#include "model/objects.h"

namespace npf {

void applyDefaults(NetworkPolicy& np);
void applyDefaults(Pod& pod);
void applyDefaults(Service& svc);
void applyDefaults(Namespace& ns);
void applyDefaults(Cluster& c);
// The cluster and every object the steps create or replace.
void applyDefaults(Case& c);

}  // namespace npf
