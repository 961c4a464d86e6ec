// A structure-aware mutator of single Kubernetes manifests, for judging `validate` against the
// real API server (docs/validation.md): it takes a valid object and breaks it the way people and
// other tools do: wrong types, out-of-range ports, bad CIDRs and `except` entries, bad label keys,
// values and selector operators, `endPort` without `port` or below it, duplicated and unknown
// fields, YAML 1.1 scalars where strings belong, huge and deeply nested documents. Some
// mutations keep the object valid (that is a verdict to check too).
//
// The tree keeps how each scalar was written (plain or quoted), so a mutated manifest is
// written back as YAML exactly as intended: a plain `on` stays plain, whatever netpolfuzz's
// own scalar rules think of it, and the real decoder decides.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "generator/random.h"

namespace npf {

struct ManifestEntry;

struct ManifestNode {
  enum class Kind { Null, Scalar, Map, Seq };
  Kind kind = Kind::Null;
  std::string scalar;  // Scalar
  bool plain = false;  // Scalar: written unquoted (YAML types it), else a quoted string
  std::vector<ManifestEntry> entries;  // Map (duplicate keys allowed)
  std::vector<ManifestNode> items;     // Seq

  static ManifestNode str(std::string s);
  static ManifestNode plainScalar(std::string s);
  static ManifestNode map();
  static ManifestNode seq();
};

struct ManifestEntry {
  ManifestEntry(ManifestNode key, ManifestNode value)
      : first(std::move(key)), second(std::move(value)) {}
  ManifestNode first;   // the key (a scalar)
  ManifestNode second;  // the value
};

inline ManifestNode ManifestNode::str(std::string s) {
  ManifestNode n;
  n.kind = Kind::Scalar;
  n.scalar = std::move(s);
  return n;
}
inline ManifestNode ManifestNode::plainScalar(std::string s) {
  ManifestNode n = str(std::move(s));
  n.plain = true;
  return n;
}
inline ManifestNode ManifestNode::map() {
  ManifestNode n;
  n.kind = Kind::Map;
  return n;
}
inline ManifestNode ManifestNode::seq() {
  ManifestNode n;
  n.kind = Kind::Seq;
  return n;
}

// Parses one YAML or JSON document into a tree; a Null node when the text is not one mapping
// (several documents, or not YAML, or its aliases expand it to more than about four nodes per
// input byte).
ManifestNode parseManifestTree(const std::string& text);

// Block YAML. Plain scalars are written unquoted when YAML can carry them so (else quoted).
std::string renderYaml(const ManifestNode& n);
// JSON: plain scalars that are JSON numbers, booleans or null stay tokens, everything else is a
// string (as a JSON writer of the same data would do).
std::string renderJson(const ManifestNode& n);

struct Mutation {
  std::string op;    // "set-port", "yaml11-scalar", ...
  std::string path;  // where: "spec.ingress[0].ports[1].port"
  std::string describe() const { return op + " " + path; }
};

// Applies `count` random mutations to `root` (a manifest's mapping); returns what it did.
std::vector<Mutation> mutateManifest(ManifestNode& root, Random& rng, int count);

}  // namespace npf
