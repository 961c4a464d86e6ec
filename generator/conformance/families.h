// The conformance families, one function per family, each in its own file under
// generator/conformance/. Each appends its cases to the suite in a fixed order; conformanceSuite()
// calls them in the order of conformanceFamilies(), which fixes the order of the whole suite.
#pragma once

#include "generator/conformance/suite.h"

namespace npf::conformance {

void targetSelection(Suite& s);      // target-selection/
void rules(Suite& s);                // rules/
void policyTypes(Suite& s);          // policy-types/
void peersFamily(Suite& s);          // peers/
void portsFamily(Suite& s);          // ports/
void namedPorts(Suite& s);           // named-ports/
void namespacesFamily(Suite& s);     // namespaces/
void conflicts(Suite& s);            // conflicts/
void actions(Suite& s);              // actions/
void upstream(Suite& s);             // upstream-e2e/
void services(Suite& s);             // services/
void externalHosts(Suite& s);        // external-hosts/
void nodes(Suite& s);                // nodes/
void ipv6(Suite& s);                 // ipv6/
void ipv6Only(Suite& s);             // ipv6-only/
void networkPolicyApi(Suite& s);     // network-policy-api/
void clusterPolicyFamily(Suite& s);  // cluster-policy/

}  // namespace npf::conformance
