// Reading and writing case files: multi-document YAML (or JSON) of plain Kubernetes manifests.
// yaml-cpp and nlohmann throw; this boundary catches everything and returns diagnostics.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"
#include "model/objects.h"

namespace npf {

struct DecodeResult {
  Cluster cluster;                 // every object that decoded without error
  std::vector<Diagnostic> errors;  // structural errors (wrong types, unknown enum values, bad YAML)
  std::vector<Diagnostic> warnings;  // e.g. unknown kinds, skipped
  // Documents of kind `netpolfuzz.io/v1alpha1 Case`, kept raw for the case layer (YAML text).
  std::vector<std::string> caseDocuments;
};

// Decodes `text` read from `fileName` (used only in diagnostics). Accepts multi-document YAML,
// `kind: List` with `items`, and JSON (a single object or a List). Objects of known kinds with
// errors are dropped and reported; unknown kinds are skipped with a warning. Never throws;
// bounded memory and stack on hostile input (deep nesting, alias bombs, huge scalars).
DecodeResult decodeManifests(std::string_view text, const std::string& fileName);

// Reads a file and decodes it; a missing or unreadable file is one error.
DecodeResult decodeFile(const std::string& path);

// Writes the cluster as multi-document YAML that `kubectl apply -f` accepts (after stripping
// status): Namespaces, Nodes, Pods, Services, NetworkPolicies, cluster-scoped policies, in that
// order. Absent and empty
// are kept apart, so decodeManifests(encodeYaml(c)) == c for every valid c.
std::string encodeYaml(const Cluster& c);

// The same objects as one JSON `kind: List` document.
std::string encodeJson(const Cluster& c);

// The same objects, each as one compact JSON document, in the same order (for a REST client).
std::vector<std::string> encodeObjectsJson(const Cluster& c);

}  // namespace npf
