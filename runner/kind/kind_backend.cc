#include "runner/kind/kind_backend.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "runner/kind/cni_cluster_policy_support.h"
#include "runner/kind/crds.h"
#include "runner/kind/probe_batch.h"

namespace npf::runner::kind {
namespace {

using Json = nlohmann::json;

std::string key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

std::string firstLine(const std::string& s) {
  auto nl = s.find('\n');
  return s.substr(0, std::min<size_t>(nl, 400));
}

Json parse(const std::string& text) {
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string str(const Json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Why a pod is not ready yet, from its status ("" when it is Running, ready and addressed).
std::string notReadyReason(const Json& pod) {
  const Json& st = pod.value("status", Json::object());
  std::string phase = str(st, "phase");
  for (const auto& cs : st.value("containerStatuses", Json::array())) {
    if (cs.value("ready", false)) continue;
    const Json& waiting = cs.value("state", Json::object()).value("waiting", Json::object());
    std::string reason = str(waiting, "reason");
    return fmt::format("{}{}", phase.empty() ? "no phase" : phase,
                       reason.empty() ? "" : ": " + reason);
  }
  if (phase != "Running") return phase.empty() ? "no status yet" : phase;
  if (str(st, "podIP").empty()) return "Running without a pod IP";
  if (!st.contains("containerStatuses")) return "no container status yet";
  return "";
}

std::string list(const std::vector<std::string>& objects) {
  std::string out = R"({"apiVersion": "v1", "kind": "List", "items": [)";
  for (size_t i = 0; i < objects.size(); ++i) out += (i ? ",\n" : "\n") + objects[i];
  return out + "]}\n";
}

// The kinds of `c`'s cluster-scoped policies, each once, in enum order.
std::vector<ClusterPolicyKind> clusterPolicyKinds(const Cluster& c) {
  std::set<ClusterPolicyKind> kinds;
  for (const auto& p : c.clusterPolicies) kinds.insert(p.kind);
  return {kinds.begin(), kinds.end()};
}

}  // namespace

KindBackend::KindBackend(KindOptions options, ProcessRunner& processes)
    : options_(std::move(options)), processes_(processes) {
  layout_.runId = options_.runId;
  layout_.image = options_.image;
  if (!options_.sleep)
    options_.sleep = [](int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
  if (options_.env.empty()) {
    // kubectl needs to find its kubeconfig (HOME or KUBECONFIG) and its credential plugins.
    for (const char* v : {"PATH", "HOME", "KUBECONFIG", "USER"})
      if (const char* x = std::getenv(v)) options_.env.push_back(std::string(v) + "=" + x);
    if (!std::getenv("PATH")) options_.env.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
  }
}

std::vector<std::string> KindBackend::kubectlPrefix() const {
  std::vector<std::string> p{options_.kubectl};
  if (!options_.context.empty()) {
    p.push_back("--context");
    p.push_back(options_.context);
  }
  return p;
}

KindBackend::Run KindBackend::kubectl(std::vector<std::string> args, const std::string& stdinData) {
  std::vector<std::string> argv = kubectlPrefix();
  argv.insert(argv.end(), args.begin(), args.end());
  if (options_.echo) options_.echo(argv);
  ProcessResult r = processes_.run(argv, options_.env, stdinData, "");
  Run out;
  out.ok = r.exitCode == 0;
  out.out = std::move(r.out);
  if (!out.ok)
    out.error = fmt::format("`{}` failed{}: {}", describeCommand(argv),
                            r.exitCode >= 0 ? fmt::format(" (exit {})", r.exitCode) : "",
                            firstLine(r.err.empty() ? out.out : r.err));
  return out;
}

std::string KindBackend::readNodes() {
  Run r = kubectl({"get", "nodes", "--output", "json"});
  if (!r.ok) return r.error;
  Json j = parse(r.out);
  if (!j.is_object() || !j.contains("items")) return "kubectl get nodes: output is not a node list";
  std::vector<std::string> workers, all;
  nodeIps_.clear();
  for (const auto& n : j["items"]) {
    const Json& meta = n.value("metadata", Json::object());
    std::string name = str(meta, "name");
    if (name.empty() || n.value("spec", Json::object()).value("unschedulable", false)) continue;
    for (const auto& a : n.value("status", Json::object()).value("addresses", Json::array()))
      if (str(a, "type") == "InternalIP" && !nodeIps_.count(name))
        nodeIps_[name] = str(a, "address");
    all.push_back(name);
    if (!meta.value("labels", Json::object()).contains("node-role.kubernetes.io/control-plane"))
      workers.push_back(name);
  }
  layout_.nodes = workers.empty() ? all : workers;
  if (layout_.nodes.empty()) return "the cluster has no schedulable node";
  return "";
}

std::string KindBackend::applyObjects(const std::vector<std::string>& jsonObjects) {
  if (jsonObjects.empty()) return "";
  Run r = kubectl({"apply", "--filename", "-"}, list(jsonObjects));
  return r.ok ? "" : r.error;
}

std::string KindBackend::waitForPods(const Cluster& desired) {
  std::set<std::string> expected;
  for (const auto& p : desired.pods) expected.insert(key(p.meta.namespace_, p.meta.name));
  for (const auto& n : layout_.nodes)
    expected.insert(key(layout_.runNamespace(), clientPodName(n)));
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.readyTimeoutMs);
  for (;;) {
    Run r = kubectl({"get", "pods", "--all-namespaces", "--output", "json"});
    if (!r.ok) return r.error;
    Json j = parse(r.out);
    std::map<std::string, std::string> waiting;
    for (const auto& k : expected) waiting[k] = "not created";
    for (const auto& p : j.value("items", Json::array())) {
      const Json& meta = p.value("metadata", Json::object());
      std::string k = key(str(meta, "namespace"), str(meta, "name"));
      if (!expected.count(k)) continue;
      std::string why = notReadyReason(p);
      if (!why.empty()) {
        waiting[k] = why;
        continue;
      }
      waiting.erase(k);
      const Json& st = p["status"];
      std::vector<std::string> ips;
      for (const auto& ip : st.value("podIPs", Json::array())) ips.push_back(str(ip, "ip"));
      if (ips.empty()) ips.push_back(str(st, "podIP"));
      podIps_[k] = ips;
    }
    if (waiting.empty()) return "";
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string msg = fmt::format("{} pod(s) not ready after {} s:", waiting.size(),
                                    options_.readyTimeoutMs / 1000);
      size_t shown = 0;
      for (const auto& [k, why] : waiting)
        if (shown++ < 5) msg += fmt::format(" {} ({});", k, why);
      if (waiting.size() > 5) msg += " ...";
      return msg;
    }
    options_.sleep(options_.pollMs);
  }
}

std::string KindBackend::readServices(const Cluster& desired) {
  if (desired.services.empty()) return "";
  Run r = kubectl({"get", "services", "--all-namespaces", "--output", "json"});
  if (!r.ok) return r.error;
  Json j = parse(r.out);
  for (const auto& s : j.value("items", Json::array())) {
    const Json& meta = s.value("metadata", Json::object());
    serviceIps_[key(str(meta, "namespace"), str(meta, "name"))] =
        str(s.value("spec", Json::object()), "clusterIP");
  }
  for (const auto& s : desired.services)
    if (serviceIps_[key(s.meta.namespace_, s.meta.name)].empty())
      return fmt::format("Service {}/{} got no clusterIP", s.meta.namespace_, s.meta.name);
  return "";
}

void KindBackend::refreshActual() {
  actual_ = applied_;
  for (auto& p : actual_.pods) {
    auto it = podIps_.find(key(p.meta.namespace_, p.meta.name));
    if (it == podIps_.end()) continue;
    p.podIPs = it->second;
    p.podIP = it->second.empty() ? "" : it->second.front();
  }
  for (auto& s : actual_.services) s.clusterIP = serviceIps_[key(s.meta.namespace_, s.meta.name)];
  for (auto& n : actual_.nodes) {
    auto it = nodeMap_.find(n.meta.name);
    if (it != nodeMap_.end() && nodeIps_.count(it->second)) n.internalIPs = {nodeIps_[it->second]};
  }
}

void KindBackend::warnOnce(const std::string& message) {
  if (options_.warn && warned_.insert(message).second) options_.warn(message);
}

std::string KindBackend::checkClusterPolicySupport(const Cluster& desired) {
  ClusterPolicySupport s = clusterPolicySupport(options_.cni, clusterPolicyKinds(desired));
  if (!s.warning.empty()) warnOnce(s.warning);
  return s.error;
}

std::string KindBackend::ensureCrds(const Cluster& desired) {
  std::vector<ClusterPolicyKind> needed;
  for (auto k : clusterPolicyKinds(desired))
    if (!crdsApplied_.count(k)) needed.push_back(k);
  if (needed.empty()) return "";
  Run applied = kubectl(crdApplyArgs(), crdStream(needed));
  if (!applied.ok) return applied.error;
  if (Run w = kubectl(crdWaitArgs(needed, options_.crdTimeoutS)); !w.ok) return w.error;
  // An object of these kinds that this run did not create (the cluster's own, or a killed
  // run's) would decide cells of this run's pods too: every such cell would be misjudged.
  for (auto kind : needed) {
    const Crd* crd = &crdOf(kind);
    Run got = kubectl({"get", crd->name, "--output", "json"});
    if (!got.ok) return got.error;
    std::vector<std::string> foreign;
    for (const auto& o : parse(got.out).value("items", Json::array())) {
      const Json& meta = o.value("metadata", Json::object());
      std::string run = str(meta.value("labels", Json::object()), kRunLabel);
      if (run != options_.runId)
        foreign.push_back(str(meta, "name") + (run.empty() ? "" : " (run " + run + ")"));
    }
    if (!foreign.empty())
      return fmt::format(
          "the cluster already has {} {} that this run did not create ({}); they would decide "
          "cells of this run's pods too. Remove them first (those of killed runs: `kubectl "
          "delete {} --selector {}`)",
          foreign.size(), toString(crd->kind), fmt::join(foreign, ", "), crd->name, kRunLabel);
    crdsApplied_.insert(crd->kind);
  }
  return "";
}

std::string KindBackend::setUp(const Cluster& desired) {
  // Before anything is created: a case the CNI cannot enforce, or a cluster whose own
  // cluster-scoped policies would interfere, is refused with nothing to clean up.
  if (auto e = checkClusterPolicySupport(desired); !e.empty()) return e;
  if (up_) tearDown();
  if (auto e = readNodes(); !e.empty()) return e;
  if (auto e = ensureCrds(desired); !e.empty()) return e;
  if (desired.nodes.size() > layout_.nodes.size())
    return fmt::format(
        "the case has {} nodes but the cluster has {} schedulable worker node(s); create the "
        "cluster with more workers (scripts/kind/)",
        desired.nodes.size(), layout_.nodes.size());
  nodeMap_ = layout_.nodeMap(desired);
  // Policies come last: their ipBlocks may have to follow the addresses the pods get.
  Cluster workloads = desired;
  workloads.policies.clear();
  workloads.clusterPolicies.clear();
  up_ = true;  // from here on, tearDown has something to remove
  Run r = kubectl({"apply", "--filename", "-"}, renderManifests(workloads, layout_));
  if (!r.ok) return r.error;
  applied_ = workloads;
  if (auto e = waitForPods(workloads); !e.empty()) return e;
  if (auto e = readServices(workloads); !e.empty()) return e;
  refreshActual();
  std::vector<std::string> policies;
  for (const auto& p : desired.policies) policies.push_back(renderPolicy(p));
  if (auto e = applyObjects(policies); !e.empty()) return e;
  applied_.policies = desired.policies;
  // Cluster-scoped policies last, as NetworkPolicies: their CRDs are established by now.
  std::vector<std::string> clusterPolicies;
  for (const auto& p : desired.clusterPolicies)
    clusterPolicies.push_back(renderClusterPolicy(p, layout_));
  if (auto e = applyObjects(clusterPolicies); !e.empty()) return e;
  applied_ = desired;
  refreshActual();
  return "";
}

std::string KindBackend::reconcile(const Cluster& desired) {
  if (!up_) return setUp(desired);
  if (desired.nodes != applied_.nodes) return setUp(desired);
  if (auto e = checkClusterPolicySupport(desired); !e.empty()) return e;
  if (auto e = ensureCrds(desired); !e.empty()) return e;
  std::vector<std::string> apply;
  std::vector<std::vector<std::string>> deletes;
  auto nodeOf = [&](const Pod& p) {
    auto it = nodeMap_.find(p.nodeName);
    return it == nodeMap_.end() ? std::string() : it->second;
  };
  for (const auto& ns : desired.namespaces) {
    const Namespace* old = applied_.findNamespace(ns.meta.name);
    if (!old || old->meta.labels != ns.meta.labels) apply.push_back(renderNamespace(ns, layout_));
  }
  bool podsCreated = false;
  for (const auto& p : desired.pods) {
    const Pod* old = applied_.findPod(p.meta.namespace_, p.meta.name);
    Pod a = p, b = old ? *old : Pod{};
    a.meta.labels = b.meta.labels = {};
    // A pod's spec cannot change in place: a pod whose containers or node changed is recreated.
    bool respec = old && !(a.containers == b.containers && a.nodeName == b.nodeName &&
                           a.hostNetwork == b.hostNetwork);
    if (respec)
      deletes.push_back(
          {"delete", "pod", "--namespace", p.meta.namespace_, p.meta.name, "--ignore-not-found"});
    bool create = !old || respec;
    if (create || old->meta.labels != p.meta.labels)
      apply.push_back(renderPod(p, nodeOf(p), layout_));
    podsCreated |= create;
  }
  for (const auto& p : applied_.pods)
    if (!desired.findPod(p.meta.namespace_, p.meta.name)) {
      deletes.push_back(
          {"delete", "pod", "--namespace", p.meta.namespace_, p.meta.name, "--ignore-not-found"});
      podIps_.erase(key(p.meta.namespace_, p.meta.name));
    }
  bool servicesChanged = false;
  for (const auto& s : desired.services) {
    const Service* old = applied_.findService(s.meta.namespace_, s.meta.name);
    Service a = s, b = old ? *old : Service{};
    a.clusterIP = b.clusterIP = "";
    if (!old || !(a == b)) {
      apply.push_back(renderService(s));
      servicesChanged = true;
    }
  }
  for (const auto& s : applied_.services)
    if (!desired.findService(s.meta.namespace_, s.meta.name))
      deletes.push_back({"delete", "service", "--namespace", s.meta.namespace_, s.meta.name,
                         "--ignore-not-found"});
  for (const auto& p : desired.policies) {
    auto same = [&](const NetworkPolicy& o) { return o == p; };
    if (std::find_if(applied_.policies.begin(), applied_.policies.end(), same) ==
        applied_.policies.end())
      apply.push_back(renderPolicy(p));
  }
  for (const auto& p : applied_.policies) {
    bool kept =
        std::any_of(desired.policies.begin(), desired.policies.end(), [&](const NetworkPolicy& d) {
          return d.meta.namespace_ == p.meta.namespace_ && d.meta.name == p.meta.name;
        });
    if (!kept)
      deletes.push_back({"delete", "networkpolicy", "--namespace", p.meta.namespace_, p.meta.name,
                         "--ignore-not-found"});
  }
  // Cluster-scoped policies after the NetworkPolicies, in the same apply (their CRDs are there).
  for (const auto& p : desired.clusterPolicies) {
    const ClusterPolicy* old = applied_.findClusterPolicy(p.kind, p.meta.name);
    if (!old || !(*old == p)) apply.push_back(renderClusterPolicy(p, layout_));
  }
  for (const auto& p : applied_.clusterPolicies)
    if (!desired.findClusterPolicy(p.kind, p.meta.name))
      deletes.push_back({"delete", crdOf(p.kind).name, p.meta.name, "--ignore-not-found"});
  for (const auto& ns : applied_.namespaces)
    if (!desired.findNamespace(ns.meta.name))
      deletes.push_back({"delete", "namespace", ns.meta.name, "--ignore-not-found"});

  for (const auto& d : deletes)
    if (Run r = kubectl(d); !r.ok) return r.error;
  if (auto e = applyObjects(apply); !e.empty()) return e;
  applied_ = desired;
  if (podsCreated)
    if (auto e = waitForPods(desired); !e.empty()) return e;
  if (servicesChanged)
    if (auto e = readServices(desired); !e.empty()) return e;
  refreshActual();
  return "";
}

std::vector<ProbeResult> KindBackend::probe(const std::vector<Probe>& probes,
                                            const ProbeOptions& options) {
  ClientPods clients{layout_.runNamespace(), [this](const std::string& node) {
                       auto it = nodeMap_.find(node);
                       return clientPodName(it == nodeMap_.end() ? node : it->second);
                     }};
  ProbePlan plan = planProbes(actual_, probes, clients);
  BatchRunOptions bo;
  bo.kubectlPrefix = kubectlPrefix();
  bo.env = options_.env;
  bo.timeoutMs = options.timeoutMs;
  bo.maxParallelExecs = options_.maxParallelExecs;
  BatchRunStats stats;
  auto results = runBatches(plan, probes.size(), processes_, bo, &stats);
  execs_ += stats.execs;
  return results;
}

void KindBackend::tearDown() {
  if (!up_) return;
  up_ = false;
  applied_ = actual_ = Cluster{};
  podIps_.clear();
  serviceIps_.clear();
  if (options_.keep) return;
  const std::string selector = std::string(kRunLabel) + "=" + layout_.runId;
  // Cluster-scoped policies first: they are in no namespace of the run, and while they exist
  // they judge traffic cluster-wide (the namespace deletion below may wait for minutes). Only
  // the kinds whose CRDs this backend applied: kubectl fails on a resource the cluster lacks.
  if (!crdsApplied_.empty())
    kubectl(deleteLabelledArgs({crdsApplied_.begin(), crdsApplied_.end()}, selector));
  kubectl({"delete", "namespace", "--selector", selector, "--ignore-not-found", "--timeout=180s"});
}

}  // namespace npf::runner::kind
