// The namespaces family: namespaceSelectors on the implicit kubernetes.io/metadata.name label
// (matchLabels, In, NotIn), which the base cluster does not set itself. It checks that the
// default namespace label is selectable like any other.
#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

void namespacesFamily(Suite& s) {
  const std::vector<std::pair<std::string, LabelSelector>> selectors = {
      {"default-label-match-labels", nsNamed("y")},
      {"default-label-in", expr(kNameLabel, SelectorOp::In, {"y", "z"})},
      {"default-label-not-in", expr(kNameLabel, SelectorOp::NotIn, {"x"})},
  };
  for (Dir d : kDirs)
    for (const auto& [slug, sel] : selectors)
      s.add(fmt::format("namespaces/{}/{}", dirName(d), slug),
            {dirTag(d), "peer:namespaces-by-default-label"},
            with(base(), {dirPolicy(d, "x", "default-label", podIs("a"),
                                    {rule(std::vector{namespaces(sel)})})}));
}

}  // namespace npf::conformance
