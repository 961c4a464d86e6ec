// Re-emitting a parsed YAML node as text that reads back with the same types (internal to
// model/).
//
// yaml-cpp's emitter writes scalars by their value, not by how they were written: the quoted
// string "y" comes back as a plain `y`, which YAML 1.1 (kubectl) reads as a boolean. Embedded
// objects (a step's policy or pod) and Case documents inside a List are re-read from text, so
// they are written with this instead.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>

namespace npf::yamlscalar {

// Appends `n` to `out` as one YAML flow node: scalars that were quoted or carried a tag stay
// quoted, plain scalars that are strings get quoted (same type, and safe in flow context), plain
// numbers, booleans and nulls stay plain. Aliases are expanded. False once `out` grows past
// `maxBytes` (aliases can multiply nodes); `out` is then incomplete.
bool appendFlow(const YAML::Node& n, std::string& out, size_t maxBytes);

// `n` as a YAML document that the manifest codec reads as YAML (a flow mapping alone would be
// taken for JSON, where plain `on` or `.inf` are syntax errors rather than wrong types).
// Empty when larger than `maxBytes`.
std::string flowDocument(const YAML::Node& n, size_t maxBytes);

}  // namespace npf::yamlscalar
