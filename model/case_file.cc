#include "model/case_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <sstream>

#include "model/case_validate.h"
#include "model/codec.h"
#include "model/ip.h"
#include "model/validate.h"
#include "model/yaml_flow.h"
#include "model/yaml_scalar.h"

namespace npf {
namespace {

namespace ys = yamlscalar;

// Bounds on what one Case document may make us do, whatever aliases it uses.
constexpr size_t kMaxSteps = 1000;
constexpr size_t kMaxListEntries = 100000;
constexpr size_t kMaxEmbeddedBytes = size_t(8) << 20;

// Decodes the `Case` document of one file. Positions: a top-level Case document's text keeps
// the file's line numbers (the codec pads it), so marks are the file's.
class CaseDocDecoder {
 public:
  CaseDocDecoder(std::string file, CaseLoad& out) : file_(std::move(file)), out_(out) {}

  void run(const std::string& text) {
    try {
      YAML::Node doc = YAML::Load(text);
      decode(doc);
    } catch (const YAML::Exception& e) {
      error(e.mark, e.msg.empty() ? "invalid Case document" : "invalid Case document: " + e.msg);
    } catch (const std::exception& e) {
      error(YAML::Mark::null_mark(), std::string("cannot decode the Case document: ") + e.what());
    }
  }

 private:
  void error(const YAML::Mark& m, std::string message) {
    out_.errors.push_back(Diagnostic{file_, m.line >= 0 ? m.line + 1 : 0,
                                     m.column >= 0 ? m.column + 1 : 0,
                                     "Case: " + std::move(message)});
  }

  // A plain or quoted scalar as a string; YAML 1.1 booleans etc. must be quoted as elsewhere.
  std::optional<std::string> str(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) {
      error(n.Mark(), path + ": expected a string");
      return std::nullopt;
    }
    if (n.Tag() == "?" && ys::classifyPlain(n.Scalar()) != ys::PlainType::String) {
      error(n.Mark(),
            fmt::format("{}: expected a string, got {}; quote it", path, ys::excerpt(n.Scalar())));
      return std::nullopt;
    }
    return n.Scalar();
  }

  std::vector<std::string> strList(const YAML::Node& n, const std::string& path) {
    std::vector<std::string> out;
    if (n.IsNull()) return out;
    if (!n.IsSequence() || n.size() > kMaxListEntries) {
      error(n.Mark(), path + ": expected a list of strings");
      return out;
    }
    for (size_t i = 0; i < n.size(); ++i)
      if (auto s = str(n[i], fmt::format("{}[{}]", path, i))) out.push_back(*s);
    return out;
  }

  void decode(const YAML::Node& doc) {
    if (!doc.IsMap()) return error(doc.Mark(), "expected a mapping");
    CaseMeta& m = out_.kase.meta;
    m.present = true;
    if (auto md = doc["metadata"]; md && md.IsMap() && md["name"])
      if (auto s = str(md["name"], "metadata.name")) m.name = *s;
    YAML::Node spec = doc["spec"];
    if (!spec || spec.IsNull()) return;
    if (!spec.IsMap()) return error(spec.Mark(), "spec: expected a mapping");
    for (const auto& kv : spec) {
      if (!kv.first.IsScalar()) continue;
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      std::string path = "spec." + key;
      if (key == "seed") {
        uint64_t seed = 0;
        if (!v.IsScalar() || !ys::isStrictDecimal(v.Scalar()) || v.Scalar()[0] == '-' ||
            !YAML::convert<uint64_t>::decode(v, seed))
          error(v.Mark(), path + ": expected a non-negative integer");
        else
          m.seed = seed;
      } else if (key == "generator" || key == "size") {
        if (auto s = str(v, path)) (key == "size" ? m.size : m.generator) = *s;
      } else if (key == "profile") {
        profile(v, path);
      } else if (key == "tags") {
        m.tags = strList(v, path);
      } else if (key == "externalHosts") {
        externalHosts(v, path);
      } else if (key == "probes") {
        probes(v, path);
      } else if (key == "steps") {
        steps(v, path);
      } else if (key == "observed") {
        observed(v, path);
      } else {
        // Reports and runners add their own fields (expected/observed cells, backend, ...).
        // Unknown fields are kept out of the model but are not errors.
      }
    }
  }

  // KEY=VALUE settings over the default profile; the whole profile is the case's.
  void profile(const YAML::Node& v, const std::string& path) {
    Profile p;
    if (!v.IsNull() && v.IsSequence() && v.size() <= kMaxListEntries) {
      for (size_t i = 0; i < v.size(); ++i) {
        auto s = str(v[i], fmt::format("{}[{}]", path, i));
        if (!s) continue;
        if (auto e = applyProfileSetting(p, *s); !e.empty())
          error(v[i].Mark(), fmt::format("{}[{}]: {}", path, i, e));
      }
    } else {
      strList(v, path);  // reports the error
    }
    out_.kase.meta.profile = p;
  }

  void observed(const YAML::Node& v, const std::string& path) {
    if (v.IsNull()) return;
    if (!v.IsMap())
      return error(v.Mark(), path + ": expected a mapping with backend, faults and cells");
    Observation o;
    if (v["backend"])
      if (auto s = str(v["backend"], path + ".backend")) o.backend = *s;
    if (v["faults"]) o.faults = strList(v["faults"], path + ".faults");
    if (const YAML::Node env = v["environment"]; env && !env.IsNull()) {
      if (!env.IsMap() || env.size() > kMaxListEntries)
        return error(env.Mark(), path + ".environment: expected a mapping of names to strings");
      // Informational only: any scalar is taken as written.
      for (const auto& kv : env) {
        if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
          error(kv.first.Mark(), path + ".environment: expected NAME: VALUE scalars");
          continue;
        }
        o.environment.emplace_back(kv.first.Scalar(), kv.second.Scalar());
      }
    }
    const YAML::Node cells = v["cells"];
    if (cells && !cells.IsNull()) {
      if (!cells.IsSequence() || cells.size() > kMaxListEntries)
        return error(cells.Mark(), path + ".cells: expected a list");
      for (size_t i = 0; i < cells.size(); ++i) {
        std::string p = fmt::format("{}.cells[{}]", path, i);
        const YAML::Node& c = cells[i];
        if (!c.IsMap()) {
          error(c.Mark(), p + ": expected a mapping");
          continue;
        }
        ObservedCell cell;
        if (c["step"]) {
          const YAML::Node& s = c["step"];
          if (!s.IsScalar() || !ys::isStrictDecimal(s.Scalar()) || s.Scalar()[0] == '-' ||
              !YAML::convert<size_t>::decode(s, cell.step)) {
            error(s.Mark(), p + ".step: expected a non-negative integer");
            continue;
          }
        }
        for (auto [field, dst] :
             {std::pair{"from", &cell.from}, {"to", &cell.to}, {"expected", &cell.expected}})
          if (c[field])
            if (auto s = str(c[field], p + "." + field)) *dst = *s;
        if (c["observed"]) cell.observed = strList(c["observed"], p + ".observed");
        o.cells.push_back(std::move(cell));
      }
    }
    out_.kase.meta.observed = std::move(o);
  }

  void externalHosts(const YAML::Node& v, const std::string& path) {
    if (v.IsNull()) return;
    if (!v.IsSequence() || v.size() > kMaxListEntries)
      return error(v.Mark(), path + ": expected a list");
    std::set<std::string> names;
    for (size_t i = 0; i < v.size(); ++i) {
      std::string p = fmt::format("{}[{}]", path, i);
      const YAML::Node& h = v[i];
      if (!h.IsMap()) {
        error(h.Mark(), p + ": expected a mapping with name and ip");
        continue;
      }
      auto name = h["name"] ? str(h["name"], p + ".name") : std::nullopt;
      auto ip = h["ip"] ? str(h["ip"], p + ".ip") : std::nullopt;
      if (!name || !isDns1123Label(*name)) {
        error(h.Mark(), p + ".name: must be a DNS-1123 label");
        continue;
      }
      if (!ip || !parseIp(*ip)) {
        error(h["ip"] ? h["ip"].Mark() : h.Mark(), p + ".ip: must be an IPv4 or IPv6 address");
        continue;
      }
      if (!names.insert(*name).second) {
        error(h.Mark(), p + ".name: duplicate external host " + *name);
        continue;
      }
      out_.kase.cluster.externalHosts.push_back({*name, *ip});
    }
  }

  void probes(const YAML::Node& v, const std::string& path) {
    if (v.IsNull()) return;
    if (!v.IsSequence() || v.size() > kMaxListEntries)
      return error(v.Mark(), path + ": expected a list of {from, to}");
    ProbeSet set;
    for (size_t i = 0; i < v.size(); ++i) {
      std::string p = fmt::format("{}[{}]", path, i);
      const YAML::Node& b = v[i];
      if (!b.IsMap()) {
        error(b.Mark(), p + ": expected a mapping with from and to");
        continue;
      }
      ProbeBlock block;
      for (const auto& s : strList(b["from"], p + ".from")) {
        if (auto e = parseEndpoint(s))
          block.sources.push_back(*e);
        else
          error(b["from"].Mark(),
                fmt::format(
                    "{}.from: '{}' is not an endpoint (NS/POD, svc/NS/NAME, node/NAME, ip/ADDR)", p,
                    s));
      }
      for (const auto& s : strList(b["to"], p + ".to")) {
        if (auto t = parseTarget(s))
          block.targets.push_back(*t);
        else
          error(b["to"].Mark(),
                fmt::format("{}.to: '{}' is not a target (ENDPOINT:PORT/PROTOCOL)", p, s));
      }
      set.blocks.push_back(std::move(block));
      probeMarks_.push_back(b.Mark());
    }
    out_.kase.meta.probes = std::move(set);
  }

  // A Pod or NetworkPolicy embedded in a step, decoded by the manifest codec from its
  // re-emitted text (yaml_flow.h). Its field positions are those of that text, so errors point
  // at the step's field instead.
  template <typename T>
  std::optional<T> embedded(const YAML::Node& n, const std::string& path,
                            std::vector<T> Cluster::*objects) {
    std::string text = ys::flowDocument(n, kMaxEmbeddedBytes);
    embeddedBytes_ += text.size();
    if (text.empty() || embeddedBytes_ > kMaxEmbeddedBytes) {
      error(n.Mark(), path + ": embedded objects too large");
      return std::nullopt;
    }
    DecodeResult r = decodeManifests(text, file_);
    for (const auto& d : r.errors) error(n.Mark(), fmt::format("{}: {}", path, d.message));
    for (const auto& d : r.warnings) error(n.Mark(), fmt::format("{}: {}", path, d.message));
    const auto& list = r.cluster.*objects;
    if (!r.errors.empty() || !r.warnings.empty()) return std::nullopt;
    if (list.size() != 1) {
      error(n.Mark(), fmt::format("{}: expected exactly one object of the right kind", path));
      return std::nullopt;
    }
    T obj = list[0];
    obj.origin.file = file_;
    obj.origin.line = n.Mark().line + 1;
    obj.origin.col = n.Mark().column + 1;
    obj.origin.fields.reset();
    return obj;
  }

  void steps(const YAML::Node& v, const std::string& path) {
    if (v.IsNull()) return;
    if (!v.IsSequence() || v.size() > kMaxSteps)
      return error(v.Mark(),
                   fmt::format("{}: expected a list of at most {} steps", path, kMaxSteps));
    for (size_t i = 0; i < v.size(); ++i) {
      std::string p = fmt::format("{}[{}]", path, i);
      const YAML::Node& s = v[i];
      if (!s.IsMap()) {
        error(s.Mark(), p + ": expected a mapping with an action");
        continue;
      }
      auto actionName = s["action"] ? str(s["action"], p + ".action") : std::nullopt;
      auto action = actionName ? parseStepAction(*actionName) : std::nullopt;
      if (!action) {
        error(s["action"] ? s["action"].Mark() : s.Mark(),
              p + ".action: expected one of create-policy, update-policy, delete-policy, "
                  "relabel-pod, relabel-namespace, delete-pod, create-pod, "
                  "create-cluster-policy, update-cluster-policy, delete-cluster-policy");
        continue;
      }
      Step step;
      step.action = *action;
      bool ok = true;
      auto need = [&](const char* field) -> YAML::Node {
        YAML::Node n = s[field];
        if (!n || n.IsNull()) {
          error(s.Mark(), fmt::format("{}: {} needs `{}`", p, *actionName, field));
          ok = false;
        }
        return n;
      };
      using A = Step::Action;
      switch (step.action) {
        case A::CreatePolicy:
        case A::UpdatePolicy:
          if (auto n = need("policy"); ok) {
            step.policy = embedded(n, p + ".policy", &Cluster::policies);
            ok = step.policy.has_value();
          }
          break;
        case A::CreateClusterPolicy:
        case A::UpdateClusterPolicy:
          if (auto n = need("clusterPolicy"); ok) {
            step.clusterPolicy = embedded(n, p + ".clusterPolicy", &Cluster::clusterPolicies);
            ok = step.clusterPolicy.has_value();
          }
          break;
        case A::DeleteClusterPolicy:
          if (auto n = need("kind"); ok) {
            auto kind = str(n, p + ".kind");
            auto parsed = kind ? parseClusterPolicyKind(*kind) : std::nullopt;
            if (kind && !parsed)
              error(n.Mark(), p + ".kind: expected AdminNetworkPolicy, "
                                  "BaselineAdminNetworkPolicy or ClusterNetworkPolicy");
            ok = parsed.has_value();
            if (parsed) step.kind = *parsed;
          }
          if (auto n = need("name"); ok) {
            auto name = str(n, p + ".name");
            ok = name.has_value();
            if (name) step.name = *name;
          }
          break;
        case A::CreatePod:
          if (auto n = need("pod"); ok) {
            step.pod = embedded(n, p + ".pod", &Cluster::pods);
            ok = step.pod.has_value();
          }
          break;
        case A::DeletePolicy:
        case A::DeletePod:
        case A::RelabelPod:
          if (auto n = need("namespace"); ok) {
            auto ns = str(n, p + ".namespace");
            ok = ns.has_value();
            if (ns) step.namespace_ = *ns;
          }
          [[fallthrough]];
        case A::RelabelNamespace:
          if (auto n = need("name"); ok) {
            auto name = str(n, p + ".name");
            ok = name.has_value();
            if (name) step.name = *name;
          }
          if (ok && (step.action == A::RelabelPod || step.action == A::RelabelNamespace)) {
            YAML::Node labels = s["labels"];
            if (labels && !labels.IsNull()) {
              if (!labels.IsMap() || labels.size() > kMaxListEntries) {
                error(labels.Mark(), p + ".labels: expected a mapping");
                ok = false;
              } else {
                for (const auto& kv : labels) {
                  auto k = str(kv.first, p + ".labels");
                  auto val =
                      str(kv.second,
                          p + ".labels[" + (kv.first.IsScalar() ? kv.first.Scalar() : "?") + "]");
                  if (!k || !val)
                    ok = false;
                  else
                    step.labels[*k] = *val;
                }
              }
            }
          }
          break;
      }
      if (ok) {
        out_.kase.meta.steps.push_back(std::move(step));
        stepMarks_.push_back(s.Mark());
      }
    }
  }

 public:
  std::vector<YAML::Mark> stepMarks_;   // position of each decoded step, for state errors
  std::vector<YAML::Mark> probeMarks_;  // position of each probe block

 private:
  std::string file_;
  CaseLoad& out_;
  size_t embeddedBytes_ = 0;
};

// A problem of the whole case, located in the Case document: at the step or probe block it
// belongs to (the objects of a state were located when the initial state was validated).
Diagnostic locate(const CaseProblem& p, const std::string& file,
                  const std::vector<YAML::Mark>& stepMarks,
                  const std::vector<YAML::Mark>& probeMarks) {
  if (p.part == CaseProblem::Part::InitialState) return p.diagnostic;
  const auto& marks = p.part == CaseProblem::Part::Step ? stepMarks : probeMarks;
  int line = p.index < marks.size() ? marks[p.index].line + 1 : 0;
  int col = p.index < marks.size() ? marks[p.index].column + 1 : 0;
  return Diagnostic{file, line, col, "Case: " + p.diagnostic.message};
}

}  // namespace

CaseLoad loadCaseFiles(const std::vector<std::string>& paths) {
  CaseLoad out;
  std::string caseFile;
  std::vector<YAML::Mark> stepMarks, probeMarks;
  for (const auto& path : paths) {
    DecodeResult r = decodeFile(path);
    out.kase.cluster.append(std::move(r.cluster));
    out.errors.insert(out.errors.end(), r.errors.begin(), r.errors.end());
    out.warnings.insert(out.warnings.end(), r.warnings.begin(), r.warnings.end());
    for (const auto& text : r.caseDocuments) {
      if (out.kase.meta.present) {
        out.errors.push_back(
            {path, 0, 0, "a case has at most one Case document (another is in " + caseFile + ")"});
        continue;
      }
      caseFile = path;
      CaseDocDecoder d(path, out);
      d.run(text);
      stepMarks = d.stepMarks_;
      probeMarks = d.probeMarks_;
    }
  }
  if (!out.errors.empty()) return out;
  for (const auto& p : caseProblems(out.kase))
    out.errors.push_back(locate(p, caseFile, stepMarks, probeMarks));
  return out;
}

namespace {

std::string indentLines(const std::string& text, int spaces) {
  std::string out, pad(size_t(spaces), ' ');
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += (line.empty() ? "" : pad) + line + "\n";
  return out;
}

std::string yamlList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + ys::encode(items[i]);
  return out + "]";
}

}  // namespace

std::string encodeCase(const Case& c) {
  std::string out = encodeYaml(c.cluster);
  const CaseMeta& m = c.meta;
  if (!m.present && c.cluster.externalHosts.empty()) return out;
  if (!out.empty()) out += "---\n";
  out += "apiVersion: netpolfuzz.io/v1alpha1\nkind: Case\nmetadata:\n";
  out += "  name: " + ys::encode(m.name.empty() ? "case" : m.name) + "\nspec:\n";
  if (m.seed) out += fmt::format("  seed: {}\n", *m.seed);
  if (!m.generator.empty()) out += "  generator: " + ys::encode(m.generator) + "\n";
  if (!m.size.empty()) out += "  size: " + ys::encode(m.size) + "\n";
  if (m.profile) {
    std::vector<std::string> settings;
    for (const auto& [key, value] : describeProfile(*m.profile))
      settings.push_back(key + "=" + value);
    out += "  profile: " + yamlList(settings) + "\n";
  }
  if (!m.tags.empty()) out += "  tags: " + yamlList(m.tags) + "\n";
  if (!c.cluster.externalHosts.empty()) {
    out += "  externalHosts:\n";
    for (const auto& h : c.cluster.externalHosts)
      out += "  - name: " + ys::encode(h.name) + "\n    ip: " + ys::encode(h.ip) + "\n";
  }
  if (m.probes) {
    out += "  probes:\n";
    for (const auto& b : m.probes->blocks) {
      std::vector<std::string> from, to;
      for (const auto& s : b.sources) from.push_back(toString(s));
      for (const auto& t : b.targets) to.push_back(toString(t));
      out += "  - from: " + yamlList(from) + "\n    to: " + yamlList(to) + "\n";
    }
  }
  if (!m.steps.empty()) {
    out += "  steps:\n";
    for (const auto& s : m.steps) {
      out += std::string("  - action: ") + toString(s.action) + "\n";
      if (s.policy) {
        Cluster one;
        one.policies.push_back(*s.policy);
        out += "    policy:\n" + indentLines(encodeYaml(one), 6);
      }
      if (s.pod) {
        Cluster one;
        one.pods.push_back(*s.pod);
        out += "    pod:\n" + indentLines(encodeYaml(one), 6);
      }
      if (s.clusterPolicy) {
        Cluster one;
        one.clusterPolicies.push_back(*s.clusterPolicy);
        out += "    clusterPolicy:\n" + indentLines(encodeYaml(one), 6);
      }
      if (s.action == Step::Action::DeleteClusterPolicy)
        out += std::string("    kind: ") + toString(s.kind) + "\n";
      if (!s.namespace_.empty()) out += "    namespace: " + ys::encode(s.namespace_) + "\n";
      if (!s.name.empty()) out += "    name: " + ys::encode(s.name) + "\n";
      if (s.action == Step::Action::RelabelPod || s.action == Step::Action::RelabelNamespace) {
        out += "    labels:";
        if (s.labels.empty()) out += " {}";
        out += "\n";
        for (const auto& [k, v] : s.labels)
          out += "      " + ys::encode(k) + ": " + ys::encode(v) + "\n";
      }
    }
  }
  if (m.observed) {
    const Observation& o = *m.observed;
    out += "  observed:  # what a run saw where the backend disagreed with the oracle\n";
    if (!o.backend.empty()) out += "    backend: " + ys::encode(o.backend) + "\n";
    if (!o.faults.empty()) out += "    faults: " + yamlList(o.faults) + "\n";
    if (!o.environment.empty()) {
      out += "    environment:\n";
      for (const auto& [k, v] : o.environment)
        out += "      " + ys::encode(k) + ": " + ys::quoted(v) + "\n";
    }
    out += "    cells:";
    if (o.cells.empty()) out += " []";
    out += "\n";
    for (const auto& c : o.cells)
      out += fmt::format("    - {{step: {}, from: {}, to: {}, expected: {}, observed: {}}}\n",
                         c.step, ys::quoted(c.from), ys::quoted(c.to), ys::quoted(c.expected),
                         yamlList(c.observed));
  }
  return out;
}

}  // namespace npf
