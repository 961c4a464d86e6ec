// What netpolfuzz sends to Cyclonus and how it reads the answer (runner/analyzer/cyclonus_query.h):
// no Cyclonus needed. The real program is asked in runner_analyzer_test.cc.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "model/codec.h"
#include "runner/analyzer/cyclonus_query.h"
#include "tests/support/runner_cases.h"

namespace npf::runner::analyzer {
namespace {

using nlohmann::json;
using npf::testing::clusterFromYaml;
using npf::testing::smallClusterYaml;

Probe cell(Endpoint from, Endpoint to, int port, Protocol proto = Protocol::TCP) {
  return Probe{std::move(from), Target{std::move(to), port, proto}};
}

TEST(CyclonusQuery, PodToPodCarriesLabelsNamespaceLabelsAddressesAndThePortName) {
  Cluster c = clusterFromYaml(smallClusterYaml());
  auto q = cyclonusQuery(c, {cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80),
                             cell(Endpoint::pod("y", "c"), Endpoint::pod("x", "b"), 8081),
                             cell(Endpoint::pod("y", "c"), Endpoint::pod("x", "b"), 81)});
  ASSERT_EQ(q.asked, (std::vector<size_t>{0, 1, 2}));
  json t = json::parse(q.trafficJson);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0]["Source"]["IP"], "10.0.1.1");
  EXPECT_EQ(t[0]["Source"]["Internal"]["Namespace"], "x");
  EXPECT_EQ(t[0]["Source"]["Internal"]["PodLabels"], (json{{"pod", "a"}, {"app", "web"}}));
  // The namespace's labels as the API server stores them: with kubernetes.io/metadata.name.
  EXPECT_EQ(t[0]["Source"]["Internal"]["NamespaceLabels"],
            (json{{"ns", "x"}, {"kubernetes.io/metadata.name", "x"}}));
  EXPECT_EQ(t[0]["Destination"]["IP"], "10.0.2.1");
  EXPECT_EQ(t[0]["Destination"]["Internal"]["Namespace"], "y");
  EXPECT_EQ(t[0]["ResolvedPort"], 80);
  EXPECT_EQ(t[0]["ResolvedPortName"], "serve-80-tcp");
  EXPECT_EQ(t[0]["Protocol"], "TCP");
  EXPECT_EQ(t[1]["ResolvedPortName"], "http");  // x/b's 8081 is named http
  EXPECT_EQ(t[2]["ResolvedPortName"], "");      // nothing declares 81
}

TEST(CyclonusQuery, TheProtocolSelectsThePortName) {
  Cluster c = clusterFromYaml(smallClusterYaml());
  auto q =
      cyclonusQuery(c, {cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80, Protocol::UDP)});
  json t = json::parse(q.trafficJson);
  EXPECT_EQ(t[0]["ResolvedPortName"], "serve-80-udp");
  EXPECT_EQ(t[0]["Protocol"], "UDP");
}

TEST(CyclonusQuery, CellsCyclonusCannotExpressAreSkippedWithTheReason) {
  Cluster c = clusterFromYaml(smallClusterYaml() + R"(---
apiVersion: v1
kind: Pod
metadata: {name: h, namespace: "y"}
spec:
  nodeName: node-1
  hostNetwork: true
  containers: [{name: c, image: agnhost, ports: [{containerPort: 9100}]}]
status: {podIP: 172.18.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: twice, namespace: "y"}
spec:
  nodeName: node-1
  containers:
  - {name: c1, image: agnhost, ports: [{name: one, containerPort: 90}]}
  - {name: c2, image: agnhost, ports: [{name: two, containerPort: 90}]}
status: {podIP: 10.0.2.9}
)");
  std::vector<Probe> probes = {
      cell(Endpoint::pod("x", "a"), Endpoint::service("x", "web"), 8000),
      cell(Endpoint::node("node-1"), Endpoint::pod("x", "a"), 80),
      cell(Endpoint::pod("x", "a"), Endpoint::node("node-2"), 80),
      cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "h"), 9100),
      cell(Endpoint::pod("y", "h"), Endpoint::pod("x", "a"), 80),
      cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "twice"), 90),
      cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "gone"), 80),
      cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80),
  };
  auto q = cyclonusQuery(c, probes);
  EXPECT_EQ(q.asked, (std::vector<size_t>{7}));
  EXPECT_NE(q.skipped[0].find("no Services"), std::string::npos) << q.skipped[0];
  EXPECT_NE(q.skipped[1].find("no nodes"), std::string::npos) << q.skipped[1];
  EXPECT_NE(q.skipped[2].find("no nodes"), std::string::npos) << q.skipped[2];
  EXPECT_NE(q.skipped[3].find("hostNetwork"), std::string::npos) << q.skipped[3];
  EXPECT_NE(q.skipped[4].find("hostNetwork"), std::string::npos) << q.skipped[4];
  EXPECT_NE(q.skipped[5].find("one port name"), std::string::npos) << q.skipped[5];
  EXPECT_FALSE(q.skipped[6].empty());
  EXPECT_TRUE(q.skipped[7].empty());
}

TEST(CyclonusQuery, ExternalHostsArePeersWithAnAddressOnly) {
  Cluster c = clusterFromYaml(smallClusterYaml());
  c.externalHosts.push_back(ExternalHost{"ext", "192.0.2.10"});
  auto q = cyclonusQuery(c, {cell(Endpoint::external("192.0.2.10"), Endpoint::pod("x", "a"), 80),
                             cell(Endpoint::pod("x", "a"), Endpoint::external("192.0.2.10"), 80)});
  ASSERT_EQ(q.asked.size(), 2u) << q.skipped[0] << q.skipped[1];
  json t = json::parse(q.trafficJson);
  EXPECT_EQ(t[0]["Source"], (json{{"IP", "192.0.2.10"}}));
  EXPECT_TRUE(t[0]["Destination"].contains("Internal"));
  EXPECT_EQ(t[1]["Destination"], (json{{"IP", "192.0.2.10"}}));
  EXPECT_EQ(t[1]["ResolvedPortName"], "");  // an external host names no port
}

TEST(CyclonusQuery, TheSourceUsesItsAddressOfTheDestinationsFamily) {
  Cluster c = clusterFromYaml(smallClusterYaml());
  for (auto& p : c.pods) {
    if (p.meta.name == "a") p.podIPs = {"10.0.1.1", "fd00::1:1"};
    if (p.meta.name == "c") {
      p.podIP = "fd00::2:1";
      p.podIPs = {"fd00::2:1", "10.0.2.1"};
    }
  }
  auto q = cyclonusQuery(c, {cell(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80),
                             cell(Endpoint::pod("x", "b"), Endpoint::pod("y", "c"), 80)});
  ASSERT_EQ(q.asked, (std::vector<size_t>{0}));
  json t = json::parse(q.trafficJson);
  EXPECT_EQ(t[0]["Destination"]["IP"], "fd00::2:1");
  EXPECT_EQ(t[0]["Source"]["IP"], "fd00::1:1");
  EXPECT_NE(q.skipped[1].find("no IPv6 address"), std::string::npos) << q.skipped[1];
}

TEST(CyclonusQuery, PoliciesGoOnePerFileAsTheApiServerStoresThem) {
  Cluster c = clusterFromYaml(smallClusterYaml() + R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: "x"}
spec:
  egress: [{ports: [{port: 53}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b, namespace: "y"}
spec: {podSelector: {}}
)");
  auto q = cyclonusQuery(c, {});
  ASSERT_EQ(q.policyFiles.size(), 2u);
  EXPECT_NE(q.policyFiles[0].first, q.policyFiles[1].first);
  for (const auto& [name, yaml] : q.policyFiles) {
    auto back = decodeManifests(yaml, name);
    ASSERT_TRUE(back.errors.empty()) << yaml;
    ASSERT_EQ(back.cluster.policies.size(), 1u);
    ASSERT_TRUE(back.cluster.policies[0].policyTypes.has_value()) << yaml;
    ASSERT_TRUE(back.cluster.policies[0].podSelector.has_value()) << yaml;
  }
  auto first = decodeManifests(q.policyFiles[0].second, "").cluster.policies[0];
  EXPECT_EQ(*first.policyTypes, (std::vector<PolicyType>{PolicyType::Ingress, PolicyType::Egress}));
  EXPECT_EQ(first.egress->at(0).ports->at(0).protocol, Protocol::TCP);
  EXPECT_EQ(json::parse(q.trafficJson), json::array());
}

const char* kFooterTrue = "| IS ALLOWED? |  TRUE  |         \n";
const char* kFooterFalse = "| IS ALLOWED? | FALSE  |         \n";

TEST(CyclonusVerdicts, FootersInOrder) {
  struct Row {
    std::string out;
    size_t expected;
    std::optional<std::vector<bool>> want;
  } rows[] = {
      {"query traffic:\n", 0, std::vector<bool>{}},
      {std::string("Traffic:\n+--+\n") + kFooterTrue + "\n\nTraffic:\n" + kFooterFalse, 2,
       std::vector<bool>{true, false}},
      {std::string(kFooterFalse) + kFooterFalse + kFooterTrue, 3,
       std::vector<bool>{false, false, true}},
      // Missing or extra footers: the answers cannot be attributed.
      {kFooterTrue, 2, std::nullopt},
      {std::string(kFooterTrue) + kFooterTrue, 1, std::nullopt},
      // A footer without a verdict word.
      {"| IS ALLOWED? |  MAYBE  |\n", 1, std::nullopt},
      {"| IS ALLOWED? \n", 1, std::nullopt},
      {"| IS ALLOWED? |", 1, std::nullopt},
      // A truncated last line still counts.
      {"| IS ALLOWED? |  TRUE", 1, std::vector<bool>{true}},
  };
  for (const auto& r : rows) {
    std::string error;
    auto got = parseCyclonusVerdicts(r.out, r.expected, error);
    EXPECT_EQ(got, r.want) << r.out;
    EXPECT_EQ(error.empty(), r.want.has_value()) << error;
  }
}

}  // namespace
}  // namespace npf::runner::analyzer
