// The enumerated conformance suite (generator/conformance.h): shape, validity, tags, coverage of
// the bug classes, and a handful of upstream e2e answers checked cell by cell against truth
// tables worked out by hand from kubernetes test/e2e/network/netpol/network_policy.go and
// SEMANTICS.md (never computed by code), on both the reference evaluator and the matrix engine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "generator/conformance.h"
#include "generator/features.h"
#include "model/case.h"
#include "model/case_file.h"
#include "model/probe.h"
#include "model/profile.h"
#include "model/validate.h"
#include "oracle/matrix.h"
#include "oracle/reference.h"

namespace npf {
namespace {

const std::vector<Case>& suite() {
  static const std::vector<Case> s = conformanceSuite();
  return s;
}

const Case* findCase(const std::string& name) {
  for (const auto& c : suite())
    if (c.meta.name == name) return &c;
  return nullptr;
}

// The cluster after the first `steps` steps of `c`.
Cluster stateAfter(const Case& c, size_t steps) {
  Cluster state = c.cluster;
  for (size_t i = 0; i < steps && i < c.meta.steps.size(); ++i) {
    std::string err = applyStep(state, c.meta.steps[i]);
    EXPECT_EQ(err, "") << c.meta.name << " step " << i + 1;
  }
  return state;
}

std::string family(const std::string& name) { return name.substr(0, name.find('/')); }

std::string describe(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += "  " + d.message + "\n";
  return out;
}

// One cell by both engines; they must agree. nullopt = not probed.
std::optional<Verdict> cell(const Cluster& c, const std::string& from, const std::string& to,
                            int32_t port, Protocol proto) {
  auto f = parseEndpoint(from);
  auto t = parseEndpoint(to);
  EXPECT_TRUE(f && t) << from << " -> " << to;
  if (!f || !t) return std::nullopt;
  Probe p{*f, Target{*t, port, proto}};
  Explanation why;
  std::optional<Verdict> ref = evaluateProbe(c, p, Profile{}, &why);
  ProbeSet ps;
  ps.blocks.push_back(ProbeBlock{{*f}, {p.target}});
  Matrix m = computeMatrix(c, ps, Profile{});
  EXPECT_EQ(m.verdict(0), ref) << "matrix engine disagrees with the reference on " << from << " -> "
                               << to << ":" << port << "/" << toString(proto);
  return ref;
}

#define EXPECT_CELL(cluster, from, to, port, proto, expected) \
  EXPECT_EQ(cell(cluster, from, to, port, Protocol::proto),   \
            std::optional<Verdict>(Verdict::expected))        \
      << from << " -> " << to << ":" << port << "/" #proto

const Case& mustFind(const std::string& name) {
  const Case* c = findCase(name);
  if (!c) ADD_FAILURE() << "no case " << name;
  static const Case empty;
  return c ? *c : empty;
}

// ---------------------------------------------------------------------------------------------
// Shape
// ---------------------------------------------------------------------------------------------

TEST(ConformanceSuite, HasAtLeast230CasesWithUniqueFileLikeNames) {
  const auto& s = suite();
  EXPECT_GE(s.size(), 230u);
  std::set<std::string> names;
  // Relative paths of lower-case segments: safe as file names on every platform.
  const std::regex path("[a-z0-9][a-z0-9.+-]*(/[a-z0-9][a-z0-9.+-]*)+");
  for (const auto& c : s) {
    EXPECT_TRUE(names.insert(c.meta.name).second) << "duplicate name " << c.meta.name;
    EXPECT_TRUE(std::regex_match(c.meta.name, path)) << c.meta.name;
    EXPECT_LE(c.meta.name.size(), 120u) << c.meta.name;
  }
}

TEST(ConformanceSuite, IsDeterministicAndInFamilyOrder) {
  std::vector<Case> again = conformanceSuite();
  ASSERT_EQ(again.size(), suite().size());
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_EQ(again[i].meta.name, suite()[i].meta.name);
    EXPECT_EQ(again[i].cluster, suite()[i].cluster) << again[i].meta.name;
    EXPECT_EQ(again[i].meta.steps, suite()[i].meta.steps) << again[i].meta.name;
    EXPECT_EQ(again[i].meta.tags, suite()[i].meta.tags) << again[i].meta.name;
  }
  // Families appear as contiguous runs, in conformanceFamilies() order.
  const auto& fams = conformanceFamilies();
  size_t at = 0;
  for (const auto& c : suite()) {
    std::string f = family(c.meta.name);
    while (at < fams.size() && fams[at] != f) ++at;
    ASSERT_LT(at, fams.size()) << c.meta.name << " out of family order";
  }
}

TEST(ConformanceSuite, EveryCaseAndEveryStepStateValidates) {
  for (const auto& c : suite()) {
    auto ds = validate(c.cluster);
    EXPECT_TRUE(ds.empty()) << c.meta.name << " initial state:\n" << describe(ds);
    Cluster state = c.cluster;
    for (size_t i = 0; i < c.meta.steps.size(); ++i) {
      std::string err = applyStep(state, c.meta.steps[i]);
      ASSERT_EQ(err, "") << c.meta.name << " step " << i + 1;
      ds = validate(state);
      EXPECT_TRUE(ds.empty()) << c.meta.name << " after step " << i + 1 << ":\n" << describe(ds);
    }
  }
}

TEST(ConformanceSuite, EveryCaseHasMetadataAndFamilyTags) {
  const auto& fams = conformanceFamilies();
  for (const auto& c : suite()) {
    EXPECT_TRUE(c.meta.present) << c.meta.name;
    EXPECT_EQ(c.meta.generator, kConformanceGenerator) << c.meta.name;
    EXPECT_FALSE(c.meta.seed) << c.meta.name;
    const auto& tags = c.meta.tags;
    EXPECT_TRUE(std::is_sorted(tags.begin(), tags.end())) << c.meta.name;
    EXPECT_EQ(std::set<std::string>(tags.begin(), tags.end()).size(), tags.size()) << c.meta.name;
    std::string f = family(c.meta.name);
    EXPECT_NE(std::find(fams.begin(), fams.end(), f), fams.end()) << c.meta.name;
    EXPECT_TRUE(std::binary_search(tags.begin(), tags.end(), "family:" + f)) << c.meta.name;
    EXPECT_TRUE(std::binary_search(tags.begin(), tags.end(), std::string("conformance")))
        << c.meta.name;
    // The computed tags are all there too.
    for (const auto& t : computeTags(c))
      EXPECT_TRUE(std::binary_search(tags.begin(), tags.end(), t))
          << c.meta.name << " lacks computed tag " << t;
    // Every step kind is tagged.
    for (const auto& st : c.meta.steps)
      EXPECT_TRUE(std::binary_search(tags.begin(), tags.end(),
                                     std::string("action:") + toString(st.action)))
          << c.meta.name;
  }
}

TEST(ConformanceSuite, EveryExpressibleBugClassAppears) {
  std::map<std::string, int> seen;
  for (const auto& c : suite())
    for (const auto& t : c.meta.tags) ++seen[t];
  for (const auto& cls : expressibleBugClasses())
    EXPECT_GT(seen[cls], 0) << cls << " is in no conformance case";
}

TEST(ConformanceSuite, MirrorsCyclonusFamilySizes) {
  std::map<std::string, int> perFamily, perKind;
  for (const auto& c : suite()) {
    ++perFamily[family(c.meta.name)];
    const auto& n = c.meta.name;
    for (const char* kind : {"/single/", "/pair/", "/range/", "/pathological/"})
      if (n.find(kind) != std::string::npos) ++perKind[family(n) + kind];
  }
  EXPECT_EQ(perKind["peers/pair/"], 90);  // every pair of Cyclonus's 10 peers, both directions
  EXPECT_GE(perKind["peers/single/"], 20);
  EXPECT_GE(perKind["ports/single/"], 36);  // protocol x port, plus named ports
  EXPECT_GE(perKind["ports/range/"], 10);
  EXPECT_GE(perKind["ports/pathological/"], 6);
  EXPECT_GE(perFamily["conflicts"], 16);
  EXPECT_GE(perFamily["upstream-e2e"], 40);
  EXPECT_GE(perFamily["actions"], 6);
  // One case per network-policy-api v0.1.8 conformance test (24), and our own cluster-scoped
  // cases beside them.
  EXPECT_EQ(perFamily["network-policy-api"], 24);
  EXPECT_GE(perFamily["cluster-policy"], 12);
  std::string summary;
  for (const auto& f : conformanceFamilies())
    summary += " " + f + "=" + std::to_string(perFamily[f]);
  std::printf("[conformance] %zu cases:%s\n", suite().size(), summary.c_str());
}

// Both engines agree on every cell of every state of every case (the probe set of the case, or
// the default one).
TEST(ConformanceSuite, MatrixEngineAgreesWithReferenceOnEveryState) {
  size_t cells = 0;
  for (const auto& c : suite()) {
    Cluster state = c.cluster;
    for (size_t i = 0; i <= c.meta.steps.size(); ++i) {
      if (i > 0) {
        ASSERT_EQ(applyStep(state, c.meta.steps[i - 1]), "");
      }
      ProbeSet ps = c.meta.probes ? *c.meta.probes : defaultProbeSet(state);
      Matrix m = computeMatrix(state, ps, Profile{});
      size_t k = 0;
      int mismatches = 0;
      ps.forEach([&](const Probe& p) {
        auto ref = evaluateProbe(state, p, Profile{});
        if (m.verdict(k) != ref && ++mismatches <= 3)
          ADD_FAILURE() << c.meta.name << " state " << i << ": " << toString(p.from) << " -> "
                        << toString(p.target);
        ++k;
      });
      cells += k;
    }
  }
  std::printf("[conformance] %zu cells checked on both engines\n", cells);
}

// What `netpolfuzz generate --conformance` writes must load back as the same case (suite
// ConformanceCaseFiles, apart from the ConformanceSuite filter: it exercises the case-file codec).
TEST(ConformanceCaseFiles, EveryCaseSurvivesTheCaseFileRoundTrip) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("npf-conformance-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "case.yaml").string();
  int failures = 0;
  for (const auto& c : suite()) {
    {
      std::ofstream f(path);
      f << encodeCase(c);
    }
    CaseLoad l = loadCaseFiles({path});
    std::string why;
    if (!l.errors.empty())
      why = toString(l.errors.front());
    else if (!(l.kase.cluster == c.cluster))
      why = "cluster differs";
    else if (l.kase.meta.steps != c.meta.steps)
      why = "steps differ";
    else if (l.kase.meta.name != c.meta.name)
      why = "name differs";
    else if (l.kase.meta.tags != c.meta.tags)
      why = "tags differ";
    else if (l.kase.meta.probes.has_value() != c.meta.probes.has_value())
      why = "probes differ";
    else if (l.kase.meta.profile != c.meta.profile)
      why = "profile differs";
    if (!why.empty() && ++failures <= 10) ADD_FAILURE() << c.meta.name << ": " << why;
  }
  EXPECT_EQ(failures, 0) << "cases that do not survive encodeCase + loadCaseFiles";
  fs::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// Upstream answers, by hand
// ---------------------------------------------------------------------------------------------

TEST(ConformanceSuite, UpstreamDefaultDenyIngress) {
  const Cluster c = mustFind("upstream-e2e/default-deny-ingress").cluster;
  // Everything into x is denied, on every port and protocol; nothing else changes.
  EXPECT_CELL(c, "x/b", "x/a", 80, TCP, Deny);
  EXPECT_CELL(c, "x/a", "x/b", 80, TCP, Deny);
  EXPECT_CELL(c, "y/a", "x/a", 80, TCP, Deny);
  EXPECT_CELL(c, "z/c", "x/c", 81, UDP, Deny);
  EXPECT_CELL(c, "x/a", "y/b", 80, TCP, Allow);
  EXPECT_CELL(c, "y/a", "y/b", 80, TCP, Allow);
  EXPECT_CELL(c, "x/c", "z/a", 81, UDP, Allow);
  // Kubelet traffic from the pod's own node is always allowed; the other node follows policy.
  EXPECT_CELL(c, "node/node-1", "x/a", 80, TCP, Allow);
  EXPECT_CELL(c, "node/node-2", "x/a", 80, TCP, Deny);
}

TEST(ConformanceSuite, UpstreamDefaultDenyAll) {
  const Cluster c = mustFind("upstream-e2e/default-deny-all").cluster;
  EXPECT_CELL(c, "x/a", "x/b", 80, TCP, Deny);
  EXPECT_CELL(c, "x/a", "y/a", 80, TCP, Deny);
  EXPECT_CELL(c, "y/a", "x/a", 80, TCP, Deny);
  EXPECT_CELL(c, "y/a", "z/a", 80, TCP, Allow);
}

TEST(ConformanceSuite, UpstreamAllowFromOtherNamespaceByNamespaceSelector) {
  const Cluster c =
      mustFind("upstream-e2e/allow-from-other-namespace-by-namespace-selector").cluster;
  EXPECT_CELL(c, "y/b", "x/a", 80, TCP, Allow);
  EXPECT_CELL(c, "y/a", "x/a", 81, UDP, Allow);
  EXPECT_CELL(c, "z/b", "x/a", 80, TCP, Deny);
  EXPECT_CELL(c, "x/b", "x/a", 80, TCP, Deny);
  EXPECT_CELL(c, "z/b", "x/b", 80, TCP, Allow);  // x/b is not selected
}

TEST(ConformanceSuite, UpstreamDefaultNamespaceLabelNeedsNoManifestLabel) {
  // The namespaces omit kubernetes.io/metadata.name: the implicit label must still match.
  const Cluster c = mustFind("upstream-e2e/namespace-selector-default-label-match-labels").cluster;
  EXPECT_CELL(c, "y/c", "x/a", 80, TCP, Allow);
  EXPECT_CELL(c, "z/c", "x/a", 80, TCP, Deny);
  const Cluster e =
      mustFind("upstream-e2e/namespace-selector-default-label-match-expressions").cluster;
  EXPECT_CELL(e, "x/a", "y/a", 80, TCP, Deny);
  EXPECT_CELL(e, "x/a", "z/a", 80, TCP, Allow);
  EXPECT_CELL(e, "x/a", "x/b", 80, TCP, Allow);
}

TEST(ConformanceSuite, UpstreamPodSelectorAndVersusOrNamespaceSelector) {
  const Cluster both = mustFind("upstream-e2e/pod-selector-and-namespace-selector").cluster;
  EXPECT_CELL(both, "y/b", "x/a", 80, TCP, Allow);
  EXPECT_CELL(both, "z/b", "x/a", 80, TCP, Allow);
  EXPECT_CELL(both, "x/b", "x/a", 80, TCP, Deny);  // pod matches, namespace does not
  EXPECT_CELL(both, "y/a", "x/a", 80, TCP, Deny);  // namespace matches, pod does not
  const Cluster either = mustFind("upstream-e2e/pod-selector-or-namespace-selector").cluster;
  EXPECT_CELL(either, "x/b", "x/a", 80, TCP, Allow);
  EXPECT_CELL(either, "x/c", "x/a", 80, TCP, Deny);
  EXPECT_CELL(either, "y/a", "x/a", 80, TCP, Allow);
  EXPECT_CELL(either, "z/c", "x/a", 80, TCP, Allow);
}

TEST(ConformanceSuite, UpstreamPortsAndStackedPolicies) {
  const Cluster c = mustFind("upstream-e2e/ports").cluster;
  EXPECT_CELL(c, "y/a", "x/a", 81, TCP, Allow);
  EXPECT_CELL(c, "y/a", "x/a", 80, TCP, Deny);
  EXPECT_CELL(c, "y/a", "x/a", 81, UDP, Deny);
  EXPECT_CELL(c, "z/a", "x/a", 81, TCP, Deny);
  const Case& stacked = mustFind("upstream-e2e/stacked-policies-overlapping-pod-selectors");
  ASSERT_EQ(stacked.meta.steps.size(), 1u);
  const Cluster before = stateAfter(stacked, 0), after = stateAfter(stacked, 1);
  EXPECT_CELL(before, "y/b", "x/a", 80, TCP, Deny);
  EXPECT_CELL(before, "y/b", "x/a", 81, TCP, Allow);
  EXPECT_CELL(after, "y/b", "x/a", 80, TCP, Allow);
  EXPECT_CELL(after, "y/b", "x/a", 81, TCP, Allow);
  EXPECT_CELL(after, "z/b", "x/a", 80, TCP, Deny);
}

TEST(ConformanceSuite, UpstreamEgressDenyOnClientBeatsServerAllow) {
  const Cluster c = mustFind("upstream-e2e/deny-egress-on-client-even-if-server-allows").cluster;
  EXPECT_CELL(c, "x/a", "y/a", 80, TCP, Allow);
  EXPECT_CELL(c, "x/a", "y/b", 80, TCP, Deny);  // server allows it, client egress does not
  EXPECT_CELL(c, "x/a", "z/c", 80, TCP, Deny);
  EXPECT_CELL(c, "y/c", "y/a", 80, TCP, Deny);  // y/a only admits x/a
  EXPECT_CELL(c, "x/b", "y/c", 80, TCP, Allow);
}

TEST(ConformanceSuite, UpstreamNamedPortEgressAndIngress) {
  const Cluster eg = mustFind("upstream-e2e/named-port-egress").cluster;
  EXPECT_CELL(eg, "x/a", "y/a", 80, TCP, Allow);
  EXPECT_CELL(eg, "x/a", "y/a", 81, TCP, Deny);
  EXPECT_CELL(eg, "x/a", "y/a", 80, UDP, Deny);  // serve-80-tcp is TCP only
  EXPECT_CELL(eg, "y/a", "x/a", 81, TCP, Allow);
  const Cluster in = mustFind("upstream-e2e/named-port-ingress").cluster;
  EXPECT_CELL(in, "y/a", "x/b", 81, TCP, Allow);
  EXPECT_CELL(in, "y/a", "x/b", 80, TCP, Deny);
}

TEST(ConformanceSuite, UpstreamIpBlockExceptAndSctp) {
  const Cluster ex = mustFind("upstream-e2e/egress-cidr-except").cluster;
  EXPECT_CELL(ex, "x/a", "x/b", 80, TCP, Deny);
  EXPECT_CELL(ex, "x/a", "x/c", 80, TCP, Allow);
  EXPECT_CELL(ex, "x/a", "y/b", 80, TCP, Allow);
  const Cluster sc = mustFind("upstream-e2e/sctp-not-treated-as-tcp").cluster;
  EXPECT_CELL(sc, "y/a", "x/a", 81, TCP, Deny);
  EXPECT_CELL(sc, "y/a", "x/a", 81, SCTP, Allow);
  EXPECT_CELL(sc, "y/a", "x/a", 80, SCTP, Deny);
  EXPECT_CELL(sc, "y/a", "x/b", 81, SCTP, Deny);
  const Cluster udpOnly = mustFind("upstream-e2e/udp-only-does-not-allow-tcp").cluster;
  EXPECT_CELL(udpOnly, "y/a", "x/a", 81, TCP, Deny);
  EXPECT_CELL(udpOnly, "y/a", "x/a", 81, UDP, Allow);
}

TEST(ConformanceSuite, UpstreamUpdatedPodAndNamespaceLabels) {
  const Case& ns = mustFind("upstream-e2e/ingress-from-updated-namespace");
  EXPECT_CELL(stateAfter(ns, 0), "y/a", "x/a", 80, TCP, Deny);
  EXPECT_CELL(stateAfter(ns, 1), "y/a", "x/a", 80, TCP, Allow);
  EXPECT_CELL(stateAfter(ns, 1), "z/a", "x/a", 80, TCP, Deny);
  const Case& pod = mustFind("upstream-e2e/deny-ingress-to-updated-pod");
  EXPECT_CELL(stateAfter(pod, 0), "y/a", "x/a", 80, TCP, Allow);
  EXPECT_CELL(stateAfter(pod, 1), "y/a", "x/a", 80, TCP, Deny);
}

// ---------------------------------------------------------------------------------------------
// Beyond upstream: Services, external hosts, nodes, named ports per pod, IP reuse, IPv6
// ---------------------------------------------------------------------------------------------

TEST(ConformanceSuite, ServicesAreJudgedAfterTranslation) {
  const Cluster target = mustFind("services/ingress-allows-target-port").cluster;
  EXPECT_CELL(target, "y/a", "svc/x/web", 8080, TCP, Allow);  // backend x/a:80 from ns y
  EXPECT_CELL(target, "z/a", "svc/x/web", 8080, TCP, Deny);
  const Cluster svcPort = mustFind("services/ingress-allows-service-port-only").cluster;
  EXPECT_CELL(svcPort, "y/a", "svc/x/web", 8080, TCP, Deny);  // policy sees port 80, not 8080
  const Cluster ipOnly = mustFind("services/egress-allows-cluster-ip-range-only").cluster;
  EXPECT_CELL(ipOnly, "y/a", "svc/x/web", 8080, TCP, Deny);  // policy sees the backend IP
  const Cluster byName = mustFind("services/named-target-port-allowed-by-name").cluster;
  EXPECT_CELL(byName, "x/a", "svc/y/backends", 80, TCP, Allow);  // 8080 on y/a, 8081 on y/b
  const Cluster byNumber = mustFind("services/named-target-port-allowed-by-one-number").cluster;
  EXPECT_CELL(byNumber, "x/a", "svc/y/backends", 80, TCP, Undefined);  // backends disagree
  const Cluster oneIsolated = mustFind("services/several-backends-one-isolated").cluster;
  EXPECT_CELL(oneIsolated, "y/a", "svc/x/multi", 80, TCP, Undefined);
}

TEST(ConformanceSuite, ExternalHostsAndNodes) {
  const Case& in = mustFind("external-hosts/ingress-from-external-ip-block");
  ASSERT_TRUE(in.meta.probes);
  EXPECT_CELL(in.cluster, "ip/192.0.2.10", "x/a", 80, TCP, Allow);
  EXPECT_CELL(in.cluster, "ip/203.0.113.20", "x/a", 80, TCP, Deny);
  EXPECT_CELL(in.cluster, "y/a", "x/a", 80, TCP, Deny);
  const Cluster scope =
      mustFind("external-hosts/ingress-from-all-namespaces-excludes-external").cluster;
  EXPECT_CELL(scope, "ip/192.0.2.10", "x/a", 80, TCP, Deny);
  EXPECT_CELL(scope, "z/c", "x/a", 80, TCP, Allow);
  const Cluster eg = mustFind("external-hosts/egress-to-everywhere-except-external").cluster;
  EXPECT_CELL(eg, "x/a", "ip/203.0.113.20", 80, TCP, Deny);
  EXPECT_CELL(eg, "x/a", "ip/192.0.2.10", 80, TCP, Allow);
  const Cluster named = mustFind("external-hosts/egress-named-port-never-matches-external").cluster;
  EXPECT_CELL(named, "x/a", "ip/192.0.2.10", 80, TCP, Deny);
  EXPECT_CELL(named, "x/a", "y/a", 80, TCP, Allow);
  const Cluster nodes = mustFind("nodes/ingress-from-all-namespaces-excludes-nodes").cluster;
  EXPECT_CELL(nodes, "node/node-1", "x/a", 80, TCP, Allow);  // own node
  EXPECT_CELL(nodes, "node/node-2", "x/a", 80, TCP, Deny);
  EXPECT_CELL(nodes, "node/node-2", "x/b", 80, TCP, Allow);  // own node of x/b
}

TEST(ConformanceSuite, NamedPortsResolvePerDestinationPod) {
  const Cluster c = mustFind("named-ports/egress/name-resolves-on-destination-pod").cluster;
  // x/a's own `http` is 8080/TCP; the destination's number counts.
  EXPECT_CELL(c, "x/a", "y/a", 8080, TCP, Allow);
  EXPECT_CELL(c, "x/a", "y/b", 8081, TCP, Allow);
  EXPECT_CELL(c, "x/a", "y/c", 8080, UDP, Deny);  // y/c's http is UDP; the entry means TCP
  EXPECT_CELL(c, "x/a", "y/b", 80, TCP, Deny);
}

TEST(ConformanceSuite, PodIpReuseFollowsTheNewPod) {
  const Case& c = mustFind("actions/delete-pod-then-reuse-its-ip");
  ASSERT_EQ(c.meta.steps.size(), 2u);
  EXPECT_CELL(stateAfter(c, 0), "y/b", "x/a", 80, TCP, Allow);
  EXPECT_CELL(stateAfter(c, 2), "y/d", "x/a", 80, TCP, Deny);  // same IP, labels pod=d
  EXPECT_CELL(stateAfter(c, 2), "z/a", "y/d", 80, TCP, Deny);  // z/a's egress peer is gone
  EXPECT_CELL(stateAfter(c, 2), "x/b", "y/d", 80, TCP, Allow);
}

TEST(ConformanceSuite, Ipv6FamiliesDoNotMix) {
  const Cluster v4only = mustFind("ipv6/ingress-from-ipv4-block-only").cluster;
  EXPECT_CELL(v4only, "y/a", "x/a", 80, TCP, Deny);  // v6 traffic, v4 CIDR
  const Cluster v6 = mustFind("ipv6/ingress-from-ipv6-block").cluster;
  EXPECT_CELL(v6, "y/a", "x/a", 80, TCP, Allow);
  EXPECT_CELL(v6, "z/a", "x/a", 80, TCP, Deny);
}

}  // namespace
}  // namespace npf
