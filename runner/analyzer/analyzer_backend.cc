#include "runner/analyzer/analyzer_backend.h"

#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "runner/analyzer/cyclonus_query.h"
#include "runner/campaign.h"
#include "runner/tool_cache.h"

namespace npf::runner::analyzer {
namespace fs = std::filesystem;

namespace {

// The query files live in $TMPDIR/netpolfuzz-analyzer-<pid>-XXXXXX, removed with the backend.
constexpr const char* kWorkDirPrefix = "netpolfuzz-analyzer-";

std::string temporaryDirectory() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

// Work directories of runs that died without removing theirs (SIGKILL, a crash): their pid no
// longer runs.
void removeLeftoverWorkDirs(const std::string& tmp) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(tmp, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(kWorkDirPrefix, 0) != 0) continue;
    const std::string rest = name.substr(std::string(kWorkDirPrefix).size());
    const size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || rest.find_first_not_of("0123456789") != dash)
      continue;
    pid_t pid = 0;
    if (std::from_chars(rest.data(), rest.data() + dash, pid).ec != std::errc() || pid <= 0 ||
        kill(pid, 0) == 0 || errno != ESRCH)
      continue;
    std::error_code ignored;
    fs::remove_all(e.path(), ignored);
  }
}

}  // namespace

const std::vector<AnalyzerInfo>& analyzerCatalogue() {
  static const std::vector<AnalyzerInfo> all = {
      {"cyclonus",
       "v0.5.6",
       "Cyclonus's offline policy query (cyclonus analyze --mode query-traffic)",
       // Cyclonus has no notion of a pod talking to itself: the policies decide (its own probe
       // command ignores those cells with --ignore-loopback instead).
       {"loopback=policy"}},
  };
  return all;
}

const AnalyzerInfo* findAnalyzer(const std::string& name) {
  for (const auto& a : analyzerCatalogue())
    if (a.name == name) return &a;
  return nullptr;
}

std::vector<std::string> analyzerNames() {
  std::vector<std::string> out;
  for (const auto& a : analyzerCatalogue()) out.push_back(a.name);
  return out;
}

std::string analyzerBinary(const AnalyzerInfo& info, const std::string& binDir) {
  return (binDir.empty() ? defaultToolBinDir() : binDir) + "/" + info.name + "-" + info.version;
}

AnalyzerBackend::AnalyzerBackend(AnalyzerOptions options) : opt_(std::move(options)) {
  info_ = findAnalyzer(opt_.analyzer);
  static RealProcessRunner realRunner(120000);
  proc_ = opt_.processes ? opt_.processes : &realRunner;
}

AnalyzerBackend::~AnalyzerBackend() {
  if (workDir_.empty()) return;
  std::error_code ec;
  fs::remove_all(workDir_, ec);
}

std::string AnalyzerBackend::setUp(const Cluster& desired) {
  if (!info_) return "unknown analyzer " + opt_.analyzer;
  if (auto e = refuseClusterPolicies(desired, "analyzer"); !e.empty()) return e;
  up_ = true;
  actual_ = desired;
  answered_.clear();
  return "";
}

std::string AnalyzerBackend::reconcile(const Cluster& desired) {
  if (!up_) return "reconcile before setUp";
  if (auto e = refuseClusterPolicies(desired, "analyzer"); !e.empty()) return e;
  actual_ = desired;
  answered_.clear();
  return "";
}

void AnalyzerBackend::tearDown() {
  up_ = false;
  actual_ = Cluster{};
  answered_.clear();
}

std::vector<ProbeResult> AnalyzerBackend::probe(const std::vector<Probe>& probes,
                                                const ProbeOptions&) {
  std::vector<ProbeResult> out(probes.size());
  std::vector<Probe> fresh;
  std::vector<size_t> freshAt;
  for (size_t i = 0; i < probes.size(); ++i) {
    if (auto it = answered_.find(probes[i]); it != answered_.end()) {
      out[i] = it->second;
    } else {
      fresh.push_back(probes[i]);
      freshAt.push_back(i);
    }
  }
  if (fresh.empty()) return out;
  std::vector<ProbeResult> answers = ask(fresh);
  for (size_t j = 0; j < fresh.size(); ++j) {
    out[freshAt[j]] = answers[j];
    // An infrastructure error is asked again next time; a verdict is final for this state.
    if (answers[j].kind != ProbeResult::Kind::Error) answered_[fresh[j]] = answers[j];
  }
  return out;
}

std::vector<ProbeResult> AnalyzerBackend::ask(const std::vector<Probe>& probes) {
  using K = ProbeResult::Kind;
  std::vector<ProbeResult> out(probes.size());
  auto failAll = [&](const std::string& why) {
    for (auto& r : out)
      if (r.kind != K::Skipped) {
        r.kind = K::Error;
        r.detail = why;
      }
    return out;
  };
  if (!info_) return failAll("unknown analyzer " + opt_.analyzer);
  CyclonusQuery q = cyclonusQuery(actual_, probes);
  for (size_t i = 0; i < probes.size(); ++i)
    if (!q.skipped[i].empty()) {
      out[i].kind = K::Skipped;
      out[i].detail = q.skipped[i];
    }
  if (q.asked.empty()) return out;

  if (workDir_.empty()) {
    const std::string tmp = temporaryDirectory();
    removeLeftoverWorkDirs(tmp);
    std::string pattern = fmt::format("{}/{}{}-XXXXXX", tmp, kWorkDirPrefix, getpid());
    if (!mkdtemp(pattern.data())) return failAll("cannot create a directory under " + tmp);
    workDir_ = pattern;
  }
  const std::string policyDir = workDir_ + "/policies";
  const std::string trafficPath = workDir_ + "/traffic.json";
  std::error_code ec;
  fs::remove_all(policyDir, ec);
  fs::create_directories(policyDir, ec);
  if (ec) return failAll("cannot create " + policyDir + ": " + ec.message());
  auto write = [](const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    return static_cast<bool>(f);
  };
  for (const auto& [name, yaml] : q.policyFiles)
    if (!write(policyDir + "/" + name, yaml))
      return failAll("cannot write " + policyDir + "/" + name);
  if (!write(trafficPath, q.trafficJson)) return failAll("cannot write " + trafficPath);

  const std::vector<std::string> argv = {analyzerBinary(*info_, opt_.binDir),
                                         "analyze",
                                         "--mode",
                                         "query-traffic",
                                         "--policy-path",
                                         policyDir,
                                         "--traffic-path",
                                         trafficPath,
                                         "--verbosity",
                                         "error"};
  ProcessResult r = proc_->run(argv, defaultToolEnv(), "", "");
  ++counters_.queries;
  counters_.asked += q.asked.size();
  auto firstLine = [](const std::string& s) {
    // A Go panic's first line names it; logrus's fatal line is the last one.
    size_t at = s.find("panic:");
    if (at == std::string::npos) at = s.rfind("level=fatal");
    if (at == std::string::npos) at = 0;
    std::string line = s.substr(at, s.find('\n', at) - at);
    return line.size() > 300 ? line.substr(0, 300) + "..." : line;
  };
  if (!r.ok())
    return failAll(fmt::format("{} exited {}: {}", info_->name, r.exitCode,
                               firstLine(r.err.empty() ? r.out : r.err)));
  std::string error;
  auto verdicts = parseCyclonusVerdicts(r.out, q.asked.size(), error);
  if (!verdicts) return failAll(fmt::format("{}'s output: {}", info_->name, error));
  for (size_t j = 0; j < q.asked.size(); ++j) {
    size_t i = q.asked[j];
    if ((*verdicts)[j]) {
      out[i].kind = destinationServed(actual_, probes[i]) ? K::Connected : K::Refused;
      if (out[i].kind == K::Refused) out[i].detail = "allowed; no server declares the port";
    } else {
      out[i].kind = K::Timeout;
      out[i].detail = "denied";
    }
  }
  return out;
}

}  // namespace npf::runner::analyzer
