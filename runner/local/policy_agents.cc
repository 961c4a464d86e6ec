#include "runner/local/policy_agents.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "runner/local/control_plane.h"

namespace npf::runner::local {

namespace {

using Clock = std::chrono::steady_clock;

int64_t wallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace

int parseKubeRouterSyncLine(const std::string& line, int64_t& startNs) {
  static const std::string start = "Starting sync of iptables with version: ";
  if (auto at = line.find(start); at != std::string::npos) {
    int64_t v = 0;
    size_t i = at + start.size();
    bool any = false;
    for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
      v = v * 10 + (line[i] - '0');
      any = true;
    }
    if (!any) return 0;
    startNs = v;
    return 1;
  }
  return line.find("sync iptables took") != std::string::npos ? -1 : 0;
}

PolicyAgents::PolicyAgents(EnforcerSpec spec, std::string kubeconfig, std::string logDir,
                           std::string serviceCidr, ProcessRunner* processes)
    : spec_(std::move(spec)),
      kubeconfig_(std::move(kubeconfig)),
      logDir_(std::move(logDir)),
      serviceCidr_(std::move(serviceCidr)),
      proc_(processes ? processes : &realProcessRunner()) {}

PolicyAgents::~PolicyAgents() { stop(); }

std::vector<std::string> PolicyAgents::argvFor(const AgentNode& node, std::string& error) const {
  if (spec_.kind == EnforcerKind::Exec)
    return expandCommandTemplate(spec_.commandTemplate, kubeconfig_, node.name, node.ip, error);
  std::string bin = (spec_.binDir.empty() ? defaultToolBinDir() : spec_.binDir) + "/kube-router-" +
                    kKubeRouterVersion;
  if (access(bin.c_str(), X_OK) != 0) {
    error = bin + " not found: build it with scripts/install-deps.sh --with-kube-router";
    return {};
  }
  return {bin,
          "--run-firewall=true",
          "--run-router=false",
          "--run-service-proxy=false",
          "--enable-cni=false",
          "--enable-ipv4=true",
          "--enable-ipv6=false",
          "--hostname-override=" + node.name,
          "--kubeconfig=" + kubeconfig_,
          "--service-cluster-ip-range=" + serviceCidr_,
          "--health-port=0",  // would listen on every address of the node, as a pod port may
          "--metrics-port=0",
          "--v=1"};
}

std::string PolicyAgents::start(const std::vector<AgentNode>& nodes) {
  std::error_code ec;
  std::filesystem::create_directories(logDir_, ec);
  const std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
                                     "HOME=" + logDir_, "KUBECONFIG=" + kubeconfig_};
  beforeWrites();
  for (const auto& n : nodes) {
    std::string error;
    auto argv = argvFor(n, error);
    if (!error.empty()) return error;
    Agent a;
    a.node = n;
    a.daemon = std::make_unique<Daemon>();
    a.log = fmt::format("{}/{}-{}.log", logDir_, toString(spec_.kind), n.name);
    std::filesystem::remove(a.log, ec);
    a.fingerprintBefore = spec_.kind == EnforcerKind::Exec ? fingerprintOf(a) : "";
    if (auto e = a.daemon->start(argv, env, n.netns, a.log); !e.empty())
      return fmt::format("{} on node {}: {}", toString(spec_.kind), n.name, e);
    agents_.push_back(std::move(a));
  }
  return "";
}

void PolicyAgents::beforeWrites() {
  writesStartNs_ = wallNs();
  for (auto& a : agents_) {
    readLog(a);
    if (spec_.kind == EnforcerKind::Exec) a.fingerprintBefore = fingerprintOf(a);
  }
}

void PolicyAgents::readLog(Agent& a) {
  std::ifstream in(a.log, std::ios::binary);
  if (!in) return;
  in.seekg(static_cast<std::streamoff>(a.offset));
  std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  a.offset += chunk.size();
  a.partial += chunk;
  size_t from = 0;
  for (size_t nl; (nl = a.partial.find('\n', from)) != std::string::npos; from = nl + 1) {
    int64_t startNs = 0;
    int kind = parseKubeRouterSyncLine(a.partial.substr(from, nl - from), startNs);
    if (kind > 0) {
      ++a.starts;
      a.lastStartNs = startNs;
    } else if (kind < 0) {
      ++a.ends;
      a.lastFinishedStartNs = a.lastStartNs;  // syncs run one at a time
    }
  }
  a.partial.erase(0, from);
}

std::string PolicyAgents::fingerprintOf(const Agent& a) {
  auto nft = proc_->run({"nft", "-s", "list", "ruleset"}, defaultToolEnv(), "", a.node.netns);
  auto ipset = proc_->run({"ipset", "save"}, defaultToolEnv(), "", a.node.netns);
  return nft.out + "\n--ipset--\n" + ipset.out;
}

std::string PolicyAgents::health() {
  for (auto& a : agents_)
    if (!a.daemon->running())
      return fmt::format("{} on node {} {}; see {}:\n{}", toString(spec_.kind), a.node.name,
                         a.daemon->exitDescription(), a.log, tailOfFile(a.log, 1500));
  return "";
}

bool PolicyAgents::hears(const std::set<std::string>& changedKinds) const {
  if (spec_.kind != EnforcerKind::KubeRouter) return !changedKinds.empty();
  return changedKinds.count("Pod") || changedKinds.count("Namespace") ||
         changedKinds.count("NetworkPolicy");
}

Convergence PolicyAgents::waitConverged() {
  Convergence c;
  auto t0 = Clock::now();
  std::vector<bool> done(agents_.size(), false);
  std::vector<Clock::time_point> lastChange(agents_.size(), t0);
  std::vector<std::string> lastSeen(agents_.size());
  std::vector<size_t> lastStarts(agents_.size());
  for (size_t i = 0; i < agents_.size(); ++i) {
    lastStarts[i] = agents_[i].starts;
    lastSeen[i] = agents_[i].fingerprintBefore;
  }
  std::vector<bool> changed(agents_.size(), false);
  // When each node last reached the state it converged in (its rules' last change, or the end
  // of the sync that caught up): the convergence time, without the quiet period after it.
  std::vector<std::optional<Clock::time_point>> settledAt(agents_.size());
  for (;;) {
    if (auto h = health(); !h.empty()) {
      c.error = h;
      return c;
    }
    bool all = true;
    for (size_t i = 0; i < agents_.size(); ++i) {
      if (done[i]) continue;
      Agent& a = agents_[i];
      auto now = Clock::now();
      if (spec_.kind == EnforcerKind::KubeRouter) {
        readLog(a);
        if (a.starts != lastStarts[i]) {
          lastStarts[i] = a.starts;
          lastChange[i] = now;
        }
        bool caughtUp = a.lastFinishedStartNs >= writesStartNs_ && a.starts == a.ends;
        if (!caughtUp)
          settledAt[i].reset();
        else if (!settledAt[i])
          settledAt[i] = now;
        done[i] =
            caughtUp &&
            std::chrono::duration<double, std::milli>(now - lastChange[i]).count() >= spec_.quietMs;
      } else {
        std::string f = fingerprintOf(a);
        if (f != lastSeen[i]) {
          lastSeen[i] = f;
          lastChange[i] = now;
          changed[i] = true;
          settledAt[i] = now;
        }
        double quiet = std::chrono::duration<double, std::milli>(now - lastChange[i]).count();
        done[i] = changed[i] ? quiet >= spec_.quietMs : msSince(t0) >= spec_.settleMs;
      }
      all = all && done[i];
    }
    if (all) break;
    if (msSince(t0) >= spec_.timeoutMs) {
      for (bool d : done) c.timedOutNodes += d ? 0 : 1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  c.ms = 0;
  for (size_t i = 0; i < agents_.size(); ++i) {
    auto at = done[i] ? settledAt[i].value_or(t0) : Clock::now();
    c.ms = std::max(c.ms, std::chrono::duration<double, std::milli>(at - t0).count());
  }
  return c;
}

void PolicyAgents::stop() {
  for (auto& a : agents_)
    if (a.daemon) a.daemon->stop();
}

}  // namespace npf::runner::local
