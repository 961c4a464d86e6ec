// The differential driver with a scripted judge: samples are written, judged both ways,
// counted, and disagreements are documented or not by the rules of docs/validation.md.
#include "runner/validation_diff.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "model/codec.h"
#include "model/defaults.h"

namespace npf::runner {
namespace {

// Accepts what netpolfuzz accepts, except for files whose text contains `flip`.
class ScriptedJudge : public ManifestJudge {
 public:
  explicit ScriptedJudge(std::string flip) : flip_(std::move(flip)) {}
  std::string judge(const std::vector<std::string>& files,
                    std::vector<ManifestVerdict>& verdicts) override {
    for (const auto& f : files) {
      std::ifstream in(f);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      ManifestVerdict v = validateVerdict(text, f);
      if (!flip_.empty() && text.find(flip_) != std::string::npos) v.accepted = !v.accepted;
      verdicts.push_back(v);
    }
    ++calls;
    return "";
  }
  // Stores each object as written, or defaulted as netpolfuzz defaults it.
  std::string stored(const std::vector<std::string>& files, std::string& objects) override {
    for (const auto& f : files) {
      DecodeResult r = decodeFile(f);
      if (defaultStored) applyDefaults(r.cluster);
      objects += "---\n" + encodeYaml(r.cluster);
    }
    return "";
  }
  int calls = 0;
  bool defaultStored = true;

 private:
  std::string flip_;
};

ValidationDiffOptions options(const std::string& name) {
  ValidationDiffOptions o;
  o.seed = 5;
  o.generatedCases = 3;
  o.mutated = 150;
  o.outDir = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(o.outDir);
  return o;
}

TEST(ValidationDiff, AJudgeThatAgreesLeavesNothingUndocumented) {
  ScriptedJudge judge("");
  ValidationDiffReport r;
  ASSERT_EQ(runValidationDiff(options("agree"), judge, r), "");
  EXPECT_EQ(judge.calls, 1);
  int generated = 0;
  for (const auto& s : r.samples) {
    generated += s.generated;
    EXPECT_TRUE(std::filesystem::exists(s.file)) << s.file;
    if (!s.generated) EXPECT_FALSE(s.mutations.empty()) << s.file;
  }
  EXPECT_GT(generated, 10);
  EXPECT_EQ(r.samples.size(), static_cast<size_t>(generated) + 150);
  EXPECT_EQ(r.onlyOursRejects + r.onlyJudgeRejects, 0);
  EXPECT_EQ(r.undocumented, 0);
  EXPECT_EQ(r.generatedRejected, 0);
  EXPECT_GT(r.bothReject, 20) << "mutations break manifests";
  EXPECT_GT(r.bothAccept, generated) << "some mutations keep them valid";
  EXPECT_NE(renderValidationDiffSummary(r).find("agreement             100.00%"),
            std::string::npos);
}

TEST(ValidationDiff, DisagreementsAreCountedAndUndocumentedOnesNamed) {
  // Every NetworkPolicy flips: generated policies are then rejected by the judge.
  ScriptedJudge judge("kind: NetworkPolicy");
  ValidationDiffReport r;
  ASSERT_EQ(runValidationDiff(options("disagree"), judge, r), "");
  EXPECT_GT(r.generatedRejected, 0);
  EXPECT_GT(r.undocumented, 0);
  EXPECT_EQ(r.onlyOursRejects + r.onlyJudgeRejects, r.undocumented);
  std::string summary = renderValidationDiffSummary(r);
  EXPECT_NE(summary.find("UNDOCUMENTED"), std::string::npos);
  std::string tsv = renderValidationDiffVerdicts(r);
  EXPECT_EQ(static_cast<size_t>(std::count(tsv.begin(), tsv.end(), '\n')), r.samples.size() + 1);
}

// Generated objects are compared with what the judge stores: a judge that does not default
// (policyTypes absent, protocols absent) is caught object by object.
TEST(ValidationDiff, DefaultingIsComparedWithTheStoredObjects) {
  ScriptedJudge defaults("");
  ValidationDiffReport r;
  ASSERT_EQ(runValidationDiff(options("stored-defaulted"), defaults, r), "");
  EXPECT_EQ(r.defaultingError, "");
  EXPECT_GT(r.defaultingCompared, 10);
  EXPECT_EQ(r.defaultingDiffers, 0) << renderValidationDiffSummary(r);

  ScriptedJudge raw("");
  raw.defaultStored = false;
  ValidationDiffReport r2;
  ASSERT_EQ(runValidationDiff(options("stored-raw"), raw, r2), "");
  EXPECT_EQ(r2.defaultingCompared, r.defaultingCompared);
  EXPECT_GT(r2.defaultingDiffers, 0);
  bool sawPolicyTypes = false;
  for (const auto& s : r2.samples)
    sawPolicyTypes = sawPolicyTypes || s.defaultingDiff.find("policyTypes") != std::string::npos;
  EXPECT_TRUE(sawPolicyTypes);
}

TEST(ValidationDiff, DocumentedDisagreementsFollowTheDocs) {
  DiffSample s;
  s.file = "/o/m-1.yaml";
  s.ours = {true, ""};
  s.judge = {false,
             "Error from server (AlreadyExists): error when creating \"/o/m-1.yaml\": "
             "namespaces \"default\" already exists"};
  EXPECT_EQ(documentedDisagreement(s), "objects-that-already-exist");
  s.judge.message =
      "Error from server (AlreadyExists): error when creating \"/o/m-1.yaml\": "
      "namespaces \"x\" already exists";
  EXPECT_EQ(documentedDisagreement(s), "") << "only the namespaces every cluster has";
  s.ours = {false,
            "f.yaml:3:5: Pod x/a: metadata.labels[on]: expected a string key, got a "
            "boolean (on); quote it"};
  s.judge = {true, ""};
  EXPECT_EQ(documentedDisagreement(s), "non-string-keys");
  s.ours = {true, ""};
  s.judge = {false,
             "Service \"s\" is invalid: spec.clusterIPs: Invalid value: []string{\"::1\"}: "
             "failed to allocate IP ::1: the provided IP (::1) is not in the valid range."};
  EXPECT_EQ(documentedDisagreement(s), "service-ip-ranges");
  s.file = "m-000298.json";
  s.mutations = {"duplicate-field metadata.labels"};
  s.judge = {false,
             "unable to decode \"m-000298.json\": json: cannot unmarshal object into Go "
             "struct field ObjectMeta.metadata.labels of type string"};
  EXPECT_EQ(documentedDisagreement(s), "json-repeated-metadata");
  s.file = "m-000298.yaml";  // only JSON has that corner
  EXPECT_EQ(documentedDisagreement(s), "");
  s.mutations.clear();
  s.judge = {true, ""};
  s.ours = {false, "f.yaml:3:5: Pod x/a: spec.containers[0].ports[0].containerPort: bad"};
  EXPECT_EQ(documentedDisagreement(s), "");
  s.judge = {false, "x"};
  EXPECT_EQ(documentedDisagreement(s), "") << "agreement needs no reason";
}

}  // namespace
}  // namespace npf::runner
