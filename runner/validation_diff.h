// The differential test of `validate` against a judge of manifests (a real kube-apiserver through
// kubectl: runner/local/api_judge.h): generated objects, which both must accept, and mutated
// ones (generator/manifest_mutator.h), on which both must agree. Each disagreement is either a
// bug to fix or a documented difference (docs/validation.md), recognised by
// documentedDisagreement().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace npf::runner {

struct ManifestVerdict {
  bool accepted = false;
  std::string message;  // why not (the first error), or ""
};

// Something that accepts or rejects manifest files, each holding one object.
class ManifestJudge {
 public:
  virtual ~ManifestJudge() = default;
  // One verdict per file, in order. Error (the judge could not work) or "".
  virtual std::string judge(const std::vector<std::string>& files,
                            std::vector<ManifestVerdict>& verdicts) = 0;
  // The objects the judge would store for `files` (all of which it accepts), in file order, as
  // YAML or JSON (several documents, or Lists): its defaulting. Error or "".
  virtual std::string stored(const std::vector<std::string>& files, std::string& objects) {
    return "this judge does not show stored objects";
  }
};

// netpolfuzz's own verdict on a manifest's text: decoded, validated, and unknown fields
// rejected as kubectl's default strict field validation does (exactly `netpolfuzz validate`).
ManifestVerdict validateVerdict(const std::string& text, const std::string& fileName);

struct ValidationDiffOptions {
  uint64_t seed = 1;
  int generatedCases = 100;  // every object of each case (and of its steps) is a sample
  int mutated = 1000;        // mutated samples, drawn from the generated objects
  int jsonPercent = 25;      // of mutated samples written as JSON (else block YAML)
  std::string outDir;        // manifests/ (the caller writes summary.txt)
  std::function<void(const std::string&)> progress;  // one line at a time; may be empty
};

struct DiffSample {
  std::string file;    // under outDir/manifests/
  std::string origin;  // "small-s1-0003 NetworkPolicy x/p", plus the mutations applied
  bool generated = false;
  std::vector<std::string> mutations;  // "op path"
  ManifestVerdict ours, judge;
  std::string documented;  // the docs/validation.md section that explains a disagreement
  // Generated samples: where netpolfuzz's defaulting (model/defaults.h) and the object the
  // judge stores differ, as "netpolfuzz:\n<yaml>judge:\n<yaml>"; "" when they agree.
  std::string defaultingDiff;
};

struct ValidationDiffReport {
  std::vector<DiffSample> samples;
  int bothAccept = 0, bothReject = 0, onlyOursRejects = 0, onlyJudgeRejects = 0;
  int generatedRejected = 0;  // generated samples that either side rejected: always a bug
  int undocumented = 0;       // disagreements without a documented reason
  int defaultingCompared = 0, defaultingDiffers = 0;  // generated samples, when the judge can
  std::string defaultingError;                        // why the judge showed no stored objects
  double oursSeconds = 0, judgeSeconds = 0;
};

// The docs/validation.md section that explains why `s`'s verdicts differ, or "".
std::string documentedDisagreement(const DiffSample& s);

// Writes the samples under options.outDir/manifests, judges them both ways, compares.
// Error (cannot write, or the judge failed) or "".
std::string runValidationDiff(const ValidationDiffOptions& options, ManifestJudge& judge,
                              ValidationDiffReport& report);

// The agreement table, then every disagreement (summary.txt).
std::string renderValidationDiffSummary(const ValidationDiffReport& r);
// One line per sample, tab-separated (verdicts.tsv): file, origin and mutations, both verdicts
// and both messages.
std::string renderValidationDiffVerdicts(const ValidationDiffReport& r);

}  // namespace npf::runner
