// The kind backend's manifests (runner/kind/manifests.h): a golden file for a saved case, and for
// generated cases, what the model's decoder and validator (the apiserver's rules) say of them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "generator/case_gen.h"
#include "model/case_file.h"
#include "model/codec.h"
#include "model/validate.h"
#include "runner/kind/manifests.h"

namespace npf::runner::kind {
namespace {

const std::string kGolden = std::string(NPF_SOURCE_DIR) + "/tests/golden/kind/";

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

KindLayout layout() {
  KindLayout l;
  l.runId = "npf-0a1b2c";
  l.nodes = {"kind-worker", "kind-worker2"};
  return l;
}

// (name, number, protocol) of every container port of a pod.
std::set<std::tuple<std::string, int, Protocol>> portsOf(const Pod& p) {
  std::set<std::tuple<std::string, int, Protocol>> out;
  for (const auto& c : p.containers)
    for (const auto& port : c.ports)
      out.insert({port.name, port.containerPort, port.effectiveProtocol()});
  return out;
}

// What a real cluster would be given for `c`, checked against `c` through the model.
void expectFaithful(const Cluster& c, const std::string& rendered) {
  DecodeResult d = decodeManifests(rendered, "rendered.json");
  ASSERT_TRUE(d.errors.empty()) << d.errors[0].message << "\n" << rendered.substr(0, 2000);
  auto problems = validate(d.cluster);
  ASSERT_TRUE(problems.empty()) << problems[0].message;
  EXPECT_EQ(d.cluster.policies, c.policies);
  ASSERT_EQ(d.cluster.namespaces.size(), c.namespaces.size() + 1);  // + the run's own
  for (size_t i = 0; i < c.namespaces.size(); ++i) {
    Labels want = c.namespaces[i].meta.labels;
    want[kRunLabel] = "npf-0a1b2c";
    EXPECT_EQ(d.cluster.namespaces[i].meta.labels, want);
  }
  size_t clients = layout().nodes.size();
  ASSERT_EQ(d.cluster.pods.size(), c.pods.size() + clients);
  for (size_t i = 0; i < clients; ++i) EXPECT_TRUE(d.cluster.pods[i].hostNetwork);
  for (size_t i = 0; i < c.pods.size(); ++i) {
    const Pod& got = d.cluster.pods[i + clients];
    EXPECT_EQ(got.meta.name, c.pods[i].meta.name);
    EXPECT_EQ(got.meta.labels, c.pods[i].meta.labels);  // no label added to pods
    EXPECT_EQ(portsOf(got), portsOf(c.pods[i]));
    EXPECT_EQ(got.hostNetwork, c.pods[i].hostNetwork);
    EXPECT_TRUE(got.podIP.empty());  // status is the cluster's to set
  }
  ASSERT_EQ(d.cluster.services.size(), c.services.size());
  for (size_t i = 0; i < c.services.size(); ++i) {
    Service want = c.services[i];
    want.clusterIP.clear();
    EXPECT_EQ(d.cluster.services[i], want);
  }
}

TEST(KindManifests, GoldenFileForASavedCase) {
  CaseLoad l =
      loadCaseFiles({std::string(NPF_SOURCE_DIR) + "/corpus/regressions/13eaf2ae53f3.yaml"});
  ASSERT_TRUE(l.errors.empty());
  std::string rendered = renderManifests(l.kase.cluster, layout());
  std::string path = kGolden + "13eaf2ae53f3.json";
  if (std::getenv("UPDATE_GOLDENS")) std::ofstream(path) << rendered;
  EXPECT_EQ(rendered, readFile(path))
      << "golden " << path << " differs; UPDATE_GOLDENS=1 rewrites it after review";
  expectFaithful(l.kase.cluster, rendered);
  // Servers as the upstream e2e suite runs them.
  EXPECT_NE(rendered.find("\"serve-hostname\",\n"), std::string::npos);
  EXPECT_NE(rendered.find("registry.k8s.io/e2e-test-images/agnhost:"), std::string::npos);
}

TEST(KindManifests, EveryGeneratedCaseRendersToValidObjectsThatKeepItsSemantics) {
  for (uint64_t i = 0; i < 60; ++i) {
    Case c = generateCase(7, i, i % 3 == 2 ? ClusterSize::Medium : ClusterSize::Small,
                          GeneratorWeights{});
    SCOPED_TRACE(c.meta.name);
    expectFaithful(c.cluster, renderManifests(c.cluster, layout()));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(KindManifests, SctpAndDuplicatePortsAndPortlessPods) {
  Cluster c;
  Namespace ns;
  ns.meta.name = "x";
  c.namespaces = {ns};
  Pod p;
  p.meta.namespace_ = "x";
  p.meta.name = "a";
  p.containers = {
      Container{"one",
                "img",
                {ContainerPort{"s", 9000, Protocol::SCTP}, ContainerPort{"", 80, std::nullopt}}},
      Container{"two", "img", {ContainerPort{"", 80, Protocol::UDP}}}};
  Pod idle = p;
  idle.meta.name = "b";
  idle.containers = {};
  c.pods = {p, idle};
  std::string r = renderManifests(c, layout());
  EXPECT_NE(r.find("\"SERVE_SCTP_PORT_9000\""), std::string::npos) << r;
  EXPECT_NE(r.find("\"cont-80-tcp\""), std::string::npos);
  EXPECT_NE(r.find("\"cont-80-udp\""), std::string::npos);
  EXPECT_EQ(execContainerOf(p), "cont-9000-sctp");
  EXPECT_EQ(execContainerOf(idle), "idle");
  EXPECT_NE(r.find("\"pause\""), std::string::npos);
  expectFaithful(c, r);
}

TEST(KindManifests, ClusterScopedPoliciesRoundTripWithTheRunLabel) {
  size_t rendered = 0;
  for (const char* file : {"cluster_policies_v1alpha1.yaml", "cluster_network_policy.yaml"}) {
    DecodeResult d = decodeFile(std::string(NPF_SOURCE_DIR) + "/corpus/fuzz/decode/" + file);
    ASSERT_TRUE(d.errors.empty()) << d.errors[0].message;
    for (const auto& p : d.cluster.clusterPolicies) {
      SCOPED_TRACE(p.meta.name);
      std::string r = renderClusterPolicy(p, layout());
      DecodeResult back = decodeManifests(r, "rendered.json");
      ASSERT_TRUE(back.errors.empty()) << back.errors[0].message << "\n" << r;
      ASSERT_EQ(back.cluster.clusterPolicies.size(), 1u) << r;
      ClusterPolicy got = back.cluster.clusterPolicies[0];
      EXPECT_EQ(got.meta.labels.at(kRunLabel), "npf-0a1b2c");  // teardown deletes by it
      got.meta.labels.erase(kRunLabel);
      EXPECT_EQ(got, p);  // kind, apiVersion, tier, priority, subject and rules as the case has
      EXPECT_TRUE(back.cluster.namespaces.empty() && back.cluster.pods.empty());
      EXPECT_EQ(r.find("\"namespace\""), std::string::npos);  // cluster-scoped
      ++rendered;
    }
  }
  EXPECT_EQ(rendered, 4u);
  // renderManifests (the namespaced List applied before the CRDs are there) leaves them out.
  DecodeResult d = decodeFile(std::string(NPF_SOURCE_DIR) +
                              "/corpus/fuzz/decode/cluster_policies_v1alpha1.yaml");
  ASSERT_FALSE(d.cluster.clusterPolicies.empty());
  EXPECT_EQ(renderManifests(d.cluster, layout()).find("AdminNetworkPolicy"), std::string::npos);
}

}  // namespace
}  // namespace npf::runner::kind
