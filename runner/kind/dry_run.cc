#include "runner/kind/dry_run.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <regex>
#include <sstream>

#include "runner/kind/crds.h"

namespace npf::runner::kind {
namespace {

using Json = nlohmann::json;

std::string quote(const std::string& s) {
  bool plain = !s.empty() &&
               s.find_first_not_of(
                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,@+") ==
                   std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The network-policy-api resources the backend names (fully qualified) -> their kinds.
const std::map<std::string, std::string>& clusterPolicyResources() {
  static const std::map<std::string, std::string> out = [] {
    std::map<std::string, std::string> m;
    for (auto k :
         {ClusterPolicyKind::AdminNetworkPolicy, ClusterPolicyKind::BaselineAdminNetworkPolicy,
          ClusterPolicyKind::ClusterNetworkPolicy})
      m[crdOf(k).name] = toString(k);
    return m;
  }();
  return out;
}

bool isClusterPolicyKind(const std::string& kind) {
  for (const auto& [resource, k] : clusterPolicyResources())
    if (k == kind) return true;
  return false;
}

// What the echo shows of an apply's input: CRDs (thousands of lines of upstream schema) by
// name and source file only, everything else in full.
std::string shownInput(const std::string& in) {
  if (in.find("kind: CustomResourceDefinition") == std::string::npos) return in;
  std::string out;
  for (auto k :
       {ClusterPolicyKind::AdminNetworkPolicy, ClusterPolicyKind::BaselineAdminNetworkPolicy,
        ClusterPolicyKind::ClusterNetworkPolicy}) {
    const Crd& crd = crdOf(k);
    if (in.find(crd.yaml) != std::string::npos)
      out +=
          fmt::format("# CustomResourceDefinition {}: runner/kind/crds/{} (embedded; not shown)\n",
                      crd.name, crd.file);
  }
  return out.empty() ? in : out;
}

}  // namespace

std::string shellQuoted(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + quote(a);
  return out;
}

ProcessResult SimulatedCluster::run(const std::vector<std::string>& argv,
                                    const std::vector<std::string>&, const std::string& stdinData,
                                    const std::string&) {
  std::lock_guard lock(mu_);
  calls.push_back(argv);
  if (echo_) {
    *echo_ << "$ " << shellQuoted(argv) << (stdinData.empty() ? "" : " <<'EOF'") << '\n';
    std::string shown = shownInput(stdinData);
    if (!shown.empty()) *echo_ << shown << (shown.back() == '\n' ? "" : "\n") << "EOF\n";
  }
  if (kubectlMissing) return {-1, "", "cannot execute kubectl: No such file or directory"};
  // Skip the prefix: kubectl [--context NAME].
  size_t at = 1;
  if (argv.size() > 2 && argv[1] == "--context") at = 3;
  std::vector<std::string> a(argv.begin() + std::min(at, argv.size()), argv.end());
  if (a.size() >= 2 && a[0] == "get" && a[1] == "nodes") {
    Json items = Json::array();
    int i = 2;
    for (const char* n : {"control-plane", "worker-1", "worker-2"}) {
      Json node = {{"metadata", {{"name", n}, {"labels", Json::object()}}},
                   {"status",
                    {{"addresses",
                      {{{"type", "InternalIP"}, {"address", fmt::format("172.18.0.{}", i++)}}}}}}};
      if (std::string(n) == "control-plane")
        node["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] = "";
      items.push_back(node);
    }
    return {0, Json{{"items", items}}.dump(), ""};
  }
  if (!a.empty() && a[0] == "apply") return apply(stdinData);
  if (a.size() >= 2 && a[0] == "get" && a[1] == "pods") return {0, listOf("Pod"), ""};
  if (a.size() >= 2 && a[0] == "get" && a[1] == "services") return {0, listOf("Service"), ""};
  if (a.size() >= 2 && a[0] == "get" && clusterPolicyResources().count(a[1]))
    return {0, listOf(clusterPolicyResources().at(a[1])), ""};
  if (!a.empty() && a[0] == "wait") return wait(a);
  if (!a.empty() && a[0] == "delete") return remove(a);
  if (!a.empty() && a[0] == "exec") return exec(a);
  return {1, "", "simulated cluster: unexpected command " + shellQuoted(argv)};
}

ProcessResult SimulatedCluster::applyCrds(const std::string& in) {
  try {
    for (const auto& doc : YAML::LoadAll(in)) {
      if (doc["kind"].as<std::string>("") != "CustomResourceDefinition")
        return {1, "", "simulated cluster: a YAML apply holds only CRDs"};
      std::string name = doc["metadata"]["name"].as<std::string>("");
      objects["CustomResourceDefinition /" + name] = {{"kind", "CustomResourceDefinition"},
                                                      {"metadata", {{"name", name}}}};
    }
  } catch (const YAML::Exception& e) {
    return {1, "", std::string("error: ") + e.what()};
  }
  return {0, "", ""};
}

ProcessResult SimulatedCluster::wait(const std::vector<std::string>& a) {
  // wait --for condition=established --timeout=Ns crd/NAME...
  for (const auto& arg : a)
    if (arg.rfind("crd/", 0) == 0 && !objects.count("CustomResourceDefinition /" + arg.substr(4)))
      return {1, "",
              "Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "
              "\"" +
                  arg.substr(4) + "\" not found"};
  return {0, "", ""};
}

ProcessResult SimulatedCluster::apply(const std::string& in) {
  applied.push_back(in);
  Json list = Json::parse(in, nullptr, false);
  if (list.is_discarded()) return applyCrds(in);
  if (!list.is_object() || !list.contains("items")) return {1, "", "error: not a JSON List"};
  // As kubectl does: a kind the server does not know fails before anything is applied.
  for (const auto& o : list["items"]) {
    std::string kind = o.value("kind", "");
    bool known = !isClusterPolicyKind(kind);
    for (const auto& [resource, k] : clusterPolicyResources())
      if (k == kind) known = objects.count("CustomResourceDefinition /" + resource);
    if (!known)
      return {1, "",
              fmt::format("error: resource mapping not found for name: \"{}\" namespace: \"\" "
                          "from \"STDIN\": no matches for kind \"{}\" in version \"{}\"\n"
                          "ensure CRDs are installed first",
                          o["metadata"].value("name", ""), kind, o.value("apiVersion", ""))};
  }
  for (auto& o : list["items"]) {
    std::string kind = o.value("kind", ""), ns = o["metadata"].value("namespace", ""),
                name = o["metadata"].value("name", "");
    std::string k = ns + "/" + name;
    if (kind == "Pod") {
      if (!podIp.count(k))
        podIp[k] = fmt::format("10.244.{}.{}", nextPod_ / 250, nextPod_ % 250), ++nextPod_;
      bool ready = !neverReady.count(k);
      Json state = ready ? Json{{"running", Json::object()}}
                         : Json{{"waiting", {{"reason", "ImagePullBackOff"}}}};
      o["status"] = {{"phase", ready ? "Running" : "Pending"},
                     {"podIP", ready ? podIp[k] : ""},
                     {"containerStatuses", {{{"ready", ready}, {"state", state}}}}};
      if (ready) o["status"]["podIPs"] = {{{"ip", podIp[k]}}};
    }
    if (kind == "Service") {
      if (!serviceIp.count(k))
        serviceIp[k] = fmt::format("10.96.{}.{}", nextService_ / 250, nextService_ % 250),
        ++nextService_;
      o["spec"]["clusterIP"] = serviceIp[k];
    }
    objects[kind + " " + k] = o;
  }
  return {0, "", ""};
}

std::string SimulatedCluster::listOf(const std::string& kind) const {
  Json items = Json::array();
  for (const auto& [k, o] : objects)
    if (k.rfind(kind + " ", 0) == 0) items.push_back(o);
  return Json{{"items", items}}.dump();
}

ProcessResult SimulatedCluster::remove(const std::vector<std::string>& a) {
  static const std::map<std::string, std::string> kinds = {{"pod", "Pod"},
                                                           {"service", "Service"},
                                                           {"networkpolicy", "NetworkPolicy"},
                                                           {"namespace", "Namespace"}};
  // delete RESOURCE[,RESOURCE...] --selector netpolfuzz.io/run=RUN: cluster-scoped policies.
  if (a.size() > 3 && a[2] == "--selector" && a[1] != "namespace") {
    std::set<std::string> kindsNamed;
    std::stringstream resources(a[1]);
    for (std::string r; std::getline(resources, r, ',');) {
      if (!clusterPolicyResources().count(r))
        return {1, "", "error: the server doesn't have a resource type \"" + r + "\""};
      kindsNamed.insert(clusterPolicyResources().at(r));
    }
    std::string run = a[3].substr(a[3].find('=') + 1);
    std::erase_if(objects, [&](const auto& kv) {
      const Json& o = kv.second;
      return kindsNamed.count(o.value("kind", "")) &&
             o["metadata"].value("labels", Json::object()).value("netpolfuzz.io/run", "") == run;
    });
    return {0, "", ""};
  }
  // delete RESOURCE NAME: one cluster-scoped policy.
  if (a.size() >= 3 && clusterPolicyResources().count(a[1])) {
    objects.erase(clusterPolicyResources().at(a[1]) + " /" + a[2]);
    return {0, "", ""};
  }
  if (a.size() < 3 || !kinds.count(a[1])) return {1, "", "simulated cluster: cannot delete that"};
  if (a[1] == "namespace" && a[2] == "--selector" && a.size() > 3) {
    std::string run = a[3].substr(a[3].find('=') + 1);
    std::set<std::string> gone;
    for (const auto& [k, o] : objects)
      if (o.value("kind", "") == "Namespace" &&
          o["metadata"].value("labels", Json::object()).value("netpolfuzz.io/run", "") == run)
        gone.insert(o["metadata"].value("name", ""));
    std::erase_if(objects, [&](const auto& kv) {
      const Json& m = kv.second["metadata"];
      return gone.count(m.value("namespace", "")) ||
             (kv.second.value("kind", "") == "Namespace" && gone.count(m.value("name", "")));
    });
    return {0, "", ""};
  }
  bool namespaced = a[2] == "--namespace" && a.size() > 4;
  objects.erase(kinds.at(a[1]) + " " + (namespaced ? a[3] + "/" + a[4] : "/" + a[2]));
  return {0, "", ""};
}

ProcessResult SimulatedCluster::exec(const std::vector<std::string>& a) {
  // exec --namespace NS POD [--container C] -- /bin/sh -c SCRIPT
  if (a.size() < 4) return {1, "", "simulated cluster: bad exec"};
  if (!objects.count("Pod " + a[2] + "/" + a[3]))
    return {1, "", "Error from server (NotFound): pods \"" + a[3] + "\" not found"};
  const std::string& script = a.back();
  std::string out = "NPF-BEGIN\n";
  static const std::regex probeLine(R"(p (\d+) (\S+) \d+ms (tcp|udp|sctp) &)");
  for (std::sregex_iterator it(script.begin(), script.end(), probeLine), end; it != end; ++it) {
    bool drop = blocked.count((*it)[2].str());
    out += fmt::format("NPF-R {} {}   {}\n", (*it)[1].str(), drop ? 1 : 0, drop ? "TIMEOUT" : "");
  }
  return {0, out + "NPF-END\n", ""};
}

}  // namespace npf::runner::kind
