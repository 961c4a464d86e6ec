// Options shared by the commands that run cases on a dataplane (fuzz, conformance): backend,
// profile, injected faults, probe timing; building the backend; SIGINT handling.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "oracle/profile.h"
#include "runner/campaign.h"
#include "runner/local/local_backend.h"

namespace npf::cli {

struct BackendOptions {
  std::string backend = "local";
  std::vector<std::string> profileSettings;
  std::vector<std::string> faults;
  int timeoutMs = 200;
  int retryTimeoutMs = 500;
  double convergeMs = 300;
  std::string cniPath = "/usr/lib/cni";

  Profile profile;  // set by parseBackendOptions()
};

// Adds --backend, --profile, --inject-fault, --timeout-ms, --retry-timeout-ms, --converge-ms,
// --cni-path.
void addBackendOptions(CLI::App& sub, BackendOptions& o);

// Parses the profile and checks fault names. Prints the problem and returns false on bad usage.
bool parseBackendOptions(BackendOptions& o, const std::string& command);
// Whether this machine can run the backend (root, CNI plugins, nft, ip). Prints the problem and
// returns false when not (exit 3).
bool checkBackendMachine(const BackendOptions& o, const std::string& command);

// The probe discipline the options ask for.
runner::CheckOptions checkOptions(const BackendOptions& o);

// The backend the options ask for (after parseBackendOptions).
std::unique_ptr<runner::local::LocalBackend> makeLocalBackend(const BackendOptions& o);

// Adds `--report FORMATS` (html, junit, markdown, text, none; comma-separated, repeatable);
// `formats` holds the command's default on entry.
void addReportOption(CLI::App& sub, std::vector<std::string>& formats);
// Writes the requested reports next to OUT/results.json and prints their paths; false (after
// printing the problem) when one cannot be written.
bool writeRequestedReports(const std::string& outDir, const std::vector<std::string>& requested);

// First SIGINT/SIGTERM sets the returned flag (finish the case in progress, write results);
// a second one tears every local run down at once and dies of the signal.
const std::atomic<bool>& installInterruptHandling();

}  // namespace npf::cli
