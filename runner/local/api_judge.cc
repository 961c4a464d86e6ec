#include "runner/local/api_judge.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace npf::runner::local {

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

// Where kubectl names a file in an error: `"FILE"` (error when creating "FILE": ..., unable to
// decode "FILE": ..., error validating "FILE": ...) or `FILE: ` (error parsing FILE: ...).
bool mentions(const std::string& line, const std::string& file) {
  return line.find('"' + file + '"') != std::string::npos ||
         line.find(file + ": ") != std::string::npos;
}

std::string excerpt(const std::string& s, size_t max = 400) {
  return s.size() <= max ? s : s.substr(0, max) + "...";
}

// The part of an error line about `file`: kubectl joins the client-side errors of several files
// into one "[error 1, error 2, ...]" line; each starts at most a few words before the file name.
std::string errorAbout(const std::string& line, const std::string& file) {
  size_t at = line.find('"' + file + '"');
  if (at == std::string::npos) at = line.find(file + ": ");
  size_t start = 0;
  for (const char* sep : {", ", "["}) {
    size_t s = line.rfind(sep, at);
    if (s != std::string::npos && at - s < 40) start = std::max(start, s + std::strlen(sep));
  }
  return excerpt(line.substr(start));
}

}  // namespace

ApiJudge::ApiJudge(ApiJudgeOptions options) : opt_(std::move(options)) {
  // kubectl on a busy machine: a batch of a few hundred objects takes seconds, not minutes.
  processes_ = std::make_unique<RealProcessRunner>(600000);
}

ApiJudge::~ApiJudge() { stop(); }

std::string ApiJudge::kubectlPath() const { return opt_.binDir + "/kubectl-" + kKubeVersion; }

std::string ApiJudge::start() {
  if (auto e = checkPrivileges(); !e.empty()) return e;
  if (access(kubectlPath().c_str(), X_OK) != 0)
    return fmt::format(
        "{} not found: build it with scripts/install-deps.sh --with-kube-router (or point "
        "NETPOLFUZZ_BIN_DIR at a directory that has it)",
        kubectlPath());
  cleanupLeftovers(*processes_, opt_.stateRoot);
  runId_ = newRunId();
  if (auto e = createRunDir(opt_.stateRoot, runId_); !e.empty()) return e;
  registerTeardown(runId_, [this] { stop(); });
  ControlPlaneOptions cp;
  cp.runId = runId_;
  cp.stateDir = runDir(opt_.stateRoot, runId_);
  cp.logDir = opt_.logDir.empty() ? cp.stateDir + "/logs" : opt_.logDir;
  cp.binDir = opt_.binDir;
  cp.processes = processes_.get();
  cp.disabledAdmission = {"NamespaceLifecycle", "PodSecurity", "LimitRanger", "ResourceQuota"};
  // Dual-stack, with kind's service ranges: generated cases have IPv6 and dual-stack Services.
  cp.serviceCidr = "10.96.0.0/16,fd00:10:96::/112";
  controlPlane_ = std::make_unique<ControlPlane>(cp);
  NamespaceCreationLock lock(opt_.stateRoot);
  if (auto e = controlPlane_->start({}); !e.empty()) return "control plane: " + e;
  return "";
}

void ApiJudge::stop() {
  if (runId_.empty()) return;
  unregisterTeardown(runId_);
  if (controlPlane_) controlPlane_->stop();
  controlPlane_.reset();
  for (const auto& ns : listNamespaces(runId_ + "-"))
    processes_->run({"ip", "netns", "del", ns}, defaultToolEnv(), "", "");
  removeRunDir(opt_.stateRoot, runId_);
  removeRunNetnsIfOurs(opt_.stateRoot);
  runId_.clear();
}

ProcessResult ApiJudge::kubectl(const std::vector<std::string>& files, bool printObjects) {
  ++kubectlRuns_;
  std::string state = runDir(opt_.stateRoot, runId_);
  std::vector<std::string> argv{
      kubectlPath(),      "--kubeconfig",           controlPlane_->kubeconfigPath(),
      "--cache-dir",      state + "/kubectl-cache", "create",
      "--dry-run=server", "--validate=strict"};
  if (printObjects) argv.insert(argv.end(), {"-o", "yaml"});
  for (const auto& f : files) {
    argv.push_back("-f");
    argv.push_back(f);
  }
  return processes_->run(argv, {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "HOME=" + state},
                         "", controlPlane_->netns());
}

// One kubectl run over `files`. Each file holds one object: it was accepted when no error names
// it. The output must account for every file (accepted ones print "created (server dry run)")
// and every error line must name a file; otherwise the files are judged one run each.
std::string ApiJudge::judgeBatch(const std::vector<std::string>& files,
                                 std::vector<ManifestVerdict>& verdicts) {
  ProcessResult r = kubectl(files);
  if (r.exitCode < 0) return "kubectl: " + r.err;
  // Not a verdict: the server could not be asked.
  for (const char* down : {"Unable to connect to the server", "The connection to the server"})
    if (r.err.find(down) != std::string::npos) return "kubectl: " + excerpt(r.err);
  std::vector<ManifestVerdict> batch(files.size(), ManifestVerdict{true, ""});
  size_t rejected = 0;
  bool unattributed = false;
  for (const auto& line : lines(r.err)) {
    if (line.rfind("Warning: ", 0) == 0) continue;
    bool named = false;
    for (size_t i = 0; i < files.size(); ++i)
      if (mentions(line, files[i])) {
        named = true;
        if (batch[i].accepted) ++rejected;
        batch[i].accepted = false;
        if (batch[i].message.empty()) batch[i].message = errorAbout(line, files[i]);
      }
    unattributed = unattributed || !named;
  }
  size_t created = 0;
  for (const auto& line : lines(r.out))
    if (line.find(" (server dry run)") != std::string::npos) ++created;
  if (!unattributed && created + rejected == files.size()) {
    verdicts.insert(verdicts.end(), batch.begin(), batch.end());
    return "";
  }
  if (files.size() == 1) {
    verdicts.push_back(r.ok() ? ManifestVerdict{true, ""}
                              : ManifestVerdict{false, excerpt(r.err.empty() ? r.out : r.err)});
    return "";
  }
  for (const auto& f : files)
    if (auto e = judgeBatch({f}, verdicts); !e.empty()) return e;
  return "";
}

std::string ApiJudge::forEachBatch(
    const std::vector<std::string>& files,
    const std::function<std::string(const std::vector<std::string>&)>& f) {
  if (!controlPlane_) return "the API server judge is not started";
  for (size_t from = 0; from < files.size(); from += opt_.batchSize) {
    std::vector<std::string> batch(
        files.begin() + static_cast<long>(from),
        files.begin() + static_cast<long>(std::min(files.size(), from + opt_.batchSize)));
    if (auto e = f(batch); !e.empty()) return e;
    if (auto h = controlPlane_->health(); !h.empty()) return h;
    if (opt_.progress) opt_.progress(from + batch.size(), files.size());
  }
  return "";
}

std::string ApiJudge::stored(const std::vector<std::string>& files, std::string& objects) {
  objects.clear();
  return forEachBatch(files, [&](const std::vector<std::string>& batch) -> std::string {
    // kubectl prints one object as a document, several as a List.
    ProcessResult r = kubectl(batch, /*printObjects=*/true);
    if (!r.ok()) return "kubectl -o yaml: " + excerpt(r.err);
    objects += "---\n" + r.out;
    return "";
  });
}

std::string ApiJudge::judge(const std::vector<std::string>& files,
                            std::vector<ManifestVerdict>& verdicts) {
  verdicts.clear();
  return forEachBatch(
      files, [&](const std::vector<std::string>& batch) { return judgeBatch(batch, verdicts); });
}

}  // namespace npf::runner::local
