// What `netpolfuzz local up` records of the cluster it keeps up (runner/local/kept_cluster.h):
// up.json written and read back, and what is not one. Needs no root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runner/local/kept_cluster.h"
#include "runner/local/run_state.h"

namespace npf::runner::local {
namespace {

namespace fs = std::filesystem;

KeptClusterInfo sampleInfo() {
  KeptClusterInfo info;
  info.run = "npf-0a0b0c";
  info.files = {"/cases/a b.yaml"};
  info.step = 1;
  info.steps = 2;
  info.profile = {"loopback=allow"};
  info.faults = {"POD_IP_REUSE"};
  info.started = "2024-01-31T12:00:00Z";
  info.pid = 4242;
  info.fabric = "npf-0a0b0c-fab";
  info.endpoints = {{"x/a", "pod", "node-1", "npf-0a0b0c-p0", {"10.0.1.1"}, "80/TCP,53/UDP"},
                    {"svc/x/web", "service", "", "", {"10.96.0.80"}, "80/TCP->8080"}};
  info.namespaces = {"npf-0a0b0c-fab", "npf-0a0b0c-n0", "npf-0a0b0c-p0"};
  return info;
}

TEST(LocalKeptCluster, InfoReadsBackAsWritten) {
  KeptClusterInfo info = sampleInfo();
  EXPECT_EQ(decodeKeptClusterInfo(encodeKeptClusterInfo(info)), info);
}

TEST(LocalKeptCluster, InfoOfAnotherSchemaOrNoneIsNotOne) {
  EXPECT_FALSE(decodeKeptClusterInfo(""));
  EXPECT_FALSE(decodeKeptClusterInfo("{"));
  EXPECT_FALSE(decodeKeptClusterInfo("[]"));
  EXPECT_FALSE(
      decodeKeptClusterInfo(R"({"schema": "netpolfuzz.local-up/v2", "run": "npf-0a0b0c"})"));
  EXPECT_FALSE(decodeKeptClusterInfo(R"({"schema": 1})"));
  EXPECT_FALSE(decodeKeptClusterInfo(R"({"schema": "netpolfuzz.local-up/v1", "files": "a.yaml"})"));
}

TEST(LocalKeptCluster, MissingFieldsReadAsEmptyAndTheStartAsUnknown) {
  auto info = decodeKeptClusterInfo(R"({"schema": "netpolfuzz.local-up/v1", "run": "npf-0a0b0c"})");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->run, "npf-0a0b0c");
  EXPECT_EQ(info->started, "?");
  EXPECT_EQ(info->pid, 0);
  EXPECT_TRUE(info->endpoints.empty());
}

TEST(LocalKeptCluster, InfoIsReadFromTheRunsStateDirectory) {
  std::string root = ::testing::TempDir() + "npf-kept-cluster-" + std::to_string(getpid());
  fs::remove_all(root);
  fs::create_directories(runDir(root, "npf-0a0b0c"));
  EXPECT_FALSE(readKeptClusterInfo(root, "npf-0a0b0c"))
      << "a run without up.json is not a kept cluster";
  EXPECT_EQ(keptClusterInfoPath(root, "npf-0a0b0c"), root + "/npf-0a0b0c/up.json");
  std::ofstream(keptClusterInfoPath(root, "npf-0a0b0c")) << encodeKeptClusterInfo(sampleInfo());
  EXPECT_EQ(readKeptClusterInfo(root, "npf-0a0b0c"), sampleInfo());
  EXPECT_TRUE(liveKeptClusters(root).empty()) << "no pid file: its owner is not alive";
  fs::remove_all(root);
}

TEST(LocalKeptCluster, MissingToolsNameTheCniPlugin) {
  std::string e = missingKeptClusterTools("/nonexistent/cni");
  EXPECT_NE(e.find("/nonexistent/cni/ptp is missing"), std::string::npos) << e;
}

}  // namespace
}  // namespace npf::runner::local
