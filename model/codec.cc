// Decoding case files: YAML (multi-document, `kind: List`) and JSON into model objects.
//
// Hostile input is expected (the fuzzer and users' files). The rules that keep it bounded:
//  - the text is checked byte by byte first (size, UTF-8, control characters), so yaml-cpp
//    never sees NUL bytes or other encodings;
//  - yaml-cpp's own depth guard bounds parser recursion; our walk only follows the known
//    schema, whose depth is fixed;
//  - every node and scalar byte the walk visits is charged to a budget proportional to the
//    input size, so YAML aliases cannot make the walk (or the copies it makes) explode;
//  - nothing throws out: yaml-cpp, nlohmann and std exceptions are caught at the boundary.
#include "model/codec.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "model/yaml_documents.h"
#include "model/yaml_flow.h"
#include "model/yaml_scalar.h"

namespace npf {
namespace {

namespace ys = yamlscalar;
using FieldMap = std::map<std::string, std::pair<int, int>>;

constexpr size_t kMaxInputBytes = size_t(16) << 20;
constexpr size_t kMaxCaseDocumentBytes = size_t(4) << 20;
constexpr int kMaxListNesting = 8;

// 1-based line and byte column of a byte offset.
std::pair<int, int> lineColAt(std::string_view text, size_t offset) {
  int line = 1;
  size_t lineStart = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i)
    if (text[i] == '\n') ++line, lineStart = i + 1;
  return {line, static_cast<int>(offset - lineStart) + 1};
}

// The first byte YAML cannot carry (go-yaml rejects these too): NUL and other C0 controls but
// tab/LF/CR, DEL, C1 controls, invalid UTF-8, a byte order mark past the start, non-characters.
std::optional<std::pair<size_t, std::string>> findBadCharacter(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == 0) return std::pair{i, std::string("NUL byte in input")};
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
        return std::pair{i, fmt::format("control character 0x{:02x} in input", c)};
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t len = ys::utf8Sequence(text, i, cp);
    if (len == 0) return std::pair{i, std::string("invalid UTF-8 in input")};
    if (cp <= 0x9F) return std::pair{i, fmt::format("control character U+{:04X} in input", cp)};
    if (cp == 0xFEFF && i != 0)
      return std::pair{i, std::string("byte order mark inside the input")};
    if (cp == 0xFFFE || cp == 0xFFFF)
      return std::pair{i, fmt::format("non-character U+{:04X} in input", cp)};
    i += len;
  }
  return std::nullopt;
}

// Strict JSON syntax check without building a document (nlohmann's SAX parser is iterative,
// so deep nesting costs heap, not stack).
struct JsonSyntaxCheck : nlohmann::json_sax<nlohmann::json> {
  size_t errorByte = 0;
  std::string errorMessage;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t byte, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    errorByte = byte;
    errorMessage = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
    if (auto p = errorMessage.find("syntax error"); p != std::string::npos)
      errorMessage = errorMessage.substr(p);
    errorMessage = "invalid JSON: " + errorMessage;
    return false;
  }
};

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::optional<uint32_t> hex4(std::string_view t, size_t at) {
  if (at + 4 > t.size()) return std::nullopt;
  uint32_t v = 0;
  for (size_t k = at; k < at + 4; ++k) {
    if (!isHex(t[k])) return std::nullopt;
    v = v * 16 + static_cast<uint32_t>(t[k] <= '9' ? t[k] - '0' : (t[k] | 0x20) - 'a' + 10);
  }
  return v;
}

// JSON spells characters beyond U+FFFF as surrogate pairs (\ud83d\ude00), which yaml-cpp
// rejects; YAML's \UXXXXXXXX says the same. `t` is valid JSON (no lone surrogates).
std::string rewriteSurrogatePairs(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  bool inString = false;
  for (size_t i = 0; i < t.size();) {
    char c = t[i];
    if (!inString) {
      inString = c == '"';
      out += c, ++i;
    } else if (c == '"') {
      inString = false;
      out += c, ++i;
    } else if (c == '\\' && i + 1 < t.size()) {
      if (t[i + 1] == 'u' && i + 12 <= t.size() && t[i + 6] == '\\' && t[i + 7] == 'u') {
        auto hi = hex4(t, i + 2), lo = hex4(t, i + 8);
        if (hi && lo && *hi >= 0xD800 && *hi <= 0xDBFF && *lo >= 0xDC00 && *lo <= 0xDFFF) {
          uint32_t cp = 0x10000 + ((*hi - 0xD800) << 10) + (*lo - 0xDC00);
          out += fmt::format("\\U{:08X}", cp);
          i += 12;
          continue;
        }
      }
      out += c;
      out += t[i + 1];
      i += 2;
    } else {
      out += c, ++i;
    }
  }
  return out;
}

std::string joinPath(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}
std::string indexPath(const std::string& path, size_t i) { return fmt::format("{}[{}]", path, i); }
std::string keyPath(const std::string& path, const std::string& key) {
  return fmt::format("{}[{}]", path, key);
}

bool isPlain(const YAML::Node& n) { return n.Tag() == "?"; }

// "a mapping", "a list", "null", "80.5", "a string \"80\"" for "expected X, got Y".
std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "null";
    case YAML::NodeType::Scalar:
      break;
  }
  std::string text = ys::excerpt(n.Scalar());
  if (!isPlain(n)) return fmt::format("a string \"{}\"", text);
  switch (ys::kubectlPlainType(n.Scalar())) {
    case ys::PlainType::Bool:
      return fmt::format("a boolean ({})", text);
    case ys::PlainType::Int:
    case ys::PlainType::Float:
      return text;
    default:
      return fmt::format("\"{}\"", text);
  }
}

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class Decoder;

// Fields of the Kubernetes v1.31 types that the decoder knows of but does not model (it does not
// descend into them). An unknown one is reported as kubectl's strict field validation would.
using FieldSet = std::set<std::string_view>;
const FieldSet kPodSpecFields{"activeDeadlineSeconds",
                              "affinity",
                              "automountServiceAccountToken",
                              "dnsConfig",
                              "dnsPolicy",
                              "enableServiceLinks",
                              "ephemeralContainers",
                              "hostAliases",
                              "hostIPC",
                              "hostPID",
                              "hostUsers",
                              "hostname",
                              "imagePullSecrets",
                              "initContainers",
                              "nodeSelector",
                              "os",
                              "overhead",
                              "preemptionPolicy",
                              "priority",
                              "priorityClassName",
                              "readinessGates",
                              "resourceClaims",
                              "restartPolicy",
                              "runtimeClassName",
                              "schedulerName",
                              "schedulingGates",
                              "securityContext",
                              "serviceAccount",
                              "serviceAccountName",
                              "setHostnameAsFQDN",
                              "shareProcessNamespace",
                              "subdomain",
                              "terminationGracePeriodSeconds",
                              "tolerations",
                              "topologySpreadConstraints",
                              "volumes"};
const FieldSet kContainerFields{"args",
                                "command",
                                "env",
                                "envFrom",
                                "imagePullPolicy",
                                "lifecycle",
                                "livenessProbe",
                                "readinessProbe",
                                "resizePolicy",
                                "resources",
                                "restartPolicy",
                                "securityContext",
                                "startupProbe",
                                "stdin",
                                "stdinOnce",
                                "terminationMessagePath",
                                "terminationMessagePolicy",
                                "tty",
                                "volumeDevices",
                                "volumeMounts",
                                "workingDir"};
const FieldSet kPodStatusFields{"conditions",
                                "containerStatuses",
                                "ephemeralContainerStatuses",
                                "hostIP",
                                "hostIPs",
                                "initContainerStatuses",
                                "message",
                                "nominatedNodeName",
                                "phase",
                                "qosClass",
                                "reason",
                                "resize",
                                "resourceClaimStatuses",
                                "startTime"};
const FieldSet kServiceSpecFields{"allocateLoadBalancerNodePorts",
                                  "clusterIPs",
                                  "externalIPs",
                                  "externalName",
                                  "externalTrafficPolicy",
                                  "healthCheckNodePort",
                                  "internalTrafficPolicy",
                                  "ipFamilies",
                                  "ipFamilyPolicy",
                                  "loadBalancerClass",
                                  "loadBalancerIP",
                                  "loadBalancerSourceRanges",
                                  "publishNotReadyAddresses",
                                  "sessionAffinity",
                                  "sessionAffinityConfig",
                                  "trafficDistribution",
                                  "type"};
const FieldSet kNodeStatusFields{
    "allocatable", "capacity", "conditions", "config",          "daemonEndpoints", "features",
    "images",      "nodeInfo", "phase",      "runtimeHandlers", "volumesAttached", "volumesInUse"};
bool isKnown(const FieldSet& fields, const std::string& key) { return fields.count(key) > 0; }

// Decoding state of one object: its name for messages, the field positions it records, and
// whether it had an error (then it is dropped).
struct Obj {
  Obj(Decoder& decoder, std::string objectLabel) : d(decoder), label(std::move(objectLabel)) {}
  Decoder& d;
  std::string label;  // "Pod ns/name", "Node name"
  FieldMap fields;
  bool failed = false;

  void error(const YAML::Node& at, const std::string& path, std::string_view what);
  void warn(const YAML::Node& at, const std::string& path, std::string_view what);
  void unknownField(const YAML::Node& at, const std::string& path);
  void record(const YAML::Node& n, const std::string& path) {
    YAML::Mark m = n.Mark();
    if (!n.IsNull() && m.line >= 0) fields[path] = {m.line + 1, m.column + 1};
  }
  bool charge(const YAML::Node& n);

  // Calls f(key, value, path) for every entry of a mapping; f returns false for an unknown
  // field, which is reported (kubectl's strict field validation rejects those): every lambda
  // either reads a field or knows it (the FieldSets above). keyed: entries are map entries
  // (path[key]) rather than struct fields (path.key).
  template <typename F>
  bool forEachField(const YAML::Node& n, const std::string& path, F&& f, bool keyed = false) {
    // A null where a struct or map is expected is its zero value, as in Go's JSON decoding:
    // `ingress: [null]` is `ingress: [{}]`. (Optional fields check for null before.)
    if (n.IsNull()) return true;
    if (!n.IsMap()) {
      error(n, path, "expected a mapping, got " + describe(n));
      return false;
    }
    // A repeated key: kubectl's decoder keeps the last value (YAML and JSON alike), so the
    // earlier ones are skipped, with a warning.
    std::map<std::string, int> later;
    for (const auto& kv : n)
      if (kv.first.IsScalar()) ++later[kv.first.Scalar()];
    // Range-for keeps each (key, value) pair alive; yaml-cpp's `it->first` is a temporary.
    for (const auto& kv : n) {
      const YAML::Node& k = kv.first;
      const YAML::Node& v = kv.second;
      if (!charge(k) || !charge(v)) return false;
      if (!k.IsScalar()) {
        error(k, path.empty() ? "(root)" : path,
              "mapping keys must be strings, got " + describe(k));
        continue;
      }
      const std::string& key = k.Scalar();
      if (isPlain(k) && key == "<<") {
        error(k, path.empty() ? "(root)" : path, "YAML merge keys (<<) are not supported");
        continue;
      }
      std::string child = keyed ? keyPath(path, key) : joinPath(path, key);
      if (--later[key] > 0) {
        warn(k, child, "duplicate key: the last one is used, as kubectl does");
        continue;
      }
      if (keyed && isPlain(k) && ys::kubectlPlainType(key) != ys::PlainType::String) {
        error(k, child, fmt::format("expected a string key, got {}; quote it", describe(k)));
        continue;
      }
      record(v, child);
      if (!f(key, v, child)) unknownField(k, child);
    }
    return true;
  }

  // Calls f(element, path) for each element of a list. Returns false when `n` is null
  // (absent) or not a list (an error).
  template <typename F>
  bool forEachElement(const YAML::Node& n, const std::string& path, F&& f) {
    if (n.IsNull()) return false;
    if (!n.IsSequence()) {
      error(n, path, "expected a list, got " + describe(n));
      return false;
    }
    size_t i = 0;
    for (const YAML::Node& e : n) {
      if (!charge(e)) return false;
      std::string child = indexPath(path, i);
      record(e, child);
      f(e, child);
      ++i;
    }
    return true;
  }

  // Scalars. Null (`x:`, `x: null`, `x: ~`) is absent, as in the apiserver: the output is
  // left untouched and the call succeeds.
  bool readString(const YAML::Node& n, const std::string& path, std::string& out) {
    if (n.IsNull()) return true;
    if (!n.IsScalar()) {
      error(n, path, "expected a string, got " + describe(n));
      return false;
    }
    if (isPlain(n)) {
      if (ys::kubectlPlainType(n.Scalar()) != ys::PlainType::String) {
        error(n, path, fmt::format("expected a string, got {}; quote it", describe(n)));
        return false;
      }
    } else if (n.Tag() != "!" && n.Tag() != "tag:yaml.org,2002:str") {
      error(n, path, fmt::format("unsupported YAML tag {}", ys::excerpt(n.Tag())));
      return false;
    }
    out = n.Scalar();
    return true;
  }

  // The integer of a plain scalar, as kubectl reads it: go-yaml's forms in YAML (0x50, 1_000,
  // +80, 017 octal), and in YAML and JSON alike a number with an integral value (1e3, 80.0:
  // kubectl's JSON reading turns those into integers too). nullopt when it is no integer at all
  // (the caller says what was expected).
  std::optional<int64_t> plainInteger(const YAML::Node& n) const;

  // In int32 range, else an error.
  std::optional<int32_t> inInt32Range(const YAML::Node& n, const std::string& path, int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) {
      error(n, path, fmt::format("integer out of range: {}", ys::excerpt(n.Scalar())));
      return std::nullopt;
    }
    return static_cast<int32_t>(v);
  }

  bool isInteger(const YAML::Node& n) const;

  bool readInt(const YAML::Node& n, const std::string& path, std::optional<int32_t>& out) {
    if (n.IsNull()) return true;
    std::optional<int64_t> v;
    if (n.IsScalar() && isPlain(n)) v = plainInteger(n);
    if (!v) {
      if (n.IsScalar() && isPlain(n) && isInteger(n))
        error(n, path, fmt::format("integer out of range: {}", ys::excerpt(n.Scalar())));
      else
        error(n, path, "expected an integer, got " + describe(n));
      return false;
    }
    out = inInt32Range(n, path, *v);
    return out.has_value();
  }

  bool readInt(const YAML::Node& n, const std::string& path, int32_t& out) {
    std::optional<int32_t> v;
    if (!readInt(n, path, v)) return false;
    if (v) out = *v;
    return true;
  }

  // IntOrString: a plain number is a number, a quoted scalar or a plain word is a name.
  bool readPortRef(const YAML::Node& n, const std::string& path, std::optional<PortRef>& out) {
    if (n.IsNull()) return true;
    auto fail = [&] {
      error(n, path, "expected an integer or a name, got " + describe(n));
      return false;
    };
    if (!n.IsScalar()) return fail();
    if (isPlain(n)) {
      if (auto v = plainInteger(n)) {
        auto v32 = inInt32Range(n, path, *v);
        if (!v32) return false;
        out = PortRef{*v32};
        return true;
      }
      if (isInteger(n)) {
        error(n, path, fmt::format("integer out of range: {}", ys::excerpt(n.Scalar())));
        return false;
      }
      if (ys::kubectlPlainType(n.Scalar()) != ys::PlainType::String) return fail();
    } else if (n.Tag() != "!" && n.Tag() != "tag:yaml.org,2002:str") {
      return fail();
    }
    out = PortRef{n.Scalar()};
    return true;
  }

  bool readBool(const YAML::Node& n, const std::string& path, bool& out) {
    if (n.IsNull()) return true;
    std::optional<bool> v;
    if (n.IsScalar() && isPlain(n)) v = ys::parseBool(n.Scalar());
    if (!v) {
      error(n, path, "expected a boolean, got " + describe(n));
      return false;
    }
    out = *v;
    return true;
  }

  template <typename T, typename Parse>
  bool readEnum(const YAML::Node& n, const std::string& path, Parse parse, std::string_view allowed,
                std::optional<T>& out) {
    std::string s;
    if (n.IsNull()) return true;
    if (!readString(n, path, s)) return false;
    std::optional<T> v = parse(s);
    if (!v) {
      error(n, path,
            fmt::format("unsupported value \"{}\" (expected {})", ys::excerpt(s), allowed));
      return false;
    }
    out = v;
    return true;
  }

  // map[string]string (labels, annotations, Service selector); a null value is "".
  void readStringMap(const YAML::Node& n, const std::string& path,
                     std::map<std::string, std::string>& out) {
    forEachField(
        n, path,
        [&](const std::string& key, const YAML::Node& v, const std::string& p) {
          std::string value;
          if (readString(v, p, value)) out[key] = std::move(value);
          return true;
        },
        /*keyed=*/true);
  }

  void readStringList(const YAML::Node& n, const std::string& path, std::vector<std::string>& out) {
    forEachElement(n, path, [&](const YAML::Node& e, const std::string& p) {
      std::string s;
      readString(e, p, s);
      out.push_back(std::move(s));
    });
  }

  // ---- schema ----

  void readMeta(const YAML::Node& n, const std::string& path, ObjectMeta& meta, bool namespaced) {
    if (n.IsNull()) return;
    // ObjectMeta's other fields are not modelled, but they are known.
    static const std::set<std::string> otherFields{"generateName",
                                                   "selfLink",
                                                   "uid",
                                                   "resourceVersion",
                                                   "generation",
                                                   "creationTimestamp",
                                                   "deletionTimestamp",
                                                   "deletionGracePeriodSeconds",
                                                   "ownerReferences",
                                                   "finalizers",
                                                   "managedFields"};
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "name") return readString(v, p, meta.name), true;
      if (key == "namespace") {
        if (namespaced) readString(v, p, meta.namespace_);
        return true;
      }
      if (key == "labels") return readStringMap(v, p, meta.labels), true;
      if (key == "annotations") return readStringMap(v, p, meta.annotations), true;
      return otherFields.count(key) > 0;
    });
  }

  void readSelector(const YAML::Node& n, const std::string& path,
                    std::optional<LabelSelector>& out) {
    if (n.IsNull()) return;  // absent, unlike {}
    LabelSelector sel;
    bool ok = forEachField(
        n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
          if (key == "matchLabels") return readStringMap(v, p, sel.matchLabels), true;
          if (key == "matchExpressions") {
            forEachElement(v, p, [&](const YAML::Node& e, const std::string& ep) {
              LabelSelectorRequirement req;
              bool sawOperator = false;
              bool isMap = forEachField(
                  e, ep, [&](const std::string& k2, const YAML::Node& v2, const std::string& p2) {
                    if (k2 == "key") return readString(v2, p2, req.key), true;
                    if (k2 == "operator") {
                      std::optional<SelectorOp> op;
                      readEnum(v2, p2, parseSelectorOp, "In, NotIn, Exists or DoesNotExist", op);
                      if (op) req.op = *op;
                      sawOperator = sawOperator || !v2.IsNull();
                      return true;
                    }
                    if (k2 == "values") return readStringList(v2, p2, req.values), true;
                    return false;
                  });
              // The model has no "unset" operator; the apiserver rejects a missing one too.
              if (isMap && !sawOperator) error(e, ep + ".operator", "required");
              sel.matchExpressions.push_back(std::move(req));
            });
            return true;
          }
          return false;
        });
    if (ok) out = std::move(sel);
  }

  void readPeer(const YAML::Node& n, const std::string& path, NetworkPolicyPeer& peer) {
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "podSelector") return readSelector(v, p, peer.podSelector), true;
      if (key == "namespaceSelector") return readSelector(v, p, peer.namespaceSelector), true;
      if (key == "ipBlock") {
        if (v.IsNull()) return true;
        IPBlock block;
        if (forEachField(v, p,
                         [&](const std::string& k2, const YAML::Node& v2, const std::string& p2) {
                           if (k2 == "cidr") return readString(v2, p2, block.cidr), true;
                           if (k2 == "except") return readStringList(v2, p2, block.except), true;
                           return false;
                         }))
          peer.ipBlock = std::move(block);
        return true;
      }
      return false;
    });
  }

  void readPolicyPort(const YAML::Node& n, const std::string& path, NetworkPolicyPort& port) {
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "protocol")
        return readEnum(v, p, parseProtocol, "TCP, UDP or SCTP", port.protocol), true;
      if (key == "port") return readPortRef(v, p, port.port), true;
      if (key == "endPort") return readInt(v, p, port.endPort), true;
      return false;
    });
  }

  // `peersKey` is "from" for ingress rules and "to" for egress rules.
  void readRules(const YAML::Node& n, const std::string& path, const char* peersKey,
                 std::optional<std::vector<NetworkPolicyRule>>& out) {
    std::vector<NetworkPolicyRule> rules;
    bool present = forEachElement(n, path, [&](const YAML::Node& e, const std::string& ep) {
      NetworkPolicyRule rule;
      forEachField(e, ep, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
        if (key == "ports") {
          std::vector<NetworkPolicyPort> ports;
          if (forEachElement(v, p, [&](const YAML::Node& pe, const std::string& pp) {
                NetworkPolicyPort port;
                readPolicyPort(pe, pp, port);
                ports.push_back(std::move(port));
              }))
            rule.ports = std::move(ports);
          return true;
        }
        if (key == peersKey) {
          std::vector<NetworkPolicyPeer> peers;
          if (forEachElement(v, p, [&](const YAML::Node& pe, const std::string& pp) {
                NetworkPolicyPeer peer;
                readPeer(pe, pp, peer);
                peers.push_back(std::move(peer));
              }))
            rule.peers = std::move(peers);
          return true;
        }
        return false;
      });
      rules.push_back(std::move(rule));
    });
    if (present) out = std::move(rules);
  }

  void readPolicySpec(const YAML::Node& n, const std::string& path, NetworkPolicy& np) {
    if (n.IsNull()) return;
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "podSelector") return readSelector(v, p, np.podSelector), true;
      if (key == "policyTypes") {
        std::vector<PolicyType> types;
        if (forEachElement(v, p, [&](const YAML::Node& e, const std::string& ep) {
              std::optional<PolicyType> t;
              if (e.IsNull()) error(e, ep, "expected Ingress or Egress, got null");
              readEnum(e, ep, parsePolicyType, "Ingress or Egress", t);
              if (t) types.push_back(*t);
            }))
          np.policyTypes = std::move(types);
        return true;
      }
      if (key == "ingress") return readRules(v, p, "from", np.ingress), true;
      if (key == "egress") return readRules(v, p, "to", np.egress), true;
      return false;
    });
  }

  // ---- cluster-scoped policy (AdminNetworkPolicy, BaselineAdminNetworkPolicy: v1alpha1;
  // ClusterNetworkPolicy: v1alpha2). The CRDs' "exactly one of" rules for ports are checked
  // here, since the model holds one kind of port entry; the rest is model/validate.cc's.

  void readNamespacedPods(const YAML::Node& n, const std::string& path,
                          std::optional<NamespacedPods>& out) {
    if (n.IsNull()) return;
    NamespacedPods pods;
    bool sawPodSelector = false;
    bool ok = forEachField(n, path,
                           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
                             if (key == "namespaceSelector")
                               return readSelector(v, p, pods.namespaceSelector), true;
                             if (key == "podSelector") {
                               std::optional<LabelSelector> sel;
                               readSelector(v, p, sel);
                               if (sel) pods.podSelector = std::move(*sel);
                               sawPodSelector = sawPodSelector || !v.IsNull();
                               return true;
                             }
                             return false;
                           });
    if (!ok) return;
    if (!sawPodSelector) error(n, path + ".podSelector", "required");
    out = std::move(pods);
  }

  void readSubject(const YAML::Node& n, const std::string& path, ClusterPolicySubject& subject) {
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "namespaces") return readSelector(v, p, subject.namespaces), true;
      if (key == "pods") return readNamespacedPods(v, p, subject.pods), true;
      return false;
    });
  }

  void readClusterPeer(const YAML::Node& n, const std::string& path, bool egress,
                       ClusterPolicyPeer& peer) {
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "namespaces") return readSelector(v, p, peer.namespaces), true;
      if (key == "pods") return readNamespacedPods(v, p, peer.pods), true;
      if (!egress) return false;  // ingress peers are namespaces or pods only
      if (key == "nodes") return readSelector(v, p, peer.nodes), true;
      auto readList = [&](std::optional<std::vector<std::string>>& out) {
        if (v.IsNull()) return;
        std::vector<std::string> items;
        readStringList(v, p, items);
        if (v.IsSequence()) out = std::move(items);
      };
      if (key == "networks") return readList(peer.networks), true;
      if (key == "domainNames") return readList(peer.domainNames), true;
      return false;
    });
  }

  // Reports an "exactly one of" mapping that does not set exactly one of `fields` (non-null; a
  // repeated key counts once, as kubectl keeps the last; unknown keys are reported elsewhere).
  void requireOneOf(const YAML::Node& n, const std::string& path,
                    std::initializer_list<std::string_view> fields) {
    std::set<std::string> set;
    if (n.IsMap())
      for (const auto& kv : n)
        if (kv.first.IsScalar() &&
            std::find(fields.begin(), fields.end(), kv.first.Scalar()) != fields.end())
          set.insert(kv.first.Scalar());
    // The last of a repeated key decides whether it is null.
    for (auto it = set.begin(); it != set.end();) {
      YAML::Node last;
      for (const auto& kv : n)
        if (kv.first.IsScalar() && kv.first.Scalar() == *it) last = kv.second;
      it = last.IsNull() ? set.erase(it) : std::next(it);
    }
    if (set.size() == 1) return;
    std::string names;
    for (auto f : fields) names += (names.empty() ? "" : ", ") + std::string(f);
    error(n, path, fmt::format("exactly one of {} must be set", names));
  }

  // v1alpha1: {portNumber: {protocol, port}} | {portRange: {protocol, start, end}} | {namedPort}.
  void readAdminPort(const YAML::Node& n, const std::string& path, ClusterPolicyPort& port) {
    requireOneOf(n, path, {"portNumber", "portRange", "namedPort"});
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "namedPort") {
        port.kind = ClusterPolicyPort::Kind::Named;
        return readString(v, p, port.name), true;
      }
      if (key != "portNumber" && key != "portRange") return false;
      const bool range = key == "portRange";
      port.kind = range ? ClusterPolicyPort::Kind::Range : ClusterPolicyPort::Kind::Number;
      bool sawPort = false, sawEnd = false;
      bool isMap = forEachField(
          v, p, [&](const std::string& k2, const YAML::Node& v2, const std::string& p2) {
            if (k2 == "protocol") return readProtocol(v2, p2, port.protocol), true;
            if (k2 == (range ? "start" : "port")) {
              sawPort = !v2.IsNull();
              return readInt(v2, p2, port.port), true;
            }
            if (range && k2 == "end") {
              sawEnd = !v2.IsNull();
              return readInt(v2, p2, port.endPort), true;
            }
            return false;
          });
      if (isMap && !v.IsNull() && !sawPort) error(v, p + (range ? ".start" : ".port"), "required");
      if (isMap && !v.IsNull() && range && !sawEnd) error(v, p + ".end", "required");
      return true;
    });
  }

  // v1alpha2: {tcp|udp|sctp: {destinationPort: {number} | {range: {start, end}}}} |
  // {destinationNamedPort}.
  void readCnpProtocol(const YAML::Node& n, const std::string& path, ClusterPolicyPort& port) {
    requireOneOf(n, path, {"tcp", "udp", "sctp", "destinationNamedPort"});
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "destinationNamedPort") {
        port.kind = ClusterPolicyPort::Kind::Named;
        return readString(v, p, port.name), true;
      }
      std::optional<Protocol> proto = key == "tcp"    ? Protocol::TCP
                                      : key == "udp"  ? Protocol::UDP
                                      : key == "sctp" ? Protocol::SCTP
                                                      : std::optional<Protocol>();
      if (!proto) return false;
      port.protocol = proto;
      if (v.IsNull()) return true;
      bool sawDestination = false;
      forEachField(v, p, [&](const std::string& k2, const YAML::Node& v2, const std::string& p2) {
        if (k2 != "destinationPort") return false;
        sawDestination = !v2.IsNull();
        if (v2.IsNull()) return true;
        requireOneOf(v2, p2, {"number", "range"});
        forEachField(
            v2, p2, [&](const std::string& k3, const YAML::Node& v3, const std::string& p3) {
              if (k3 == "number") {
                port.kind = ClusterPolicyPort::Kind::Number;
                return readInt(v3, p3, port.port), true;
              }
              if (k3 != "range") return false;
              port.kind = ClusterPolicyPort::Kind::Range;
              bool sawStart = false, sawEnd = false;
              bool isMap = forEachField(
                  v3, p3, [&](const std::string& k4, const YAML::Node& v4, const std::string& p4) {
                    if (k4 == "start") {
                      sawStart = !v4.IsNull();
                      return readInt(v4, p4, port.port), true;
                    }
                    if (k4 == "end") {
                      sawEnd = !v4.IsNull();
                      return readInt(v4, p4, port.endPort), true;
                    }
                    return false;
                  });
              if (isMap && !v3.IsNull() && !sawStart) error(v3, p3 + ".start", "required");
              if (isMap && !v3.IsNull() && !sawEnd) error(v3, p3 + ".end", "required");
              return true;
            });
        return true;
      });
      // The CRD's MinProperties=1: `tcp: {}` is invalid (there is no protocol-only match).
      if (!sawDestination) error(v, p + ".destinationPort", "required");
      return true;
    });
  }

  void readClusterRules(const YAML::Node& n, const std::string& path, ClusterPolicyKind kind,
                        bool egress, std::optional<std::vector<ClusterPolicyRule>>& out) {
    const bool v2 = kind == ClusterPolicyKind::ClusterNetworkPolicy;
    const char* peersKey = egress ? "to" : "from";
    const char* portsKey = v2 ? "protocols" : "ports";
    std::vector<ClusterPolicyRule> rules;
    bool present = forEachElement(n, path, [&](const YAML::Node& e, const std::string& ep) {
      ClusterPolicyRule rule;
      bool sawAction = false, sawPeers = false;
      bool isMap = forEachField(
          e, ep, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
            if (key == "name") return readString(v, p, rule.name), true;
            if (key == "action") {
              std::optional<ClusterRuleAction> a;
              auto parse = [&](const std::string& t) -> std::optional<ClusterRuleAction> {
                if (t == (v2 ? "Accept" : "Allow")) return ClusterRuleAction::Allow;
                if (t == "Deny") return ClusterRuleAction::Deny;
                if (t == "Pass" && kind != ClusterPolicyKind::BaselineAdminNetworkPolicy)
                  return ClusterRuleAction::Pass;
                return std::nullopt;
              };
              const char* allowed = v2 ? "Accept, Deny or Pass"
                                    : kind == ClusterPolicyKind::BaselineAdminNetworkPolicy
                                        ? "Allow or Deny"
                                        : "Allow, Deny or Pass";
              readEnum(v, p, parse, allowed, a);
              if (a) rule.action = *a;
              sawAction = sawAction || !v.IsNull();
              return true;
            }
            if (key == peersKey) {
              sawPeers = forEachElement(v, p, [&](const YAML::Node& pe, const std::string& pp) {
                ClusterPolicyPeer peer;
                readClusterPeer(pe, pp, egress, peer);
                rule.peers.push_back(std::move(peer));
              });
              return true;
            }
            if (key == portsKey) {
              std::vector<ClusterPolicyPort> ports;
              if (forEachElement(v, p, [&](const YAML::Node& pe, const std::string& pp) {
                    ClusterPolicyPort port;
                    if (v2)
                      readCnpProtocol(pe, pp, port);
                    else
                      readAdminPort(pe, pp, port);
                    ports.push_back(std::move(port));
                  }))
                rule.ports = std::move(ports);
              return true;
            }
            return false;
          });
      if (isMap && !e.IsNull() && !sawAction) error(e, ep + ".action", "required");
      if (isMap && !e.IsNull() && !sawPeers) error(e, ep + "." + peersKey, "required");
      rules.push_back(std::move(rule));
    });
    if (present) out = std::move(rules);
  }

  void readClusterPolicySpec(const YAML::Node& n, const std::string& path, ClusterPolicy& cp) {
    if (n.IsNull()) return;
    const bool hasPriority = cp.kind != ClusterPolicyKind::BaselineAdminNetworkPolicy;
    bool sawPriority = false, sawSubject = false, sawTier = false;
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "priority" && hasPriority) {
        sawPriority = !v.IsNull();
        return readInt(v, p, cp.priority), true;
      }
      if (key == "tier" && cp.kind == ClusterPolicyKind::ClusterNetworkPolicy) {
        std::optional<PolicyTier> t;
        readEnum(v, p, parsePolicyTier, "Admin or Baseline", t);
        if (t) cp.tier = *t;
        sawTier = !v.IsNull();
        return true;
      }
      if (key == "subject") {
        sawSubject = !v.IsNull();
        return readSubject(v, p, cp.subject), true;
      }
      if (key == "ingress") return readClusterRules(v, p, cp.kind, false, cp.ingress), true;
      if (key == "egress") return readClusterRules(v, p, cp.kind, true, cp.egress), true;
      return false;
    });
    if (hasPriority && !sawPriority) error(n, path + ".priority", "required");
    if (!sawSubject) error(n, path + ".subject", "required");
    if (cp.kind == ClusterPolicyKind::ClusterNetworkPolicy && !sawTier)
      error(n, path + ".tier", "required");
  }

  // A container's or Service's port protocol: the API server defaults "" to TCP (a policy
  // port's protocol is a pointer there, so "" stays, and is invalid).
  void readDefaultedProtocol(const YAML::Node& v, const std::string& p,
                             std::optional<Protocol>& out) {
    if (v.IsScalar() && !isPlain(v) && v.Scalar().empty()) return;
    readProtocol(v, p, out);
  }

  void readProtocol(const YAML::Node& v, const std::string& p, std::optional<Protocol>& out) {
    readEnum(v, p, parseProtocol, "TCP, UDP or SCTP", out);
  }

  void readPodSpec(const YAML::Node& n, const std::string& path, Pod& pod) {
    if (n.IsNull()) return;
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "nodeName") return readString(v, p, pod.nodeName), true;
      if (key == "hostNetwork") return readBool(v, p, pod.hostNetwork), true;
      if (key != "containers") return isKnown(kPodSpecFields, key);
      forEachElement(v, p, [&](const YAML::Node& e, const std::string& ep) {
        Container c;
        forEachField(
            e, ep, [&](const std::string& k2, const YAML::Node& v2, const std::string& p2) {
              if (k2 == "name") return readString(v2, p2, c.name), true;
              if (k2 == "image") return readString(v2, p2, c.image), true;
              if (k2 != "ports") return isKnown(kContainerFields, k2);
              forEachElement(v2, p2, [&](const YAML::Node& pe, const std::string& pp) {
                ContainerPort cp;
                forEachField(
                    pe, pp,
                    [&](const std::string& k3, const YAML::Node& v3, const std::string& p3) {
                      if (k3 == "name") return readString(v3, p3, cp.name), true;
                      if (k3 == "containerPort") return readInt(v3, p3, cp.containerPort), true;
                      if (k3 == "protocol") return readDefaultedProtocol(v3, p3, cp.protocol), true;
                      return k3 == "hostPort" || k3 == "hostIP";
                    });
                c.ports.push_back(std::move(cp));
              });
              return true;
            });
        pod.containers.push_back(std::move(c));
      });
      return true;
    });
  }

  void readPodStatus(const YAML::Node& n, const std::string& path, Pod& pod) {
    if (n.IsNull()) return;
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "podIP") return readString(v, p, pod.podIP), true;
      if (key != "podIPs") return isKnown(kPodStatusFields, key);
      forEachElement(v, p, [&](const YAML::Node& e, const std::string& ep) {
        std::string ip;
        forEachField(e, ep,
                     [&](const std::string& k2, const YAML::Node& v2, const std::string& p2) {
                       if (k2 == "ip") return readString(v2, p2, ip), true;
                       return false;
                     });
        pod.podIPs.push_back(std::move(ip));
      });
      return true;
    });
  }

  void readServiceSpec(const YAML::Node& n, const std::string& path, Service& svc) {
    if (n.IsNull()) return;
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "clusterIP") return readString(v, p, svc.clusterIP), true;
      if (key == "selector") {
        if (v.IsNull()) return true;  // absent: no endpoints are derived
        Labels sel;
        readStringMap(v, p, sel);
        svc.selector = std::move(sel);
        return true;
      }
      if (key != "ports") return isKnown(kServiceSpecFields, key);
      forEachElement(v, p, [&](const YAML::Node& e, const std::string& ep) {
        ServicePort sp;
        forEachField(e, ep,
                     [&](const std::string& k2, const YAML::Node& v2, const std::string& p2) {
                       if (k2 == "name") return readString(v2, p2, sp.name), true;
                       if (k2 == "port") return readInt(v2, p2, sp.port), true;
                       if (k2 == "protocol")
                         return readDefaultedProtocol(v2, p2, sp.protocol), true;
                       if (k2 == "targetPort") {
                         readPortRef(v2, p2, sp.targetPort);
                         // The API server defaults 0 and "" to the port, as it does absence.
                         if (sp.targetPort && (*sp.targetPort == PortRef{int32_t{0}} ||
                                               *sp.targetPort == PortRef{std::string()}))
                           sp.targetPort.reset();
                         return true;
                       }
                       return k2 == "nodePort" || k2 == "appProtocol";
                     });
        svc.ports.push_back(std::move(sp));
      });
      return true;
    });
  }

  void readNodeStatus(const YAML::Node& n, const std::string& path, Node& node) {
    if (n.IsNull()) return;
    forEachField(n, path, [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key != "addresses") return isKnown(kNodeStatusFields, key);
      forEachElement(v, p, [&](const YAML::Node& e, const std::string& ep) {
        std::string type, address;
        forEachField(e, ep,
                     [&](const std::string& k2, const YAML::Node& v2, const std::string& p2) {
                       if (k2 == "type") return readString(v2, p2, type), true;
                       if (k2 == "address") return readString(v2, p2, address), true;
                       return false;
                     });
        // Only InternalIP addresses are modelled; the validator finds the i-th one's position
        // as the i-th recorded `status.addresses[k].address`.
        if (type == "InternalIP")
          node.internalIPs.push_back(std::move(address));
        else
          fields.erase(ep + ".address");
      });
      return true;
    });
  }
};

class Decoder {
 public:
  Decoder(std::string file, std::string_view original)
      : file_(std::move(file)), original_(original) {}

  DecodeResult run() {
    try {
      runUnguarded();
    } catch (const YAML::DeepRecursion& e) {
      addError(e.mark, "nesting too deep");
    } catch (const YAML::Exception& e) {
      addError(e.mark, e.msg.empty() ? std::string("invalid YAML") : "invalid YAML: " + e.msg);
    } catch (const nlohmann::json::exception& e) {
      addError(YAML::Mark::null_mark(), fmt::format("invalid JSON: {}", e.what()));
    } catch (const std::bad_alloc&) {
      addError(YAML::Mark::null_mark(), "out of memory while decoding");
    } catch (const std::exception& e) {
      addError(YAML::Mark::null_mark(), fmt::format("cannot decode: {}", e.what()));
    }
    return std::move(result_);
  }

  void addError(const YAML::Mark& m, std::string message) {
    result_.errors.push_back(diag(m, std::move(message)));
  }
  void addWarning(const YAML::Mark& m, std::string message) {
    result_.warnings.push_back(diag(m, std::move(message)));
  }
  void markLastWarningStrict() { result_.warnings.back().rejectedByStrictValidation = true; }

  // Charges one visited node (and its scalar bytes) to the budget; false once exhausted.
  bool charge(const YAML::Node& n) {
    return chargeBytes(n.Mark(), 1 + (n.IsScalar() ? n.Scalar().size() : 0));
  }
  bool chargeBytes(const YAML::Mark& m, size_t units) {
    if (exhausted_) return false;
    budget_ -= static_cast<int64_t>(std::min<size_t>(units, INT64_MAX / 4));
    if (budget_ < 0) {
      exhausted_ = true;
      addError(m,
               "input expands to far more data than its size (YAML aliases?); not decoded further");
    }
    return !exhausted_;
  }

 private:
  Diagnostic diag(const YAML::Mark& m, std::string message) const {
    if (m.line < 0) return Diagnostic{file_, 0, 0, std::move(message)};
    return Diagnostic{file_, m.line + 1, m.column + 1, std::move(message)};
  }

  void runUnguarded() {
    if (original_.size() > kMaxInputBytes) {
      result_.errors.push_back(Diagnostic{
          file_, 1, 1, fmt::format("input is larger than {} MiB", kMaxInputBytes >> 20)});
      return;
    }
    if (auto bad = findBadCharacter(original_)) {
      auto [line, col] = lineColAt(original_, bad->first);
      result_.errors.push_back(Diagnostic{file_, line, col, bad->second});
      return;
    }
    // Sniff JSON as kubectl does: the first significant character opens an object or array.
    size_t start = original_.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    while (start < original_.size() && isBlank(original_[start])) ++start;
    json_ = start < original_.size() && (original_[start] == '{' || original_[start] == '[');
    std::string yamlText;
    if (json_) {
      JsonSyntaxCheck check;
      bool ok = nlohmann::json::sax_parse(original_.begin(), original_.end(), &check,
                                          nlohmann::json::input_format_t::json, /*strict=*/true);
      if (!ok) {
        auto [line, col] = lineColAt(original_, check.errorByte > 0 ? check.errorByte - 1 : 0);
        result_.errors.push_back(Diagnostic{file_, line, col, check.errorMessage});
        return;
      }
      yamlText = rewriteSurrogatePairs(original_);
    } else {
      yamlText = std::string(original_);
    }
    // Legitimate input visits at most about one node per byte; aliases are the only way past.
    budget_ = 2 * static_cast<int64_t>(yamlText.size()) + 65536;
    if (auto stuck = yamldocs::findStuckDocument(yamlText)) {
      addError(*stuck, "invalid YAML: unexpected character at the start of a document");
      return;
    }
    std::vector<YAML::Node> docs = YAML::LoadAll(yamlText);
    for (const auto& doc : docs) {
      if (exhausted_) break;
      decodeDocument(doc, 0);
    }
  }

  // Reads the top-level `apiVersion` and `kind` strings of an object mapping.
  bool readTypeMeta(const YAML::Node& doc, std::string& apiVersion, std::string& kind) {
    bool ok = true;
    for (const auto& kv : doc) {
      if (!kv.first.IsScalar()) continue;
      const std::string& key = kv.first.Scalar();
      if (key != "apiVersion" && key != "kind") continue;
      const YAML::Node& v = kv.second;
      if (!v.IsScalar() ||
          (isPlain(v) && ys::kubectlPlainType(v.Scalar()) != ys::PlainType::String)) {
        addError(v.Mark(), fmt::format("{}: expected a string, got {}", key, describe(v)));
        ok = false;
        continue;
      }
      (key == "kind" ? kind : apiVersion) = v.Scalar();
    }
    if (ok && kind.empty()) {
      addError(doc.Mark(), "object has no kind");
      ok = false;
    } else if (ok && apiVersion.empty()) {
      addError(doc.Mark(), fmt::format("{} object has no apiVersion", ys::excerpt(kind)));
      ok = false;
    }
    return ok;
  }

  // metadata.name / metadata.namespace, looked up without reporting, for the object's label.
  static std::string peekMeta(const YAML::Node& doc, const char* field) {
    for (const auto& kv : doc) {
      if (!kv.first.IsScalar() || kv.first.Scalar() != "metadata" || !kv.second.IsMap()) continue;
      for (const auto& m : kv.second)
        if (m.first.IsScalar() && m.first.Scalar() == field && m.second.IsScalar())
          return m.second.Scalar();
    }
    return "";
  }

  void decodeDocument(const YAML::Node& doc, int listDepth) {
    if (!charge(doc) || doc.IsNull()) return;  // an empty document (e.g. a trailing `---`)
    if (!doc.IsMap()) {
      addError(doc.Mark(), "expected a Kubernetes object (a mapping), got " + describe(doc));
      return;
    }
    // Looking up apiVersion, kind and metadata scans the whole mapping each time this node is
    // visited (aliases can make that many times).
    if (!chargeBytes(doc.Mark(), doc.size())) return;
    std::string apiVersion, kind;
    if (!readTypeMeta(doc, apiVersion, kind)) return;
    if (kind == "List" || endsWith(kind, "List")) {
      if (listDepth >= kMaxListNesting) {
        addError(doc.Mark(), "Lists nested too deeply");
        return;
      }
      for (const auto& kv : doc) {
        if (!charge(kv.first) || !charge(kv.second)) return;
        if (!kv.first.IsScalar() || kv.first.Scalar() != "items" || kv.second.IsNull()) continue;
        if (!kv.second.IsSequence()) {
          addError(kv.second.Mark(),
                   fmt::format("{}: items: expected a list, got {}", kind, describe(kv.second)));
          continue;
        }
        for (const YAML::Node& item : kv.second) {
          if (exhausted_) return;
          decodeDocument(item, listDepth + 1);
        }
      }
      return;
    }
    if (apiVersion == "netpolfuzz.io/v1alpha1" && kind == "Case") {
      keepCaseDocument(doc, listDepth == 0);
      return;
    }
    bool core = apiVersion == "v1";
    if (core && kind == "Namespace") return decodeObject<Namespace>(doc, "Namespace", false);
    if (core && kind == "Node") return decodeObject<Node>(doc, "Node", false);
    if (core && kind == "Pod") return decodeObject<Pod>(doc, "Pod", true);
    if (core && kind == "Service") return decodeObject<Service>(doc, "Service", true);
    if (apiVersion == "networking.k8s.io/v1" && kind == "NetworkPolicy")
      return decodeObject<NetworkPolicy>(doc, "NetworkPolicy", true);
    for (auto k :
         {ClusterPolicyKind::AdminNetworkPolicy, ClusterPolicyKind::BaselineAdminNetworkPolicy,
          ClusterPolicyKind::ClusterNetworkPolicy})
      if (apiVersion == apiVersionOf(k) && kind == toString(k)) {
        clusterPolicyKind_ = k;
        return decodeObject<ClusterPolicy>(doc, toString(k), false);
      }
    std::string name = peekMeta(doc, "name");
    addWarning(doc.Mark(),
               fmt::format("skipping unsupported object {} {}{}", ys::excerpt(apiVersion),
                           ys::excerpt(kind), name.empty() ? "" : " " + ys::excerpt(name)));
  }

  template <typename T>
  void decodeObject(const YAML::Node& doc, const char* kind, bool namespaced) {
    std::string name = peekMeta(doc, "name");
    std::string label = fmt::format("{} ", kind);
    if (namespaced) {
      std::string ns = peekMeta(doc, "namespace");
      label += ys::excerpt(ns.empty() ? "default" : ns) + "/";
    }
    label += name.empty() ? "<no name>" : ys::excerpt(name);
    Obj o(*this, std::move(label));
    T obj;
    if constexpr (std::is_same_v<T, ClusterPolicy>) {
      obj.kind = clusterPolicyKind_;
      obj.tier = obj.kind == ClusterPolicyKind::BaselineAdminNetworkPolicy ? PolicyTier::Baseline
                                                                           : PolicyTier::Admin;
      bool sawSpec = false;
      for (const auto& kv : doc)
        if (kv.first.IsScalar() && kv.first.Scalar() == "spec" && !kv.second.IsNull())
          sawSpec = true;
      if (!sawSpec) o.error(doc, "spec", "required");
    }
    // A NetworkPolicy has no status in v1.
    o.forEachField(doc, "", [&](const std::string& key, const YAML::Node& v, const std::string& p) {
      if (key == "apiVersion" || key == "kind") return true;
      bool known = key == "metadata" || key == "spec" ||
                   (key == "status" && !std::is_same_v<T, NetworkPolicy>);
      if (!known) return false;
      if (key == "metadata")
        o.readMeta(v, p, obj.meta, namespaced);
      else if constexpr (std::is_same_v<T, Node>) {
        if (key == "status") o.readNodeStatus(v, p, obj);
      } else if constexpr (std::is_same_v<T, Pod>) {
        if (key == "spec")
          o.readPodSpec(v, p, obj);
        else if (key == "status")
          o.readPodStatus(v, p, obj);
      } else if constexpr (std::is_same_v<T, Service>) {
        if (key == "spec") o.readServiceSpec(v, p, obj);
      } else if constexpr (std::is_same_v<T, NetworkPolicy>) {
        if (key == "spec") o.readPolicySpec(v, p, obj);
      } else if constexpr (std::is_same_v<T, ClusterPolicy>) {
        if (key == "spec") o.readClusterPolicySpec(v, p, obj);
      }
      return true;
    });
    if (o.failed) return;  // reported; the object is dropped
    if (namespaced && obj.meta.namespace_.empty()) obj.meta.namespace_ = "default";
    YAML::Mark m = doc.Mark();
    obj.origin.file = file_;
    obj.origin.line = m.line + 1;
    obj.origin.col = m.column + 1;
    obj.origin.fields = std::make_shared<const FieldMap>(std::move(o.fields));
    Cluster& c = result_.cluster;
    if constexpr (std::is_same_v<T, Namespace>)
      c.namespaces.push_back(std::move(obj));
    else if constexpr (std::is_same_v<T, Node>)
      c.nodes.push_back(std::move(obj));
    else if constexpr (std::is_same_v<T, Pod>)
      c.pods.push_back(std::move(obj));
    else if constexpr (std::is_same_v<T, Service>)
      c.services.push_back(std::move(obj));
    else if constexpr (std::is_same_v<T, ClusterPolicy>)
      c.clusterPolicies.push_back(std::move(obj));
    else
      c.policies.push_back(std::move(obj));
  }

  // A Case document is kept as YAML text for the case layer. A top-level document is its own
  // source text, preceded by blank lines so that line numbers in it are the file's; a List
  // item is re-emitted with its quoting kept (yaml_flow.h; aliases are expanded, so the text is
  // capped).
  void keepCaseDocument(const YAML::Node& doc, bool topLevel) {
    std::string text;
    if (topLevel && json_) {
      text = std::string(original_);
    } else if (topLevel) {
      text = sourceOfDocumentAt(doc.Mark().line);
    } else {
      text = ys::flowDocument(doc, kMaxCaseDocumentBytes);
      if (text.empty()) {
        addError(doc.Mark(), "Case document too large");
        return;
      }
    }
    if (!chargeBytes(doc.Mark(), text.size())) return;
    result_.caseDocuments.push_back(std::move(text));
  }

  // The lines of the YAML document whose root node is on line `rootLine` (0-based): between
  // the document markers around it. `---` and `...` at the start of a line always are markers
  // (YAML forbids them as content there), so scanning lines finds the same boundaries.
  std::string sourceOfDocumentAt(int rootLine) const {
    std::string_view t = original_;
    std::vector<size_t> lineStarts{0};
    for (size_t i = 0; i < t.size(); ++i)
      if (t[i] == '\n') lineStarts.push_back(i + 1);
    auto isMarker = [&](size_t line, std::string_view m) {
      size_t p = lineStarts[line];
      if (t.compare(p, 3, m) != 0) return false;
      return p + 3 == t.size() || isBlank(t[p + 3]);
    };
    size_t first = 0, last = lineStarts.size();  // [first, last) lines
    for (size_t l = 0; l < lineStarts.size(); ++l) {
      bool start = isMarker(l, "---"), end = isMarker(l, "...");
      if (!start && !end) continue;
      if (static_cast<int>(l) <= rootLine)
        first = start ? l : l + 1;
      else {
        last = l;
        break;
      }
    }
    size_t from = lineStarts[std::min(first, lineStarts.size() - 1)];
    size_t to = last < lineStarts.size() ? lineStarts[last] : t.size();
    std::string text(first, '\n');
    if (to > from) text.append(t.substr(from, to - from));
    return text;
  }

  std::string file_;
  std::string_view original_;
  bool json_ = false;
  int64_t budget_ = 0;
  bool exhausted_ = false;
  ClusterPolicyKind clusterPolicyKind_ = ClusterPolicyKind::AdminNetworkPolicy;  // being decoded
  DecodeResult result_;
};

void Obj::error(const YAML::Node& at, const std::string& path, std::string_view what) {
  failed = true;
  d.addError(at.Mark(), fmt::format("{}: {}: {}", label, path, what));
}

void Obj::warn(const YAML::Node& at, const std::string& path, std::string_view what) {
  d.addWarning(at.Mark(), fmt::format("{}: {}: {}", label, path, what));
}

void Obj::unknownField(const YAML::Node& at, const std::string& path) {
  d.addWarning(at.Mark(), fmt::format("{}: {}: unknown field (ignored)", label, path));
  d.markLastWarningStrict();
}

std::optional<int64_t> Obj::plainInteger(const YAML::Node& n) const {
  return ys::kubectlInteger(n.Scalar());
}

// A number kubectl would send as an integer, but one too large for int64.
bool Obj::isInteger(const YAML::Node& n) const {
  return ys::kubectlPlainType(n.Scalar()) == ys::PlainType::Int;
}

bool Obj::charge(const YAML::Node& n) {
  if (d.charge(n)) return true;
  failed = true;
  return false;
}

}  // namespace

DecodeResult decodeManifests(std::string_view text, const std::string& fileName) {
  try {
    return Decoder(fileName, text).run();
  } catch (...) {
    // Only allocation failures can get here (run() catches everything else).
    DecodeResult r;
    r.errors.push_back(Diagnostic{fileName, 0, 0, "out of memory while decoding"});
    return r;
  }
}

DecodeResult decodeFile(const std::string& path) {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      DecodeResult r;
      r.errors.push_back(
          Diagnostic{path, 0, 0, fmt::format("cannot read file: {}", std::strerror(errno))});
      return r;
    }
    std::string text;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      text.append(buf, static_cast<size_t>(in.gcount()));
      if (text.size() > kMaxInputBytes) break;  // decodeManifests reports the size
    }
    if (in.bad()) {
      DecodeResult r;
      r.errors.push_back(Diagnostic{path, 0, 0, "cannot read file: read error"});
      return r;
    }
    return decodeManifests(text, path);
  } catch (...) {
    DecodeResult r;
    r.errors.push_back(Diagnostic{path, 0, 0, "cannot read file"});
    return r;
  }
}

}  // namespace npf
