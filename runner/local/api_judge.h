// A real kube-apiserver as the judge of manifests: `kubectl create --dry-run=server
// --validate=strict` (kubectl's own decoder: YAML 1.1 scalars, JSON, Lists; the server's
// defaulting and validation; strict field validation as `kubectl apply` does by default), against
// an etcd and kube-apiserver started for the purpose in a network namespace of their own
// (control_plane.h). Namespace-dependent admission is off, so each object is judged alone.
// Files are judged in batches, one kubectl run each; a batch whose output cannot be attributed
// file by file is judged again one file per run.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runner/local/control_plane.h"
#include "runner/local/run_state.h"
#include "runner/validation_diff.h"

namespace npf::runner::local {

struct ApiJudgeOptions {
  std::string binDir = defaultToolBinDir();  // kube-apiserver-<v> and kubectl-<v>
  std::string logDir;                        // etcd.log, kube-apiserver.log
  std::string stateRoot = kDefaultStateRoot;
  size_t batchSize = 250;
  // Called after each batch: files judged so far, files in this call. May be empty.
  std::function<void(size_t done, size_t total)> progress;
};

class ApiJudge : public ManifestJudge {
 public:
  explicit ApiJudge(ApiJudgeOptions options);
  ~ApiJudge() override;  // stop()
  ApiJudge(const ApiJudge&) = delete;
  ApiJudge& operator=(const ApiJudge&) = delete;

  // Starts the control plane (after removing what dead runs left). Error (exit 3) or "".
  std::string start();
  // Stops it and removes its namespace and state.
  void stop();

  std::string judge(const std::vector<std::string>& files,
                    std::vector<ManifestVerdict>& verdicts) override;
  // `kubectl create --dry-run=server -o yaml`: the object the server would store.
  std::string stored(const std::vector<std::string>& files, std::string& objects) override;

  double readyMs() const { return controlPlane_ ? controlPlane_->readyMs() : 0; }
  std::string kubectlPath() const;
  size_t kubectlRuns() const { return kubectlRuns_; }
  const std::string& runId() const { return runId_; }  // "" when stopped

 private:
  ProcessResult kubectl(const std::vector<std::string>& files, bool printObjects = false);
  std::string judgeBatch(const std::vector<std::string>& files,
                         std::vector<ManifestVerdict>& verdicts);
  // Calls f on consecutive batches of at most batchSize files; stops at an error (f's, or the
  // control plane's health).
  std::string forEachBatch(const std::vector<std::string>& files,
                           const std::function<std::string(const std::vector<std::string>&)>& f);

  ApiJudgeOptions opt_;
  std::string runId_;
  std::unique_ptr<RealProcessRunner> processes_;
  std::unique_ptr<ControlPlane> controlPlane_;
  size_t kubectlRuns_ = 0;
};

}  // namespace npf::runner::local
