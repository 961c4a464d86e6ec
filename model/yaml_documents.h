// Document boundaries of a YAML stream, found without building nodes.
//
// yaml-cpp 0.7's LoadAll loops forever, allocating, when a document starts with a token its
// parser cannot consume (a stray `,` at top level, possibly after an anchor or tag): every call
// produces another empty document at the same place. These walk the parser's events instead.
#pragma once

#include <yaml-cpp/mark.h>

#include <cstddef>
#include <optional>
#include <string>

namespace npf::yamldocs {

// The position of a document yaml-cpp would never get past, if any: one that starts exactly
// where the previous one did. Throws YAML::Exception like LoadAll on syntax errors.
std::optional<YAML::Mark> findStuckDocument(const std::string& text);

// The number of documents in `text`, counting no further than `limit` (so a stuck document
// counts as more than one). Throws YAML::Exception like LoadAll on syntax errors.
size_t documentCount(const std::string& text, size_t limit);

}  // namespace npf::yamldocs
