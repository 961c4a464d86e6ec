#include "runner/simulated/simulated_backend.h"

#include <fmt/format.h>

#include <algorithm>

#include "oracle/matrix.h"
#include "runner/campaign.h"

namespace npf::runner {
namespace {

// Each simulated fault rewrites the policies the way the bug class misreads them (the local
// backend's fault of the same name compiles the same misreading into nftables).
void forEachRule(Cluster& c, const std::function<void(NetworkPolicyRule&)>& fn) {
  for (auto& p : c.policies)
    for (auto* rules : {&p.ingress, &p.egress})
      if (*rules)
        for (auto& r : **rules) fn(r);
}

void forEachSelector(Cluster& c, const std::function<void(LabelSelector&)>& fn) {
  for (auto& p : c.policies)
    if (p.podSelector) fn(*p.podSelector);
  forEachRule(c, [&](NetworkPolicyRule& r) {
    if (!r.peers) return;
    for (auto& peer : *r.peers) {
      if (peer.podSelector) fn(*peer.podSelector);
      if (peer.namespaceSelector) fn(*peer.namespaceSelector);
    }
  });
}

using FaultTransform = void (*)(Cluster&);

const std::vector<std::pair<std::string, FaultTransform>>& faultTransforms() {
  static const std::vector<std::pair<std::string, FaultTransform>> all = {
      {"ENDPORT_IGNORED",
       [](Cluster& c) {
         forEachRule(c, [](NetworkPolicyRule& r) {
           if (r.ports)
             for (auto& port : *r.ports) port.endPort.reset();
         });
       }},
      {"MULTI_PEER_DROPPED",
       [](Cluster& c) {
         forEachRule(c, [](NetworkPolicyRule& r) {
           if (r.peers && r.peers->size() > 1) r.peers->resize(1);
         });
       }},
      {"MATCHEXPRESSIONS",
       [](Cluster& c) {
         forEachSelector(c, [](LabelSelector& s) { s.matchExpressions.clear(); });
       }},
      {"NS_AND_POD_SELECTOR",
       [](Cluster& c) {
         // A peer with both selectors matched as OR: the namespaces, or the pods of the policy's
         // own namespace.
         forEachRule(c, [](NetworkPolicyRule& r) {
           if (!r.peers) return;
           std::vector<NetworkPolicyPeer> split;
           for (const auto& peer : *r.peers) {
             if (peer.podSelector && peer.namespaceSelector) {
               split.push_back({std::nullopt, peer.namespaceSelector, std::nullopt});
               split.push_back({peer.podSelector, std::nullopt, std::nullopt});
             } else {
               split.push_back(peer);
             }
           }
           r.peers = std::move(split);
         });
       }},
      {"LABEL_UPDATE_STALE", [](Cluster&) {}},  // the remembered labels, in enforced()
  };
  return all;
}

}  // namespace

SimulatedBackend::SimulatedBackend(SimulatedOptions options) : opt_(std::move(options)) {}

const std::vector<std::string>& SimulatedBackend::supportedFaults() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, fn] : faultTransforms()) out.push_back(name);
    return out;
  }();
  return names;
}

std::string SimulatedBackend::configure(const RunSettings& settings) {
  for (const auto& f : settings.faults)
    if (std::find(supportedFaults().begin(), supportedFaults().end(), f) == supportedFaults().end())
      return fmt::format("the simulated backend cannot inject {} (it simulates {})", f,
                         fmt::join(supportedFaults(), ", "));
  settings_ = settings;
  counters_.configured.push_back(settings);
  return "";
}

std::string SimulatedBackend::setUp(const Cluster& desired) {
  ++counters_.setUps;
  counters_.setUpPolicies.push_back(desired.policies.size());
  if (!opt_.setUpError.empty()) return opt_.setUpError;
  podLabels_.clear();
  namespaceLabels_.clear();
  attempts_.clear();
  if (addresses_) addresses_->clear();
  up_ = true;
  return apply(desired);
}

std::string SimulatedBackend::reconcile(const Cluster& desired) {
  if (!up_) return "reconcile before setUp";
  ++counters_.reconciles;
  if (desired.nodes != actual_.nodes && !actual_.nodes.empty())
    return "nodes are fixed for the life of a cluster";
  return apply(desired);
}

void SimulatedBackend::tearDown() {
  if (!up_) return;
  ++counters_.tearDowns;
  up_ = false;
  actual_ = Cluster{};
}

std::string SimulatedBackend::apply(const Cluster& desired) {
  for (const auto& f : settings_.faults)
    if (std::find(supportedFaults().begin(), supportedFaults().end(), f) == supportedFaults().end())
      return "unknown fault class " + f;
  Cluster next = desired;
  if (!opt_.reassignPodIpv4.empty()) {
    if (!addresses_) {
      std::string error;
      addresses_ = PodAddressMap::forRange(opt_.reassignPodIpv4, error);
      if (!addresses_) return "reassignPodIpv4: " + error;
    }
    std::set<IpAddress> taken;
    for (const auto& p : desired.pods)
      for (const auto& a : p.podIPs)
        if (auto ip = parseIp(a)) taken.insert(*ip);
    for (const auto& [from, to] : addresses_->assigned()) taken.insert(to);
    for (auto& p : next.pods) {
      if (p.hostNetwork) continue;
      auto ip = parseIp(p.podIP);
      if (!ip || ip->family != IpFamily::V4) continue;
      auto to = addresses_->map(*ip, taken);
      if (!to) return "no free address in " + opt_.reassignPodIpv4;
      for (auto& other : p.podIPs)
        if (other == p.podIP) other = toString(*to);
      p.podIP = toString(*to);
    }
  }
  // Labels as first seen; a pod deleted and created again is a new pod.
  std::map<std::string, Labels> pods;
  for (const auto& p : next.pods) {
    std::string key = p.meta.namespace_ + "/" + p.meta.name;
    auto it = podLabels_.find(key);
    pods[key] = it != podLabels_.end() ? it->second : p.meta.labels;
  }
  podLabels_ = std::move(pods);
  for (const auto& n : next.namespaces) namespaceLabels_.emplace(n.meta.name, n.meta.labels);
  actual_ = std::move(next);
  return "";
}

Cluster SimulatedBackend::enforced() const {
  Cluster c = actual_;
  std::map<std::string, Labels> pinned;  // pod -> the Service labels it keeps
  auto injected = [&](const std::string& f) {
    return std::find(settings_.faults.begin(), settings_.faults.end(), f) != settings_.faults.end();
  };
  if (injected("LABEL_UPDATE_STALE")) {
    // Only the policy rules miss label changes; Services keep selecting by the current labels.
    // Each Service is pinned to the pods it selects now through a label of its own (a key no
    // policy uses) before the labels go back to what the rules remember.
    for (auto& svc : c.services) {
      if (!svc.selector || svc.selector->empty()) continue;
      const std::string key = "simulated.netpolfuzz.io/service-" + svc.meta.name;
      for (auto& p : c.pods) {
        if (p.meta.namespace_ != svc.meta.namespace_) continue;
        bool selected = true;
        for (const auto& [k, v] : *svc.selector) {
          auto it = p.meta.labels.find(k);
          selected = selected && it != p.meta.labels.end() && it->second == v;
        }
        if (selected) pinned[p.meta.namespace_ + "/" + p.meta.name][key] = "1";
      }
      svc.selector = Labels{{key, "1"}};
    }
    for (auto& p : c.pods)
      if (auto it = podLabels_.find(p.meta.namespace_ + "/" + p.meta.name);
          it != podLabels_.end()) {
        p.meta.labels = it->second;
        for (const auto& [k, v] : pinned[it->first]) p.meta.labels[k] = v;
      }
    for (auto& n : c.namespaces)
      if (auto it = namespaceLabels_.find(n.meta.name); it != namespaceLabels_.end())
        n.meta.labels = it->second;
  }
  for (const auto& [name, transform] : faultTransforms())
    if (injected(name)) transform(c);
  if (opt_.bug) opt_.bug(c);
  return c;
}

std::vector<ProbeResult> SimulatedBackend::probe(const std::vector<Probe>& probes,
                                                 const ProbeOptions&) {
  using K = ProbeResult::Kind;
  const Cluster seen = enforced();
  // One block per probe keeps the simulation obviously right; the matrix engine is fast enough.
  ProbeSet set;
  for (const auto& p : probes) set.blocks.push_back({{p.from}, {p.target}});
  const Matrix m = computeMatrix(seen, set, settings_.profile);
  std::vector<ProbeResult> out;
  out.reserve(probes.size());
  for (size_t i = 0; i < probes.size(); ++i) {
    ++counters_.probed;
    if (opt_.script)
      if (auto scripted = opt_.script(probes[i], attempts_[probes[i]]++)) {
        out.push_back(*scripted);
        continue;
      }
    ProbeResult r;
    r.latencyMs = 0.1;
    switch (m.get(i)) {
      case Matrix::Cell::Skip:
        r.kind = K::Skipped;
        r.detail = "the oracle cannot probe this cell";
        break;
      case Matrix::Cell::Deny:
        r.kind = K::Timeout;
        break;
      case Matrix::Cell::Allow:
      case Matrix::Cell::Undefined:
        r.kind = destinationServed(seen, probes[i]) ? K::Connected : K::Refused;
        break;
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace npf::runner
