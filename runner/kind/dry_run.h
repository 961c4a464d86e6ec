// A cluster that is not there: answers the kind backend's kubectl commands from memory, for
// `--dry-run` (print the manifests and commands a run would send, without a cluster) and for
// tests. Nodes are two placeholder workers; pods become Running with addresses from
// 10.244.0.0/16 and Services get ClusterIPs from 10.96.0.0/16 as they are applied; every probe of
// an exec connects unless its destination is in `blocked`. Cluster-scoped policies are accepted
// only once their CRD has been applied, as a real API server does.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "runner/process.h"

namespace npf::runner::kind {

class SimulatedCluster : public ProcessRunner {
 public:
  // `echo`: where to print each command (shell-quoted for reading; never run by a shell) and
  // the manifests it is given; nullptr prints nothing.
  explicit SimulatedCluster(std::ostream* echo = nullptr) : echo_(echo) {}

  ProcessResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& stdinData, const std::string& netns) override;

  // Test knobs.
  std::set<std::string> neverReady;  // ns/name of pods that stay Pending (ImagePullBackOff)
  std::set<std::string> blocked;     // "HOST:PORT" destinations whose probes time out
  bool kubectlMissing = false;       // every command fails as if kubectl could not start

  // What happened.
  std::vector<std::vector<std::string>> calls;  // every argv
  std::vector<std::string> applied;             // stdin of every apply
  // "Kind ns/name" -> object as applied (+status); cluster-scoped ones (CRDs, cluster-scoped
  // policies) as "Kind /name".
  std::map<std::string, nlohmann::json> objects;
  std::map<std::string, std::string> podIp, serviceIp;  // ns/name -> assigned address

 private:
  ProcessResult apply(const std::string& in);
  ProcessResult applyCrds(const std::string& yaml);
  ProcessResult wait(const std::vector<std::string>& a);
  ProcessResult remove(const std::vector<std::string>& a);
  ProcessResult exec(const std::vector<std::string>& a);
  std::string listOf(const std::string& kind) const;

  std::ostream* echo_;
  std::mutex mu_;
  int nextPod_ = 10, nextService_ = 10;
};

// argv quoted for a human to read (and paste), e.g. kubectl exec ... -- /bin/sh -c '...'.
std::string shellQuoted(const std::vector<std::string>& argv);

}  // namespace npf::runner::kind
