// Validation like the apiserver's (networking/v1 and core/v1 rules that matter here).
#pragma once

#include <vector>

#include "model/diagnostic.h"
#include "model/objects.h"

namespace npf {

// Every problem in the cluster, each located through the object's Origin (the field's own
// line:col when the decoder recorded it, else the object's). Messages name the field path,
// e.g. "NetworkPolicy x/p: spec.ingress[0].ports[1].endPort: must be >= port (80)".
// Also checks cross-object rules: duplicate names, pods in undeclared namespaces are allowed
// (the oracle treats them as existing), duplicate pod IPs.
std::vector<Diagnostic> validate(const Cluster& c);

// Single-value checks, exposed for the generator and tests.
bool isDns1123Label(const std::string& s);      // namespace names, <= 63
bool isDns1123Subdomain(const std::string& s);  // pod/service/policy names, <= 253
bool isIanaSvcName(const std::string& s);       // container port names
bool isQualifiedName(const std::string& s);     // label keys: [prefix/]name
bool isLabelValue(const std::string& s);

}  // namespace npf
