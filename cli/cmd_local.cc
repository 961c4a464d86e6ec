// `netpolfuzz local up|down|status|cleanup`: keep one case's cluster up on the local dataplane
// so that people can poke at it by hand (ip netns exec, nft), and manage the runs under
// /run/netpolfuzz. The daemon that holds the cluster, and everything about runs, processes and
// their state, is the local backend's (runner/local/kept_cluster.h, run_state.h); this file
// parses options and prints.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "cli/commands.h"
#include "cli/load.h"
#include "model/ip.h"
#include "model/profile.h"
#include "runner/local/kept_cluster.h"
#include "runner/local/local_backend.h"
#include "runner/local/run_state.h"

namespace npf::cli {

namespace rl = runner::local;

namespace {

constexpr const char* kStateRoot = rl::kDefaultStateRoot;

struct LocalUpOptions {
  std::vector<std::string> files;
  std::optional<size_t> step;
  std::vector<std::string> profile;
  std::vector<std::string> faults;
  std::string cniPath = "/usr/lib/cni";
};

struct LocalDownOptions {
  std::vector<std::string> runs;
  int waitSeconds = 10;
};

struct LocalStatusOptions {
  std::vector<std::string> runs;
};

// A word the user can paste into a shell.
std::string shellWord(const std::string& s) {
  if (!s.empty() && s.find_first_not_of(
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,") ==
                        std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string joinWords(const std::vector<std::string>& v) {
  return fmt::format("{}", fmt::join(v, " "));
}

// A process's command line, shortened for a table cell.
std::string commandLineCell(long pid) {
  std::string line = rl::commandLineOf(pid);
  if (line.size() > 80) line = line.substr(0, 77) + "...";
  return line;
}

// ------------------------------------------------------------------ what a run looks like

std::string stateLabel(const rl::KeptClusterInfo& info) {
  size_t step = info.step, steps = info.steps;
  if (step == 0)
    return steps ? fmt::format("initial state (of {} step{})", steps, steps == 1 ? "" : "s")
                 : "initial state";
  return fmt::format("state after step {} of {}", step, steps);
}

// The table of endpoints and the commands to poke at them (for `up` and `status RUN`).
void printUpInfo(const rl::KeptClusterInfo& info) {
  const std::string& run = info.run;
  struct Row {
    std::string cells[6];
  };
  std::vector<Row> rows{{{"ENDPOINT", "KIND", "NODE", "NETWORK NAMESPACE", "IP", "PORTS"}}};
  const rl::KeptEndpoint* srcPod = nullptr;  // examples: a pod with its own namespace ...
  const rl::KeptEndpoint* dstPod = nullptr;  // ... and another pod with an IPv4 and a TCP port
  const rl::KeptEndpoint* node = nullptr;
  for (const rl::KeptEndpoint& e : info.endpoints) {
    std::string netns = e.kind == "service" ? "(DNAT on every node)" : e.netns;
    rows.push_back({{e.endpoint, e.kind, e.node.empty() ? "-" : e.node,
                     netns.empty() ? "- (IPv6 only: not wired)" : netns,
                     e.ips.empty() ? "-" : joinWords(e.ips), e.ports.empty() ? "-" : e.ports}});
    bool wired = !e.netns.empty();
    if (e.kind == "pod" && wired && !srcPod) srcPod = &e;
    if (e.kind == "node" && wired && !node) node = &e;
  }
  for (const rl::KeptEndpoint& e : info.endpoints) {
    if ((e.kind != "pod" && e.kind != "hostnet-pod") || e.netns.empty() || &e == srcPod) continue;
    if (e.ports.find("/TCP") == std::string::npos) continue;
    if (e.ips.empty() || !parseIp(e.ips.front()) || parseIp(e.ips.front())->family != IpFamily::V4)
      continue;
    dstPod = &e;
    break;
  }
  rows.push_back({{"fabric", "fabric", "-", info.fabric, "169.254.0.1", "-"}});
  size_t w[6] = {};
  for (const auto& r : rows)
    for (int i = 0; i < 6; ++i) w[i] = std::max(w[i], r.cells[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (int i = 0; i < 6; ++i) line += fmt::format("{:<{}}", r.cells[i], i == 5 ? 0 : w[i] + 2);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << "  " << line << '\n';
  }

  std::vector<std::pair<std::string, std::string>> ex;  // command, comment
  if (srcPod) {
    const std::string &ns = srcPod->netns, &name = srcPod->endpoint;
    ex.push_back({"ip netns exec " + ns + " bash", "a shell inside pod " + name + "'s network"});
    ex.push_back({"ip -n " + ns + " -br addr", "its interfaces and addresses"});
    if (dstPod) {
      const std::string& ip = dstPod->ips.front();
      const std::string& ports = dstPod->ports;
      size_t tcp = ports.find("/TCP");
      size_t start = ports.rfind(',', tcp);
      std::string port = ports.substr(start == std::string::npos ? 0 : start + 1,
                                      tcp - (start == std::string::npos ? 0 : start + 1));
      ex.push_back({fmt::format("ip netns exec {} timeout 1 bash -c '</dev/tcp/{}/{}' && echo open",
                                ns, ip, port),
                    fmt::format("TCP connect {} -> {}:{} (a dropped one times out)", name,
                                dstPod->endpoint, port)});
    }
  }
  if (node) {
    const std::string &ns = node->netns, &name = node->node;
    ex.push_back({"ip netns exec " + ns + " nft -a list ruleset",
                  name + "'s Service and NetworkPolicy rules"});
    ex.push_back({"ip -n " + ns + " route", name + "'s routes to its pods"});
  }
  std::vector<std::string> files;
  for (const auto& f : info.files) files.push_back(shellWord(f));
  if (!files.empty())
    ex.push_back(
        {"netpolfuzz expect " + joinWords(files), "the verdict the oracle expects for every cell"});
  size_t cw = 0;
  for (const auto& [c, _] : ex) cw = std::max(cw, c.size());
  std::cout << "\nPoke at it (as root):\n";
  for (const auto& [c, comment] : ex) std::cout << fmt::format("  {:<{}}  # {}\n", c, cw, comment);
  std::cout << fmt::format("Status:       netpolfuzz local status {}\n", run);
  std::cout << fmt::format("Take it down: netpolfuzz local down {}\n", run);
}

// ------------------------------------------------------------------ up

int runLocalUp(const LocalUpOptions& o) {
  Profile profile;
  if (!parseProfile(o.profile, profile)) return kExitBadInput;
  const auto& supported = rl::LocalBackend::supportedFaults();
  for (const auto& f : o.faults)
    if (std::find(supported.begin(), supported.end(), f) == supported.end()) {
      std::cerr << fmt::format(
          "netpolfuzz local up: --inject-fault: unknown fault class '{}'; supported: {}\n", f,
          fmt::join(supported, ", "));
      return kExitBadInput;
    }
  Loaded l = loadCase(o.files);
  printDiagnostics(l);
  if (!l.errors.empty()) return kExitBadInput;
  rl::KeepUpRequest request;
  request.states = caseStates(l.kase);
  request.step = o.step.value_or(0);
  const size_t steps = request.states.size() - 1;
  if (request.step > steps) {
    std::cerr << fmt::format(
        "netpolfuzz local up: --step {}: the case has {} step{} (give 0..{})\n", request.step,
        steps, steps == 1 ? "" : "s", steps);
    return kExitBadInput;
  }
  if (auto e = rl::checkPrivileges(); !e.empty()) {
    std::cerr << "netpolfuzz local up: " << e << '\n';
    return kExitInfrastructure;
  }
  if (auto e = rl::missingKeptClusterTools(o.cniPath); !e.empty()) {
    std::cerr << "netpolfuzz local up: " << e << '\n';
    return kExitInfrastructure;
  }

  request.options.profile = profile;
  request.options.faults = {o.faults.begin(), o.faults.end()};
  request.options.cniPath = o.cniPath;
  request.options.stateRoot = kStateRoot;
  request.files = o.files;
  request.profile = o.profile;
  request.faults = o.faults;
  std::cout.flush();
  std::cerr.flush();
  rl::KeepUpResult r = rl::keepClusterUp(request);
  for (const auto& e : r.cleanupErrors) std::cerr << "netpolfuzz local up: cleanup: " << e << '\n';
  using Outcome = rl::KeepUpResult::Outcome;
  switch (r.outcome) {
    case Outcome::CannotStart:
      std::cerr << "netpolfuzz local up: " << r.error << '\n';
      return kExitInfrastructure;
    case Outcome::Interrupted:
      std::cerr << fmt::format("netpolfuzz local up: interrupted; run {} torn down\n", r.run);
      return 130;
    case Outcome::SetUpFailed:
      std::cerr << fmt::format("netpolfuzz local up: cannot bring {} up: {}\n", r.run, r.error);
      return kExitInfrastructure;
    case Outcome::InfoUnreadable:
      std::cerr << fmt::format(
          "netpolfuzz local up: {} is unreadable; the run may have been stopped\n",
          rl::keptClusterInfoPath(kStateRoot, r.run));
      return kExitInfrastructure;
    case Outcome::Up:
      break;
  }
  std::cout << fmt::format(
      "run {} is up (daemon pid {}): {}, {}{}{}\n", r.run, r.info.pid, joinWords(o.files),
      stateLabel(r.info),
      o.faults.empty() ? "" : ", injected fault " + fmt::format("{}", fmt::join(o.faults, ",")),
      o.profile.empty() ? "" : ", profile " + joinWords(o.profile));
  printUpInfo(r.info);
  return kExitOk;
}

// ------------------------------------------------------------------ down, status, cleanup

// "npf-1a2b3c-fab npf-1a2b3c-n0 ..." when few, else a summary by kind ("fabric, 4 nodes, ...").
std::string describeNamespaces(const std::string& run, const std::vector<std::string>& names) {
  if (names.size() <= 12) return joinWords(names);
  std::map<char, size_t> kinds;
  for (const auto& n : names) ++kinds[n.size() > run.size() + 1 ? n[run.size() + 1] : '?'];
  std::vector<std::string> parts;
  for (auto [k, label] :
       {std::pair{'f', "fabric"}, {'n', "node"}, {'e', "external host"}, {'p', "pod"}})
    if (kinds.count(k))
      parts.push_back(k == 'f' ? label
                               : fmt::format("{} {}{}", kinds[k], label, kinds[k] == 1 ? "" : "s"));
  return fmt::format("{}-*: {}", run, fmt::join(parts, ", "));
}

void printCleanupReport(const rl::CleanupReport& r) {
  if (!r.killedPids.empty()) {
    std::vector<std::string> pids;
    for (int p : r.killedPids) pids.push_back(std::to_string(p));
    std::cout << fmt::format("killed {} process(es) left in leftover namespaces: {}\n", pids.size(),
                             joinWords(pids));
  }
  if (!r.removedNamespaces.empty())
    std::cout << fmt::format("removed {} network namespace(s): {}\n", r.removedNamespaces.size(),
                             joinWords(r.removedNamespaces));
  if (!r.removedRuns.empty())
    std::cout << fmt::format("removed the state of {} dead run(s): {}\n", r.removedRuns.size(),
                             joinWords(r.removedRuns));
  for (const auto& e : r.errors) std::cerr << "netpolfuzz local: " << e << '\n';
}

int runLocalDown(const LocalDownOptions& o) {
  for (const auto& r : o.runs)
    if (!rl::runExists(kStateRoot, r)) {
      std::cerr << fmt::format(
          "netpolfuzz local down: unknown run '{}' (see netpolfuzz local status)\n", r);
      return kExitBadInput;
    }
  if (auto e = rl::checkPrivileges(); !e.empty()) {
    std::cerr << "netpolfuzz local down: " << e << '\n';
    return kExitInfrastructure;
  }
  std::vector<std::string> runs = o.runs;
  if (runs.empty()) {
    runs = rl::liveKeptClusters(kStateRoot);
    if (runs.empty()) {
      std::cout << "no `local up` run is alive\n";
      return kExitOk;
    }
  }
  int rc = kExitOk;
  bool leftovers = false;
  for (const auto& run : runs) {
    rl::StopResult stop = rl::stopKeptCluster(kStateRoot, run, o.waitSeconds);
    using Outcome = rl::StopResult::Outcome;
    switch (stop.outcome) {
      case Outcome::Dead:
        std::cout << fmt::format("{}: dead; removing its leftovers\n", run);
        leftovers = true;
        break;
      case Outcome::NotKeptCluster:
        std::cerr << fmt::format(
            "netpolfuzz local down: {} is not a `local up` run (owner pid {}: {}); stop that "
            "program instead\n",
            run, stop.pid, commandLineCell(stop.pid));
        rc = kExitBadInput;
        break;
      case Outcome::Stopped:
        std::cout << fmt::format(
            "{}: stopped (daemon pid {}); removed {} network namespace(s) ({}) and {}\n", run,
            stop.pid, stop.namespacesBefore.size(), describeNamespaces(run, stop.namespacesBefore),
            rl::runDir(kStateRoot, run));
        break;
      case Outcome::StillThere:
        std::cout << fmt::format("{}: still there after {} s; killing daemon pid {}\n", run,
                                 o.waitSeconds, stop.pid);
        rl::killKeptCluster(kStateRoot, run, stop.pid);
        leftovers = true;
        break;
    }
  }
  if (leftovers) {
    rl::CleanupReport r = rl::cleanupLeftovers(runner::realProcessRunner(), kStateRoot);
    printCleanupReport(r);
    if (!r.errors.empty()) rc = std::max(rc, kExitInfrastructure);
  }
  return rc;
}

// The STATE / PID / NAMESPACES / WHAT table of every run in `runs`.
void printRunTable(const std::vector<std::string>& runs) {
  struct Row {
    std::string run, state, pid, ns, what;
  };
  std::vector<Row> rows{{"RUN", "STATE", "PID", "NAMESPACES", "WHAT"}};
  for (const auto& run : runs) {
    bool alive = rl::runIsAlive(kStateRoot, run);
    long pid = rl::ownerPid(kStateRoot, run);
    std::string what;
    if (auto up = rl::readKeptClusterInfo(kStateRoot, run)) {
      what = fmt::format("local up {}, {}", joinWords(up->files), stateLabel(*up));
      if (!up->faults.empty())
        what += ", injected fault " + fmt::format("{}", fmt::join(up->faults, ","));
      what += ", since " + up->started;
    } else if (alive) {
      what = "other run: " + commandLineCell(pid);
    } else {
      what = "other run (owner gone)";
    }
    if (!alive) what += "; leftovers: netpolfuzz local cleanup";
    rows.push_back({run, alive ? "alive" : "dead", pid ? std::to_string(pid) : "-",
                    std::to_string(rl::listNamespaces(run + "-").size()), what});
  }
  size_t w[4] = {};
  for (const auto& r : rows) {
    w[0] = std::max(w[0], r.run.size()), w[1] = std::max(w[1], r.state.size());
    w[2] = std::max(w[2], r.pid.size()), w[3] = std::max(w[3], r.ns.size());
  }
  for (const auto& r : rows)
    std::cout << fmt::format("{:<{}}  {:<{}}  {:>{}}  {:>{}}  {}\n", r.run, w[0], r.state, w[1],
                             r.pid, w[2], r.ns, w[3], r.what);
}

int runLocalStatus(const LocalStatusOptions& o) {
  for (const auto& r : o.runs)
    if (!rl::runExists(kStateRoot, r)) {
      std::cerr << fmt::format("netpolfuzz local status: unknown run '{}'\n", r);
      return kExitBadInput;
    }
  std::vector<std::string> runs = o.runs.empty() ? rl::runsWithState(kStateRoot) : o.runs;
  std::set<std::string> withState(runs.begin(), runs.end());
  std::map<std::string, std::vector<std::string>> orphans;  // run -> namespaces without state
  std::vector<std::string> foreign;                         // npf-* not named by a run id
  if (o.runs.empty())
    for (const auto& ns : rl::listNamespaces("npf-")) {
      std::string run = rl::runIdOfNamespace(ns);
      if (run.empty())
        foreign.push_back(ns);
      else if (!withState.count(run))
        orphans[run].push_back(ns);
    }
  if (runs.empty() && orphans.empty() && foreign.empty()) {
    std::cout << "no runs\n";
    return kExitOk;
  }
  if (!runs.empty()) printRunTable(runs);
  if (!orphans.empty()) {
    std::cout << "\nnetwork namespaces of runs without a state directory (leftovers; netpolfuzz "
                 "local cleanup "
                 "removes them):\n";
    for (const auto& [run, names] : orphans)
      std::cout << fmt::format("  {}: {} namespace(s): {}\n", run, names.size(), joinWords(names));
  }
  if (!foreign.empty())
    std::cout << fmt::format(
        "\nnamespaces named npf-* that no netpolfuzz run owns (left alone): {}\n",
        joinWords(foreign));
  for (const auto& run : o.runs)
    if (auto up = rl::readKeptClusterInfo(kStateRoot, run)) {
      std::cout << fmt::format("\n{}: {}, {}\n", run, joinWords(up->files), stateLabel(*up));
      printUpInfo(*up);
    }
  return kExitOk;
}

int runLocalCleanup() {
  if (auto e = rl::checkPrivileges(); !e.empty()) {
    std::cerr << "netpolfuzz local cleanup: " << e << '\n';
    return kExitInfrastructure;
  }
  rl::CleanupReport r = rl::cleanupLeftovers(runner::realProcessRunner(), kStateRoot);
  if (r.killedPids.empty() && r.removedNamespaces.empty() && r.removedRuns.empty() &&
      r.errors.empty())
    std::cout << "nothing to clean up\n";
  printCleanupReport(r);
  std::vector<std::string> live;
  for (const auto& run : rl::runsWithState(kStateRoot))
    if (rl::runIsAlive(kStateRoot, run)) live.push_back(run);
  if (!live.empty())
    std::cout << fmt::format("left alone: {} live run(s): {}\n", live.size(), joinWords(live));
  return r.errors.empty() ? kExitOk : kExitInfrastructure;
}

}  // namespace

Command addLocalCommand(CLI::App& app) {
  CLI::App* local = app.add_subcommand(
      "local",
      "Keep one case's cluster up on the local dataplane (network namespaces, CNI ptp, nftables) "
      "to inspect it by hand, and manage netpolfuzz runs on this machine: up, down, status, "
      "cleanup.\nExample: netpolfuzz local up case.yaml; then netpolfuzz local down");
  local->require_subcommand(1);

  auto up = std::make_shared<LocalUpOptions>();
  CLI::App* upCmd = local->add_subcommand(
      "up",
      "Bring a case's cluster up on the local dataplane and leave it up: every pod, node and "
      "external host becomes a network namespace (pods with their case IP and servers on every "
      "declared container port: TCP accepts, UDP echoes), Services and NetworkPolicies become "
      "nftables rules in the node namespaces. A daemon process owns the cluster until "
      "`netpolfuzz local down`. Prints the run id, every endpoint's network namespace and IP, "
      "and commands to inspect them.\nNeeds root (CAP_NET_ADMIN, CAP_SYS_ADMIN), iproute2, "
      "nftables and containernetworking-plugins.\nExit: 0 up, 2 bad input, 3 could not be set "
      "up (nothing is left behind).\nExample: sudo netpolfuzz local up case.yaml --step 1");
  upCmd->add_option("files", up->files, "Case files (YAML or JSON manifests), merged into one case")
      ->required();
  upCmd
      ->add_option("--step", up->step,
                   "Bring up the state after this many of the case's steps (the initial state is "
                   "set up and each step applied in turn, as a run does); default 0")
      ->type_name("N");
  addProfileOption(*upCmd, up->profile);
  upCmd
      ->add_option("--inject-fault", up->faults,
                   "Make the dataplane reproduce a known CNI bug class (repeatable; `netpolfuzz "
                   "fuzz --list-faults` lists them)")
      ->type_name("CLASS");
  upCmd->add_option("--cni-path", up->cniPath, "Directory of the CNI plugin binaries")
      ->capture_default_str();

  auto down = std::make_shared<LocalDownOptions>();
  CLI::App* downCmd = local->add_subcommand(
      "down",
      "Take `local up` runs down: SIGTERM to each run's daemon, which removes its namespaces "
      "and state; one that is not gone after --wait seconds is killed and its leftovers "
      "removed. Without RUN: every live `local up` run. A dead RUN's leftovers are removed as "
      "by `local cleanup`. Never stops other programs' runs (fuzz campaigns, tests).\nNeeds "
      "root.\nExit: 0 done, 2 unknown run, 3 something could not be removed.\nExample: sudo "
      "netpolfuzz local down npf-1a2b3c");
  downCmd
      ->add_option("runs", down->runs,
                   "Run ids (npf-xxxxxx) as printed by `local up` / `local status`")
      ->type_name("RUN");
  downCmd
      ->add_option("--wait", down->waitSeconds, "Seconds to wait for a run to go before killing it")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();

  auto status = std::make_shared<LocalStatusOptions>();
  CLI::App* statusCmd = local->add_subcommand(
      "status",
      "List every netpolfuzz run on this machine (state under /run/netpolfuzz): run id, alive "
      "or dead (a crashed run's leftovers), owner pid, network namespaces, and what it is (a "
      "`local up` run with its case files and step, or another program such as a fuzz "
      "campaign); and npf-* network namespaces that no run's state explains. With RUN: also "
      "that `local up` run's endpoints, namespaces and IPs.\nNeeds no root.\nExample: "
      "netpolfuzz local status; netpolfuzz local status npf-1a2b3c");
  statusCmd->add_option("runs", status->runs, "Run ids to show in detail")->type_name("RUN");

  CLI::App* cleanupCmd = local->add_subcommand(
      "cleanup",
      "Remove what dead netpolfuzz runs left behind (a killed `local up` daemon or fuzz "
      "campaign): processes inside their namespaces, the namespaces (with their veths, routes, "
      "nftables tables and conntrack entries) and their state directories. Live runs are never "
      "touched.\nNeeds root.\nExit: 0 done, 3 something could not be removed.\nExample: sudo "
      "netpolfuzz local cleanup");

  return {local, [=]() {
            if (upCmd->parsed()) return runLocalUp(*up);
            if (downCmd->parsed()) return runLocalDown(*down);
            if (statusCmd->parsed()) return runLocalStatus(*status);
            if (cleanupCmd->parsed()) return runLocalCleanup();
            return kExitBadInput;
          }};
}

}  // namespace npf::cli
