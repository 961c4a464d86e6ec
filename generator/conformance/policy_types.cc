// The policy-types family: policies whose policyTypes is absent, or lists a direction whose
// section is missing, or omits a direction whose section is present. policyTypes decides which
// directions a policy isolates independently of the sections written, and a defaulted or
// mismatched list is easy to get wrong.
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

void policyTypes(Suite& s) {
  using PT = PolicyType;
  auto add = [&](const char* slug, NetworkPolicy p) {
    s.add(std::string("policy-types/") + slug, {"policy-types"}, with(base(), {std::move(p)}));
  };
  add("absent-with-ingress-rules",
      rawPolicy("x", "types", podIs("a"), std::nullopt, Rules{rule(std::vector{pods(podIs("b"))})},
                std::nullopt));
  add("absent-with-egress-rules", rawPolicy("x", "types", podIs("a"), std::nullopt, std::nullopt,
                                            Rules{rule(std::vector{namespaces(nsIs("y"))})}));
  add("absent-with-ingress-and-egress-rules",
      rawPolicy("x", "types", podIs("a"), std::nullopt, Rules{rule(std::vector{pods(podIs("b"))})},
                Rules{rule(std::vector{namespaces(nsIs("y"))})}));
  add("absent-with-empty-egress", rawPolicy("x", "types", podIs("a"), std::nullopt,
                                            Rules{rule(std::vector{pods(podIs("b"))})}, Rules{}));
  add("egress-only-ignores-ingress-rules",
      rawPolicy("x", "types", podIs("a"), std::vector{PT::Egress},
                Rules{rule(std::vector{pods(podIs("c"))})},
                Rules{rule(std::vector{namespaces(nsIs("y"))})}));
  add("ingress-only-ignores-egress-rules",
      rawPolicy("x", "types", podIs("a"), std::vector{PT::Ingress},
                Rules{rule(std::vector{namespaces(nsIs("y"))})}, Rules{}));
  add("ingress-listed-with-only-egress-section",
      rawPolicy("x", "types", podIs("a"), std::vector{PT::Ingress}, std::nullopt,
                Rules{rule(std::vector{pods(podIs("b"))})}));
  add("egress-listed-without-sections",
      rawPolicy("x", "types", podIs("a"), std::vector{PT::Egress}, std::nullopt, std::nullopt));
  add("both-listed-without-sections",
      rawPolicy("x", "types", podIs("a"), std::vector{PT::Ingress, PT::Egress}, std::nullopt,
                std::nullopt));
}

}  // namespace npf::conformance
