#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/expect_render.h"

namespace npf {
namespace {

// Two sources, three targets on two port/protocols; one cell that cannot be made.
struct Fixture {
  ProbeSet probes;
  Matrix m{6};
  Fixture() {
    ProbeBlock b;
    b.sources = {Endpoint::pod("x", "a"), Endpoint::node("n1")};
    b.targets = {{Endpoint::pod("x", "a"), 80, Protocol::TCP},
                 {Endpoint::pod("x", "b"), 80, Protocol::TCP},
                 {Endpoint::pod("x", "b"), 81, Protocol::UDP}};
    probes.blocks.push_back(b);
    using C = Matrix::Cell;
    C cells[] = {C::Undefined, C::Allow, C::Deny, C::Allow, C::Deny, C::Skip};
    for (size_t i = 0; i < 6; ++i) m.set(i, cells[i]);
  }
};

TEST(ReportsExpectRender, TextGolden) {
  Fixture f;
  std::ostringstream out;
  renderExpectText(out, f.probes, f.m, Profile{});
  EXPECT_EQ(out.str(),
            "80/TCP\n"
            "        x/a x/b\n"
            "x/a      ?   .\n"
            "node/n1  .   X\n"
            "\n"
            "81/UDP\n"
            "        x/b\n"
            "x/a      X\n"
            "node/n1  -\n"
            "\n"
            "legend: . allow   X deny   ? undefined   - not probed\n"
            "profile: ipblock-matches-pod-ips=true loopback=undefined egress-to-own-node=policy "
            "hostnetwork-selectable=false cluster-policy-ties=undefined\n");
}

TEST(ReportsExpectRender, JsonGoldenOmitsCellsThatCannotBeMade) {
  Fixture f;
  std::ostringstream out;
  renderExpectJson(out, f.probes, f.m, Profile{});
  auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j, nlohmann::json::parse(R"({"schema":"netpolfuzz.expect/v1",
    "profile":{"ipblock-matches-pod-ips":true,"loopback":"undefined","egress-to-own-node":"policy","hostnetwork-selectable":false,"cluster-policy-ties":"undefined"},
    "cells":[
      {"from":"x/a","to":"x/a","port":80,"protocol":"TCP","verdict":"undefined"},
      {"from":"x/a","to":"x/b","port":80,"protocol":"TCP","verdict":"allow"},
      {"from":"x/a","to":"x/b","port":81,"protocol":"UDP","verdict":"deny"},
      {"from":"node/n1","to":"x/a","port":80,"protocol":"TCP","verdict":"allow"},
      {"from":"node/n1","to":"x/b","port":80,"protocol":"TCP","verdict":"deny"}]})"));
}

TEST(ReportsExpectRender, SummaryCountsEachVerdict) {
  Fixture f;
  std::ostringstream out;
  renderExpectSummary(out, f.m);
  EXPECT_EQ(out.str(), "cells=5 allow=2 deny=2 undefined=1\n");
}

TEST(ReportsExpectRender, MarkdownGolden) {
  Fixture f;
  std::ostringstream out;
  renderExpectMarkdown(out, f.probes, f.m, Profile{});
  EXPECT_EQ(out.str(),
            "### 80/TCP\n\n"
            "| from \\ to | `x/a` | `x/b` |\n"
            "|---|:-:|:-:|\n"
            "| `x/a` | ? | . |\n"
            "| `node/n1` | . | **X** |\n\n"
            "### 81/UDP\n\n"
            "| from \\ to | `x/b` |\n"
            "|---|:-:|\n"
            "| `x/a` | **X** |\n"
            "| `node/n1` | - |\n\n"
            "Legend: `.` allow, **X** deny, `?` undefined, `-` not probed. Profile: "
            "`ipblock-matches-pod-ips=true` `loopback=undefined` `egress-to-own-node=policy` "
            "`hostnetwork-selectable=false` `cluster-policy-ties=undefined`\n");
}

}  // namespace
}  // namespace npf
