// The target-selection family (after Cyclonus): one fixed rule, from/to y/b on TCP 80, under
// every way of choosing the policy's own pods: other namespaces, empty and absent podSelector,
// matchLabels, each matchExpressions operator, a selector that matches nothing, selectors on a
// key no pod has (NotIn, an empty matchLabels value). The rule is
// kept fixed so that only the choice of the policy's pods differs between cases.
#include <fmt/format.h>

#include <optional>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

void targetSelection(Suite& s) {
  struct TargetVariant {
    const char* slug;
    const char* ns;
    std::optional<LabelSelector> sel;
    const char* tag;
  };
  const std::vector<TargetVariant> targets = {
      {"namespace-y", "y", podIs("a"), "target:namespace"},
      {"namespace-z", "z", podIs("a"), "target:namespace"},
      {"pod-selector-empty", "x", all(), "target:all-pods"},
      {"pod-selector-absent", "x", std::nullopt, "target:all-pods"},
      {"pod-selector-match-labels", "x", podIs("a"), "target:pods-by-label"},
      {"pod-selector-match-expressions-in", "x", expr("pod", SelectorOp::In, {"a", "b"}),
       "target:pods-by-expression"},
      {"pod-selector-match-expressions-not-in", "x", expr("pod", SelectorOp::NotIn, {"a"}),
       "target:pods-by-expression"},
      {"pod-selector-match-expressions-exists", "x", expr("pod", SelectorOp::Exists),
       "target:pods-by-expression"},
      {"pod-selector-match-expressions-does-not-exist", "x", expr("pod", SelectorOp::DoesNotExist),
       "target:pods-by-expression"},
      {"pod-selector-two-expressions", "x",
       exprs({{"pod", SelectorOp::In, {"a", "b"}}, {"pod", SelectorOp::NotIn, {"b"}}}),
       "target:pods-by-expression"},
      {"pod-selector-no-match", "x", podIs("d"), "target:pods-by-label"},
      // No pod has `app`: NotIn selects them all, an empty matchLabels value none.
      {"pod-selector-not-in-absent-key", "x", expr("app", SelectorOp::NotIn, {"web"}),
       "target:pods-by-expression"},
      {"pod-selector-match-labels-empty-value-absent-key", "x", match({{"app", ""}}),
       "target:pods-by-label"},
  };
  for (Dir d : kDirs)
    for (const auto& t : targets)
      s.add(fmt::format("target-selection/{}/{}", dirName(d), t.slug),
            {dirTag(d), t.tag, "source:cyclonus"},
            with(base(), {dirPolicy(d, t.ns, "target", t.sel, {typicalRule()})}));
}

}  // namespace npf::conformance
