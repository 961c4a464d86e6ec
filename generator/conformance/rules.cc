// The rules family: deny-all and allow-all per direction and for both, and policies with several
// rules. It checks that an empty rule list isolates, an empty rule allows everything, each
// rule's ports belong to its own peers only, and rules only ever add.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

void rules(Suite& s) {
  for (Dir d : kDirs) {
    std::string dn = dirName(d);
    s.add(fmt::format("rules/{}/deny-all", dn), {dirTag(d), "rule:deny-all", "source:cyclonus"},
          with(base(), {dirPolicy(d, "x", "deny-all", podIs("a"), {})}));
    s.add(fmt::format("rules/{}/allow-all", dn), {dirTag(d), "rule:allow-all", "source:cyclonus"},
          with(base(), {dirPolicy(d, "x", "allow-all", podIs("a"), {allowAll()})}));
    // Several rules: each rule's ports belong to its own peers only; rules only add.
    s.add(fmt::format("rules/{}/two-rules-each-with-ports-and-peers", dn),
          {dirTag(d), "rule:multi"},
          with(base(),
               {dirPolicy(d, "x", "two-rules", podIs("a"),
                          {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(80)}),
                           rule(std::vector{namespaces(nsIs("z"))}, std::vector{tcp(81)})})}));
    s.add(fmt::format("rules/{}/rule-with-peers-and-rule-with-ports", dn),
          {dirTag(d), "rule:multi"},
          with(base(), {dirPolicy(d, "x", "two-rules", podIs("a"),
                                  {rule(std::vector{pods(podIs("b"))}),
                                   rule(kAnyPeer, std::vector{udp(80)})})}));
    s.add(fmt::format("rules/{}/three-rules", dn), {dirTag(d), "rule:multi"},
          with(base(),
               {dirPolicy(d, "x", "three-rules", podIs("a"),
                          {rule(std::vector{pods(podIs("b"))}, std::vector{tcp(80)}),
                           rule(std::vector{namespaces(nsIs("y"))}, std::vector{udp(81)}),
                           rule(std::vector{ipBlock("10.0.3.0/24")}, std::vector{tcp(81)})})}));
    s.add(fmt::format("rules/{}/two-rules-same-port", dn), {dirTag(d), "rule:multi"},
          with(base(),
               {dirPolicy(d, "x", "two-rules", podIs("a"),
                          {rule(std::vector{namespaces(nsIs("y"))}, std::vector{tcp(80)}),
                           rule(std::vector{namespaces(nsIs("z"))}, std::vector{tcp(80)})})}));
  }
  s.add("rules/both/deny-all", {"direction:both", "rule:deny-all"},
        with(base(), {policy("x", "deny-all", podIs("a"), Rules{}, Rules{})}));
  s.add("rules/both/allow-all", {"direction:both", "rule:allow-all"},
        with(base(), {policy("x", "allow-all", podIs("a"), Rules{allowAll()}, Rules{allowAll()})}));
}

}  // namespace npf::conformance
