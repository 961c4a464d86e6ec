#include "runner/local/api_mirror.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "model/codec.h"
#include "model/ip.h"

namespace npf::runner::local {

namespace {

using Json = nlohmann::json;

// Creation order; deletion runs backwards.
int orderOf(const std::string& kind) {
  if (kind == "Namespace") return 0;
  if (kind == "Node") return 1;
  if (kind == "Pod") return 2;
  if (kind == "Service") return 3;
  return 4;  // NetworkPolicy
}

std::string escapeSegment(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_')
      out += char(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string collectionOf(const std::string& kind, const std::string& ns) {
  std::string n = "/namespaces/" + escapeSegment(ns);
  if (kind == "Namespace") return "/api/v1/namespaces";
  if (kind == "Node") return "/api/v1/nodes";
  if (kind == "Pod") return "/api/v1" + n + "/pods";
  if (kind == "Service") return "/api/v1" + n + "/services";
  return "/apis/networking.k8s.io/v1" + n + "/networkpolicies";
}

bool inCidr(const std::string& address, const std::string& cidr) {
  auto ip = parseIp(address);
  auto c = parseCidr(cidr);
  return ip && c && c->contains(*ip);
}

// What a kubelet would report for a running pod.
Json podStatus(const Json& pod, const std::string& hostIp) {
  Json status = Json::object();
  status["phase"] = "Running";
  status["conditions"] = Json::array({Json{{"type", "Ready"}, {"status", "True"}},
                                      Json{{"type", "ContainersReady"}, {"status", "True"}},
                                      Json{{"type", "PodScheduled"}, {"status", "True"}}});
  if (!hostIp.empty()) {
    status["hostIP"] = hostIp;
    status["hostIPs"] = Json::array({Json{{"ip", hostIp}}});
  }
  if (pod.contains("status")) {
    const Json& s = pod["status"];
    if (s.contains("podIP")) status["podIP"] = s["podIP"];
    if (s.contains("podIPs")) status["podIPs"] = s["podIPs"];
    if (!status.contains("podIP") && status.contains("podIPs") && !status["podIPs"].empty())
      status["podIP"] = status["podIPs"][0]["ip"];
    if (status.contains("podIP") && !status.contains("podIPs"))
      status["podIPs"] = Json::array({Json{{"ip", status["podIP"]}}});
  }
  status["containerStatuses"] = Json::array();
  for (const auto& c : pod["spec"]["containers"])
    status["containerStatuses"].push_back(
        Json{{"name", c["name"]},
             {"ready", true},
             {"restartCount", 0},
             {"image", c.value("image", "")},
             {"imageID", ""},
             {"started", true},
             {"state", Json{{"running", Json{{"startedAt", "2026-01-01T00:00:00Z"}}}}}});
  return status;
}

std::string labelsPatch(const Json& before, const Json& after) {
  Json labels = Json::object();
  Json b = before["metadata"].value("labels", Json::object());
  Json a = after["metadata"].value("labels", Json::object());
  for (auto it = b.begin(); it != b.end(); ++it)
    if (!a.contains(it.key())) labels[it.key()] = nullptr;
  for (auto it = a.begin(); it != a.end(); ++it) labels[it.key()] = it.value();
  return Json{{"metadata", Json{{"labels", labels}}}}.dump();
}

Json withoutLabels(Json j) {
  j["metadata"].erase("labels");
  return j;
}

// A pod whose spec or status changed cannot be updated in place (as a user would, delete it and
// create it again); a Service neither, simply. Labels alone are patched.
bool mustReplace(const std::string& kind, const std::string& before, const std::string& after) {
  if (before == after || (kind != "Pod" && kind != "Service")) return false;
  return withoutLabels(Json::parse(before)) != withoutLabels(Json::parse(after));
}

}  // namespace

ApiMirror::ApiMirror(KubeApi& api, std::string serviceCidr)
    : api_(api), serviceCidr_(std::move(serviceCidr)) {}

std::string ApiMirror::pathOf(const std::string& kind, const std::string& ns,
                              const std::string& name) {
  return collectionOf(kind, ns) + "/" + escapeSegment(name);
}

std::string ApiMirror::sync(const Cluster& view,
                            const std::map<std::string, std::string>& hostIps) {
  counts_ = {};
  std::map<std::string, Mirrored> want;
  for (const auto& text : encodeObjectsJson(view)) {
    Json j = Json::parse(text);
    Mirrored m;
    m.kind = j["kind"];
    m.name = j["metadata"]["name"];
    m.ns = j["metadata"].value("namespace", "");
    if (m.kind == "Pod") {
      for (auto& c : j["spec"]["containers"])
        if (!c.contains("image")) c["image"] = "registry.k8s.io/pause:3.10";  // never pulled
      auto it = hostIps.find(m.ns + "/" + m.name);
      j["status"] = podStatus(j, it == hostIps.end() ? "" : it->second);
    }
    if (m.kind == "Service" && j["spec"].contains("clusterIP") &&
        !inCidr(j["spec"]["clusterIP"], serviceCidr_))
      j["spec"].erase("clusterIP");
    m.json = j.dump();
    want[fmt::format("{}/{}/{}/{}", orderOf(m.kind), m.kind, m.ns, m.name)] = m;
  }
  // Deletions first (policies before the pods they select, pods before their namespace), so
  // that a name deleted and created again in one step is free when it is created.
  std::vector<std::string> gone;
  for (auto it = have_.rbegin(); it != have_.rend(); ++it) {
    auto w = want.find(it->first);
    if (w != want.end() && !mustReplace(w->second.kind, it->second.json, w->second.json)) continue;
    if (auto e = remove(it->second); !e.empty()) return e;
    gone.push_back(it->first);
  }
  for (const auto& key : gone) have_.erase(key);
  for (const auto& [key, m] : want) {
    auto it = have_.find(key);
    std::string e = it == have_.end()           ? create(m)
                    : it->second.json != m.json ? update(it->second, m)
                                                : "";
    if (!e.empty()) return e;
    have_[key] = m;
  }
  return "";
}

std::string ApiMirror::remove(const Mirrored& m) {
  std::string path = pathOf(m.kind, m.ns, m.name);
  auto r = api_.remove(path);
  if (!r.ok() && r.status != 404)
    return fmt::format("API: deleting {} {}/{}: {}", m.kind, m.ns, m.name, r.describe());
  ++counts_.deleted;
  noteChanged(m);
  if (m.kind != "Namespace") return "";
  // No namespace controller runs: finalize it ourselves, then delete it for good.
  auto got = api_.get(path);
  if (got.status == 404) return "";
  if (!got.ok()) return fmt::format("API: reading namespace {}: {}", m.name, got.describe());
  Json ns = Json::parse(got.body, nullptr, false);
  if (ns.is_discarded()) return "API: unreadable namespace " + m.name;
  ns["spec"]["finalizers"] = Json::array();
  if (auto f = api_.replace(path + "/finalize", ns.dump()); !f.ok())
    return fmt::format("API: finalizing namespace {}: {}", m.name, f.describe());
  if (auto d = api_.remove(path); !d.ok() && d.status != 404)
    return fmt::format("API: deleting namespace {}: {}", m.name, d.describe());
  return "";
}

std::string ApiMirror::create(const Mirrored& m) {
  Json j = Json::parse(m.json);
  Json status;
  if (m.kind == "Pod") {
    status = j["status"];
    j.erase("status");  // written through the status subresource, as a kubelet does
  }
  auto r = api_.create(collectionOf(m.kind, m.ns), j.dump());
  if (r.status == 409 && m.kind == "Namespace") {  // default, kube-system: already there
    auto p = api_.mergePatch(pathOf(m.kind, m.ns, m.name), labelsPatch(Json{{"metadata", {}}}, j));
    if (!p.ok()) return fmt::format("API: labelling namespace {}: {}", m.name, p.describe());
    ++counts_.updated;
    noteChanged(m);
    return "";
  }
  if (!r.ok()) return fmt::format("API: creating {} {}/{}: {}", m.kind, m.ns, m.name, r.describe());
  ++counts_.created;
  noteChanged(m);
  if (m.kind != "Pod") return "";
  Json created = Json::parse(r.body, nullptr, false);
  if (created.is_discarded()) return "API: unreadable answer creating pod " + m.name;
  created["status"] = status;
  auto s = api_.replace(pathOf(m.kind, m.ns, m.name) + "/status", created.dump());
  if (!s.ok())
    return fmt::format("API: writing the status of pod {}/{}: {}", m.ns, m.name, s.describe());
  return "";
}

std::string ApiMirror::update(const Mirrored& before, const Mirrored& after) {
  Json a = Json::parse(before.json), b = Json::parse(after.json);
  std::string path = pathOf(after.kind, after.ns, after.name);
  if (after.kind == "Namespace" || after.kind == "Pod" || after.kind == "Service" ||
      after.kind == "Node") {
    // Only labels can differ here (sync() replaced pods and Services whose spec changed).
    auto r = api_.mergePatch(path, labelsPatch(a, b));
    if (!r.ok())
      return fmt::format("API: relabelling {} {}/{}: {}", after.kind, after.ns, after.name,
                         r.describe());
    ++counts_.updated;
    noteChanged(after);
    return "";
  }
  // A NetworkPolicy: replaced as written, at the version the server has.
  auto got = api_.get(path);
  if (!got.ok())
    return fmt::format("API: reading NetworkPolicy {}/{}: {}", after.ns, after.name,
                       got.describe());
  Json current = Json::parse(got.body, nullptr, false);
  if (current.is_discarded()) return "API: unreadable NetworkPolicy " + after.name;
  b["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"];
  auto r = api_.replace(path, b.dump());
  if (!r.ok())
    return fmt::format("API: updating NetworkPolicy {}/{}: {}", after.ns, after.name, r.describe());
  // The same object in another spelling (an absent podSelector and `{}`) changes nothing: the
  // server keeps its resourceVersion and no watcher hears of it.
  Json written = Json::parse(r.body, nullptr, false);
  if (!written.is_discarded() &&
      written["metadata"]["resourceVersion"] == current["metadata"]["resourceVersion"]) {
    ++counts_.unchanged;
    return "";
  }
  ++counts_.updated;
  noteChanged(after);
  return "";
}

void ApiMirror::noteChanged(const Mirrored& m) {
  bool hostNetwork = false;
  if (m.kind == "Pod") {
    Json j = Json::parse(m.json);
    hostNetwork = j["spec"].value("hostNetwork", false);
  }
  counts_.changed.insert(hostNetwork ? "HostNetworkPod" : m.kind);
}

}  // namespace npf::runner::local
