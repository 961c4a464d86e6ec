#include "cli/backend_options.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/load.h"
#include "cli/report_files.h"
#include "runner/local/run_state.h"

namespace npf::cli {
namespace {

std::atomic<bool> gStop{false};
std::atomic<int> gSignals{0};

void onSignal(int sig) {
  if (gSignals.fetch_add(1) == 0) {
    gStop.store(true);
    const char msg[] = "\nnetpolfuzz: interrupted; finishing the current case (again to stop now)\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    return;
  }
  runner::local::notifyTeardownSignal(sig);
}

// What the local backend needs on this machine; "" when all is there.
std::string localPrerequisites(const std::string& cniPath) {
  if (auto e = runner::local::checkPrivileges(); !e.empty()) return e;
  for (const char* plugin : {"ptp", "static"})
    if (access((cniPath + "/" + plugin).c_str(), X_OK) != 0)
      return fmt::format(
          "the CNI plugin {}/{} is missing; install Debian's containernetworking-plugins "
          "(apt-get install containernetworking-plugins) or pass --cni-path",
          cniPath, plugin);
  for (const char* tool : {"nft", "ip"}) {
    bool found = false;
    for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"})
      found = found || access((std::string(dir) + tool).c_str(), X_OK) == 0;
    if (!found) return fmt::format("`{}` is missing; install nftables and iproute2", tool);
  }
  return "";
}

}  // namespace

void addBackendOptions(CLI::App& sub, BackendOptions& o) {
  sub.add_option("--backend", o.backend, "Dataplane: local (network namespaces, CNI ptp, nftables)")
      ->check(CLI::IsMember({"local"}))
      ->capture_default_str();
  addProfileOption(sub, o.profileSettings);
  sub.add_option("--inject-fault", o.faults,
                 "Make the local dataplane reproduce a known CNI bug class (repeatable; `netpolfuzz "
                 "fuzz --list-faults` lists them): a self-test of the suite and the fuzzer")
      ->type_name("CLASS");
  sub.add_option("--timeout-ms", o.timeoutMs, "Probe timeout of the first round (a drop shows as a timeout)")
      ->check(CLI::Range(20, 60000))
      ->capture_default_str();
  sub.add_option("--retry-timeout-ms", o.retryTimeoutMs, "Probe timeout when re-probing a disagreeing cell")
      ->check(CLI::Range(20, 60000))
      ->capture_default_str();
  sub.add_option("--converge-ms", o.convergeMs,
                 "Keep re-probing disagreeing cells this long after each change before calling them "
                 "discrepancies")
      ->check(CLI::Range(0.0, 600000.0))
      ->capture_default_str();
  sub.add_option("--cni-path", o.cniPath, "Directory of the CNI plugin binaries")->capture_default_str();
}

bool parseBackendOptions(BackendOptions& o, const std::string& command) {
  for (const auto& f : o.faults)
    if (runner::local::LocalBackend::describeFault(f).empty()) {
      std::cerr << fmt::format("netpolfuzz {}: --inject-fault: unknown fault class '{}' (see netpolfuzz fuzz --list-faults)\n",
                               command, f);
      return false;
    }
  return parseProfile(o.profileSettings, o.profile);
}

bool checkBackendMachine(const BackendOptions& o, const std::string& command) {
  if (auto e = localPrerequisites(o.cniPath); !e.empty()) {
    std::cerr << fmt::format("netpolfuzz {}: the local backend cannot run here: {}\n", command, e);
    return false;
  }
  return true;
}

runner::CheckOptions checkOptions(const BackendOptions& o) {
  runner::CheckOptions c;
  c.firstRound.timeoutMs = o.timeoutMs;
  c.retryTimeoutMs = o.retryTimeoutMs;
  c.convergeDeadlineMs = o.convergeMs;
  return c;
}

std::unique_ptr<runner::local::LocalBackend> makeLocalBackend(const BackendOptions& o) {
  runner::local::LocalOptions lo;
  lo.profile.ipblockMatchesPodIps = o.profile.ipblockMatchesPodIps;
  lo.profile.egressToOwnNodeAllowed = o.profile.egressToOwnNode == Profile::EgressToOwnNode::Allow;
  lo.profile.hostnetworkSelectable = o.profile.hostnetworkSelectable;
  lo.faults = {o.faults.begin(), o.faults.end()};
  lo.cniPath = o.cniPath;
  return std::make_unique<runner::local::LocalBackend>(lo);
}

void addReportOption(CLI::App& sub, std::vector<std::string>& formats) {
  sub.add_option("--report", formats,
                 "Also write these reports next to results.json (comma-separated: html, junit, "
                 "markdown, text, or none); `netpolfuzz report` makes them later too")
      ->delimiter(',')
      ->check(CLI::IsMember({"html", "junit", "markdown", "text", "none"}))
      ->type_name("FORMATS")
      ->capture_default_str();
}

bool writeRequestedReports(const std::string& outDir, const std::vector<std::string>& requested) {
  std::vector<std::string> formats;
  for (const auto& f : requested)
    if (f != "none") formats.push_back(f);
  if (formats.empty()) return true;
  std::string results = (std::filesystem::path(outDir) / "results.json").string();
  if (auto e = writeReports(results, formats, outDir); !e.empty()) {
    std::cerr << "netpolfuzz: " << e << '\n';
    return false;
  }
  for (const auto& f : formats)
    std::cout << fmt::format("{}: {}\n", f, (std::filesystem::path(outDir) / reportFileName(f)).string());
  return true;
}

const std::atomic<bool>& installInterruptHandling() {
  runner::local::installSignalTeardown(/*installHandlers=*/false);
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return gStop;
}

}  // namespace npf::cli
