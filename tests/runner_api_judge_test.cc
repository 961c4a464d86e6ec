// `validate` judged by a real kube-apiserver through kubectl (runner/local/api_judge.h): the
// verdicts the decoder was aligned with, pinned against the real thing, and a bounded
// differential campaign with no undocumented disagreement. Needs root and the binaries of
// scripts/install-deps.sh --with-kube-router (required in CI: NPF_REQUIRE_KUBE_ROUTER=1).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "runner/local/api_judge.h"
#include "tests/support/runner_cases.h"

namespace npf::runner::local {
namespace {

namespace fs = std::filesystem;

std::string policy(const std::string& metadata, const std::string& spec) {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: " + metadata +
         "\nspec: " + spec + "\n";
}

struct Pinned {
  const char* name;
  std::string text;
  bool accepted;
};

// What kubectl v1.31.2 and its API server decide, each the reason for a decoder rule.
std::vector<Pinned> pinned() {
  return {
      {"plain-y-namespace.yaml", policy("{name: p, namespace: y}", "{podSelector: {}}"), false},
      {"quoted-y-namespace.json",
       R"({"apiVersion":"v1","kind":"List","items":[{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"p","namespace":"y"},"spec":{"podSelector":{}}}]})",
       true},
      {"hex-port.yaml",
       policy("{name: p}", "{podSelector: {}, ingress: [{ports: [{port: 0x50}]}]}"), true},
      {"exponent-port.json",
       R"({"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"p"},"spec":{"podSelector":{},"ingress":[{"ports":[{"port":1e3}]}]}})",
       true},
      {"uint64-annotation.yaml",
       "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, annotations: {a: "
       "0xFFFFFFFFFFFFFFFF}}\n",
       false},
      {"fraction-port.yaml",
       policy("{name: p}", "{podSelector: {}, ingress: [{ports: [{port: 80.5}]}]}"), false},
      {"repeated-key.yaml", policy("{name: p, name: q}", "{podSelector: {}}"), true},
      {"unknown-field.yaml", policy("{name: p}", "{podSelector: {}, ingres: []}"), false},
      {"policy-status.yaml", policy("{name: p}", "{podSelector: {}}") + "status: {}\n", false},
      {"leading-zero-cidr.yaml",
       policy("{name: p}",
              "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 010.0.0.0/08}}]}]}"),
       true},
      // An IPv4-mapped IPv6 CIDR is an IPv6 CIDR to the server (corpus/findings/cyclonus-v0.5.6).
      {"ipv4-mapped-cidr.yaml",
       policy("{name: p}",
              "{podSelector: {}, egress: [{to: [{ipBlock: {cidr: \"::ffff:10.244.2.0/120\"}}]}]}"),
       true},
      {"repeated-policy-type.yaml",
       policy("{name: p}", "{podSelector: {}, policyTypes: [Ingress, Ingress]}"), true},
      {"three-policy-types.yaml",
       policy("{name: p}", "{podSelector: {}, policyTypes: [Ingress, Egress, Ingress]}"), false},
      {"target-port-zero.yaml",
       "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, "
       "targetPort: 0}]}\n",
       true},
      {"empty-container-protocol.yaml",
       "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: i, "
       "ports: [{containerPort: 80, protocol: \"\"}]}]}\n",
       true},
      {"empty-policy-protocol.yaml",
       policy("{name: p}", "{podSelector: {}, ingress: [{ports: [{protocol: \"\"}]}]}"), false},
      {"timestamp-annotation.yaml",
       "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, annotations: {a: 2001-01-01}}\n",
       true},
  };
}

TEST(RunnerApiJudge, PinnedVerdictsOfTheRealApiServerAndOurs) {
  NPF_REQUIRE_API_JUDGE();
  std::string dir = fs::temp_directory_path() / "npf-api-judge-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<std::string> files;
  for (const auto& p : pinned()) {
    files.push_back(dir + "/" + p.name);
    std::ofstream(files.back()) << p.text;
  }
  ApiJudgeOptions o;
  o.logDir = dir + "/logs";
  ApiJudge judge(o);
  ASSERT_EQ(judge.start(), "");
  std::vector<ManifestVerdict> verdicts;
  ASSERT_EQ(judge.judge(files, verdicts), "");
  ASSERT_EQ(verdicts.size(), files.size());
  auto cases = pinned();
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(verdicts[i].accepted, cases[i].accepted)
        << cases[i].name << " (API server): " << verdicts[i].message;
    ManifestVerdict ours = validateVerdict(cases[i].text, files[i]);
    EXPECT_EQ(ours.accepted, cases[i].accepted) << cases[i].name << " (ours): " << ours.message;
  }
  std::string run = judge.runId();
  ASSERT_FALSE(run.empty());
  EXPECT_FALSE(listNamespaces(run + "-").empty());
  judge.stop();
  EXPECT_TRUE(listNamespaces(run + "-").empty()) << "the control namespace is left behind";
  EXPECT_FALSE(fs::exists(runDir(kDefaultStateRoot, run)));
  fs::remove_all(dir);
}

// The CI's bounded differential campaign: every generated object accepted by both, every
// disagreement on mutated ones documented in docs/validation.md.
TEST(RunnerApiJudge, BoundedDifferentialCampaignHasNoUndocumentedDisagreement) {
  NPF_REQUIRE_API_JUDGE();
  std::string dir = fs::temp_directory_path() / "npf-validation-diff-test";
  fs::remove_all(dir);
  ApiJudgeOptions o;
  o.logDir = dir + "/logs";
  ApiJudge judge(o);
  ASSERT_EQ(judge.start(), "");
  ValidationDiffOptions vo;
  vo.seed = 11;
  vo.generatedCases = 12;
  vo.mutated = 800;
  vo.outDir = dir;
  ValidationDiffReport r;
  ASSERT_EQ(runValidationDiff(vo, judge, r), "");
  judge.stop();
  std::string summary = renderValidationDiffSummary(r);
  EXPECT_EQ(r.generatedRejected, 0) << summary;
  EXPECT_EQ(r.undocumented, 0) << summary;
  EXPECT_EQ(r.defaultingError, "");
  EXPECT_GT(r.defaultingCompared, 50);
  EXPECT_EQ(r.defaultingDiffers, 0) << summary;
  EXPECT_GT(r.bothReject, 100) << summary;
  EXPECT_GT(r.bothAccept, 100) << summary;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace npf::runner::local
