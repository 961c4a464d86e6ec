// Encoding clusters as Kubernetes manifests. Each object is first built as an ordered JSON
// value (the same structure for both outputs); encodeJson dumps a List of them, encodeYaml
// writes each as a block-style YAML document with every ambiguous string quoted.
//
// Absent and empty stay apart: an absent optional is omitted, a present empty list or
// selector is written as `[]` / `{}`. Fields whose absent and empty values the model does
// not distinguish (labels, a selector's matchLabels, strings) are omitted when empty.
#include <cctype>
#include <nlohmann/json.hpp>

#include "model/codec.h"
#include "model/yaml_scalar.h"

namespace npf {
namespace {

using Json = nlohmann::ordered_json;

Json meta(const ObjectMeta& m, bool namespaced) {
  Json j = Json::object();
  j["name"] = m.name;
  if (namespaced) j["namespace"] = m.namespace_;
  if (!m.labels.empty()) j["labels"] = Json(m.labels);
  if (!m.annotations.empty()) j["annotations"] = Json(m.annotations);
  return j;
}

Json header(const char* apiVersion, const char* kind, const ObjectMeta& m, bool namespaced) {
  Json j = Json::object();
  j["apiVersion"] = apiVersion;
  j["kind"] = kind;
  j["metadata"] = meta(m, namespaced);
  return j;
}

Json portRef(const PortRef& p) { return p.isNumber() ? Json(p.number()) : Json(p.name()); }

Json selector(const LabelSelector& s) {
  Json j = Json::object();
  if (!s.matchLabels.empty()) j["matchLabels"] = Json(s.matchLabels);
  if (!s.matchExpressions.empty()) {
    Json exprs = Json::array();
    for (const auto& r : s.matchExpressions) {
      Json e = Json::object();
      e["key"] = r.key;
      e["operator"] = toString(r.op);
      if (!r.values.empty()) e["values"] = Json(r.values);
      exprs.push_back(std::move(e));
    }
    j["matchExpressions"] = std::move(exprs);
  }
  return j;
}

Json rules(const std::vector<NetworkPolicyRule>& rs, const char* peersKey) {
  Json out = Json::array();
  for (const auto& r : rs) {
    Json rule = Json::object();
    if (r.peers) {
      Json peers = Json::array();
      for (const auto& p : *r.peers) {
        Json peer = Json::object();
        if (p.podSelector) peer["podSelector"] = selector(*p.podSelector);
        if (p.namespaceSelector) peer["namespaceSelector"] = selector(*p.namespaceSelector);
        if (p.ipBlock) {
          Json b = Json::object();
          b["cidr"] = p.ipBlock->cidr;
          if (!p.ipBlock->except.empty()) b["except"] = Json(p.ipBlock->except);
          peer["ipBlock"] = std::move(b);
        }
        peers.push_back(std::move(peer));
      }
      rule[peersKey] = std::move(peers);
    }
    if (r.ports) {
      Json ports = Json::array();
      for (const auto& p : *r.ports) {
        Json port = Json::object();
        if (p.protocol) port["protocol"] = toString(*p.protocol);
        if (p.port) port["port"] = portRef(*p.port);
        if (p.endPort) port["endPort"] = *p.endPort;
        ports.push_back(std::move(port));
      }
      rule["ports"] = std::move(ports);
    }
    out.push_back(std::move(rule));
  }
  return out;
}

Json namespacedPods(const NamespacedPods& p) {
  Json j = Json::object();
  if (p.namespaceSelector) j["namespaceSelector"] = selector(*p.namespaceSelector);
  j["podSelector"] = selector(p.podSelector);
  return j;
}

// v1alpha1 `ports` entries or v1alpha2 `protocols` entries.
Json clusterPort(const ClusterPolicyPort& p, bool v2) {
  using Kind = ClusterPolicyPort::Kind;
  if (p.kind == Kind::Named) return Json{{v2 ? "destinationNamedPort" : "namedPort", p.name}};
  if (v2) {
    Json dest = p.kind == Kind::Number
                    ? Json{{"number", p.port}}
                    : Json{{"range", Json{{"start", p.port}, {"end", p.endPort}}}};
    std::string proto = toString(p.effectiveProtocol());
    for (auto& ch : proto) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return Json{{proto, Json{{"destinationPort", std::move(dest)}}}};
  }
  Json body = Json::object();
  if (p.protocol) body["protocol"] = toString(*p.protocol);
  if (p.kind == Kind::Number) {
    body["port"] = p.port;
    return Json{{"portNumber", std::move(body)}};
  }
  body["start"] = p.port;
  body["end"] = p.endPort;
  return Json{{"portRange", std::move(body)}};
}

Json clusterRules(const std::vector<ClusterPolicyRule>& rs, ClusterPolicyKind kind, bool egress) {
  const bool v2 = kind == ClusterPolicyKind::ClusterNetworkPolicy;
  Json out = Json::array();
  for (const auto& r : rs) {
    Json rule = Json::object();
    if (!r.name.empty()) rule["name"] = r.name;
    rule["action"] = toString(r.action, kind);
    Json peers = Json::array();
    for (const auto& p : r.peers) {
      Json peer = Json::object();
      if (p.namespaces) peer["namespaces"] = selector(*p.namespaces);
      if (p.pods) peer["pods"] = namespacedPods(*p.pods);
      if (p.nodes) peer["nodes"] = selector(*p.nodes);
      if (p.networks) peer["networks"] = Json(*p.networks);
      if (p.domainNames) peer["domainNames"] = Json(*p.domainNames);
      peers.push_back(std::move(peer));
    }
    rule[egress ? "to" : "from"] = std::move(peers);
    if (r.ports) {
      Json ports = Json::array();
      for (const auto& p : *r.ports) ports.push_back(clusterPort(p, v2));
      rule[v2 ? "protocols" : "ports"] = std::move(ports);
    }
    out.push_back(std::move(rule));
  }
  return out;
}

Json clusterPolicy(const ClusterPolicy& cp) {
  Json j = header(apiVersionOf(cp.kind), toString(cp.kind), cp.meta, false);
  Json spec = Json::object();
  if (cp.kind == ClusterPolicyKind::ClusterNetworkPolicy) spec["tier"] = toString(cp.tier);
  if (cp.kind != ClusterPolicyKind::BaselineAdminNetworkPolicy) spec["priority"] = cp.priority;
  Json subject = Json::object();
  if (cp.subject.namespaces) subject["namespaces"] = selector(*cp.subject.namespaces);
  if (cp.subject.pods) subject["pods"] = namespacedPods(*cp.subject.pods);
  spec["subject"] = std::move(subject);
  if (cp.ingress) spec["ingress"] = clusterRules(*cp.ingress, cp.kind, false);
  if (cp.egress) spec["egress"] = clusterRules(*cp.egress, cp.kind, true);
  j["spec"] = std::move(spec);
  return j;
}

// Every Kubernetes object of the cluster, in the order of encodeYaml's contract.
std::vector<Json> objects(const Cluster& c) {
  std::vector<Json> out;
  for (const auto& ns : c.namespaces) out.push_back(header("v1", "Namespace", ns.meta, false));
  for (const auto& n : c.nodes) {
    Json j = header("v1", "Node", n.meta, false);
    if (!n.internalIPs.empty()) {
      Json addrs = Json::array();
      for (const auto& ip : n.internalIPs)
        addrs.push_back(Json{{"type", "InternalIP"}, {"address", ip}});
      j["status"] = Json{{"addresses", std::move(addrs)}};
    }
    out.push_back(std::move(j));
  }
  for (const auto& p : c.pods) {
    Json j = header("v1", "Pod", p.meta, true);
    Json spec = Json::object();
    if (!p.nodeName.empty()) spec["nodeName"] = p.nodeName;
    if (p.hostNetwork) spec["hostNetwork"] = true;
    Json containers = Json::array();
    for (const auto& ctr : p.containers) {
      Json cj = Json::object();
      cj["name"] = ctr.name;
      if (!ctr.image.empty()) cj["image"] = ctr.image;
      if (!ctr.ports.empty()) {
        Json ports = Json::array();
        for (const auto& cp : ctr.ports) {
          Json pj = Json::object();
          if (!cp.name.empty()) pj["name"] = cp.name;
          pj["containerPort"] = cp.containerPort;
          if (cp.protocol) pj["protocol"] = toString(*cp.protocol);
          ports.push_back(std::move(pj));
        }
        cj["ports"] = std::move(ports);
      }
      containers.push_back(std::move(cj));
    }
    spec["containers"] = std::move(containers);
    j["spec"] = std::move(spec);
    if (!p.podIP.empty() || !p.podIPs.empty()) {
      Json status = Json::object();
      if (!p.podIP.empty()) status["podIP"] = p.podIP;
      if (!p.podIPs.empty()) {
        Json ips = Json::array();
        for (const auto& ip : p.podIPs) ips.push_back(Json{{"ip", ip}});
        status["podIPs"] = std::move(ips);
      }
      j["status"] = std::move(status);
    }
    out.push_back(std::move(j));
  }
  for (const auto& s : c.services) {
    Json j = header("v1", "Service", s.meta, true);
    Json spec = Json::object();
    if (!s.clusterIP.empty()) spec["clusterIP"] = s.clusterIP;
    if (s.selector) spec["selector"] = s.selector->empty() ? Json::object() : Json(*s.selector);
    Json ports = Json::array();
    for (const auto& sp : s.ports) {
      Json pj = Json::object();
      if (!sp.name.empty()) pj["name"] = sp.name;
      pj["port"] = sp.port;
      if (sp.protocol) pj["protocol"] = toString(*sp.protocol);
      if (sp.targetPort) pj["targetPort"] = portRef(*sp.targetPort);
      ports.push_back(std::move(pj));
    }
    spec["ports"] = std::move(ports);
    j["spec"] = std::move(spec);
    out.push_back(std::move(j));
  }
  for (const auto& np : c.policies) {
    Json j = header("networking.k8s.io/v1", "NetworkPolicy", np.meta, true);
    Json spec = Json::object();
    if (np.podSelector) spec["podSelector"] = selector(*np.podSelector);
    if (np.policyTypes) {
      Json types = Json::array();
      for (auto t : *np.policyTypes) types.push_back(toString(t));
      spec["policyTypes"] = std::move(types);
    }
    if (np.ingress) spec["ingress"] = rules(*np.ingress, "from");
    if (np.egress) spec["egress"] = rules(*np.egress, "to");
    j["spec"] = std::move(spec);
    out.push_back(std::move(j));
  }
  for (const auto& cp : c.clusterPolicies) out.push_back(clusterPolicy(cp));
  return out;
}

// ---- block-style YAML ----

std::string scalar(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      return yamlscalar::encode(v.get_ref<const std::string&>());
    case Json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return v.dump();
    case Json::value_t::object:
      return "{}";  // only reached when empty
    case Json::value_t::array:
      return "[]";
    default:
      return "null";
  }
}

void writeSeq(std::string& out, const Json& seq, int indent);

// A mapping at `indent`; the first key is already positioned when `inlineFirst` ("- key: v").
void writeMap(std::string& out, const Json& m, int indent, bool inlineFirst) {
  bool first = true;
  for (const auto& [key, v] : m.items()) {
    if (!(first && inlineFirst)) out.append(static_cast<size_t>(indent), ' ');
    first = false;
    out += yamlscalar::encode(key);
    out += ':';
    if (v.is_object() && !v.empty()) {
      out += '\n';
      writeMap(out, v, indent + 2, false);
    } else if (v.is_array() && !v.empty()) {
      out += '\n';
      writeSeq(out, v, indent);  // Kubernetes style: "- " at the key's indentation
    } else {
      out += ' ';
      out += scalar(v);
      out += '\n';
    }
  }
}

void writeSeq(std::string& out, const Json& seq, int indent) {
  for (const auto& e : seq) {
    out.append(static_cast<size_t>(indent), ' ');
    if (e.is_object() && !e.empty()) {
      out += "- ";
      writeMap(out, e, indent + 2, true);
    } else if (e.is_array() && !e.empty()) {
      out += "-\n";
      writeSeq(out, e, indent + 2);
    } else {
      out += "- ";
      out += scalar(e);
      out += '\n';
    }
  }
}

}  // namespace

std::string encodeYaml(const Cluster& c) {
  std::string out;
  bool first = true;
  for (const auto& obj : objects(c)) {
    if (!first) out += "---\n";
    first = false;
    writeMap(out, obj, 0, false);
  }
  return out;
}

std::string encodeJson(const Cluster& c) {
  Json list = Json::object();
  list["apiVersion"] = "v1";
  list["kind"] = "List";
  Json items = Json::array();
  for (auto& obj : objects(c)) items.push_back(std::move(obj));
  list["items"] = std::move(items);
  // ASCII only: characters beyond U+FFFF become surrogate pairs, which the decoder maps back;
  // invalid UTF-8 (never in a valid cluster) is replaced rather than thrown about.
  return list.dump(2, ' ', /*ensure_ascii=*/true, Json::error_handler_t::replace) + "\n";
}

std::vector<std::string> encodeObjectsJson(const Cluster& c) {
  std::vector<std::string> out;
  for (const auto& obj : objects(c))
    out.push_back(obj.dump(-1, ' ', /*ensure_ascii=*/true, Json::error_handler_t::replace));
  return out;
}

}  // namespace npf
