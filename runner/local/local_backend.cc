#include "runner/local/local_backend.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "model/endpoint_address.h"
#include "model/service_backends.h"
#include "runner/local/prober.h"

namespace npf::runner::local {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// The fabric's address on every link: nodes and external hosts route through it.
IpAddress fabricGateway() { return *parseIp("169.254.0.1"); }
// IPv6 next hops on the fabric's links: the fabric's end, and the node's or external host's.
const char* const kFabricLinkLocal = "fe80::1";
const char* const kHostLinkLocal = "fe80::2";
// How long the kernel may take to destroy a deleted pod namespace's links (usually a few ms;
// seconds only on a machine that is thrashing) before they are deleted one by one.
constexpr int kLinkGoneTimeoutMs = 2000;

// Each address once, in order.
std::vector<std::string> withoutDuplicates(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& a : in)
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  return out;
}

std::string podKey(const Pod& p) { return p.meta.namespace_ + "/" + p.meta.name; }

void addAddresses(std::set<IpAddress>& out, const std::vector<std::string>& texts) {
  for (const auto& t : texts)
    if (auto ip = parseIp(t)) out.insert(*ip);
}

// v4 first, then the others in order (the family this backend serves is listed first).
std::vector<std::string> ipv4First(const std::vector<std::string>& in, const IpAddress& v4) {
  std::vector<std::string> out{toString(v4)};
  for (const auto& a : in) {
    auto ip = parseIp(a);
    if (ip && *ip == v4) continue;
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  return out;
}

std::set<ServerSpec> serversOf(const Pod& p, const std::string& bindIp) {
  std::set<ServerSpec> out;
  for (const auto& c : p.containers)
    for (const auto& port : c.ports)
      if (port.containerPort > 0 && port.containerPort < 65536)
        out.insert(ServerSpec{port.effectiveProtocol(), port.containerPort, bindIp});
  return out;
}

const char* familyName(IpFamily f) { return f == IpFamily::V4 ? "IPv4" : "IPv6"; }

}  // namespace

const std::vector<std::string>& LocalBackend::supportedFaults() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> all = compilerFaults();
    all.push_back("LABEL_UPDATE_STALE");
    all.push_back("POD_IP_REUSE");
    return all;
  }();
  return v;
}

std::string LocalBackend::describeFault(const std::string& fault) {
  static const std::map<std::string, std::string> d{
      {"NAMED_PORT_RESOLUTION",
       "egress named ports resolved on the source pod; ingress ones without protocol"},
      {"ENDPORT_IGNORED", "port..endPort enforced as the single port"},
      {"EMPTY_PORT", "port entries without a port ({} or protocol only) dropped"},
      {"PROTOCOL_CONFUSION", "every non-UDP protocol enforced as TCP"},
      {"IPBLOCK_EXCEPT_AS_DENY", "ipBlock except applied as a deny over every other allow"},
      {"MULTI_PEER_DROPPED", "only the first peer of each rule kept"},
      {"RULE_CROSS_PRODUCT", "every rule's peers get the ports of all rules of the policy"},
      {"POLICYTYPES", "policyTypes ignored: both sections enforced as written"},
      {"NS_AND_POD_SELECTOR", "a peer with namespace and pod selectors matched as OR"},
      {"MATCHEXPRESSIONS", "selectors' matchExpressions ignored (matchLabels only)"},
      {"SERVICE_PRE_DNAT", "egress judged on the ClusterIP and Service port, before DNAT"},
      {"NODE_TO_POD", "traffic from the own node judged by ingress policy (no exemption)"},
      {"PASS_AS_ALLOW", "an admin-tier Pass allows instead of handing over to NetworkPolicy"},
      {"PRIORITY_INVERTED", "cluster-scoped policies applied highest priority number first"},
      {"BANP_OVER_NP", "the baseline tier judged before NetworkPolicy, even for isolated pods"},
      {"RULE_ORDER_IGNORED", "a cluster-scoped policy's rules applied Deny first, not in order"},
      {"ANP_IMPLICIT_ISOLATION",
       "a pod an admin-tier policy selects is isolated: what no rule matches is dropped"},
      {"LABEL_UPDATE_STALE", "pod and namespace label changes never reach the rules"},
      {"POD_IP_REUSE",
       "a new pod with a deleted pod's IP is judged as the deleted pod (its namespace, labels, "
       "ports)"},
  };
  auto it = d.find(fault);
  return it == d.end() ? "" : it->second;
}

std::optional<IpAddress> LocalBackend::NodeState::address(IpFamily f) const {
  return f == IpFamily::V4 ? ip4View : ip6;
}

LocalBackend::LocalBackend(LocalOptions options) : opt_(std::move(options)) {
  // IPv6 is wired unless the enforcer runs IPv4 only or the kernel has no IPv6.
  if (opt_.enforcer.usesApiServer())
    noIpv6Reason_ = fmt::format("IPv6 is not wired with --enforcer {} (it runs with IPv6 off here)",
                                toString(opt_.enforcer.kind));
  else if (!kernelHasIpv6())
    noIpv6Reason_ = "IPv6 is not wired: this kernel has no IPv6";
  ipv6_ = noIpv6Reason_.empty();
  proc_ = opt_.processes ? opt_.processes : &realProcessRunner();
  if (opt_.netnsOps) {
    ops_ = opt_.netnsOps;
  } else {
    ownedOps_ = makeRealNetnsOps();
    ops_ = ownedOps_.get();
  }
  run_ = opt_.runId.empty() ? newRunId() : opt_.runId;
  table_ = "npf_" + run_.substr(4);
  fabric_ = run_ + "-fab";
}

LocalBackend::~LocalBackend() {
  unregisterTeardown(run_);
  tearDown();
}

std::string LocalBackend::configure(const RunSettings& settings) {
  if (opt_.enforcer.kind != EnforcerKind::Nftables && !settings.faults.empty())
    return fmt::format(
        "faults are injected into the nftables enforcer only; --enforcer {} runs as it is",
        toString(opt_.enforcer.kind));
  for (const auto& f : settings.faults)
    if (std::find(supportedFaults().begin(), supportedFaults().end(), f) == supportedFaults().end())
      return "unknown fault class " + f +
             " (supported: " + fmt::format("{}", fmt::join(supportedFaults(), ", ")) + ")";
  std::lock_guard lock(mu_);
  opt_.profile = settings.profile;
  opt_.faults = {settings.faults.begin(), settings.faults.end()};
  return "";
}

std::string LocalBackend::parallel(size_t n, const std::function<std::string(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::mutex m;
  std::string first;
  auto worker = [&] {
    for (size_t i; (i = next++) < n;) {
      std::string e = fn(i);
      if (!e.empty()) {
        std::lock_guard l(m);
        if (first.empty()) first = e;
      }
    }
  };
  size_t threads = std::min(n, size_t(std::max(1, opt_.parallelism)));
  if (threads <= 1) {
    worker();
    return first;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return first;
}

std::string LocalBackend::runIp(const std::string& netns, const std::string& batch, bool force) {
  if (batch.empty()) return "";
  std::vector<std::string> argv{"ip"};
  if (force) argv.push_back("-force");
  argv.insert(argv.end(), {"-batch", "-"});
  auto r = proc_->run(argv, defaultToolEnv(), batch, netns);
  if (r.ok()) return "";
  return fmt::format("ip -batch in {}: {}", netns.empty() ? "the root namespace" : netns,
                     r.err.empty() ? "exit " + std::to_string(r.exitCode) : r.err);
}

std::set<IpAddress> LocalBackend::knownAddresses(const Cluster& d, bool withGateways) const {
  std::set<IpAddress> out;
  for (const auto& p : d.pods) {
    addAddresses(out, {p.podIP});
    addAddresses(out, p.podIPs);
  }
  for (const auto& n : d.nodes) addAddresses(out, n.internalIPs);
  for (const auto& s : d.services) addAddresses(out, {s.clusterIP});
  for (const auto& e : d.externalHosts) addAddresses(out, {e.ip});
  for (const auto& [k, ip] : allocated_) out.insert(ip);
  if (reassigned_)
    for (const auto& [k, ip] : reassigned_->assigned()) out.insert(ip);
  for (const auto& n : nodes_) out.insert(n.ip);
  if (withGateways) out.insert(gateways_.begin(), gateways_.end());
  out.insert(fabricGateway());
  return out;
}

std::string LocalBackend::buildView(const Cluster& desired, Cluster& view) {
  // Only this project's nftables compiler knows the cluster-scoped tiers (kube-router does not
  // implement them; an agent's template has no way to say it does).
  if (opt_.enforcer.kind != EnforcerKind::Nftables)
    if (auto e = refuseClusterPolicies(desired,
                                       std::string("local (") + toString(opt_.enforcer.kind) + ")");
        !e.empty())
      return e;
  view = desired;
  std::set<IpAddress> avoid = knownAddresses(desired, true);
  uint32_t nextAlloc = 0;
  auto allocate = [&]() -> std::optional<IpAddress> {
    // 100.64.0.0/10 (shared address space): rarely used by cases.
    for (; nextAlloc < (1u << 22) - 2; ++nextAlloc) {
      uint32_t v = (100u << 24) | (64u << 16) | (nextAlloc + 2);
      IpAddress a;
      a.family = IpFamily::V4;
      a.bytes[0] = uint8_t(v >> 24), a.bytes[1] = uint8_t(v >> 16), a.bytes[2] = uint8_t(v >> 8),
      a.bytes[3] = uint8_t(v);
      if (!avoid.count(a)) {
        avoid.insert(a);
        ++nextAlloc;
        return a;
      }
    }
    return std::nullopt;
  };
  if (view.nodes.empty() && !view.pods.empty()) {
    Node n;
    n.meta.name = "node-1";
    view.nodes.push_back(n);
  }
  for (auto& n : view.nodes) {
    auto v4 = firstIpv4(n.internalIPs);
    if (!v4) {
      // Reuse the address a node got before (reconcile keeps nodes).
      if (auto it = nodeIpv4_.find(n.meta.name); it != nodeIpv4_.end()) v4 = it->second;
      if (!v4) v4 = allocate();
      if (!v4) return "no free address for node " + n.meta.name;
    }
    nodeIpv4_[n.meta.name] = *v4;
    // A node with IPv6 addresses only keeps them (its IPv4 is the dataplane's business); one
    // without any address gets the IPv4.
    if (!ipv6_ || !firstOfFamily(n.internalIPs, IpFamily::V6))
      n.internalIPs = ipv4First(n.internalIPs, *v4);
    else
      n.internalIPs = withoutDuplicates(n.internalIPs);
  }
  // LocalOptions::reassignPodIpv4: the pod address this backend uses for a case's address.
  if (!opt_.reassignPodIpv4.empty() && !reassigned_) {
    std::string error;
    reassigned_ = PodAddressMap::forRange(opt_.reassignPodIpv4, error);
    if (!reassigned_) return "reassignPodIpv4: " + error;
  }
  for (auto& p : view.pods) {
    if (p.nodeName.empty() || !view.findNode(p.nodeName)) p.nodeName = view.nodes.front().meta.name;
    if (p.hostNetwork) {
      p.podIPs = view.findNode(p.nodeName)->internalIPs;
      p.podIP = p.podIPs.front();
      continue;
    }
    auto v4 = firstIpv4(p);
    auto v6 = ipv6_ ? firstOfFamily(p, IpFamily::V6) : std::nullopt;
    if (v4 || v6) {
      std::vector<std::string> all;
      if (!p.podIP.empty()) all.push_back(p.podIP);
      all.insert(all.end(), p.podIPs.begin(), p.podIPs.end());
      // Declared order (the first address is where the pod is reached), unless only IPv4 is
      // wired: then the IPv4 address comes first.
      p.podIPs = ipv6_ ? withoutDuplicates(all) : ipv4First(all, *v4);
      if (reassigned_ && v4) {
        auto to = reassigned_->map(*v4, avoid);
        if (!to) return "no free address in " + opt_.reassignPodIpv4 + " for pod " + podKey(p);
        for (auto& a : p.podIPs)
          if (parseIp(a) == v4) a = toString(*to);
      }
      p.podIP = p.podIPs.front();
    } else if (p.podIP.empty() && p.podIPs.empty()) {
      std::string key = podKey(p);
      auto it = allocated_.find(key);
      if (it == allocated_.end()) {
        auto a = allocate();
        if (!a) return "no free address for pod " + key;
        it = allocated_.emplace(key, *a).first;
      }
      p.podIP = toString(it->second);
      p.podIPs = {p.podIP};
    }
    // With IPv4 only wired, IPv6-only pods keep their addresses and get no network (their
    // cells are Skipped).
  }
  return "";
}

const LocalBackend::NodeState* LocalBackend::findNode(const std::string& name) const {
  for (const auto& n : nodes_)
    if (n.name == name) return &n;
  return nullptr;
}

std::set<ServerSpec> LocalBackend::hostServersOf(const Pod& p, const NodeState& node) {
  auto out = serversOf(p, toString(node.ip));
  if (node.ip6)
    for (const auto& s : serversOf(p, toString(*node.ip6))) out.insert(s);
  return out;
}

LocalBackend::Wiring LocalBackend::wiringOf(const PodState& p) {
  return {p.node, p.host ? "host" : "", p.ip, p.ip6};
}

LocalBackend::PodState LocalBackend::podStateFor(const Pod& p) {
  PodState s;
  s.key = podKey(p);
  s.spec = p;
  s.node = p.nodeName;
  s.host = p.hostNetwork;
  const NodeState* node = findNode(p.nodeName);
  if (s.host) {
    s.ip = node->ip;
    s.ip6 = node->ip6;
    s.servers = hostServersOf(p, *node);
  } else {
    s.ip = firstIpv4(p);
    if (ipv6_) s.ip6 = firstOfFamily(p, IpFamily::V6);
    s.networked = s.ip || s.ip6;
    if (s.networked) {
      size_t n = podCounter_++;
      s.netns = fmt::format("{}-p{}", run_, n);
      s.containerId = s.netns;
    }
    s.servers = serversOf(p, "");
  }
  return s;
}

std::string LocalBackend::setUp(const Cluster& desired) {
  std::string err;
  {
    std::lock_guard lock(mu_);
    if (dirCreated_) return "local backend " + run_ + " is already set up; tear it down first";
    auto t0 = Clock::now();
    if (opt_.checkPrivileges)
      if (auto e = checkPrivileges(); !e.empty()) return e;
    for (const auto& f : opt_.faults)
      if (std::find(supportedFaults().begin(), supportedFaults().end(), f) ==
          supportedFaults().end())
        return "unknown fault class " + f;
    if (opt_.cleanupLeftoversFirst) cleanupLeftovers(*proc_, opt_.stateRoot, run_);
    if (auto e = createRunDir(opt_.stateRoot, run_); !e.empty()) return e;
    dirCreated_ = true;
    registerTeardown(run_, [this] {
      std::lock_guard l(mu_);
      tearDownLocked();
    });
    err = setUpLocked(desired);
    if (!err.empty()) {
      tearDownLocked();
    } else {
      up_ = true;
      timings_.setUpMs = msSince(t0);
    }
  }
  if (!err.empty()) unregisterTeardown(run_);
  return err;
}

std::string LocalBackend::setUpLocked(const Cluster& desired) {
  desired_ = desired;
  if (auto e = buildView(desired, view_); !e.empty()) return e;

  // Nodes, external hosts and pods as records first.
  for (size_t i = 0; i < view_.nodes.size(); ++i) {
    const Node& n = view_.nodes[i];
    NodeState st;
    st.name = n.meta.name;
    st.netns = fmt::format("{}-n{}", run_, i);
    st.fabricIf = fmt::format("n{}", i);
    st.ip = nodeIpv4_.at(n.meta.name);
    if (firstIpv4(n.internalIPs)) st.ip4View = st.ip;
    if (ipv6_) st.ip6 = firstOfFamily(n.internalIPs, IpFamily::V6);
    nodes_.push_back(st);
  }
  for (auto& e : externalHostsToWire(view_)) addExternalHost(std::move(e));
  std::vector<PodState*> created;
  for (const auto& p : view_.pods) {
    std::string key = podKey(p);
    if (pods_.count(key)) return "duplicate pod " + key;
    pods_[key] = podStateFor(p);
    podLabelsAtCreation_[key] = p.meta.labels;
    created.push_back(&pods_[key]);
  }
  for (const auto& ns : view_.namespaces) nsLabelsFirstSeen_.emplace(ns.meta.name, ns.meta.labels);

  // Namespaces for the fabric, nodes and external hosts (pods are created with theirs below).
  std::vector<const NodeState*> nodes;
  for (const auto& n : nodes_) nodes.push_back(&n);
  std::vector<const ExtState*> exts;
  for (const auto& e : exts_) exts.push_back(&e);
  if (auto e = wireHosts(nodes, exts, true); !e.empty()) return e;

  if (opt_.enforcer.usesApiServer()) {
    if (auto e = createPods(created); !e.empty()) return e;
    if (auto e = startEnforcer(); !e.empty()) return e;
    if (auto e = applyRules(); !e.empty()) return e;
  } else if (auto e = createPodsWhileRulesLoad(created, {}); !e.empty()) {
    return e;
  }
  timings_.podsCreated = created.size();
  timings_.podsDeleted = 0;
  timings_.podsReused = 0;

  // Servers last: a pod serves only once the rules that isolate it are in place.
  for (auto* p : created)
    if (p->networked)
      if (auto e = ops_->startServers(p->key, p->netns, {p->servers.begin(), p->servers.end()});
          !e.empty())
        return e;
  return syncHostServers();
}

// External hosts get a namespace unless a pod or node of the cluster has their address (their
// cells are Skipped), or they are IPv6 and only IPv4 is wired; the first of a duplicate address.
std::vector<LocalBackend::ExtState> LocalBackend::externalHostsToWire(const Cluster& view) const {
  std::set<IpAddress> clusterIps;
  for (const auto& n : nodes_) {
    clusterIps.insert(n.ip);
    if (n.ip6) clusterIps.insert(*n.ip6);
  }
  for (const auto& p : view.pods)
    for (IpFamily f : {IpFamily::V4, IpFamily::V6})
      if (auto ip = firstOfFamily(p, f)) clusterIps.insert(*ip);
  std::vector<ExtState> out;
  for (const auto& e : view.externalHosts) {
    auto ip = parseIp(e.ip);
    if (!ip || (ip->family == IpFamily::V6 && !ipv6_) || clusterIps.count(*ip)) continue;
    bool dup = false;
    for (const auto& x : out) dup = dup || x.ip == *ip;
    if (!dup) out.push_back(ExtState{e.name, "", "", *ip});
  }
  return out;
}

// Names are never reused within a run: a removed host's fabric-side veth may still be dying.
void LocalBackend::addExternalHost(ExtState e) {
  e.netns = fmt::format("{}-e{}", run_, nextExt_);
  e.fabricIf = fmt::format("e{}", nextExt_);
  ++nextExt_;
  exts_.push_back(std::move(e));
}

// Creates and wires the namespaces of `nodes` and `exts` (and the fabric's first, when
// `withFabric`): one veth per node and per external host from the fabric, its peer moved
// straight into the host's namespace. IPv4 through the fabric's 169.254.0.1 on every link,
// IPv6 through link-local next hops.
std::string LocalBackend::wireHosts(const std::vector<const NodeState*>& nodes,
                                    const std::vector<const ExtState*>& exts, bool withFabric) {
  {
    NamespaceCreationLock lock(opt_.stateRoot);
    std::string batch = withFabric ? "netns add " + fabric_ + "\n" : "";
    for (const auto* n : nodes) batch += "netns add " + n->netns + "\n";
    for (const auto* e : exts) batch += "netns add " + e->netns + "\n";
    if (auto e = runIp("", batch); !e.empty()) return e;
  }
  std::vector<std::pair<std::string, bool>> toConfigure;
  if (withFabric) toConfigure.push_back({fabric_, true});
  for (const auto* n : nodes) toConfigure.push_back({n->netns, true});
  for (const auto* e : exts) toConfigure.push_back({e->netns, false});
  if (auto e = parallel(
          toConfigure.size(),
          [&](size_t i) { return ops_->configure(toConfigure[i].first, toConfigure[i].second); });
      !e.empty())
    return e;

  std::string gw = toString(fabricGateway());
  std::string fab;
  auto link = [&](const std::string& ifname, const std::string& peerNetns,
                  const std::optional<IpAddress>& v4, const std::optional<IpAddress>& v6) {
    fab += fmt::format("link add {} type veth peer name eth0 netns {}\n", ifname, peerNetns);
    fab += fmt::format("addr add {}/32 dev {}\n", gw, ifname);
    if (ipv6_) fab += fmt::format("addr add {}/64 dev {} nodad\n", kFabricLinkLocal, ifname);
    fab += fmt::format("link set {} up\n", ifname);
    // `replace`: a removed external host's route to the same address may live on until its
    // veth is destroyed.
    if (v4) fab += fmt::format("route replace {}/32 dev {}\n", toString(*v4), ifname);
    if (v6)
      fab += fmt::format("route replace {}/128 via {} dev {}\n", toString(*v6), kHostLinkLocal,
                         ifname);
  };
  auto only = [](const IpAddress& ip, IpFamily f) {
    return ip.family == f ? std::optional<IpAddress>(ip) : std::nullopt;
  };
  for (const auto* n : nodes) link(n->fabricIf, n->netns, n->ip, n->ip6);
  for (const auto* e : exts)
    link(e->fabricIf, e->netns, only(e->ip, IpFamily::V4), only(e->ip, IpFamily::V6));
  if (auto e = runIp(fabric_, fab); !e.empty()) return e;
  auto hostSide = [&](const std::optional<IpAddress>& v4, const std::optional<IpAddress>& v6) {
    std::string out;
    if (v4) out += fmt::format("addr add {}/32 dev eth0\n", toString(*v4));
    if (ipv6_) out += fmt::format("addr add {}/64 dev eth0 nodad\n", kHostLinkLocal);
    if (v6) out += fmt::format("addr add {}/128 dev eth0 nodad\n", toString(*v6));
    out += "link set eth0 up\n";
    if (v4)
      out += fmt::format(
          "route add {1}/32 dev eth0 scope link\nroute add default via {1} dev eth0 src {0}\n",
          toString(*v4), gw);
    if (ipv6_) out += ipv6DefaultRoute(v6);
    return out;
  };
  std::vector<std::pair<std::string, std::string>> ends;
  for (const auto* n : nodes) ends.push_back({n->netns, hostSide(n->ip, n->ip6)});
  for (const auto* e : exts)
    ends.push_back({e->netns, hostSide(only(e->ip, IpFamily::V4), only(e->ip, IpFamily::V6))});
  return parallel(ends.size(), [&](size_t i) { return runIp(ends[i].first, ends[i].second); });
}

std::string LocalBackend::ipv6DefaultRoute(const std::optional<IpAddress>& source) const {
  return fmt::format("route replace ::/0 via {} dev eth0{}\n", kFabricLinkLocal,
                     source ? " src " + toString(*source) : "");
}

// Between cases of a campaign, nodes keep their names and IPv4 address (canReconcile) while
// their IPv6 address and the external hosts come and go (dual-stack and IPv4-only cases
// alternate): a node's IPv6 address is moved, external hosts are removed and added, instead
// of a new set-up. A removed host's fabric-side veth goes with its namespace (`dying`).
std::string LocalBackend::rewireNodesAndExternalHosts(const Cluster& view, Dying& dying) {
  std::string fabDel, fabAdd;  // every delete first: two nodes may swap addresses
  std::vector<std::pair<std::string, std::string>> nodeBatches;
  for (auto& n : nodes_) {
    const Node* want = view.findNode(n.name);
    auto ip6 = want && ipv6_ ? firstOfFamily(want->internalIPs, IpFamily::V6) : std::nullopt;
    if (ip6 == n.ip6) continue;
    std::string batch;
    if (n.ip6) {
      batch += fmt::format("addr del {}/128 dev eth0\n", toString(*n.ip6));
      fabDel += fmt::format("route del {}/128\n", toString(*n.ip6));
    }
    if (ip6) {
      batch += fmt::format("addr add {}/128 dev eth0 nodad\n", toString(*ip6));
      fabAdd += fmt::format("route replace {}/128 via {} dev {}\n", toString(*ip6), kHostLinkLocal,
                            n.fabricIf);
    }
    batch += ipv6DefaultRoute(ip6);
    nodeBatches.push_back({n.netns, batch});
    n.ip6 = ip6;
  }
  std::string err = parallel(nodeBatches.size(), [&](size_t i) {
    return runIp(nodeBatches[i].first, nodeBatches[i].second);
  });
  if (auto e = runIp(fabric_, fabDel + fabAdd); !e.empty() && err.empty()) err = e;
  if (!err.empty()) return err;

  std::vector<ExtState> wanted = externalHostsToWire(view);
  auto same = [](const ExtState& a, const ExtState& b) { return a.name == b.name && a.ip == b.ip; };
  std::string nsBatch, routes;
  std::vector<ExtState> kept;
  for (auto& e : exts_) {
    if (std::any_of(wanted.begin(), wanted.end(), [&](const ExtState& w) { return same(w, e); })) {
      kept.push_back(std::move(e));
      continue;
    }
    ops_->stopServers("ext/" + e.name);
    sourcePorts_.forget(e.netns);
    nsBatch += "netns del " + e.netns + "\n";
    // Now, not with the dying link: a new pod may have this address.
    routes += fmt::format("route del {}/{} dev {}\n", toString(e.ip),
                          e.ip.family == IpFamily::V4 ? 32 : 128, e.fabricIf);
    dying.links[fabric_].push_back(e.fabricIf);
  }
  exts_ = std::move(kept);
  if (auto e = runIp(fabric_, routes, true); !e.empty()) return e;
  if (auto e = runIp("", nsBatch, true); !e.empty()) return e;
  const size_t first = exts_.size();
  for (auto& w : wanted)
    if (std::none_of(exts_.begin(), exts_.end(), [&](const ExtState& e) { return same(w, e); }))
      addExternalHost(std::move(w));
  std::vector<const ExtState*> added;
  for (size_t i = first; i < exts_.size(); ++i) added.push_back(&exts_[i]);
  if (added.empty()) return "";
  return wireHosts({}, added, false);
}

std::string LocalBackend::createPods(std::vector<PodState*>& all) {
  std::vector<PodState*> pods;
  for (auto* p : all)
    if (p->networked && !p->wired) pods.push_back(p);
  if (pods.empty()) return "";
  // Gateways only need to differ from addresses pods talk to; pods may share one.
  const std::set<IpAddress> avoid = knownAddresses(desired_, false);
  for (auto* p : pods) {
    std::vector<PtpAddress> addresses;
    if (p->ip) {
      if (gateways_.count(*p->ip))
        return fmt::format("pod {} has address {}, which this run already uses as a ptp gateway",
                           p->key, toString(*p->ip));
      auto choice = chooseGateway(*p->ip, avoid);
      if (!choice) return "no gateway address available around " + toString(*p->ip);
      gateways_.insert(choice->gateway);
      p->gateway = choice->gateway;
      p->prefixLength = choice->prefixLength;
      addresses.push_back({*p->ip, choice->prefixLength, choice->gateway});
    }
    if (p->ip6) {
      if (parseCidr("fe80::/10")->contains(*p->ip6))
        return fmt::format(
            "pod {} has the link-local address {}, which the local backend uses "
            "for its own links",
            p->key, toString(*p->ip6));
      addresses.push_back({*p->ip6, kIpv6PodPrefixLength, ipv6PodGateway()});
    }
    const NodeState* node = findNode(p->node);
    size_t nodeIndex = size_t(node - nodes_.data());
    p->cniConfig = ptpStaticConfig(fmt::format("{}-n{}", run_, nodeIndex), addresses);
  }
  {
    NamespaceCreationLock lock(opt_.stateRoot);
    std::string batch;
    for (auto* p : pods) batch += "netns add " + p->netns + "\n";
    if (auto e = runIp("", batch); !e.empty()) return e;
  }
  // The fabric's routes to the new pods (via their nodes) need no pod link: added meanwhile.
  std::string fab;
  for (auto* p : pods) {
    const NodeState* node = findNode(p->node);
    if (p->ip)
      fab += fmt::format("route add {}/32 via {} dev {}\n", toString(*p->ip), toString(node->ip),
                         node->fabricIf);
    if (p->ip6)
      fab += fmt::format("route add {}/128 via {} dev {}\n", toString(*p->ip6), kHostLinkLocal,
                         node->fabricIf);
  }
  std::string fabricError;
  std::thread fabric([&] { fabricError = runIp(fabric_, fab); });
  auto err = parallel(pods.size(), [&](size_t i) -> std::string {
    PodState& p = *pods[i];
    if (auto e = ops_->configure(p.netns, false); !e.empty()) return e;
    CniRequest req;
    req.command = "ADD";
    req.containerId = p.containerId;
    req.podNetns = netnsPath(p.netns);
    req.cniPath = opt_.cniPath;
    req.config = p.cniConfig;
    req.nodeNetns = findNode(p.node)->netns;
    auto r = invokeCni(*proc_, req);
    auto parsed = parseCniAddResult(r.out);
    if (!r.ok() || !parsed.error.empty())
      return fmt::format("CNI ADD for pod {} failed (exit {}): {} {}", p.key, r.exitCode,
                         parsed.error.empty() ? "" : parsed.error, r.err);
    for (const auto& want : {p.ip, p.ip6}) {
      if (!want) continue;
      bool got = false;
      for (const auto& a : parsed.addresses)
        if (parseIp(a.substr(0, a.find('/'))) == want) got = true;
      if (!got) return fmt::format("CNI ADD for pod {} did not assign {}", p.key, toString(*want));
    }
    p.hostLink = parsed.hostInterface;
    p.wired = true;
    return "";
  });
  fabric.join();
  return err.empty() ? fabricError : err;
}

// No CNI DEL: everything ptp made for a pod (the veth pair, the node-side gateway address and
// route; static IPAM keeps no state, ipMasq is off) is inside the pod's and its node's
// namespaces, and goes with the pod's namespace. A DEL would take 30-50 ms per pod, most of it
// the kernel deleting one veth at a time; deleting the namespaces has the kernel destroy all
// their links at once. It does so from a work queue, ~20 ms later: until then the node still
// routes the gone pod's address (and holds its gateway address) on the old veth, which would
// capture traffic meant for the next pod at that address. Hence awaitLinksGone() before a new
// pod at such an address is wired, and before anything is probed.
std::string LocalBackend::deleteWiredNamespaces(const std::vector<PodState*>& pods, Dying& dying) {
  std::string nsBatch, fab;
  for (const PodState* st : pods) {
    if (!st->networked) continue;
    nsBatch += "netns del " + st->netns + "\n";
    if (st->ip) fab += fmt::format("route del {}/32\n", toString(*st->ip));
    if (st->ip6) fab += fmt::format("route del {}/128\n", toString(*st->ip6));
    const NodeState* node = findNode(st->node);
    if (node && !st->hostLink.empty()) dying.links[node->netns].push_back(st->hostLink);
    for (const auto& ip : {st->ip, st->ip6})
      if (ip) dying.podAddresses.insert({st->node, *ip});
  }
  std::string fabricError;
  std::thread fabric([&] { fabricError = runIp(fabric_, fab, true); });
  std::string err = runIp("", nsBatch, true);
  fabric.join();
  return err.empty() ? fabricError : err;
}

// A link still there after the wait is deleted from the node's side, as a DEL would have.
std::string LocalBackend::awaitLinksGone(const Dying& dying) {
  std::vector<std::pair<std::string, std::vector<std::string>>> nodes(dying.links.begin(),
                                                                      dying.links.end());
  return parallel(nodes.size(), [&](size_t i) {
    const auto& [nodeNetns, links] = nodes[i];
    auto left = ops_->waitLinksGone(nodeNetns, links, kLinkGoneTimeoutMs);
    std::string batch;
    for (const auto& name : left) batch += "link del " + name + "\n";
    std::string err = runIp(nodeNetns, batch, true);
    // One the kernel destroyed meanwhile cannot be deleted: only a link still there is an error.
    if (!err.empty() && ops_->waitLinksGone(nodeNetns, left, 0).empty()) err.clear();
    return err;
  });
}

void LocalBackend::releasePod(PodState& p) {
  ops_->stopServers(p.key);
  sourcePorts_.forget(p.netns);
}

Cluster LocalBackend::rulesView() const {
  Cluster c = view_;
  if (opt_.faults.count("LABEL_UPDATE_STALE")) {
    for (auto& p : c.pods)
      if (auto it = podLabelsAtCreation_.find(podKey(p)); it != podLabelsAtCreation_.end())
        p.meta.labels = it->second;
    for (auto& ns : c.namespaces)
      if (auto it = nsLabelsFirstSeen_.find(ns.meta.name); it != nsLabelsFirstSeen_.end())
        ns.meta.labels = it->second;
  }
  if (opt_.faults.count("POD_IP_REUSE")) {
    for (auto& p : c.pods) {
      if (p.hostNetwork) continue;
      for (IpFamily f : {IpFamily::V4, IpFamily::V6}) {
        auto ip = firstOfFamily(p, f);
        auto it = ip ? ghosts_.find(*ip) : ghosts_.end();
        if (it == ghosts_.end()) continue;
        // The deleted pod's identity (namespace, labels, ports) stays attached to its address.
        p.meta = it->second.meta;
        p.containers = it->second.containers;
        break;
      }
    }
  }
  return c;
}

std::string LocalBackend::applyRules() {
  auto t0 = Clock::now();
  Cluster view = rulesView();
  std::vector<std::string> texts(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i)
    texts[i] = compileNodeRuleset(view, nodes_[i].name, table_, opt_.profile, opt_.faults,
                                  !opt_.enforcer.usesApiServer());
  auto err = parallel(nodes_.size(), [&](size_t i) -> std::string {
    if (texts[i] != nodes_[i].ruleset) {
      auto r = proc_->run({"nft", "-f", "-"}, defaultToolEnv(), texts[i], nodes_[i].netns);
      if (!r.ok())
        return fmt::format("nft in {} (node {}): {}", nodes_[i].netns, nodes_[i].name, r.err);
      nodes_[i].ruleset = texts[i];
    }
    // Every state is probed from an empty conntrack table, even when the rules did not change
    // (pods may have come and gone): a probe is a new connection, and an entry left by an
    // earlier state with the same 5-tuple (a reused ephemeral source port) would otherwise
    // decide it, replies included.
    return ops_->flushConntrack(nodes_[i].netns);
  });
  timings_.rulesMs = msSince(t0);
  return err;
}

// The compiled rules need the view's addresses only, not the pods' links: they load while gone
// pods' links die and CNI wires the new pods (all three mostly wait: on nftables commits, the
// kernel's namespace clean-up, Go programs starting). A new pod at a dying pod's address on the
// same node is wired only once the old link is gone (its route would be in the way). Servers
// start after all of it, so no pod serves before the rules that isolate it are in place.
std::string LocalBackend::createPodsWhileRulesLoad(std::vector<PodState*>& created,
                                                   const Dying& dying) {
  std::vector<PodState*> now, afterLinks;
  for (PodState* p : created) {
    bool clash = false;
    for (const auto& ip : {p->ip, p->ip6})
      clash =
          clash || (p->networked && !p->wired && ip && dying.podAddresses.count({p->node, *ip}));
    (clash ? afterLinks : now).push_back(p);
  }
  std::string rulesError, linksError;
  std::thread rules([&] { rulesError = applyRules(); });
  std::thread links([&] { linksError = awaitLinksGone(dying); });
  std::string err = createPods(now);
  links.join();
  if (err.empty()) err = linksError;
  if (err.empty()) err = createPods(afterLinks);
  rules.join();
  return err.empty() ? rulesError : err;
}

std::string LocalBackend::logDir() const {
  return (opt_.logDir.empty() ? std::string("/tmp/netpolfuzz-logs") : opt_.logDir) + "/" + run_;
}

std::map<std::string, std::string> LocalBackend::hostIps() const {
  std::map<std::string, std::string> out;
  for (const auto& [key, p] : pods_)
    if (const NodeState* n = findNode(p.node)) out[key] = toString(n->ip);
  return out;
}

std::string LocalBackend::startEnforcer() {
  ControlPlaneOptions cp;
  cp.runId = run_;
  cp.stateDir = runDir(opt_.stateRoot, run_);
  cp.logDir = logDir();
  cp.binDir = opt_.enforcer.binDir.empty() ? defaultToolBinDir() : opt_.enforcer.binDir;
  cp.avoid = knownAddresses(desired_, true);
  cp.processes = opt_.processes;
  controlPlane_ = std::make_unique<ControlPlane>(cp);
  std::vector<ControlPlaneNode> cpNodes;
  std::vector<AgentNode> agentNodes;
  for (const auto& n : nodes_) {
    cpNodes.push_back({n.name, n.netns});
    agentNodes.push_back({n.name, n.netns, toString(n.ip)});
  }
  if (auto e = controlPlane_->start(cpNodes); !e.empty()) return "control plane: " + e;
  mirror_ = std::make_unique<ApiMirror>(controlPlane_->api(), cp.serviceCidr);
  if (auto e = mirror_->sync(view_, hostIps()); !e.empty()) return e;
  EnforcerSpec spec = opt_.enforcer;
  spec.binDir = cp.binDir;
  agents_ = std::make_unique<PolicyAgents>(spec, controlPlane_->kubeconfigPath(), logDir(),
                                           cp.serviceCidr, opt_.processes);
  if (auto e = agents_->start(agentNodes); !e.empty()) return e;
  auto c = agents_->waitConverged();
  if (!c.error.empty()) return c.error;
  if (c.timedOutNodes > 0)
    return fmt::format("{}: no first sync on {} node(s) within {} s; see the logs in {}",
                       toString(opt_.enforcer.kind), c.timedOutNodes,
                       opt_.enforcer.timeoutMs / 1000, logDir());
  enforcement_ = {true, c.ms, 0};
  return "";
}

std::string LocalBackend::syncEnforcer() {
  if (auto h = controlPlane_->health(); !h.empty()) return "control plane: " + h;
  agents_->beforeWrites();
  if (auto e = mirror_->sync(view_, hostIps()); !e.empty()) return e;
  enforcement_ = {true, 0, 0};
  if (!agents_->hears(mirror_->lastCounts().changed)) return "";
  auto c = agents_->waitConverged();
  if (!c.error.empty()) return c.error;
  enforcement_ = {true, c.ms, c.timedOutNodes};
  return "";
}

Enforcement LocalBackend::lastEnforcement() const {
  std::lock_guard lock(mu_);
  return enforcement_;
}

std::string LocalBackend::syncHostServers() {
  std::map<std::string, std::set<ServerSpec>> want;
  for (const auto& [key, p] : pods_)
    if (p.host) want[p.node].insert(p.servers.begin(), p.servers.end());
  std::string err;
  for (const auto& n : nodes_) {
    auto& have = hostServers_[n.name];
    const auto& w = want[n.name];
    if (have == w) continue;
    std::string owner = "node/" + n.name;
    ops_->stopServers(owner);
    have.clear();
    if (w.empty()) continue;
    if (auto e = ops_->startServers(owner, n.netns, {w.begin(), w.end()});
        !e.empty() && err.empty())
      err = e;
    have = w;
  }
  return err;
}

bool LocalBackend::canReconcile(const Cluster& from, const Cluster& to) const {
  if (from.nodes.size() != to.nodes.size()) return false;
  for (size_t i = 0; i < from.nodes.size(); ++i)
    if (from.nodes[i].meta.name != to.nodes[i].meta.name ||
        firstIpv4(from.nodes[i].internalIPs) != firstIpv4(to.nodes[i].internalIPs))
      return false;
  return true;
}

std::string LocalBackend::reconcile(const Cluster& desired) {
  std::lock_guard lock(mu_);
  if (!up_) return "local backend is not set up";
  auto t0 = Clock::now();
  if (!canReconcile(desired_, desired))
    return "the local backend cannot change the nodes (names, IPv4 addresses) of a running "
           "cluster; set up a new one";
  Cluster view;
  if (auto e = buildView(desired, view); !e.empty()) return e;
  // A cluster set up without pods and nodes gets its implicit node only with its first pods:
  // that is a new node too.
  for (const auto& n : view.nodes)
    if (!findNode(n.meta.name))
      return "the local backend cannot change the nodes of a running cluster; set up a new one "
             "(node " +
             n.meta.name + " was not set up)";
  Dying dying;
  if (auto e = rewireNodesAndExternalHosts(view, dying); !e.empty()) return e;

  // Pods whose network identity changed are deleted and created again.
  std::map<std::string, const Pod*> want;
  for (const auto& p : view.pods) want[podKey(p)] = &p;
  std::vector<std::string> gone;
  // A pod whose gateway, or whose prefix's network or broadcast address, is now someone's
  // address (a pod of the next case, a new ClusterIP) is wired again with another gateway.
  const std::set<IpAddress> wanted = knownAddresses(view, false);
  for (auto& [key, st] : pods_) {
    auto it = want.find(key);
    bool keep = false;
    if (it != want.end()) {
      const Pod& p = *it->second;
      if (p.hostNetwork != st.host || p.nodeName != st.node)
        keep = false;
      else if (st.host)
        keep = hostServersOf(p, *findNode(p.nodeName)) == st.servers;
      else
        keep = firstIpv4(p) == st.ip &&
               (ipv6_ ? firstOfFamily(p, IpFamily::V6) : std::nullopt) == st.ip6 &&
               serversOf(p, "") == st.servers;
    }
    if (keep && st.gateway && st.ip &&
        !gatewayChoiceStillFits(*st.ip, {*st.gateway, st.prefixLength}, wanted))
      keep = false;
    if (!keep) gone.push_back(key);
  }
  // A gone pod's wired namespace waits here for a new pod with the same node and addresses
  // (the next case's pod at that address, or the same pod with other ports): it takes the
  // namespace over as it is, with new servers, instead of a CNI DEL and ADD.
  std::map<Wiring, PodState> spare;
  for (const auto& key : gone) {
    PodState& st = pods_.at(key);
    if (!st.host) {
      if (st.ip) ghosts_[*st.ip] = st.spec;
      if (st.ip6) ghosts_[*st.ip6] = st.spec;
    }
    ops_->stopServers(st.key);
    const bool linkFits = !st.gateway || !st.ip ||
                          gatewayChoiceStillFits(*st.ip, {*st.gateway, st.prefixLength}, wanted);
    if (st.networked && linkFits && !spare.count(wiringOf(st)))
      spare.emplace(wiringOf(st), st);
    else
      spare.emplace(Wiring{"doomed", key, std::nullopt, std::nullopt}, st);
    podLabelsAtCreation_.erase(key);
    pods_.erase(key);
  }
  desired_ = desired;
  view_ = view;
  for (auto& p : view_.pods) {  // keep the spec (labels) current for pods that stay
    auto it = pods_.find(podKey(p));
    if (it != pods_.end()) it->second.spec = p;
  }
  std::vector<PodState*> created;
  size_t reused = 0;
  for (const auto& p : view_.pods) {
    std::string key = podKey(p);
    if (pods_.count(key)) continue;
    PodState st = podStateFor(p);
    if (auto it = st.networked ? spare.find(wiringOf(st)) : spare.end(); it != spare.end()) {
      const PodState& old = it->second;
      st.netns = old.netns;
      st.containerId = old.containerId;
      st.cniConfig = old.cniConfig;
      st.gateway = old.gateway;
      st.hostLink = old.hostLink;
      st.prefixLength = old.prefixLength;
      st.wired = true;
      spare.erase(it);
      ++reused;
    }
    pods_[key] = st;
    podLabelsAtCreation_[key] = p.meta.labels;
    created.push_back(&pods_[key]);
  }
  // What no new pod took over goes: CNI DEL, its namespace and its fabric routes.
  std::string err;
  if (!spare.empty()) {
    std::vector<PodState*> doomed;
    for (auto& [wiring, st] : spare) doomed.push_back(&st);
    for (auto* st : doomed) releasePod(*st);
    err = deleteWiredNamespaces(doomed, dying);
  }
  gateways_.clear();
  for (const auto& [key, st] : pods_)
    if (st.gateway) gateways_.insert(*st.gateway);
  for (const auto& ns : view_.namespaces) nsLabelsFirstSeen_.emplace(ns.meta.name, ns.meta.labels);
  if (controlPlane_) {
    if (err.empty()) err = awaitLinksGone(dying);
    if (err.empty()) err = createPods(created);
    if (err.empty()) err = syncEnforcer();
    if (err.empty()) err = applyRules();
  } else if (err.empty()) {
    err = createPodsWhileRulesLoad(created, dying);
  }
  for (auto* p : created)
    if (err.empty() && p->networked)
      err = ops_->startServers(p->key, p->netns, {p->servers.begin(), p->servers.end()});
  if (err.empty()) err = syncHostServers();
  timings_.podsCreated = created.size() - reused;
  timings_.podsDeleted = gone.size() - reused;
  timings_.podsReused = reused;
  timings_.reconcileMs = msSince(t0);
  return err;
}

Cluster LocalBackend::actual() const {
  std::lock_guard lock(mu_);
  return view_;
}

std::vector<ProbeResult> LocalBackend::probe(const std::vector<Probe>& probes,
                                             const ProbeOptions& options) {
  std::lock_guard lock(mu_);
  auto t0 = Clock::now();
  std::vector<ProbeResult> results(probes.size());
  if (!up_) {
    for (auto& r : results) r = {ProbeResult::Kind::Error, 0, "local backend is not set up"};
    return results;
  }
  auto skipped = [](std::string why) {
    return ProbeResult{ProbeResult::Kind::Skipped, 0, std::move(why)};
  };
  const std::string& noV6 = noIpv6Reason_;
  auto findExt = [&](const std::optional<IpAddress>& ip) -> const ExtState* {
    if (!ip) return nullptr;
    for (const auto& e : exts_)
      if (e.ip == *ip) return &e;
    return nullptr;
  };

  std::vector<SocketProbe> sockets;
  std::vector<size_t> socketOf;  // index into probes
  std::map<const ExtState*, std::set<ServerSpec>> extServers;
  for (size_t i = 0; i < probes.size(); ++i) {
    const Probe& pr = probes[i];
    const Endpoint& f = pr.from;
    const Endpoint& t = pr.target.to;
    if (f.kind == Endpoint::Kind::Service) {
      results[i] = skipped("a Service cannot be a probe source");
      continue;
    }
    // Destination first: its address in the view, which has the addresses this backend
    // assigned and exactly the pods and nodes it wired (setUp and reconcile keep them in step),
    // when this backend can reach it. Its family is the probe's.
    const DestinationAddress resolved = destinationAddress(view_, t);
    const bool v6 = resolved.address && resolved.address->family == IpFamily::V6;
    std::optional<IpAddress> dst;
    std::string why;
    if (!resolved.address) {
      why = resolved.why;
    } else if (v6 && !ipv6_) {
      why = "destination " + toString(t) + ": " + noV6;
    } else if (t.kind == Endpoint::Kind::Service && f.kind == Endpoint::Kind::External) {
      why = "a ClusterIP is not reachable from outside the cluster";
    } else if (t.kind == Endpoint::Kind::External) {
      // Only external hosts that got a namespace answer: those whose address no pod or node of
      // the cluster has.
      if (const ExtState* e = findExt(resolved.address)) {
        dst = e->ip;
        extServers[e].insert(ServerSpec{pr.target.protocol, pr.target.port, toString(e->ip)});
      } else {
        why = "destination " + toString(t) + " is not an external host of the case";
      }
    } else {
      dst = resolved.address;
    }
    if (!dst) {
      results[i] = skipped(why);
      continue;
    }
    const IpFamily family = dst->family;
    SocketProbe sp;
    sp.port = pr.target.port;
    sp.protocol = pr.target.protocol;
    sp.dst = *dst;
    // Source: in its namespace, leaving from its address of the probe's family.
    auto noAddress = [&] {
      return skipped(fmt::format("source {} has no {} address for {}", toString(f),
                                 familyName(family), toString(*dst)));
    };
    auto fromNode = [&](const NodeState& n) {
      sp.netns = n.netns;
      // Multi-homed: without a bind, node -> own pod would leave from a ptp gateway address.
      sp.bindTo = n.address(family);
      return sp.bindTo.has_value();
    };
    if (f.kind == Endpoint::Kind::Pod) {
      auto it = pods_.find(f.namespace_ + "/" + f.name);
      if (it == pods_.end()) {
        results[i] = skipped("source " + toString(f) + " is not a pod of the cluster");
        continue;
      }
      const PodState& p = it->second;
      if (p.host) {
        if (!fromNode(*findNode(p.node))) {
          results[i] = noAddress();
          continue;
        }
      } else if (!p.networked) {
        results[i] = skipped("source " + toString(f) + ": " + noV6);
        continue;
      } else if (!(family == IpFamily::V4 ? p.ip : p.ip6)) {
        results[i] = noAddress();
        continue;
      } else {
        sp.netns = p.netns;
      }
    } else if (f.kind == Endpoint::Kind::Node) {
      const NodeState* n = findNode(f.name);
      if (!n) {
        results[i] = skipped("source " + toString(f) + " is not a node of the cluster");
        continue;
      }
      if (!fromNode(*n)) {
        results[i] = noAddress();
        continue;
      }
    } else {
      auto ip = parseIp(f.name);
      const ExtState* e = findExt(ip);
      if (!e) {
        results[i] =
            skipped(ip && ip->family == IpFamily::V6 && !ipv6_
                        ? "source " + toString(f) + ": " + noV6
                        : "source " + toString(f) + " is not an external host of the case");
        continue;
      }
      if (e->ip.family != family) {
        results[i] = noAddress();
        continue;
      }
      sp.netns = e->netns;
    }
    sockets.push_back(sp);
    socketOf.push_back(i);
  }
  // External hosts serve whatever they are probed on.
  for (const auto& [ext, specs] : extServers)
    if (auto e = ops_->startServers("ext/" + ext->name, ext->netns, {specs.begin(), specs.end()});
        !e.empty())
      for (size_t k = 0; k < sockets.size(); ++k)
        if (sockets[k].netns == ext->netns) results[socketOf[k]] = {ProbeResult::Kind::Error, 0, e};
  auto got = runSocketProbes(sockets, options, &sourcePorts_);
  std::vector<IpFamily> families;
  for (const auto& sp : sockets) families.push_back(sp.dst.family);
  confirmTimeouts(probes, socketOf, families, options, got);
  for (size_t k = 0; k < got.size(); ++k) results[socketOf[k]] = got[k];
  timings_.probeMs = msSince(t0);
  timings_.probes = probes.size();
  return results;
}

std::vector<SocketProbe> LocalBackend::selfChecks(const Target& t, IpFamily family) const {
  std::vector<SocketProbe> out;
  auto check = [&](const std::string& netns, const std::optional<IpAddress>& ip, int32_t port) {
    if (!ip) return;
    SocketProbe c;
    c.netns = netns;
    c.dst = *ip;
    c.port = port;
    c.protocol = t.protocol;
    out.push_back(c);
  };
  auto nodeAddress = [&](const NodeState& n) {
    return family == IpFamily::V4 ? std::optional<IpAddress>(n.ip) : n.ip6;
  };
  auto podCheck = [&](const Pod& pod, int32_t port) {
    auto it = pods_.find(podKey(pod));
    if (it == pods_.end()) return;
    const PodState& p = it->second;
    if (const NodeState* n = p.host ? findNode(p.node) : nullptr)
      check(n->netns, nodeAddress(*n), port);
    else if (p.networked)
      check(p.netns, family == IpFamily::V4 ? p.ip : p.ip6, port);
  };
  const Endpoint& to = t.to;
  switch (to.kind) {
    case Endpoint::Kind::Pod:
      if (const Pod* pod = view_.findPod(to.namespace_, to.name)) podCheck(*pod, t.port);
      break;
    case Endpoint::Kind::Service:
      if (const Service* s = view_.findService(to.namespace_, to.name))
        for (const auto& sp : s->ports)
          if (sp.port == t.port && sp.effectiveProtocol() == t.protocol)
            for (const auto& backend : serviceBackends(view_, *s, sp))
              podCheck(*backend.pod, backend.port);
      break;
    case Endpoint::Kind::Node:
      if (const NodeState* n = findNode(to.name)) check(n->netns, nodeAddress(*n), t.port);
      break;
    case Endpoint::Kind::External:
      for (const auto& e : exts_)
        if (parseIp(to.name) == e.ip) check(e.netns, e.ip, t.port);
      break;
  }
  return out;
}

void LocalBackend::confirmTimeouts(const std::vector<Probe>& probes,
                                   const std::vector<size_t>& socketOf,
                                   const std::vector<IpFamily>& family, const ProbeOptions& options,
                                   std::vector<ProbeResult>& got) {
  // One self-check per distinct destination, all at once.
  std::vector<SocketProbe> checks;
  std::map<std::tuple<std::string, IpAddress, int32_t, Protocol>, size_t> index;
  std::vector<std::vector<size_t>> checksOf(got.size());
  for (size_t k = 0; k < got.size(); ++k) {
    if (got[k].kind != ProbeResult::Kind::Timeout) continue;
    for (const auto& c : selfChecks(probes[socketOf[k]].target, family[k])) {
      auto [it, fresh] = index.try_emplace({c.netns, c.dst, c.port, c.protocol}, checks.size());
      if (fresh) checks.push_back(c);
      checksOf[k].push_back(it->second);
    }
  }
  if (checks.empty()) return;
  ProbeOptions once = options;
  once.timeoutRetries = 0;
  auto answers = runSocketProbes(checks, once, &sourcePorts_);
  for (size_t k = 0; k < got.size(); ++k)
    for (size_t c : checksOf[k]) {
      const ProbeResult& a = answers[c];
      if (a.kind != ProbeResult::Kind::Timeout && a.kind != ProbeResult::Kind::Error) continue;
      got[k].kind = ProbeResult::Kind::Error;
      got[k].detail = fmt::format(
          "timed out, but {}:{}/{} did not answer from inside its own network namespace either "
          "({}{}{}): not serving, so the timeout says nothing about policy",
          toString(checks[c].dst), checks[c].port, toString(checks[c].protocol), toString(a.kind),
          a.detail.empty() ? "" : ": ", a.detail);
      break;
    }
}

void LocalBackend::tearDown() {
  {
    std::lock_guard lock(mu_);
    tearDownLocked();
  }
  unregisterTeardown(run_);
}

void LocalBackend::tearDownLocked() {
  if (!dirCreated_) return;
  // Agents first (they would react to everything else going away), then the API server.
  agents_.reset();
  mirror_.reset();
  controlPlane_.reset();
  enforcement_ = {};
  for (auto& [key, p] : pods_) releasePod(p);
  for (const auto& n : nodes_) ops_->stopServers("node/" + n.name);
  for (const auto& e : exts_) ops_->stopServers("ext/" + e.name);
  // The namespaces go, and with them every link, route and table (no CNI DEL: see
  // deleteWiredNamespaces; nodes go too, so there is nothing to wait for).
  std::vector<PodState*> pods;
  for (auto& [key, p] : pods_)
    if (p.networked) pods.push_back(&p);
  std::vector<std::string> names;
  for (auto* p : pods) names.push_back(p->netns);
  for (const auto& e : exts_) names.push_back(e.netns);
  for (const auto& n : nodes_) names.push_back(n.netns);
  names.push_back(fabric_);
  // Anything else of this run (e.g. created by an interrupted step) goes too.
  bool real = opt_.processes == nullptr;
  std::set<std::string> existing;
  for (const auto& ns : listNamespaces(run_ + "-")) existing.insert(ns);
  for (const auto& ns : existing)
    if (std::find(names.begin(), names.end(), ns) == names.end()) names.push_back(ns);
  std::string batch;
  for (const auto& ns : names)
    if (!real || existing.count(ns)) batch += "netns del " + ns + "\n";
  runIp("", batch, true);
  removeRunDir(opt_.stateRoot, run_);
  removeRunNetnsIfOurs(opt_.stateRoot);
  dirCreated_ = up_ = false;
  nodes_.clear();
  pods_.clear();
  exts_.clear();
  nextExt_ = 0;
  allocated_.clear();
  nodeIpv4_.clear();
  if (reassigned_) reassigned_->clear();
  gateways_.clear();
  podLabelsAtCreation_.clear();
  nsLabelsFirstSeen_.clear();
  ghosts_.clear();
  hostServers_.clear();
  view_ = desired_ = Cluster{};
}

std::string LocalBackend::ruleset(const std::string& node) const {
  std::lock_guard lock(mu_);
  const NodeState* n = findNode(node);
  return n ? n->ruleset : "";
}

std::string LocalBackend::namespaceOf(const Endpoint& e) const {
  std::lock_guard lock(mu_);
  switch (e.kind) {
    case Endpoint::Kind::Pod: {
      auto it = pods_.find(e.namespace_ + "/" + e.name);
      if (it == pods_.end()) return "";
      if (it->second.host) return findNode(it->second.node)->netns;
      return it->second.netns;
    }
    case Endpoint::Kind::Node: {
      const NodeState* n = findNode(e.name);
      return n ? n->netns : "";
    }
    case Endpoint::Kind::External:
      for (const auto& x : exts_)
        if (parseIp(e.name) == std::optional<IpAddress>(x.ip)) return x.netns;
      return "";
    case Endpoint::Kind::Service:
      return "";
  }
  return "";
}

std::vector<std::string> LocalBackend::namespaceNames() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  if (!dirCreated_) return out;
  out.push_back(fabric_);
  for (const auto& n : nodes_) out.push_back(n.netns);
  for (const auto& e : exts_) out.push_back(e.netns);
  for (const auto& [k, p] : pods_)
    if (p.networked) out.push_back(p.netns);
  return out;
}

LocalTimings LocalBackend::timings() const {
  std::lock_guard lock(mu_);
  return timings_;
}

}  // namespace npf::runner::local
