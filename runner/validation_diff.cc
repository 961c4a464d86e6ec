#include "runner/validation_diff.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "generator/case_gen.h"
#include "generator/manifest_mutator.h"
#include "model/codec.h"
#include "model/defaults.h"
#include "model/validate.h"

namespace npf::runner {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Source {
  std::string yaml;    // one object
  std::string origin;  // "small-s1-0003 Pod x/a"
  std::string kind;
};

template <typename T>
void addObject(std::vector<Source>& out, const T& obj, std::vector<T> Cluster::*list,
               const char* kind, const std::string& caseName, bool namespaced) {
  Cluster one;
  (one.*list).push_back(obj);
  std::string name = namespaced ? obj.meta.namespace_ + "/" + obj.meta.name : obj.meta.name;
  out.push_back({encodeYaml(one), fmt::format("{} {} {}", caseName, kind, name), kind});
}

// Every object of the case and of its steps, each alone.
void objectsOf(const Case& c, std::vector<Source>& out) {
  const Cluster& k = c.cluster;
  const std::string& n = c.meta.name;
  for (const auto& o : k.namespaces) addObject(out, o, &Cluster::namespaces, "Namespace", n, false);
  for (const auto& o : k.nodes) addObject(out, o, &Cluster::nodes, "Node", n, false);
  for (const auto& o : k.pods) addObject(out, o, &Cluster::pods, "Pod", n, true);
  for (const auto& o : k.services) addObject(out, o, &Cluster::services, "Service", n, true);
  for (const auto& o : k.policies) addObject(out, o, &Cluster::policies, "NetworkPolicy", n, true);
  for (size_t i = 0; i < c.meta.steps.size(); ++i) {
    const Step& s = c.meta.steps[i];
    std::string where = fmt::format("{} step {}", n, i + 1);
    if (s.policy) addObject(out, *s.policy, &Cluster::policies, "NetworkPolicy", where, true);
    if (s.pod) addObject(out, *s.pod, &Cluster::pods, "Pod", where, true);
  }
}

std::string writeFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  return f ? "" : "cannot write " + path;
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// The API server stores empty lists as absent (omitempty): compare them so.
void emptyListsAbsent(NetworkPolicy& np) {
  for (auto* rules : {&np.ingress, &np.egress}) {
    if (*rules && (*rules)->empty()) rules->reset();
    if (!*rules) continue;
    for (auto& rule : **rules) {
      if (rule.ports && rule.ports->empty()) rule.ports.reset();
      if (rule.peers && rule.peers->empty()) rule.peers.reset();
    }
  }
}

// Object `i` of each kind, alone in a cluster.
template <typename T>
bool takeNth(const std::vector<T>& from, std::vector<T> Cluster::*list, size_t i, Cluster& out) {
  if (i >= from.size()) return false;
  (out.*list).push_back(from[i]);
  return true;
}

// One object as netpolfuzz would have the API server hold it (`ours`, defaulted here) next to
// what the judge stores: compared on what the model holds, except status (the server resets it
// on create) and the clusterIP a Service without one is given.
std::string compareStored(Cluster a, Cluster b) {
  applyDefaults(a);
  for (auto* c : {&a, &b}) {
    for (auto& np : c->policies) emptyListsAbsent(np);
    for (auto& pod : c->pods) pod.podIP.clear(), pod.podIPs.clear();
    for (auto& node : c->nodes) node.internalIPs.clear();
  }
  for (size_t i = 0; i < a.services.size() && i < b.services.size(); ++i)
    if (a.services[i].clusterIP.empty()) b.services[i].clusterIP.clear();
  std::string x = encodeYaml(a), y = encodeYaml(b);
  return x == y ? "" : "netpolfuzz:\n" + x + "API server:\n" + y;
}

}  // namespace

ManifestVerdict validateVerdict(const std::string& text, const std::string& fileName) {
  DecodeResult r = decodeManifests(text, fileName);
  if (!r.errors.empty()) return {false, toString(r.errors.front())};
  for (const auto& w : r.warnings)
    if (w.rejectedByStrictValidation) return {false, toString(w)};
  auto problems = validate(r.cluster);
  if (!problems.empty()) return {false, toString(problems.front())};
  return {true, ""};
}

std::string documentedDisagreement(const DiffSample& s) {
  if (s.ours.accepted == s.judge.accepted) return "";
  // Each rule is a section of docs/validation.md; keep the two in step.
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"})
    if (s.ours.accepted &&
        contains(s.judge.message, fmt::format("(AlreadyExists): error when creating \"{}\": "
                                              "namespaces \"{}\" already exists",
                                              s.file, ns)))
      return "objects-that-already-exist";
  if (!s.ours.accepted && s.judge.accepted && contains(s.ours.message, "expected a string key"))
    return "non-string-keys";
  if (s.ours.accepted && contains(s.judge.message, "Service \"") &&
      contains(s.judge.message, "spec.clusterIPs") &&
      contains(s.judge.message, "is not in the valid range"))
    return "service-ip-ranges";
  bool repeated = false;
  for (const auto& m : s.mutations)
    repeated = repeated || m.rfind("duplicate-field metadata", 0) == 0;
  if (s.ours.accepted && repeated && s.file.size() > 5 &&
      s.file.compare(s.file.size() - 5, 5, ".json") == 0 &&
      contains(s.judge.message, "unable to decode"))
    return "json-repeated-metadata";
  return "";
}

std::string runValidationDiff(const ValidationDiffOptions& o, ManifestJudge& judge,
                              ValidationDiffReport& report) {
  auto say = [&](const std::string& line) {
    if (o.progress) o.progress(line);
  };
  std::string dir = o.outDir + "/manifests";
  std::error_code ec;
  fs::remove_all(dir, ec);  // a previous run's files would sit among these
  fs::create_directories(dir, ec);
  if (ec) return fmt::format("cannot create {}: {}", dir, ec.message());

  // Generated objects: small and medium clusters, with and without steps.
  std::vector<Source> sources;
  for (int i = 0; i < o.generatedCases; ++i) {
    ClusterSize size = i % 4 == 3 ? ClusterSize::Medium : ClusterSize::Small;
    objectsOf(generateCase(o.seed, static_cast<uint64_t>(i), size, GeneratorWeights{}), sources);
  }
  report.samples.clear();
  std::vector<std::string> texts;  // of each sample, as written to its file
  for (size_t i = 0; i < sources.size(); ++i) {
    DiffSample s;
    s.file = fmt::format("{}/g-{:06}.yaml", dir, i);
    s.origin = sources[i].origin;
    s.generated = true;
    if (auto e = writeFile(s.file, sources[i].yaml); !e.empty()) return e;
    texts.push_back(sources[i].yaml);
    report.samples.push_back(std::move(s));
  }
  // Mutated objects: policies most, since they are what the oracle reads most closely.
  std::vector<size_t> policies, others;
  for (size_t i = 0; i < sources.size(); ++i)
    (sources[i].kind == "NetworkPolicy" ? policies : others).push_back(i);
  Random rng(o.seed ^ 0x5a11da7e5eedULL);
  for (int i = 0; i < o.mutated && !sources.empty(); ++i) {
    bool policy = !policies.empty() && (others.empty() || rng.percent(70));
    const Source& src = sources[policy ? rng.pick(policies) : rng.pick(others)];
    ManifestNode tree = parseManifestTree(src.yaml);
    // Mostly one mutation, so that each verdict is about one thing.
    int count = rng.percent(60) ? 1 : rng.percent(60) ? 2 : 3;
    auto done = mutateManifest(tree, rng, count);
    bool json = rng.percent(o.jsonPercent);
    DiffSample s;
    s.file = fmt::format("{}/m-{:06}.{}", dir, i, json ? "json" : "yaml");
    for (const auto& m : done) s.mutations.push_back(m.describe());
    s.origin = src.origin;
    texts.push_back(json ? renderJson(tree) : renderYaml(tree));
    if (auto e = writeFile(s.file, texts.back()); !e.empty()) return e;
    report.samples.push_back(std::move(s));
  }
  say(fmt::format("validation-diff: {} generated and {} mutated manifests in {}", sources.size(),
                  o.mutated, dir));

  auto t0 = Clock::now();
  for (size_t i = 0; i < report.samples.size(); ++i)
    report.samples[i].ours = validateVerdict(texts[i], report.samples[i].file);
  report.oursSeconds = secondsSince(t0);

  t0 = Clock::now();
  std::vector<std::string> files;
  for (const auto& s : report.samples) files.push_back(s.file);
  std::vector<ManifestVerdict> verdicts;
  if (auto e = judge.judge(files, verdicts); !e.empty()) return e;
  if (verdicts.size() != files.size()) return "the judge gave a wrong number of verdicts";
  report.judgeSeconds = secondsSince(t0);

  for (size_t i = 0; i < report.samples.size(); ++i) {
    DiffSample& s = report.samples[i];
    s.judge = verdicts[i];
    if (s.ours.accepted && s.judge.accepted)
      ++report.bothAccept;
    else if (!s.ours.accepted && !s.judge.accepted)
      ++report.bothReject;
    else if (!s.ours.accepted)
      ++report.onlyOursRejects;
    else
      ++report.onlyJudgeRejects;
    if (s.generated && !(s.ours.accepted && s.judge.accepted)) ++report.generatedRejected;
    if (s.ours.accepted != s.judge.accepted) {
      s.documented = documentedDisagreement(s);
      if (s.documented.empty()) ++report.undocumented;
    }
  }

  // Defaulting: what the judge stores for each generated object, against model/defaults.h.
  // The judge's objects come in file order; each file holds one object, so the k-th object of a
  // kind there is the k-th file of that kind.
  std::vector<size_t> accepted;  // indices of samples
  std::vector<std::string> acceptedFiles;
  for (size_t i = 0; i < report.samples.size(); ++i) {
    const DiffSample& s = report.samples[i];
    if (s.generated && s.ours.accepted && s.judge.accepted) {
      accepted.push_back(i);
      acceptedFiles.push_back(s.file);
    }
  }
  if (accepted.empty()) return "";
  std::string storedText;
  report.defaultingError = judge.stored(acceptedFiles, storedText);
  if (!report.defaultingError.empty()) return "";
  DecodeResult stored = decodeManifests(storedText, "stored");
  if (!stored.errors.empty()) {
    report.defaultingError = "cannot decode the stored objects: " + toString(stored.errors[0]);
    return "";
  }
  const Cluster& sc = stored.cluster;
  size_t nNs = 0, nNode = 0, nPod = 0, nSvc = 0, nPol = 0;
  for (size_t i : accepted) {
    DiffSample* s = &report.samples[i];
    Cluster ours = decodeManifests(texts[i], s->file).cluster, theirs;
    bool found =
        !ours.namespaces.empty() ? takeNth(sc.namespaces, &Cluster::namespaces, nNs++, theirs)
        : !ours.nodes.empty()    ? takeNth(sc.nodes, &Cluster::nodes, nNode++, theirs)
        : !ours.pods.empty()     ? takeNth(sc.pods, &Cluster::pods, nPod++, theirs)
        : !ours.services.empty() ? takeNth(sc.services, &Cluster::services, nSvc++, theirs)
                                 : takeNth(sc.policies, &Cluster::policies, nPol++, theirs);
    s->defaultingDiff =
        found ? compareStored(ours, theirs) : "the API server stored no such object";
    ++report.defaultingCompared;
    if (!s->defaultingDiff.empty()) ++report.defaultingDiffers;
  }
  return "";
}

std::string renderValidationDiffSummary(const ValidationDiffReport& r) {
  size_t n = r.samples.size();
  auto pct = [&](int k) { return n ? 100.0 * k / static_cast<double>(n) : 0.0; };
  int generated = 0;
  for (const auto& s : r.samples) generated += s.generated;
  std::string out = fmt::format(
      "{} manifests ({} generated, {} mutated)\n"
      "  accepted by both      {:6}  {:5.1f}%\n"
      "  rejected by both      {:6}  {:5.1f}%\n"
      "  rejected by netpolfuzz only  {:6}  {:5.1f}%\n"
      "  rejected by the API server only  {:6}  {:5.1f}%\n"
      "  agreement             {:5.2f}%  ({} disagreements documented, {} not)\n"
      "  generated manifests rejected by either: {}\n"
      "  defaulting: {} of {} generated objects stored by the API server as netpolfuzz defaults "
      "them\n"
      "  time: netpolfuzz {:.2f} s, API server (kubectl) {:.1f} s\n",
      n, generated, n - static_cast<size_t>(generated), r.bothAccept, pct(r.bothAccept),
      r.bothReject, pct(r.bothReject), r.onlyOursRejects, pct(r.onlyOursRejects),
      r.onlyJudgeRejects, pct(r.onlyJudgeRejects), pct(r.bothAccept + r.bothReject),
      r.onlyOursRejects + r.onlyJudgeRejects - r.undocumented, r.undocumented, r.generatedRejected,
      r.defaultingCompared - r.defaultingDiffers, r.defaultingCompared, r.oursSeconds,
      r.judgeSeconds);
  if (!r.defaultingError.empty()) out += "  defaulting not compared: " + r.defaultingError + "\n";
  for (const auto& s : r.samples)
    if (!s.defaultingDiff.empty())
      out +=
          fmt::format("\n{} ({}): defaulted differently\n{}", s.file, s.origin, s.defaultingDiff);
  for (const auto& s : r.samples) {
    if (s.ours.accepted == s.judge.accepted && !(s.generated && !s.ours.accepted)) continue;
    out += fmt::format("\n{} ({}{}{})\n  netpolfuzz: {}\n  API server: {}\n  {}\n", s.file,
                       s.origin, s.mutations.empty() ? "" : "; ", fmt::join(s.mutations, ", "),
                       s.ours.accepted ? "accepted" : s.ours.message,
                       s.judge.accepted ? "accepted" : s.judge.message,
                       s.documented.empty() ? "UNDOCUMENTED" : "documented: " + s.documented);
  }
  return out;
}

std::string renderValidationDiffVerdicts(const ValidationDiffReport& r) {
  auto field = [](std::string s) {
    for (char& c : s)
      if (c == '\t' || c == '\n') c = ' ';
    return s;
  };
  std::string out =
      "file\torigin\tmutations\tnetpolfuzz\tapiserver\tnetpolfuzz_message\t"
      "apiserver_message\n";
  for (const auto& s : r.samples)
    out +=
        fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", s.file, field(s.origin),
                    field(fmt::format("{}", fmt::join(s.mutations, ", "))),
                    s.ours.accepted ? "accept" : "reject", s.judge.accepted ? "accept" : "reject",
                    field(s.ours.message), field(s.judge.message));
  return out;
}

}  // namespace npf::runner
