// Validation like the apiserver's (k8s.io/apimachinery validation, core/v1 and networking/v1
// ValidateXxx), limited to the fields the model carries. Each problem names the object and the
// field path and is located through the object's Origin.
#include "model/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "model/ip.h"
#include "model/yaml_scalar.h"

namespace npf {
namespace {

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlnum(char c) { return isLower(c) || isDigit(c) || (c >= 'A' && c <= 'Z'); }
bool isLowerAlnum(char c) { return isLower(c) || isDigit(c); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool isDnsLabelPart(std::string_view s) {
  if (s.empty() || !isLowerAlnum(s.front()) || !isLowerAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return isLowerAlnum(c) || c == '-'; });
}

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 63: a label value or the name part of a key.
bool isQualifiedNamePart(std::string_view s) {
  if (s.empty() || s.size() > 63 || !isAlnum(s.front()) || !isAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool isDns1035Label(const std::string& s) {
  return s.size() <= 63 && isDnsLabelPart(s) && isLower(s.front());
}

bool isValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    size_t len = yamlscalar::utf8Sequence(s, i, cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

bool hasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

constexpr const char* kLabelMsg =
    "must be a DNS-1123 label (at most 63 lowercase alphanumerics or '-', starting and ending "
    "alphanumeric)";
constexpr const char* kSubdomainMsg =
    "must be a DNS-1123 subdomain (at most 253 lowercase alphanumerics, '-' or '.', each part "
    "starting and ending alphanumeric)";
constexpr const char* kDns1035Msg =
    "must be a DNS-1035 label (at most 63 lowercase alphanumerics or '-', starting with a letter, "
    "ending alphanumeric)";
constexpr const char* kQualifiedMsg =
    "must be a qualified name: an optional DNS-1123 subdomain prefix and '/', then at most 63 "
    "alphanumerics, '-', '_' or '.', starting and ending alphanumeric";
constexpr const char* kLabelValueMsg =
    "must be empty or at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric";
constexpr const char* kIanaMsg =
    "must be an IANA_SVC_NAME (at most 15 lowercase alphanumerics or '-', with at least one "
    "letter, no '-' at either end, no '--')";
constexpr size_t kMaxAnnotationBytes = 256 * 1024;

std::string quote(const std::string& s) { return "\"" + yamlscalar::excerpt(s) + "\""; }

// Removes the last component of a field path: "a.b[2].c" -> "a.b[2]" -> "a.b" -> "a" -> "".
std::string parentPath(const std::string& p) {
  if (!p.empty() && p.back() == ']') {
    size_t i = p.rfind('[');
    return i == std::string::npos ? std::string() : p.substr(0, i);
  }
  size_t i = p.rfind('.');
  return i == std::string::npos ? std::string() : p.substr(0, i);
}

class Validator {
 public:
  explicit Validator(const Cluster& c) : c_(c) {}

  std::vector<Diagnostic> run() {
    for (const auto& ns : c_.namespaces) {
      Scope s = scope("Namespace", ns.meta, ns.origin, false);
      validateMeta(s, ns.meta, false, NameRule::Dns1123Label);
      checkDuplicate(s, "Namespace", ns.meta);
    }
    for (const auto& n : c_.nodes) validateNode(n);
    for (const auto& p : c_.pods) validatePod(p);
    for (const auto& s : c_.services) validateService(s);
    for (const auto& np : c_.policies) validatePolicy(np);
    for (const auto& cp : c_.clusterPolicies) validateClusterPolicy(cp);
    for (const auto& h : c_.externalHosts) {
      std::string label = fmt::format("ExternalHost {}", h.name.empty() ? "<no name>" : h.name);
      if (h.name.empty()) out_.push_back(Diagnostic{"<memory>", 0, 0, label + ": name: required"});
      if (!parseIp(h.ip))
        out_.push_back(
            Diagnostic{"<memory>", 0, 0,
                       fmt::format("{}: ip: not a valid IP address: {}", label, quote(h.ip))});
    }
    return std::move(out_);
  }

 private:
  // One object under validation: how messages name it and where its fields are.
  struct Scope {
    std::string label;  // "Pod ns/name", "Node name"
    const Origin* origin;
  };

  enum class NameRule { Dns1123Label, Dns1123Subdomain, Dns1035Label };

  Scope scope(const char* kind, const ObjectMeta& m, const Origin& o, bool namespaced) {
    std::string name = m.name.empty() ? "<no name>" : yamlscalar::excerpt(m.name);
    if (namespaced)
      return Scope{fmt::format("{} {}/{}", kind, yamlscalar::excerpt(m.namespace_), name), &o};
    return Scope{fmt::format("{} {}", kind, name), &o};
  }

  // The position of `path`: its own, else the longest recorded prefix's, else the object's.
  std::pair<int, int> locate(const Origin& o, std::string path) const {
    if (o.fields) {
      for (; !path.empty(); path = parentPath(path)) {
        auto it = o.fields->find(path);
        if (it != o.fields->end()) return it->second;
      }
    }
    return {o.line, o.col};
  }

  void report(const Scope& s, const std::string& path, const std::string& what) {
    auto [line, col] = locate(*s.origin, path);
    std::string file = s.origin->file.empty() ? "<memory>" : s.origin->file;
    out_.push_back(Diagnostic{file, line, col, fmt::format("{}: {}: {}", s.label, path, what)});
  }

  // ---- shared pieces ----

  void validateMeta(const Scope& s, const ObjectMeta& m, bool namespaced, NameRule rule) {
    if (m.name.empty()) {
      report(s, "metadata.name", "required");
    } else {
      bool ok = rule == NameRule::Dns1123Label       ? isDns1123Label(m.name)
                : rule == NameRule::Dns1123Subdomain ? isDns1123Subdomain(m.name)
                                                     : isDns1035Label(m.name);
      const char* msg = rule == NameRule::Dns1123Label       ? kLabelMsg
                        : rule == NameRule::Dns1123Subdomain ? kSubdomainMsg
                                                             : kDns1035Msg;
      if (!ok) report(s, "metadata.name", fmt::format("{} {}", quote(m.name), msg));
    }
    if (namespaced) {
      if (m.namespace_.empty())
        report(s, "metadata.namespace", "required");
      else if (!isDns1123Label(m.namespace_))
        report(s, "metadata.namespace", fmt::format("{} {}", quote(m.namespace_), kLabelMsg));
    } else if (!m.namespace_.empty()) {
      report(s, "metadata.namespace", "must be empty for a cluster-scoped object");
    }
    validateLabels(s, "metadata.labels", m.labels);
    size_t total = 0;
    for (const auto& [k, v] : m.annotations) {
      std::string path = fmt::format("metadata.annotations[{}]", k);
      std::string lower = k;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      });
      if (!isQualifiedName(lower))
        report(s, path, fmt::format("key {} {}", quote(k), kQualifiedMsg));
      if (!isValidUtf8(v)) report(s, path, "value must be valid UTF-8");
      total += k.size() + v.size();
    }
    if (total > kMaxAnnotationBytes)
      report(s, "metadata.annotations", "must have at most 262144 bytes in total");
  }

  void validateLabels(const Scope& s, const std::string& path, const Labels& labels) {
    for (const auto& [k, v] : labels) {
      std::string p = fmt::format("{}[{}]", path, k);
      if (!isQualifiedName(k)) report(s, p, fmt::format("key {} {}", quote(k), kQualifiedMsg));
      if (!isLabelValue(v)) report(s, p, fmt::format("value {} {}", quote(v), kLabelValueMsg));
    }
  }

  void validateSelector(const Scope& s, const std::string& path, const LabelSelector& sel) {
    validateLabels(s, path + ".matchLabels", sel.matchLabels);
    for (size_t i = 0; i < sel.matchExpressions.size(); ++i) {
      const auto& r = sel.matchExpressions[i];
      std::string p = fmt::format("{}.matchExpressions[{}]", path, i);
      if (!isQualifiedName(r.key))
        report(s, p + ".key", fmt::format("{} {}", quote(r.key), kQualifiedMsg));
      bool needsValues = r.op == SelectorOp::In || r.op == SelectorOp::NotIn;
      if (needsValues && r.values.empty())
        report(s, p + ".values",
               fmt::format("must be non-empty when operator is {}", toString(r.op)));
      if (!needsValues && !r.values.empty())
        report(s, p + ".values", fmt::format("must be empty when operator is {}", toString(r.op)));
      for (size_t j = 0; j < r.values.size(); ++j)
        if (!isLabelValue(r.values[j]))
          report(s, fmt::format("{}.values[{}]", p, j),
                 fmt::format("{} {}", quote(r.values[j]), kLabelValueMsg));
    }
  }

  void validatePortNumber(const Scope& s, const std::string& path, int64_t port) {
    if (port < 1 || port > 65535)
      report(s, path, fmt::format("must be between 1 and 65535, got {}", port));
  }

  // A port number 1..65535 or an IANA_SVC_NAME.
  void validatePortRef(const Scope& s, const std::string& path, const PortRef& p) {
    if (p.isNumber())
      validatePortNumber(s, path, p.number());
    else if (!isIanaSvcName(p.name()))
      report(s, path, fmt::format("{} {}", quote(p.name()), kIanaMsg));
  }

  std::optional<IpAddress> validateIp(const Scope& s, const std::string& path,
                                      const std::string& ip) {
    auto parsed = parseIp(ip);
    if (!parsed) report(s, path, fmt::format("not a valid IP address: {}", quote(ip)));
    return parsed;
  }

  // ---- objects ----

  // Field path of the i-th InternalIP: the decoder records only InternalIP entries'
  // `status.addresses[k].address`, so it is the i-th such path in index order.
  static std::string nodeAddressPath(const Node& n, size_t i) {
    std::vector<size_t> indexes;
    if (n.origin.fields) {
      const std::string prefix = "status.addresses[", suffix = "].address";
      for (auto it = n.origin.fields->lower_bound(prefix); it != n.origin.fields->end(); ++it) {
        const std::string& k = it->first;
        if (k.compare(0, prefix.size(), prefix) != 0) break;
        if (k.size() <= prefix.size() + suffix.size() ||
            k.compare(k.size() - suffix.size(), suffix.size(), suffix) != 0)
          continue;
        size_t idx = 0;
        const char* b = k.data() + prefix.size();
        const char* e = k.data() + k.size() - suffix.size();
        auto [p, ec] = std::from_chars(b, e, idx);
        if (ec == std::errc() && p == e) indexes.push_back(idx);
      }
      std::sort(indexes.begin(), indexes.end());
    }
    size_t k = i < indexes.size() ? indexes[i] : i;
    return fmt::format("status.addresses[{}].address", k);
  }

  void validateNode(const Node& n) {
    Scope s = scope("Node", n.meta, n.origin, false);
    validateMeta(s, n.meta, false, NameRule::Dns1123Subdomain);
    for (size_t i = 0; i < n.internalIPs.size(); ++i)
      validateIp(s, nodeAddressPath(n, i), n.internalIPs[i]);
    checkDuplicate(s, "Node", n.meta);
  }

  void validatePod(const Pod& p) {
    Scope s = scope("Pod", p.meta, p.origin, true);
    validateMeta(s, p.meta, true, NameRule::Dns1123Subdomain);
    if (!p.nodeName.empty() && !isDns1123Subdomain(p.nodeName))
      report(s, "spec.nodeName", fmt::format("{} {}", quote(p.nodeName), kSubdomainMsg));
    if (p.containers.empty()) report(s, "spec.containers", "required (at least one container)");
    std::map<std::string, std::string> containerNames, portNames;  // name -> first path
    for (size_t i = 0; i < p.containers.size(); ++i) {
      const Container& ctr = p.containers[i];
      std::string cp = fmt::format("spec.containers[{}]", i);
      if (ctr.name.empty())
        report(s, cp + ".name", "required");
      else if (!isDns1123Label(ctr.name))
        report(s, cp + ".name", fmt::format("{} {}", quote(ctr.name), kLabelMsg));
      else if (auto [it, fresh] = containerNames.emplace(ctr.name, cp); !fresh)
        report(s, cp + ".name",
               fmt::format("duplicate container name {} (also {})", quote(ctr.name), it->second));
      if (ctr.image.empty())
        report(s, cp + ".image", "required");
      else if (!isValidUtf8(ctr.image) || hasControlCharacter(ctr.image))
        report(s, cp + ".image", "must be valid UTF-8 without control characters");
      else if (ctr.image.front() == ' ' || ctr.image.back() == ' ')
        report(s, cp + ".image", "must not have leading or trailing whitespace");
      for (size_t j = 0; j < ctr.ports.size(); ++j) {
        const ContainerPort& port = ctr.ports[j];
        std::string pp = fmt::format("{}.ports[{}]", cp, j);
        validatePortNumber(s, pp + ".containerPort", port.containerPort);
        if (port.name.empty()) continue;
        if (!isIanaSvcName(port.name))
          report(s, pp + ".name", fmt::format("{} {}", quote(port.name), kIanaMsg));
        else if (auto [it, fresh] = portNames.emplace(port.name, pp); !fresh)
          report(s, pp + ".name",
                 fmt::format("duplicate port name {} (also {})", quote(port.name), it->second));
      }
    }
    // status: podIP and podIPs (at most one address per family; podIPs[0] is podIP).
    std::optional<IpAddress> podIP;
    if (!p.podIP.empty()) podIP = validateIp(s, "status.podIP", p.podIP);
    std::vector<IpAddress> ips;
    if (p.podIPs.size() > 2)
      report(s, "status.podIPs", "must have at most two addresses, one per family");
    for (size_t i = 0; i < p.podIPs.size(); ++i) {
      std::string path = fmt::format("status.podIPs[{}].ip", i);
      auto ip = validateIp(s, path, p.podIPs[i]);
      if (!ip) continue;
      for (const auto& other : ips)
        if (other.family == ip->family) {
          report(s, path, "must have at most one address per family");
          break;
        }
      ips.push_back(*ip);
    }
    if (podIP && !p.podIPs.empty()) {
      auto first = parseIp(p.podIPs[0]);
      if (first && *first != *podIP)
        report(s, "status.podIPs[0].ip", fmt::format("must equal status.podIP ({})", p.podIP));
    }
    if (podIP) ips.push_back(*podIP);
    // A hostNetwork pod has its node's addresses.
    if (p.hostNetwork && !p.nodeName.empty()) {
      const Node* node = c_.findNode(p.nodeName);
      if (node && !node->internalIPs.empty()) {
        std::set<IpAddress> nodeIps;
        for (const auto& a : node->internalIPs)
          if (auto ip = parseIp(a)) nodeIps.insert(*ip);
        std::set<IpAddress> reported;
        for (size_t i = 0; i < ips.size(); ++i) {
          if (nodeIps.count(ips[i]) || !reported.insert(ips[i]).second) continue;
          std::string path =
              (podIP && ips[i] == *podIP) ? "status.podIP" : fmt::format("status.podIPs[{}].ip", i);
          report(s, path,
                 fmt::format("a hostNetwork pod's IP must be one of its node's addresses ({} is "
                             "not an address of node {})",
                             toString(ips[i]), p.nodeName));
        }
      }
    }
    // Two ordinary pods with one IP: which one a probe reaches would be undefined.
    if (!p.hostNetwork) {
      std::set<IpAddress> own(ips.begin(), ips.end());
      for (const auto& ip : own) {
        std::string me = p.meta.namespace_ + "/" + p.meta.name;
        auto [it, fresh] = podIpOwner_.emplace(ip, me);
        if (!fresh && it->second != me)
          report(s, p.podIP.empty() ? "status.podIPs" : "status.podIP",
                 fmt::format("IP {} is also the IP of pod {}", toString(ip), it->second));
      }
    }
    checkDuplicate(s, "Pod", p.meta);
  }

  void validateService(const Service& svc) {
    Scope s = scope("Service", svc.meta, svc.origin, true);
    validateMeta(s, svc.meta, true, NameRule::Dns1035Label);
    if (!svc.clusterIP.empty() && svc.clusterIP != "None")
      validateIp(s, "spec.clusterIP", svc.clusterIP);
    if (svc.selector) validateLabels(s, "spec.selector", *svc.selector);
    if (svc.ports.empty() && svc.clusterIP != "None")
      report(s, "spec.ports", "required (at least one port)");
    std::map<std::string, std::string> names;
    std::map<std::pair<int32_t, Protocol>, std::string> numbers;
    for (size_t i = 0; i < svc.ports.size(); ++i) {
      const ServicePort& sp = svc.ports[i];
      std::string pp = fmt::format("spec.ports[{}]", i);
      if (sp.name.empty()) {
        if (svc.ports.size() > 1)
          report(s, pp + ".name", "required when the Service has more than one port");
      } else if (!isDns1123Label(sp.name)) {
        report(s, pp + ".name", fmt::format("{} {}", quote(sp.name), kLabelMsg));
      } else if (auto [it, fresh] = names.emplace(sp.name, pp); !fresh) {
        report(s, pp + ".name",
               fmt::format("duplicate port name {} (also {})", quote(sp.name), it->second));
      }
      validatePortNumber(s, pp + ".port", sp.port);
      if (auto [it, fresh] = numbers.emplace(std::pair{sp.port, sp.effectiveProtocol()}, pp);
          !fresh)
        report(s, pp,
               fmt::format("duplicate port {}/{} (also {})", sp.port,
                           toString(sp.effectiveProtocol()), it->second));
      if (sp.targetPort) validatePortRef(s, pp + ".targetPort", *sp.targetPort);
    }
    checkDuplicate(s, "Service", svc.meta);
  }

  void validatePolicyPort(const Scope& s, const std::string& path, const NetworkPolicyPort& p) {
    if (p.port) validatePortRef(s, path + ".port", *p.port);
    if (!p.endPort) return;
    std::string ep = path + ".endPort";
    if (!p.port)
      report(s, ep, "may not be specified when port is not specified");
    else if (!p.port->isNumber())
      report(s, ep, "may not be specified when port is a name");
    else {
      if (*p.endPort < p.port->number())
        report(s, ep, fmt::format("must be >= port ({})", p.port->number()));
      validatePortNumber(s, ep, *p.endPort);
    }
  }

  void validatePeer(const Scope& s, const std::string& path, const NetworkPolicyPeer& peer) {
    int kinds =
        (peer.podSelector ? 1 : 0) + (peer.namespaceSelector ? 1 : 0) + (peer.ipBlock ? 1 : 0);
    if (kinds == 0)
      report(s, path, "must specify podSelector, namespaceSelector or ipBlock");
    else if (peer.ipBlock && kinds > 1)
      report(s, path, "may not combine ipBlock with podSelector or namespaceSelector");
    if (peer.podSelector) validateSelector(s, path + ".podSelector", *peer.podSelector);
    if (peer.namespaceSelector)
      validateSelector(s, path + ".namespaceSelector", *peer.namespaceSelector);
    if (!peer.ipBlock) return;
    const IPBlock& b = *peer.ipBlock;
    std::string bp = path + ".ipBlock";
    std::optional<Cidr> cidr;
    if (b.cidr.empty())
      report(s, bp + ".cidr", "required");
    else if (!(cidr = parseCidr(b.cidr)))
      report(s, bp + ".cidr", fmt::format("not a valid CIDR: {}", quote(b.cidr)));
    for (size_t i = 0; i < b.except.size(); ++i) {
      std::string xp = fmt::format("{}.except[{}]", bp, i);
      auto x = parseCidr(b.except[i]);
      if (!x)
        report(s, xp, fmt::format("not a valid CIDR: {}", quote(b.except[i])));
      else if (cidr && (x->base.family != cidr->base.family ||
                        x->prefixLength <= cidr->prefixLength || !cidr->contains(*x)))
        report(s, xp, fmt::format("must be a strict subset of cidr {}", b.cidr));
    }
  }

  void validateRules(const Scope& s, const std::string& path, const char* peersKey,
                     const std::vector<NetworkPolicyRule>& rules) {
    for (size_t i = 0; i < rules.size(); ++i) {
      std::string rp = fmt::format("{}[{}]", path, i);
      const auto& r = rules[i];
      if (r.ports)
        for (size_t j = 0; j < r.ports->size(); ++j)
          validatePolicyPort(s, fmt::format("{}.ports[{}]", rp, j), (*r.ports)[j]);
      if (r.peers)
        for (size_t j = 0; j < r.peers->size(); ++j)
          validatePeer(s, fmt::format("{}.{}[{}]", rp, peersKey, j), (*r.peers)[j]);
    }
  }

  void validatePolicy(const NetworkPolicy& np) {
    Scope s = scope("NetworkPolicy", np.meta, np.origin, true);
    validateMeta(s, np.meta, true, NameRule::Dns1123Subdomain);
    if (np.podSelector) validateSelector(s, "spec.podSelector", *np.podSelector);
    // The API server checks the count only: [Ingress, Ingress] is accepted (and means Ingress).
    if (np.policyTypes && np.policyTypes->size() > 2)
      report(s, "spec.policyTypes", "may not specify more than two policyTypes");
    if (np.ingress) validateRules(s, "spec.ingress", "from", *np.ingress);
    if (np.egress) validateRules(s, "spec.egress", "to", *np.egress);
    checkDuplicate(s, "NetworkPolicy", np.meta);
  }

  // The CRDs' OpenAPI and CEL rules (network-policy-api v0.1.8 for v1alpha1, v0.2.0 for
  // v1alpha2; docs/cluster-policy.md). "Exactly one of" for port entries is the decoder's.
  void validateClusterPolicy(const ClusterPolicy& cp) {
    Scope s = scope(toString(cp.kind), cp.meta, cp.origin, false);
    validateMeta(s, cp.meta, false, NameRule::Dns1123Subdomain);
    const bool v2 = cp.kind == ClusterPolicyKind::ClusterNetworkPolicy;
    const size_t maxItems = v2 ? 25 : 100;
    if (cp.kind == ClusterPolicyKind::BaselineAdminNetworkPolicy && cp.meta.name != "default")
      report(s, "metadata.name",
             "Only one baseline admin network policy with metadata.name=\"default\" can be "
             "created in the cluster");
    if (cp.kind != ClusterPolicyKind::BaselineAdminNetworkPolicy &&
        (cp.priority < 0 || cp.priority > 1000))
      report(s, "spec.priority", fmt::format("must be between 0 and 1000, got {}", cp.priority));
    // The model's own invariants (what a decoded object always has; code may build others).
    const PolicyTier kindTier = cp.kind == ClusterPolicyKind::AdminNetworkPolicy ? PolicyTier::Admin
                                : cp.kind == ClusterPolicyKind::BaselineAdminNetworkPolicy
                                    ? PolicyTier::Baseline
                                    : cp.tier;
    if (cp.tier != kindTier)
      report(s, "spec",
             fmt::format("a {} is in the {} tier", toString(cp.kind), toString(kindTier)));
    if (cp.kind == ClusterPolicyKind::BaselineAdminNetworkPolicy && cp.priority != 0)
      report(s, "spec", "a BaselineAdminNetworkPolicy has no priority");
    validateNamespacedOrPods(s, "spec.subject", cp.subject.namespaces, cp.subject.pods,
                             "namespaces, pods", !v2);
    const bool mixed = v2 ? sawV1alpha1_ : sawV1alpha2_;
    if (mixed)
      report(s, "apiVersion",
             "a case may not mix v1alpha1 (AdminNetworkPolicy, BaselineAdminNetworkPolicy) and "
             "v1alpha2 (ClusterNetworkPolicy) objects: neither API orders its tiers against the "
             "other's");
    (v2 ? sawV1alpha2_ : sawV1alpha1_) = true;
    for (bool egress : {false, true}) {
      const auto& rules = egress ? cp.egress : cp.ingress;
      if (!rules) continue;
      const std::string path = egress ? "spec.egress" : "spec.ingress";
      if (rules->size() > maxItems)
        report(s, path, fmt::format("must have at most {} items", maxItems));
      for (size_t i = 0; i < rules->size(); ++i)
        validateClusterRule(s, fmt::format("{}[{}]", path, i), (*rules)[i], v2, egress, maxItems);
    }
    checkDuplicate(s, toString(cp.kind), cp.meta);
  }

  // `namespaceSelectorRequired`: v1alpha1 requires pods.namespaceSelector; v1alpha2 lets it be
  // absent (every namespace).
  void validateNamespacedOrPods(const Scope& s, const std::string& path,
                                const std::optional<LabelSelector>& namespaces,
                                const std::optional<NamespacedPods>& pods, std::string_view fields,
                                bool namespaceSelectorRequired) {
    if (namespaces) validateSelector(s, path + ".namespaces", *namespaces);
    if (pods && namespaceSelectorRequired && !pods->namespaceSelector)
      report(s, path + ".pods.namespaceSelector", "required");
    if (pods) {
      if (pods->namespaceSelector)
        validateSelector(s, path + ".pods.namespaceSelector", *pods->namespaceSelector);
      validateSelector(s, path + ".pods.podSelector", pods->podSelector);
    }
    if ((namespaces ? 1 : 0) + (pods ? 1 : 0) != 1)
      report(s, path, fmt::format("exactly one of {} must be set", fields));
  }

  void validateClusterRule(const Scope& s, const std::string& rp, const ClusterPolicyRule& r,
                           bool v2, bool egress, size_t maxItems) {
    if (r.name.size() > 100) report(s, rp + ".name", "must have at most 100 bytes");
    const std::string peersPath = rp + (egress ? ".to" : ".from");
    if (r.peers.empty()) report(s, peersPath, "must have at least 1 item");
    if (r.peers.size() > maxItems)
      report(s, peersPath, fmt::format("must have at most {} items", maxItems));
    for (size_t j = 0; j < r.peers.size(); ++j) {
      const ClusterPolicyPeer& peer = r.peers[j];
      const std::string pp = fmt::format("{}[{}]", peersPath, j);
      int set = (peer.namespaces ? 1 : 0) + (peer.pods ? 1 : 0) + (peer.nodes ? 1 : 0) +
                (peer.networks ? 1 : 0) + (peer.domainNames ? 1 : 0);
      if (set != 1)
        report(s, pp,
               egress ? "exactly one of namespaces, pods, nodes, networks, domainNames must be set"
                      : "exactly one of namespaces, pods must be set");
      if (peer.namespaces) validateSelector(s, pp + ".namespaces", *peer.namespaces);
      if (peer.pods) validateNamespacedOrPods(s, pp, std::nullopt, peer.pods, "pods", !v2);
      if (peer.nodes) validateSelector(s, pp + ".nodes", *peer.nodes);
      if (peer.domainNames)
        report(s, pp + ".domainNames",
               "not supported: netpolfuzz's dataplanes resolve no DNS names (an experimental "
               "field)");
      if (peer.networks) {
        const auto& nets = *peer.networks;
        if (nets.empty()) report(s, pp + ".networks", "must have at least 1 item");
        if (nets.size() > 25) report(s, pp + ".networks", "must have at most 25 items");
        std::set<std::string> seen;
        for (size_t k = 0; k < nets.size(); ++k) {
          const std::string np = fmt::format("{}.networks[{}]", pp, k);
          if (nets[k].size() > 43)
            report(s, np, "must have at most 43 bytes");
          else if (!parseCidr(nets[k]))
            report(s, np, fmt::format("Invalid CIDR format provided: {}", quote(nets[k])));
          if (!seen.insert(nets[k]).second)
            report(s, np, fmt::format("duplicate value {} (a set)", quote(nets[k])));
        }
      }
    }
    if (!r.ports) return;
    const std::string portsPath = rp + (v2 ? ".protocols" : ".ports");
    if (r.ports->empty()) report(s, portsPath, "must have at least 1 item");
    if (r.ports->size() > maxItems)
      report(s, portsPath, fmt::format("must have at most {} items", maxItems));
    for (size_t j = 0; j < r.ports->size(); ++j) {
      const ClusterPolicyPort& port = (*r.ports)[j];
      std::string qp = fmt::format("{}[{}]", portsPath, j);
      using Kind = ClusterPolicyPort::Kind;
      if (port.kind == Kind::Named) continue;  // the CRDs put no rule on the name
      if (v2) {
        std::string proto = toString(port.effectiveProtocol());
        for (auto& ch : proto) ch = char(ch - 'A' + 'a');
        qp += "." + proto + ".destinationPort";
        qp += port.kind == Kind::Number ? ".number" : ".range";
      } else {
        qp += port.kind == Kind::Number ? ".portNumber" : ".portRange";
      }
      const std::string first =
          port.kind == Kind::Number ? (v2 ? qp : qp + ".port") : qp + ".start";
      if (port.port < 1 || port.port > 65535)
        report(s, first, fmt::format("must be between 1 and 65535, got {}", port.port));
      if (port.kind != Kind::Range) continue;
      if (port.endPort < 1 || port.endPort > 65535)
        report(s, qp + ".end", fmt::format("must be between 1 and 65535, got {}", port.endPort));
      // v1alpha1 documents start < end but does not enforce it (such a range matches nothing).
      if (v2 && port.port >= port.endPort) report(s, qp, "Start port must be less than End port");
    }
  }

  // The second object of a (kind, namespace, name) is reported.
  void checkDuplicate(const Scope& s, const char* kind, const ObjectMeta& m) {
    if (m.name.empty()) return;
    auto key = std::tuple{std::string(kind), m.namespace_, m.name};
    auto [it, fresh] = seen_.emplace(key, s.origin);
    if (fresh) return;
    const Origin& first = *it->second;
    std::string where = first.file.empty()
                            ? "<memory>"
                            : fmt::format("{}:{}:{}", first.file, first.line, first.col);
    report(s, "metadata.name", fmt::format("duplicate {} (first declared at {})", kind, where));
  }

  const Cluster& c_;
  std::vector<Diagnostic> out_;
  std::map<std::tuple<std::string, std::string, std::string>, const Origin*> seen_;
  std::map<IpAddress, std::string> podIpOwner_;
  bool sawV1alpha1_ = false, sawV1alpha2_ = false;
};

}  // namespace

bool isDns1123Label(const std::string& s) { return s.size() <= 63 && isDnsLabelPart(s); }

bool isDns1123Subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!isDnsLabelPart(std::string_view(s).substr(start, dot - start))) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

bool isIanaSvcName(const std::string& s) {
  if (s.empty() || s.size() > 15) return false;
  if (s.front() == '-' || s.back() == '-' || s.find("--") != std::string::npos) return false;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return isLowerAlnum(c) || c == '-'; }))
    return false;
  return std::any_of(s.begin(), s.end(), isLower);
}

bool isQualifiedName(const std::string& s) {
  size_t slash = s.find('/');
  if (slash == std::string::npos) return isQualifiedNamePart(s);
  if (s.find('/', slash + 1) != std::string::npos) return false;
  std::string prefix = s.substr(0, slash);
  return isDns1123Subdomain(prefix) && isQualifiedNamePart(std::string_view(s).substr(slash + 1));
}

bool isLabelValue(const std::string& s) { return s.empty() || isQualifiedNamePart(s); }

std::vector<Diagnostic> validate(const Cluster& c) {
  try {
    return Validator(c).run();
  } catch (const std::exception& e) {
    return {Diagnostic{"<memory>", 0, 0, fmt::format("validation failed: {}", e.what())}};
  }
}

}  // namespace npf
