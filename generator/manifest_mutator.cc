#include "generator/manifest_mutator.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "model/yaml_documents.h"

namespace npf {
namespace {

using Kind = ManifestNode::Kind;

// `budget` counts nodes: YAML aliases could otherwise expand a small text into a huge tree.
ManifestNode fromYaml(const YAML::Node& y, size_t& budget) {
  if (budget == 0) throw std::length_error("manifest too large once aliases are expanded");
  --budget;
  switch (y.Type()) {
    case YAML::NodeType::Scalar: {
      ManifestNode n = ManifestNode::str(y.Scalar());
      n.plain = y.Tag() == "?";
      return n;
    }
    case YAML::NodeType::Map: {
      ManifestNode n = ManifestNode::map();
      for (const auto& kv : y)
        n.entries.emplace_back(fromYaml(kv.first, budget), fromYaml(kv.second, budget));
      return n;
    }
    case YAML::NodeType::Sequence: {
      ManifestNode n = ManifestNode::seq();
      for (const auto& e : y) n.items.push_back(fromYaml(e, budget));
      return n;
    }
    default:
      return {};
  }
}

std::string jsonString(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Whether a plain scalar can be written unquoted in block YAML and read back as the same text.
bool blockSafePlain(const std::string& s) {
  if (s.empty() || s.size() > 1024) return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s[0]) != std::string_view::npos &&
      !(s[0] == '-' && s.size() > 1 && s[1] != ' ') && !(s[0] == '?' && s.size() > 1))
    return false;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return false;
  if (s.back() == ' ' || s.back() == ':' || s.front() == ' ') return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return false;
  return true;
}

std::string scalarText(const ManifestNode& n) {
  if (n.kind == Kind::Null) return "null";
  if (n.plain && blockSafePlain(n.scalar)) return n.scalar;
  return jsonString(n.scalar);
}

bool isEmptyCollection(const ManifestNode& n) {
  return (n.kind == Kind::Map && n.entries.empty()) || (n.kind == Kind::Seq && n.items.empty());
}

std::string inlineText(const ManifestNode& n) {
  if (n.kind == Kind::Map) return "{}";
  if (n.kind == Kind::Seq) return "[]";
  return scalarText(n);
}

void renderBlock(const ManifestNode& n, int indent, std::string& out);

// Writes the value of a mapping entry or list item after "key:" or "- ".
void renderValue(const ManifestNode& v, int indent, std::string& out) {
  if ((v.kind == Kind::Map || v.kind == Kind::Seq) && !isEmptyCollection(v)) {
    out += '\n';
    renderBlock(v, indent, out);
  } else {
    out += ' ';
    out += inlineText(v);
    out += '\n';
  }
}

void renderBlock(const ManifestNode& n, int indent, std::string& out) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (n.kind == Kind::Map) {
    for (const auto& [k, v] : n.entries) {
      out += pad + inlineText(k) + ":";
      renderValue(v, indent + 2, out);
    }
  } else if (n.kind == Kind::Seq) {
    for (const auto& e : n.items) {
      out += pad + "-";
      renderValue(e, indent + 2, out);
    }
  }
}

void renderJsonTo(const ManifestNode& n, std::string& out) {
  switch (n.kind) {
    case Kind::Null:
      out += "null";
      return;
    case Kind::Scalar: {
      if (n.plain) {
        // Only what JSON itself would parse as a number, boolean or null stays a token.
        const std::string& s = n.scalar;
        if (s == "true" || s == "false" || s == "null") {
          out += s;
          return;
        }
        nlohmann::json j = nlohmann::json::parse(s, nullptr, false);
        if (!j.is_discarded() && j.is_number() && j.dump() == s) {
          out += s;
          return;
        }
      }
      out += jsonString(n.scalar);
      return;
    }
    case Kind::Map: {
      out += '{';
      for (size_t i = 0; i < n.entries.size(); ++i) {
        if (i) out += ',';
        out += jsonString(n.entries[i].first.scalar);
        out += ':';
        renderJsonTo(n.entries[i].second, out);
      }
      out += '}';
      return;
    }
    case Kind::Seq: {
      out += '[';
      for (size_t i = 0; i < n.items.size(); ++i) {
        if (i) out += ',';
        renderJsonTo(n.items[i], out);
      }
      out += ']';
      return;
    }
  }
}

// ---- where to mutate ----

struct Site {
  ManifestNode* node;
  ManifestNode* parent;  // null for the root
  std::string path;
  std::string key;  // the mapping key this node is the value of ("" for list items)
};

void collect(ManifestNode& n, ManifestNode* parent, const std::string& path, const std::string& key,
             std::vector<Site>& out) {
  out.push_back({&n, parent, path, key});
  if (n.kind == Kind::Map)
    for (auto& [k, v] : n.entries) {
      // Type and status are not for mutating: the object's kind is what both sides must agree
      // on, and the server resets status on create (docs/validation.md).
      if (!parent && (k.scalar == "apiVersion" || k.scalar == "kind" || k.scalar == "status"))
        continue;
      collect(v, &n, path.empty() ? k.scalar : path + "." + k.scalar, k.scalar, out);
    }
  else if (n.kind == Kind::Seq)
    for (size_t i = 0; i < n.items.size(); ++i)
      collect(n.items[i], &n, fmt::format("{}[{}]", path, i), "", out);
}

// The nearest mapping key above a list item ("except" for spec...except[1]).
std::string roleOf(const Site& s) {
  if (!s.key.empty()) return s.key;
  auto open = s.path.rfind('[');
  std::string head = s.path.substr(0, open);
  auto dot = head.rfind('.');
  return dot == std::string::npos ? head : head.substr(dot + 1);
}

std::string repeat(char c, size_t n) { return std::string(n, c); }

// Values people and tools write in each kind of field, valid and not.
const std::vector<std::string>& plainValuesFor(const std::string& role) {
  static const std::vector<std::string> ports{"0",   "1",          "80",  "65535", "65536",
                                              "-1",  "2147483648", "1.5", "0x50",  "1_000",
                                              "080", "+80",        "1e2"};
  static const std::vector<std::string> none{};
  if (role == "port" || role == "endPort" || role == "containerPort" || role == "targetPort" ||
      role == "hostPort")
    return ports;
  return none;
}

const std::vector<std::string>& stringValuesFor(const std::string& role) {
  static const std::vector<std::string> ports{"http", "80",    "",      "HTTP", "web-server-12345",
                                              "a--b", "-http", "http-", "9abc", "dns_tcp",
                                              "a",    "h2c"};
  static const std::vector<std::string> cidrs{"10.0.0.0/8",
                                              "10.0.0.1/8",
                                              "10.0.0.0/33",
                                              "10.0.0.0",
                                              "1.2.3.4/32",
                                              "0.0.0.0/0",
                                              "::/0",
                                              "fe80::/10",
                                              "2001:db8::1/64",
                                              "10.0.0.0/08",
                                              "010.0.0.0/8",
                                              "10.0.0.0/-1",
                                              "",
                                              "10.0.0.0 /8",
                                              "192.168.1.0/24",
                                              "10.1.0.0/16",
                                              "11.0.0.0/16",
                                              "10.0.0.0/7",
                                              "::ffff:10.0.0.0/104",
                                              "10.0.0.0/8/8",
                                              "2001:db8::/129"};
  static const std::vector<std::string> labelValues{
      "",    "a",           "-a", "a-",   "a_b", "A.b", repeat('v', 63), repeat('v', 64),
      "a b", "caf\xc3\xa9", "1",  "true", "y"};
  static const std::vector<std::string> operators{"In", "NotIn", "Exists", "DoesNotExist",
                                                  "in", "Gt",    "",       "exists"};
  static const std::vector<std::string> protocols{"TCP", "UDP", "SCTP", "tcp", "ICMP", "", "Tcp"};
  static const std::vector<std::string> names{"a",
                                              "a.b",
                                              "a-b",
                                              "A",
                                              "-a",
                                              "a_b",
                                              repeat('n', 63),
                                              repeat('n', 64),
                                              repeat('n', 253),
                                              repeat('n', 254),
                                              "a..b",
                                              "x.",
                                              "a/b",
                                              "",
                                              "default",
                                              "kube-system",
                                              "y",
                                              "1a",
                                              "a.b-c.d"};
  static const std::vector<std::string> ips{
      "10.0.0.1", "10.0.0.256", "010.0.0.1",  "::1",         "fe80::1", "",
      "None",     "1.2.3",      "10.96.0.10", "2001:db8::5", "0.0.0.0"};
  static const std::vector<std::string> policyTypes{"Ingress", "Egress", "ingress", "Both", ""};
  static const std::vector<std::string> generic{"", "x", "a b", repeat('g', 300), "caf\xc3\xa9"};
  if (role == "port" || role == "endPort" || role == "containerPort" || role == "targetPort" ||
      role == "hostPort")
    return ports;
  if (role == "cidr" || role == "except") return cidrs;
  if (role == "operator") return operators;
  if (role == "protocol") return protocols;
  if (role == "name" || role == "namespace" || role == "nodeName" || role == "key") return names;
  if (role == "podIP" || role == "clusterIP" || role == "address" || role == "ip" ||
      role == "clusterIPs" || role == "podIPs" || role == "hostIP")
    return ips;
  if (role == "policyTypes") return policyTypes;
  if (role == "values") return labelValues;
  return generic;
}

const std::vector<std::string>& labelKeys() {
  static const std::vector<std::string> keys{"app",
                                             "a/b",
                                             "example.com/app",
                                             "Example.com/app",
                                             "-a",
                                             "a-",
                                             "a_b",
                                             "a.b",
                                             "kubernetes.io/metadata.name",
                                             "",
                                             repeat('k', 63),
                                             repeat('k', 64),
                                             "x/",
                                             "/x",
                                             "a/b/c",
                                             "a b",
                                             repeat('p', 254) + "/a",
                                             "app.kubernetes.io/name",
                                             "y",
                                             "on"};
  return keys;
}

// Plain scalars YAML 1.1 (go-yaml, kubectl) or 1.2 may read as something other than a string.
const std::vector<std::string>& yaml11Scalars() {
  static const std::vector<std::string> v{
      "y",          "Y",   "n",   "N",   "yes",  "Yes",   "YES",   "no",  "No",    "on",   "On",
      "ON",         "off", "Off", "OFF", "true", "True",  "FALSE", "~",   "null",  "Null", "0x1F",
      "0o17",       "017", "1e3", "1.5", ".inf", "-.Inf", ".nan",  "+12", "1_000", "1:20", "0b1010",
      "2001-01-01", "12",  "-0",  "0.",  "1e",   "0x",    "=",     "<<"};
  return v;
}

bool inPolicy(const ManifestNode& root) {
  for (const auto& [k, v] : root.entries)
    if (k.scalar == "kind") return v.scalar == "NetworkPolicy";
  return false;
}

ManifestNode wrongTypeValue(Random& rng) {
  switch (rng.below(6)) {
    case 0: {
      ManifestNode m = ManifestNode::map();
      m.entries.emplace_back(ManifestNode::str("a"), ManifestNode::str("b"));
      return m;
    }
    case 1: {
      ManifestNode s = ManifestNode::seq();
      s.items.push_back(ManifestNode::str("x"));
      return s;
    }
    case 2:
      return ManifestNode::plainScalar("1");
    case 3:
      return ManifestNode::plainScalar("true");
    case 4:
      return ManifestNode{};
    default:
      return ManifestNode::str("");
  }
}

ManifestNode* findKey(ManifestNode& m, const std::string& key) {
  for (auto& [k, v] : m.entries)
    if (k.scalar == key) return &v;
  return nullptr;
}

// Sites whose path ends with `suffix` (e.g. ".ports[0]" items: pick policy port entries).
std::vector<Site*> sitesWhere(std::vector<Site>& sites, const std::function<bool(const Site&)>& f) {
  std::vector<Site*> out;
  for (auto& s : sites)
    if (f(s)) out.push_back(&s);
  return out;
}

bool isPolicyPortEntry(const Site& s) {
  return s.node->kind == Kind::Map && s.key.empty() && s.path.rfind("spec.", 0) == 0 &&
         s.path.find("].ports[") != std::string::npos && s.path.back() == ']';
}

bool isSelector(const Site& s) {
  return (s.key == "podSelector" || s.key == "namespaceSelector" || s.key == "selector") &&
         s.node->kind != Kind::Seq;
}

// One mutation; false when the chosen kind found nowhere to apply (the caller draws again).
bool mutateOnce(ManifestNode& root, Random& rng, std::vector<Mutation>& done) {
  std::vector<Site> sites;
  collect(root, nullptr, "", "", sites);
  if (sites.size() <= 1) return false;
  Site& s = sites[1 + rng.below(sites.size() - 1)];
  ManifestNode& n = *s.node;
  std::string role = roleOf(s);
  int op = static_cast<int>(rng.below(100));

  if (op < 30) {  // a value people write in this kind of field
    if (n.kind == Kind::Map || n.kind == Kind::Seq) return false;
    const auto& plains = plainValuesFor(role);
    if (!plains.empty() && rng.percent(50)) {
      n = ManifestNode::plainScalar(rng.pick(plains));
    } else {
      n = ManifestNode::str(rng.pick(stringValuesFor(role)));
    }
    done.push_back({"set-" + (role.empty() ? std::string("value") : role), s.path});
    return true;
  }
  if (op < 42) {  // a YAML 1.1 scalar, unquoted, where a string (or anything) is
    if (n.kind != Kind::Scalar) return false;
    n = ManifestNode::plainScalar(rng.pick(yaml11Scalars()));
    done.push_back({"yaml11-scalar", s.path});
    return true;
  }
  if (op < 48) {  // a label key (or any mapping key) from the key dictionary
    ManifestNode* target = s.parent;
    if (!target || target->kind != Kind::Map || s.key.empty()) return false;
    for (auto& [k, v] : target->entries)
      if (&v == &n) {
        k = rng.percent(25) ? ManifestNode::plainScalar(rng.pick(yaml11Scalars()))
                            : ManifestNode::str(rng.pick(labelKeys()));
        break;
      }
    done.push_back({"set-key", s.path});
    return true;
  }
  if (op < 55) {  // the wrong type
    n = wrongTypeValue(rng);
    done.push_back({"wrong-type", s.path});
    return true;
  }
  if (op < 61) {  // delete a field
    if (!s.parent || s.parent->kind != Kind::Map) return false;
    auto& es = s.parent->entries;
    for (size_t i = 0; i < es.size(); ++i)
      if (&es[i].second == &n) {
        es.erase(es.begin() + static_cast<long>(i));
        break;
      }
    done.push_back({"delete-field", s.path});
    return true;
  }
  if (op < 65) {  // an unknown field (not in a map of free keys: labels, a Service's selector)
    if (n.kind != Kind::Map || s.key == "labels" || s.key == "annotations" ||
        s.key == "matchLabels" || s.key == "selector")
      return false;
    n.entries.emplace_back(ManifestNode::str(rng.percent(50) ? "bogus" : "Ports"),
                           ManifestNode::plainScalar("1"));
    done.push_back({"unknown-field", s.path});
    return true;
  }
  if (op < 70) {  // a duplicated field (kubectl: the last one wins)
    if (!s.parent || s.parent->kind != Kind::Map || s.key.empty()) return false;
    ManifestNode copy = rng.percent(50) ? n : wrongTypeValue(rng);
    s.parent->entries.emplace_back(ManifestNode::str(s.key), std::move(copy));
    done.push_back({"duplicate-field", s.path});
    return true;
  }
  if (op < 78) {  // list shapes: empty, a repeated item, a null item, an item fewer
    if (n.kind != Kind::Seq) return false;
    switch (rng.below(4)) {
      case 0:
        n.items.clear();
        done.push_back({"list-empty", s.path});
        break;
      case 1:
        if (n.items.empty()) return false;
        n.items.push_back(n.items[rng.below(n.items.size())]);
        done.push_back({"list-repeat", s.path});
        break;
      case 2:
        n.items.insert(n.items.begin() + static_cast<long>(rng.below(n.items.size() + 1)),
                       ManifestNode{});
        done.push_back({"list-null-item", s.path});
        break;
      default:
        if (n.items.empty()) return false;
        n.items.erase(n.items.begin() + static_cast<long>(rng.below(n.items.size())));
        done.push_back({"list-remove", s.path});
        break;
    }
    return true;
  }
  if (op < 86) {  // endPort: without port, below it, equal, with a named port
    auto ports = sitesWhere(sites, isPolicyPortEntry);
    if (!inPolicy(root) || ports.empty()) return false;
    Site* p = ports[rng.below(ports.size())];
    ManifestNode& entry = *p->node;
    ManifestNode* port = findKey(entry, "port");
    int which = static_cast<int>(rng.below(5));
    auto setKey = [&](const std::string& key, ManifestNode value) {
      if (ManifestNode* v = findKey(entry, key))
        *v = std::move(value);
      else
        entry.entries.emplace_back(ManifestNode::str(key), std::move(value));
    };
    if (which == 0) {  // endPort without port
      std::erase_if(entry.entries, [](const ManifestEntry& e) { return e.first.scalar == "port"; });
      setKey("endPort", ManifestNode::plainScalar("90"));
    } else if (which == 1) {  // below port
      setKey("port", ManifestNode::plainScalar("90"));
      setKey("endPort", ManifestNode::plainScalar("80"));
    } else if (which == 2) {  // equal
      setKey("port", ManifestNode::plainScalar("80"));
      setKey("endPort", ManifestNode::plainScalar("80"));
    } else if (which == 3) {  // with a named port
      setKey("port", ManifestNode::str("http"));
      setKey("endPort", ManifestNode::plainScalar("90"));
    } else {  // beyond 65535
      if (!port) setKey("port", ManifestNode::plainScalar("1000"));
      setKey("endPort", ManifestNode::plainScalar(rng.percent(50) ? "65536" : "65535"));
    }
    done.push_back({"endport", p->path});
    return true;
  }
  if (op < 92) {  // a selector requirement with an operator and values that may not fit
    auto sels = sitesWhere(sites, isSelector);
    if (sels.empty()) return false;
    Site* p = sels[rng.below(sels.size())];
    if (p->node->kind != Kind::Map) *p->node = ManifestNode::map();
    ManifestNode* exprs = findKey(*p->node, "matchExpressions");
    if (!exprs || exprs->kind != Kind::Seq) {
      p->node->entries.emplace_back(ManifestNode::str("matchExpressions"), ManifestNode::seq());
      exprs = &p->node->entries.back().second;
    }
    ManifestNode req = ManifestNode::map();
    req.entries.emplace_back(ManifestNode::str("key"), ManifestNode::str(rng.pick(labelKeys())));
    req.entries.emplace_back(ManifestNode::str("operator"),
                             ManifestNode::str(rng.pick(stringValuesFor("operator"))));
    if (rng.percent(70)) {
      ManifestNode values = ManifestNode::seq();
      for (int i = static_cast<int>(rng.below(3)); i > 0; --i)
        values.items.push_back(ManifestNode::str(rng.pick(stringValuesFor("values"))));
      req.entries.emplace_back(ManifestNode::str("values"), std::move(values));
    }
    exprs->items.push_back(std::move(req));
    done.push_back({"selector-requirement", p->path + ".matchExpressions"});
    return true;
  }
  if (op < 97) {  // huge: a long string, or very many labels
    if (n.kind == Kind::Scalar) {
      size_t len = rng.pick(std::vector<size_t>{64, 254, 4096, 70000, 300000});
      n = ManifestNode::str(repeat('h', len));
      done.push_back({"huge-string", s.path});
      return true;
    }
    if (n.kind == Kind::Map && (s.key == "labels" || s.key == "matchLabels")) {
      for (int i = 0; i < 2000; ++i)
        n.entries.emplace_back(ManifestNode::str(fmt::format("k{}", i)), ManifestNode::str("v"));
      done.push_back({"huge-map", s.path});
      return true;
    }
    return false;
  }
  // deeply nested lists where a value is
  size_t depth = rng.pick(std::vector<size_t>{10, 100, 300});
  ManifestNode deep = ManifestNode::str("x");
  for (size_t i = 0; i < depth; ++i) {
    ManifestNode wrap = ManifestNode::seq();
    wrap.items.push_back(std::move(deep));
    deep = std::move(wrap);
  }
  n = std::move(deep);
  done.push_back({fmt::format("nested-{}", depth), s.path});
  return true;
}

}  // namespace

ManifestNode parseManifestTree(const std::string& text) {
  try {
    // A text of several documents is not one mapping: a tree of its first document alone
    // would decode to other objects than the text does. Not YAML::LoadAll, which can loop
    // forever (model/yaml_documents.h).
    if (yamldocs::documentCount(text, 2) != 1) return {};
    YAML::Node y = YAML::Load(text);
    if (!y.IsMap()) return {};
    size_t budget = 4 * text.size() + 1024;
    return fromYaml(y, budget);
  } catch (const std::exception&) {
    return {};
  }
}

std::string renderYaml(const ManifestNode& n) {
  if (n.kind != Kind::Map && n.kind != Kind::Seq) return scalarText(n) + "\n";
  if (isEmptyCollection(n)) return inlineText(n) + "\n";
  std::string out;
  renderBlock(n, 0, out);
  return out;
}

std::string renderJson(const ManifestNode& n) {
  std::string out;
  renderJsonTo(n, out);
  out += '\n';
  return out;
}

std::vector<Mutation> mutateManifest(ManifestNode& root, Random& rng, int count) {
  std::vector<Mutation> done;
  for (int tries = 0; static_cast<int>(done.size()) < count && tries < 50 * count; ++tries)
    mutateOnce(root, rng, done);
  return done;
}

}  // namespace npf
