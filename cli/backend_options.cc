#include "cli/backend_options.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/load.h"
#include "cli/report_files.h"
#include "model/case_probes.h"
#include "runner/analyzer/analyzer_backend.h"
#include "runner/backends/backend_factory.h"
#include "runner/kind/dry_run.h"
#include "runner/kind/kind_backend.h"
#include "runner/local/enforcer.h"
#include "runner/local/run_state.h"
#include "runner/replay.h"

namespace npf::cli {
namespace {

std::atomic<bool> gStop{false};
std::atomic<int> gSignals{0};

void onSignal(int sig) {
  if (gSignals.fetch_add(1) == 0) {
    gStop.store(true);
    const char msg[] =
        "\nnetpolfuzz: interrupted; finishing the current case (again to stop now)\n";
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

// Whether `program` can be run: a path, or a name found in $PATH.
bool findProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    std::string dir =
        dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

runner::ProcessRunner& kubectlRunner() {
  // Long enough for `kubectl delete namespace --timeout=180s`; exec batches end much sooner.
  static runner::RealProcessRunner r(240000);
  return r;
}

}  // namespace

// --backend's help: every backend of the factory, one line each.
std::string backendHelp() {
  std::string out = "Dataplane:";
  for (const auto& b : runner::backendCatalogue())
    out += fmt::format("\n  {}: {}{}", b.name, b.summary, b.needsRoot ? " (needs root)" : "");
  return out;
}

bool runsClusterPolicies(const BackendOptions& o) {
  return (o.backend == "local" && o.enforcer == "nftables") || o.backend == "simulated" ||
         o.backend == "kind";
}

bool generatesClusterPolicies(const BackendOptions& o) {
  return (o.backend == "local" && o.enforcer == "nftables") || o.backend == "simulated";
}

const std::vector<std::string>& knownCnis() {
  static const std::vector<std::string> cnis = {"kindnet", "calico", "cilium", "antrea",
                                                "kube-router"};
  return cnis;
}

void addBackendOptions(CLI::App& sub, BackendOptions& o, bool savedCases) {
  sub.add_option("--backend", o.backend, backendHelp())
      ->check(CLI::IsMember(runner::backendNames()))
      ->capture_default_str();
  sub.add_option("--analyzer", o.analyzer,
                 "analyzer backend: the offline policy analyzer under test; its documented "
                 "choices set the profile, which --profile overrides (docs/analyzers.md)")
      ->check(CLI::IsMember(runner::analyzer::analyzerNames()))
      ->capture_default_str();
  sub.add_option("--bin-dir", o.binDir,
                 "analyzer backend: where scripts/install-deps.sh --with-analyzers cached the "
                 "analyzer (default: $NETPOLFUZZ_BIN_DIR, else ~/.cache/netpolfuzz/bin)")
      ->type_name("DIR");
  sub.add_option("--context", o.context,
                 "kind backend: the kubectl context (default: the current one)");
  sub.add_option("--kubectl", o.kubectl, "kind backend: the kubectl executable")
      ->capture_default_str();
  sub.add_option(
         "--cni", o.cni,
         "kind backend: the CNI under test; picks its profile (docs/cni-profiles.md), which "
         "--profile overrides")
      ->check(CLI::IsMember(knownCnis()));
  sub.add_flag("--keep", o.keep,
               "kind backend: leave the run's namespaces in the cluster (for debugging)");
  sub.add_flag(
      "--dry-run", o.dryRun,
      "kind backend: print the manifests and kubectl commands the run would send, answered by a "
      "simulated cluster (placeholder addresses); needs no cluster and runs nothing");
  sub.add_option("--max-execs", o.maxExecs,
                 "kind backend: source pods probed at once (one kubectl exec each)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  addProfileOption(sub, o.profileSettings, savedCases);
  sub.add_option(
         "--inject-fault", o.faults,
         "Make the local dataplane reproduce a known CNI bug class (repeatable; `netpolfuzz "
         "fuzz --list-faults` lists them): a self-test of the suite and the fuzzer. replay and "
         "minimize inject the faults a saved case records unless given (`none`: no fault)")
      ->type_name("CLASS");
  sub.add_option("--timeout-ms", o.timeoutMs,
                 "Probe timeout of the first round (a drop shows as a timeout)")
      ->check(CLI::Range(20, 60000))
      ->capture_default_str();
  sub.add_option("--retry-timeout-ms", o.retryTimeoutMs,
                 "Probe timeout when re-probing a disagreeing cell")
      ->check(CLI::Range(20, 60000))
      ->capture_default_str();
  sub.add_flag("--fixed-timeout", o.fixedTimeout,
               "local backend: probe every first round with --timeout-ms. By default the first "
               "round's timeout adapts to this dataplane (3x the 99th percentile of the previous "
               "round's connect times, 20 ms at least), and a denied cell's timeout counts only "
               "when that round's connections were prompt (else it is probed again at "
               "--retry-timeout-ms)");
  sub.add_option("--confirm-timeout-ms", o.confirmTimeoutMs,
                 "Probe timeout that makes a timeout proof of a drop: a cell the oracle allows "
                 "that timed out sooner is probed again with it before it is a discrepancy (a "
                 "busy machine is slow, not wrong)")
      ->check(CLI::Range(20, 60000))
      ->capture_default_str();
  sub.add_option(
         "--converge-ms", o.convergeMs,
         "Keep re-probing disagreeing cells this long after each change before calling them "
         "discrepancies")
      ->check(CLI::Range(0.0, 600000.0))
      ->capture_default_str();
  sub.add_option("--cni-path", o.cniPath, "Directory of the CNI plugin binaries")
      ->capture_default_str();
  sub.add_option(
         "--enforcer", o.enforcer,
         "local backend: who enforces NetworkPolicy. nftables: netpolfuzz's own compiler (takes "
         "--inject-fault); kube-router: kube-router's policy controller in every node, fed by a "
         "real kube-apiserver and etcd (scripts/install-deps.sh --with-kube-router builds them); "
         "exec: the agent of --enforcer-cmd")
      ->check(CLI::IsMember({"nftables", "kube-router", "exec"}))
      ->capture_default_str();
  sub.add_option(
         "--enforcer-cmd", o.enforcerCommand,
         "--enforcer exec: the policy agent's command line, started in every node's network "
         "namespace with {kubeconfig}, {node} and {node-ip} filled in (split into words like a "
         "shell would, with quotes; never run by a shell)")
      ->type_name("TEMPLATE");
}

bool parseBackendOptions(BackendOptions& o, const std::string& command) {
  if (o.dryRun && o.backend != "kind") {
    std::cerr << fmt::format("netpolfuzz {}: --dry-run needs --backend kind\n", command);
    return false;
  }
  if (o.backend != "analyzer" && (o.analyzer != "cyclonus" || !o.binDir.empty())) {
    std::cerr << fmt::format("netpolfuzz {}: --analyzer and --bin-dir need --backend analyzer\n",
                             command);
    return false;
  }
  if (o.enforcer != "nftables" && o.backend != "local") {
    std::cerr << fmt::format("netpolfuzz {}: --enforcer {} needs --backend local\n", command,
                             o.enforcer);
    return false;
  }
  if ((o.enforcer == "exec") != !o.enforcerCommand.empty()) {
    std::cerr << fmt::format("netpolfuzz {}: {}\n", command,
                             o.enforcer == "exec" ? "--enforcer exec needs --enforcer-cmd TEMPLATE"
                                                  : "--enforcer-cmd is for --enforcer exec");
    return false;
  }
  if (!o.enforcerCommand.empty()) {
    std::string error;
    runner::local::expandCommandTemplate(o.enforcerCommand, "K", "N", "I", error);
    if (!error.empty()) {
      std::cerr << fmt::format("netpolfuzz {}: --enforcer-cmd: {}\n", command, error);
      return false;
    }
  }
  o.profileGiven = !o.profileSettings.empty() || !o.cni.empty() || o.backend == "analyzer";
  o.faultsGiven = !o.faults.empty();
  if (std::find(o.faults.begin(), o.faults.end(), "none") != o.faults.end()) {
    if (o.faults.size() > 1) {
      std::cerr << fmt::format(
          "netpolfuzz {}: --inject-fault none cannot be combined with a fault class\n", command);
      return false;
    }
    o.faults.clear();
  }
  const runner::BackendInfo* info = runner::findBackend(o.backend);
  for (const auto& f : o.faults)
    if (!runner::describeFault(f).empty() && info &&
        std::find(info->faults.begin(), info->faults.end(), f) == info->faults.end()) {
      std::cerr << fmt::format(
          "netpolfuzz {}: --inject-fault {}: the {} backend cannot inject it{}\n", command, f,
          o.backend,
          info->faults.empty() ? " (only the local and simulated backends inject faults)"
                               : fmt::format(" (it injects {})", fmt::join(info->faults, ", ")));
      return false;
    }
  if (o.backend == "analyzer") {
    // The analyzer's documented choices first, so that --profile settings given by the user win.
    std::vector<std::string> settings = runner::analyzer::findAnalyzer(o.analyzer)->profileSettings;
    settings.insert(settings.end(), o.profileSettings.begin(), o.profileSettings.end());
    o.profileSettings = settings;
  }
  if (!o.cni.empty()) {
    // The CNI's profile first, so that --profile settings given by the user win.
    std::vector<std::string> settings = cniProfileSettings(o.cni);
    settings.insert(settings.end(), o.profileSettings.begin(), o.profileSettings.end());
    o.profileSettings = settings;
  }
  for (const auto& f : o.faults)
    if (runner::describeFault(f).empty()) {
      std::cerr << fmt::format(
          "netpolfuzz {}: --inject-fault: unknown fault class '{}' (see netpolfuzz fuzz "
          "--list-faults)\n",
          command, f);
      return false;
    }
  return parseProfile(o.profileSettings, o.profile);
}

std::string savedCaseSettings(const BackendOptions& o, const Case& c, runner::RunSettings& out,
                              std::string& note) {
  runner::RunSettings recorded = runner::recordedSettings(c);
  out.profile = o.profileGiven ? o.profile : recorded.profile;
  out.faults = o.faultsGiven ? o.faults : recorded.faults;
  note.clear();
  if (o.faultsGiven || recorded.faults.empty()) return "";
  for (const auto& f : recorded.faults)
    if (runner::describeFault(f).empty())
      return fmt::format(
          "spec.observed.faults: unknown fault class '{}' (see netpolfuzz fuzz --list-faults; "
          "--inject-fault replaces the recorded faults)",
          f);
  const runner::BackendInfo* info = runner::findBackend(o.backend);
  std::vector<std::string> kept, dropped;
  for (const auto& f : recorded.faults)
    (info && std::find(info->faults.begin(), info->faults.end(), f) != info->faults.end() ? kept
                                                                                          : dropped)
        .push_back(f);
  if (!dropped.empty())
    note = fmt::format(
        "recorded with injected fault {}; the {} backend cannot inject it and runs without",
        fmt::join(dropped, ","), o.backend);
  out.faults = kept;
  return "";
}

std::string describeRunSettings(const runner::RunSettings& s) {
  std::vector<std::string> parts;
  if (!s.faults.empty()) parts.push_back(fmt::format("fault {}", fmt::join(s.faults, ",")));
  const auto plain = describeProfile(Profile{});
  const auto mine = describeProfile(s.profile);
  std::vector<std::string> changed;
  for (size_t i = 0; i < mine.size(); ++i)
    if (mine[i] != plain[i]) changed.push_back(mine[i].first + "=" + mine[i].second);
  if (!changed.empty()) parts.push_back(fmt::format("profile {}", fmt::join(changed, ",")));
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string enforcerDescription(const BackendOptions& o) {
  if (o.backend == "analyzer") {
    const auto* a = runner::analyzer::findAnalyzer(o.analyzer);
    return a ? a->name + " " + a->version : "";
  }
  if (o.backend != "local") return "";
  runner::local::EnforcerSpec spec;
  spec.kind = runner::local::enforcerKindFromName(o.enforcer).value_or(spec.kind);
  spec.commandTemplate = o.enforcerCommand;
  return runner::local::describeEnforcer(spec);
}

bool checkBackendMachine(const BackendOptions& o, const std::string& command) {
  if (o.dryRun || o.backend == "simulated") return true;
  if (o.backend == "analyzer") {
    const auto* a = runner::analyzer::findAnalyzer(o.analyzer);
    const std::string bin = runner::analyzer::analyzerBinary(*a, o.binDir);
    if (access(bin.c_str(), X_OK) != 0) {
      std::cerr << fmt::format(
          "netpolfuzz {}: the analyzer backend needs {} {}, which is not built: {} is missing. "
          "Build it from the Go module proxy with `scripts/install-deps.sh --with-analyzers` "
          "(about a minute; needs Go >= 1.22), or pass --bin-dir DIR\n",
          command, a->name, a->version, bin);
      return false;
    }
    return true;
  }
  if (o.backend == "kind") {
    if (!findProgram(o.kubectl)) {
      std::cerr << fmt::format(
          "netpolfuzz {}: the kind backend needs kubectl: `{}` is not an executable in PATH "
          "(install kubectl, or "
          "pass --kubectl PATH)\n",
          command, o.kubectl);
      return false;
    }
    std::vector<std::string> argv{o.kubectl};
    if (!o.context.empty()) argv.insert(argv.end(), {"--context", o.context});
    argv.insert(argv.end(), {"get", "nodes", "--output", "name", "--request-timeout=15s"});
    std::vector<std::string> env;
    for (const char* v : {"PATH", "HOME", "KUBECONFIG", "USER"})
      if (const char* x = std::getenv(v)) env.push_back(std::string(v) + "=" + x);
    runner::ProcessResult r = kubectlRunner().run(argv, env, "", "");
    if (!r.ok()) {
      auto nl = r.err.find('\n');
      std::cerr << fmt::format("netpolfuzz {}: the cluster is not reachable: `{}` failed: {}\n",
                               command, runner::describeCommand(argv), r.err.substr(0, nl));
      return false;
    }
    return true;
  }
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
  c.confirmTimeoutMs = o.confirmTimeoutMs;
  if (o.backend == "local" && !o.fixedTimeout) c.minFirstRoundTimeoutMs = 20;
  c.convergeDeadlineMs = o.convergeMs;
  if (o.backend == "analyzer") {
    // An analyzer answers the same on every attempt: the second one decides, with no waiting.
    c.convergeDeadlineMs = 0;
    c.roundGapMs = 0;
  }
  return c;
}

MadeBackend makeBackend(const BackendOptions& o, bool rederive,
                        const std::string& reassignPodIpv4) {
  runner::BackendSpec spec;
  spec.name = o.backend;
  spec.settings = {o.profile, o.faults};
  spec.reassignPodIpv4 = reassignPodIpv4;
  spec.cniPath = o.cniPath;
  spec.enforcer = o.enforcer;
  spec.enforcerCommand = o.enforcerCommand;
  spec.logDir = o.logDir;
  spec.analyzer = o.analyzer;
  spec.toolBinDir = o.binDir;
  spec.kubectl = o.kubectl;
  spec.context = o.context;
  spec.keep = o.keep;
  spec.maxParallelExecs = o.maxExecs;
  spec.kubectlRunner = &kubectlRunner();
  spec.cni = o.cni;
  spec.warn = [](const std::string& message) {
    std::cerr << "netpolfuzz: warning: " << message << '\n';
  };
  runner::BuiltBackend built = runner::buildBackend(spec);
  MadeBackend m;
  if (!built.backend) {
    // parseBackendOptions checked the name and the faults: nothing else can fail here.
    std::cerr << "netpolfuzz: " << built.error << '\n';
    std::exit(kExitBadInput);
  }
  m.runId = built.runId;
  m.dataplane = std::move(built.backend);
  // A real cluster assigns its own pod addresses: re-derive the ipBlocks taken from them.
  if (o.backend == "kind" && rederive)
    m.wrapper = std::make_unique<runner::RederivingBackend>(*m.dataplane);
  m.backend = m.wrapper ? m.wrapper.get() : m.dataplane.get();
  return m;
}

int dryRunCases(const BackendOptions& o, const std::vector<std::pair<std::string, Case>>& cases) {
  runner::kind::SimulatedCluster simulated(&std::cout);
  runner::kind::KindOptions ko;
  ko.kubectl = o.kubectl;
  ko.context = o.context;
  ko.runId = "npf-dryrun";
  ko.maxParallelExecs = 1;  // one exec after the other, so the output reads in order
  ko.sleep = [](int) {};
  ko.env = {"PATH=/usr/bin:/bin"};
  ko.cni = o.cni;
  ko.warn = [](const std::string& message) { std::cout << "# warning: " << message << '\n'; };
  runner::kind::KindBackend kind(ko, simulated);
  runner::RederivingBackend backend(kind);
  std::cout
      << "# --dry-run: the commands and manifests a kind run would send. A simulated cluster with\n"
         "# workers worker-1 and worker-2 answers; pod IPs and ClusterIPs are placeholders that "
         "the real\n"
         "# cluster assigns, and ipBlocks derived from pod IPs follow them.\n";
  bool up = false;
  Cluster previous;
  for (const auto& [source, c] : cases) {
    std::vector<Cluster> states = caseStates(c);
    std::cout << fmt::format("\n# ==== case {} ({}): {} state(s)\n", c.meta.name, source,
                             states.size());
    for (size_t i = 0; i < states.size(); ++i) {
      bool fresh = !up || states[i].nodes != previous.nodes;
      std::cout << fmt::format(
          "# ---- {}{}\n", i == 0 ? "initial objects" : fmt::format("after step {}", i),
          i == 0 ? (fresh ? ": set up" : ": reconcile the previous case's cluster")
                 : ": reconcile");
      std::string e = fresh ? backend.setUp(states[i]) : backend.reconcile(states[i]);
      if (!e.empty()) {
        std::cerr << fmt::format("netpolfuzz: --dry-run: {}: {}\n", c.meta.name, e);
        return kExitBadInput;
      }
      up = true;
      previous = states[i];
      std::cout << "# ---- probe round: one exec per source pod\n";
      backend.probe(runner::expandProbes(probeSetFor(c, backend.actual())), runner::ProbeOptions{});
    }
  }
  std::cout << "\n# ---- teardown\n";
  backend.tearDown();
  return kExitOk;
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
    std::cout << fmt::format("{}: {}\n", f,
                             (std::filesystem::path(outDir) / reportFileName(f)).string());
  return true;
}

bool parseShardOption(const std::string& text, const char* command, runner::Shard& shard) {
  if (text.empty()) return true;
  std::string why;
  auto parsed = runner::parseShard(text, why);
  if (!parsed) {
    std::cerr << "netpolfuzz " << command << ": --shard: " << why << '\n';
    return false;
  }
  shard = *parsed;
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
