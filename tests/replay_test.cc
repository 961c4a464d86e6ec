// Replay of saved cases on a scripted dataplane: re-derivation of address-derived ipBlocks
// (table-driven), the backend decorator that applies it before policies take effect, per-cell
// replay outcomes, and corpus content hashes.
#include "runner/replay.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "generator/case_gen.h"
#include "generator/policy_gen.h"
#include "model/case_file.h"
#include "model/codec.h"
#include "model/ip.h"
#include "runner/campaign.h"
#include "runner/minimize.h"
#include "runner/simulated/simulated_backend.h"

namespace npf::runner {
namespace {

using npf::runner::SimulatedBackend;

Pod makePod(const std::string& ns, const std::string& name, std::vector<std::string> ips) {
  Pod p;
  p.meta.namespace_ = ns;
  p.meta.name = name;
  p.meta.labels = {{"pod", name}};
  p.nodeName = "n1";
  p.containers = {Container{
      "c", "i", {ContainerPort{"serve-80-tcp", 80, {}}, ContainerPort{"serve-81-tcp", 81, {}}}}};
  p.podIP = ips.front();
  p.podIPs = ips;
  return p;
}

// The case's addresses and the ones a replay cluster gave: x/a and x/b moved (both families),
// y/c kept its address.
Cluster declaredCluster() {
  Cluster c;
  c.namespaces = {Namespace{{"x", "", {}, {}}, {}}, Namespace{{"y", "", {}, {}}, {}}};
  c.nodes = {Node{{"n1", "", {}, {}}, {"172.18.0.2"}, {}}};
  c.pods = {makePod("x", "a", {"10.244.1.5", "fd00::5"}), makePod("x", "b", {"10.244.1.6"}),
            makePod("y", "c", {"10.244.2.7"})};
  c.externalHosts = {{"ext-1", "192.0.2.10"}};
  return c;
}

Cluster actualCluster() {
  Cluster c = declaredCluster();
  c.pods[0].podIP = "10.123.1.5";
  c.pods[0].podIPs = {"10.123.1.5", "fd01::5"};
  c.pods[1].podIP = "10.123.1.6";
  c.pods[1].podIPs = {"10.123.1.6"};
  return c;
}

struct Row {
  const char* name;
  bool ingress;
  std::string cidr;
  std::vector<std::string> except;
  std::string sources;  // annotation text
  std::string wantCidr;
  std::vector<std::string> wantExcept;
  size_t changed, dropped;
};

TEST(RederiveIpBlocks, RecomputesEachDerivedEntryFromItsSourcesNewAddress) {
  const Row rows[] = {
      {"pod /32",
       true,
       "10.244.1.5/32",
       {},
       "spec.ingress[0].from[0].ipBlock.cidr=pod:x/a/32\n",
       "10.123.1.5/32",
       {},
       1,
       0},
      {"pod /24",
       true,
       "10.244.1.0/24",
       {},
       "spec.ingress[0].from[0].ipBlock.cidr=pod:x/a/24\n",
       "10.123.1.0/24",
       {},
       1,
       0},
      {"pod /16 with a derived except",
       true,
       "10.244.0.0/16",
       {"10.244.1.6/32"},
       "spec.ingress[0].from[0].ipBlock.cidr=pod:x/a/"
       "16\nspec.ingress[0].from[0].ipBlock.except[0]=pod:x/b/32\n",
       "10.123.0.0/16",
       {"10.123.1.6/32"},
       2,
       0},
      {"egress peer",
       false,
       "10.244.1.6/32",
       {},
       "spec.egress[0].to[0].ipBlock.cidr=pod:x/b/32\n",
       "10.123.1.6/32",
       {},
       1,
       0},
      {"node source keeps its address",
       true,
       "172.18.0.0/24",
       {},
       "spec.ingress[0].from[0].ipBlock.cidr=node:n1/24\n",
       "172.18.0.0/24",
       {},
       0,
       0},
      {"external host source",
       true,
       "192.0.2.10/32",
       {},
       "spec.ingress[0].from[0].ipBlock.cidr=ip:ext-1/32\n",
       "192.0.2.10/32",
       {},
       0,
       0},
      {"unmoved pod keeps the text as written",
       true,
       "10.244.2.9/24",
       {},
       "spec.ingress[0].from[0].ipBlock.cidr=pod:y/c/24\n",
       "10.244.2.9/24",
       {},
       0,
       0},
      {"missing source",
       true,
       "10.244.1.9/32",
       {},
       "spec.ingress[0].from[0].ipBlock.cidr=pod:x/gone/32\n",
       "10.244.1.9/32",
       {},
       0,
       0},
      {"line naming no field",
       true,
       "10.244.1.5/32",
       {},
       "spec.ingress[3].from[0].ipBlock.cidr=pod:x/a/32\n",
       "10.244.1.5/32",
       {},
       0,
       0},
      {"unparseable line",
       true,
       "10.244.1.5/32",
       {},
       "spec.ingress[0].from[0].ipBlock.cidr=x/a\n",
       "10.244.1.5/32",
       {},
       0,
       0},
      {"no annotation", true, "10.244.1.5/32", {}, "", "10.244.1.5/32", {}, 0, 0},
      {"IPv6 entry follows the IPv6 address",
       true,
       "fd00::/64",
       {},
       "spec.ingress[0].from[0].ipBlock.cidr=pod:x/a/64\n",
       "fd01::/64",
       {},
       1,
       0},
      {"except no longer inside is dropped",
       true,
       "10.244.0.0/16",
       {"10.244.2.0/24"},
       "spec.ingress[0].from[0].ipBlock.cidr=pod:x/a/16\n",
       "10.123.0.0/16",
       {},
       1,
       1},
  };
  const Cluster declared = declaredCluster(), actual = actualCluster();
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    NetworkPolicy p;
    p.meta = {"p", "x", {}, {}};
    if (!row.sources.empty()) p.meta.annotations[kIpBlockSourcesAnnotation] = row.sources;
    NetworkPolicyPeer peer;
    peer.ipBlock = IPBlock{row.cidr, row.except};
    std::vector<NetworkPolicyRule> rules{{std::nullopt, std::vector<NetworkPolicyPeer>{peer}}};
    (row.ingress ? p.ingress : p.egress) = rules;
    size_t changed = 0, dropped = 0;
    NetworkPolicy out = rederiveIpBlocks(p, declared, actual, &changed, &dropped);
    const IPBlock& b = *(*(row.ingress ? out.ingress : out.egress))[0].peers->at(0).ipBlock;
    EXPECT_EQ(b.cidr, row.wantCidr);
    EXPECT_EQ(b.except, row.wantExcept);
    EXPECT_EQ(changed, row.changed);
    EXPECT_EQ(dropped, row.dropped);
    // Same addresses on both sides: nothing changes.
    EXPECT_EQ(rederiveIpBlocks(p, declared, declared), p);
  }
}

TEST(RederiveIpBlocks, SourceLinesRoundTrip) {
  for (const char* line : {"spec.ingress[0].from[1].ipBlock.cidr=pod:x/a/24",
                           "spec.egress[2].to[0].ipBlock.except[1]=node:node-1/32",
                           "spec.ingress[0].from[0].ipBlock.cidr=ip:ext-1/0"}) {
    auto s = parseIpBlockSource(line);
    ASSERT_TRUE(s) << line;
    EXPECT_EQ(toString(*s), line);
  }
  for (const char* bad : {"", "spec.ingress[0].to[0].ipBlock.cidr=pod:x/a/24",
                          "spec.ingress[0].from[0].ipBlock.cidr=pod:x/a",
                          "spec.ingress[0].from[0].ipBlock.cidr=host:x/24",
                          "spec.ingress[x].from[0].ipBlock.cidr=pod:x/a/24"})
    EXPECT_FALSE(parseIpBlockSource(bad)) << bad;
}

TEST(RederiveIpBlocks, EveryGeneratedAnnotationParsesAndDescribesItsValue) {
  size_t lines = 0;
  for (uint64_t i = 0; i < 60; ++i) {
    Case c = generateCase(3, i, ClusterSize::Small, GeneratorWeights{});
    Cluster all = c.cluster;
    std::vector<NetworkPolicy> pols = c.cluster.policies;
    for (const auto& s : c.meta.steps) {
      if (s.policy) pols.push_back(*s.policy);
      if (s.pod && !all.findPod(s.pod->meta.namespace_, s.pod->meta.name))
        all.pods.push_back(*s.pod);
    }
    for (const auto& p : pols) {
      auto it = p.meta.annotations.find(kIpBlockSourcesAnnotation);
      if (it == p.meta.annotations.end()) continue;
      auto parsed = ipBlockSources(p);
      size_t n = std::count(it->second.begin(), it->second.end(), '\n');
      EXPECT_EQ(parsed.size(), n) << it->second;
      for (const auto& s : parsed) {
        ++lines;
        const auto& rules = s.direction == PolicyType::Ingress ? p.ingress : p.egress;
        ASSERT_TRUE(rules && s.rule < rules->size());
        const auto& peer = (*rules)[s.rule].peers->at(s.peer);
        ASSERT_TRUE(peer.ipBlock);
        std::string value = s.except ? peer.ipBlock->except.at(*s.except) : peer.ipBlock->cidr;
        auto addr = sourceAddress(all, s.source, value.find(':') != std::string::npos);
        ASSERT_TRUE(addr) << toString(s);
        EXPECT_EQ(toString(*parseCidr(*addr + "/" + std::to_string(s.prefix))), value)
            << toString(s);
      }
    }
  }
  EXPECT_GT(lines, 20u);
}

TEST(RederiveIpBlocks, ACasesStepPoliciesAreRederivedToo) {
  Case c;
  c.cluster = declaredCluster();
  NetworkPolicy p;
  p.meta = {"late",
            "x",
            {},
            {{kIpBlockSourcesAnnotation, "spec.ingress[0].from[0].ipBlock.cidr=pod:x/b/32\n"}}};
  NetworkPolicyPeer peer;
  peer.ipBlock = IPBlock{"10.244.1.6/32", {}};
  p.ingress = std::vector<NetworkPolicyRule>{{std::nullopt, std::vector<NetworkPolicyPeer>{peer}}};
  c.meta.steps.push_back({Step::Action::CreatePolicy, p, {}, "", "", {}});
  size_t changed = 0;
  Case out = rederiveIpBlocks(c, actualCluster(), &changed);
  EXPECT_EQ(changed, 1u);
  EXPECT_EQ(out.meta.steps[0].policy->ingress->at(0).peers->at(0).ipBlock->cidr, "10.123.1.6/32");
  EXPECT_EQ(podsWithOtherAddresses(declaredCluster(), actualCluster()), 2u);
  EXPECT_EQ(podsWithOtherAddresses(declaredCluster(), declaredCluster()), 0u);
}

// x/b admits only x/a (an ipBlock derived from x/a's address) on ports 80-81.
Case derivedCase() {
  Case c;
  c.cluster = declaredCluster();
  c.cluster.pods[0].podIPs = {"10.244.1.5"};  // IPv4 only here
  NetworkPolicy p;
  p.meta = {"from-a",
            "x",
            {},
            {{kIpBlockSourcesAnnotation, "spec.ingress[0].from[0].ipBlock.cidr=pod:x/a/32\n"}}};
  p.podSelector = LabelSelector{{{"pod", "b"}}, {}};
  NetworkPolicyPeer peer;
  peer.ipBlock = IPBlock{"10.244.1.5/32", {}};
  NetworkPolicyPort range;
  range.port = PortRef{80};
  range.endPort = 81;
  p.ingress = std::vector<NetworkPolicyRule>{
      {std::vector<NetworkPolicyPort>{range}, std::vector<NetworkPolicyPeer>{peer}}};
  c.cluster.policies = {p};
  c.meta.present = true;
  c.meta.name = "derived";
  c.meta.observed =
      Observation{"local",
                  {"ENDPORT_IGNORED"},
                  {ObservedCell{0, "x/a", "x/b:81/TCP", "allow", {"timeout", "timeout"}}}};
  return c;
}

void ignoreEndPort(Cluster& c) {
  for (auto& p : c.policies)
    if (p.ingress)
      for (auto& r : *p.ingress)
        if (r.ports)
          for (auto& port : *r.ports) port.endPort.reset();
}

CheckOptions quick() {
  CheckOptions o;
  o.convergeDeadlineMs = 0;
  o.roundGapMs = 0;
  return o;
}

TEST(RederivingBackend, SetsUpWithoutDerivedPoliciesThenAppliesThemRederived) {
  SimulatedBackend fake;
  fake.options().reassignPodIpv4 = "10.123.0.0/16";
  RederivingBackend b(fake);
  Case c = derivedCase();
  ASSERT_EQ(b.setUp(c.cluster), "");
  ASSERT_EQ(fake.counters().setUpPolicies,
            std::vector<size_t>{0u});  // the derived policy came after the addresses
  EXPECT_EQ(b.actual().policies.at(0).ingress->at(0).peers->at(0).ipBlock->cidr, "10.123.1.5/32");
  EXPECT_EQ(b.rederived(), 1u);
  EXPECT_EQ(b.reassignedPods(), 3u);
  // A state without derived policies goes through in one call.
  Cluster plain = c.cluster;
  plain.policies.clear();
  b.tearDown();
  ASSERT_EQ(b.setUp(plain), "");
  EXPECT_EQ(fake.counters().setUpPolicies.back(), 0u);
  EXPECT_EQ(fake.counters().reconciles, 1);
}

TEST(Replay, ReproducesOnOtherAddressesOnlyThanksToRederivation) {
  SimulatedBackend fake;
  fake.options().bug = ignoreEndPort;
  fake.options().reassignPodIpv4 = "10.123.0.0/16";
  Replayer replayer(fake, quick());
  ReplayResult r = replayer.replay(derivedCase(), {});
  ASSERT_EQ(r.run.backendError, "");
  ASSERT_EQ(r.recorded.size(), 1u);
  EXPECT_EQ(r.recorded[0].outcome, RecordedCellReplay::Outcome::Reproduced) << r.recorded[0].now;
  EXPECT_TRUE(r.recorded[0].wasDiscrepancy);
  EXPECT_EQ(r.reproduced(), 1u);
  EXPECT_TRUE(r.fresh.empty());
  EXPECT_EQ(r.reassignedPods, 3u);
  EXPECT_EQ(r.rederivedIpBlocks, 1u);

  // Without re-derivation the oracle would expect deny for the moved x/a: no discrepancy left.
  SimulatedBackend plain;
  plain.options().bug = ignoreEndPort;
  plain.options().reassignPodIpv4 = "10.123.0.0/16";
  CaseRunner runner(plain, Profile{}, quick());
  EXPECT_EQ(runner.run(derivedCase()).discrepancies(), 0u);
}

TEST(Replay, AFixedDataplaneAgrees) {
  SimulatedBackend fake;
  fake.options().reassignPodIpv4 = "10.123.0.0/16";
  Replayer replayer(fake, quick());
  ReplayResult r = replayer.replay(derivedCase(), {});
  ASSERT_EQ(r.recorded.size(), 1u);
  EXPECT_EQ(r.recorded[0].outcome, RecordedCellReplay::Outcome::Agrees);
  EXPECT_EQ(r.recorded[0].now, "expected allow, observed connected");
  EXPECT_EQ(r.reproduced(), 0u);
  EXPECT_TRUE(r.fresh.empty());
}

TEST(Replay, ReportsChangedExpectationsMissingCellsFlakyRecordsAndNewDiscrepancies) {
  Case c = derivedCase();
  c.meta.observed->cells = {
      ObservedCell{
          0, "x/a", "x/b:81/TCP", "deny", {"connected", "connected"}},  // the oracle now says allow
      ObservedCell{2, "x/a", "x/b:80/TCP", "allow", {"timeout", "timeout"}},  // no step 2
      ObservedCell{
          0, "x/a", "x/b:80/TCP", "allow", {"timeout", "connected"}},  // flaky when recorded
  };
  // Every pod of the /16 may reach every pod of x on 80-81 now: new cells on 81 fail.
  c.cluster.policies[0].podSelector = LabelSelector{};
  c.cluster.policies[0].ingress->at(0).peers->at(0).ipBlock->cidr = "10.244.0.0/16";
  SimulatedBackend fake;
  fake.options().bug = ignoreEndPort;
  Replayer replayer(fake, quick());
  ReplayResult r = replayer.replay(c, {});
  ASSERT_EQ(r.recorded.size(), 3u);
  using O = RecordedCellReplay::Outcome;
  EXPECT_EQ(r.recorded[0].outcome, O::ExpectationChanged) << r.recorded[0].now;
  EXPECT_EQ(r.recorded[1].outcome, O::NotProbed);
  EXPECT_EQ(r.recorded[2].outcome, O::Agrees);
  EXPECT_FALSE(r.recorded[2].wasDiscrepancy);
  EXPECT_EQ(r.reproduced(), 0u);
  ASSERT_FALSE(r.fresh.empty());
  for (const auto& n : r.fresh) {
    EXPECT_EQ(n.cell.status, CellStatus::Fail);
    EXPECT_EQ(n.cell.probe.target.port, 81);
    EXPECT_FALSE(n.cell.signature.empty());
  }
  EXPECT_STREQ(toString(O::ExpectationChanged), "expectation changed");
}

// A case saved under a profile is judged, and its dataplane configured, by that profile: x/a
// reaches x/b only through an ipBlock of its pod IP, which a Cilium-like profile does not match.
TEST(Replay, ACaseIsJudgedUnderTheProfileAndFaultsItRecords) {
  Case c = derivedCase();
  c.cluster.policies[0].ingress->at(0).ports.reset();
  Profile cilium;
  cilium.ipblockMatchesPodIps = false;
  c.meta.profile = cilium;
  c.meta.observed->cells = {ObservedCell{0, "x/a", "x/b:80/TCP", "deny", {"timeout", "timeout"}}};
  RunSettings recorded = recordedSettings(c);
  EXPECT_EQ(recorded.profile, cilium);
  EXPECT_EQ(recorded.faults, std::vector<std::string>{"ENDPORT_IGNORED"});

  SimulatedBackend fake;
  Replayer replayer(fake, quick());
  ReplayResult r = replayer.replay(c, recorded);
  ASSERT_EQ(r.run.backendError, "");
  ASSERT_EQ(fake.counters().configured.size(), 1u);
  EXPECT_EQ(fake.counters().configured[0], recorded);
  ASSERT_EQ(r.recorded.size(), 1u);
  EXPECT_EQ(r.recorded[0].outcome, RecordedCellReplay::Outcome::Agrees) << r.recorded[0].now;
  EXPECT_TRUE(r.fresh.empty());

  // Under the default profile the oracle expects allow: not the case's judgement any more.
  ReplayResult underDefault = replayer.replay(c, {});
  ASSERT_EQ(underDefault.recorded.size(), 1u);
  EXPECT_EQ(underDefault.recorded[0].outcome, RecordedCellReplay::Outcome::ExpectationChanged)
      << underDefault.recorded[0].now;

  // A case that names no profile runs under the default one.
  c.meta.profile.reset();
  EXPECT_EQ(recordedSettings(c).profile, Profile{});
}

TEST(Corpus, ContentHashNamesTheObjectsNotTheMetadata) {
  Case c = derivedCase();
  std::string h = caseContentHash(c);
  EXPECT_EQ(h.size(), 12u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  Case renamed = c;
  renamed.meta.name = "other";
  renamed.meta.observed.reset();
  renamed.meta.tags = {"x"};
  renamed.meta.seed = 5;
  EXPECT_EQ(caseContentHash(renamed), h);
  Case changed = c;
  changed.cluster.pods[1].meta.labels["app"] = "web";
  EXPECT_NE(caseContentHash(changed), h);
  Case probed = c;
  probed.meta.probes = ProbeSet{{ProbeBlock{{Endpoint::pod("x", "a")},
                                            {Target{Endpoint::pod("x", "b"), 81, Protocol::TCP}}}}};
  EXPECT_NE(caseContentHash(probed), h);
}

TEST(Corpus, RegressionFilesAreSmallNamedByContentAndRecordTheirFault) {
  namespace fs = std::filesystem;
  size_t files = 0;
  std::set<std::string> faults;
  for (const auto& e :
       fs::directory_iterator(fs::path(NPF_SOURCE_DIR) / "corpus" / "regressions")) {
    if (e.path().extension() != ".yaml") continue;
    ++files;
    SCOPED_TRACE(e.path().string());
    CaseLoad l = loadCaseFiles({e.path().string()});
    ASSERT_TRUE(l.errors.empty()) << toString(l.errors[0]);
    EXPECT_EQ(e.path().stem().string(), caseContentHash(l.kase));
    EXPECT_EQ(l.kase.meta.name, caseContentHash(l.kase));
    ASSERT_TRUE(l.kase.meta.observed);
    ASSERT_EQ(l.kase.meta.observed->faults.size(), 1u);
    faults.insert(l.kase.meta.observed->faults[0]);
    EXPECT_FALSE(l.kase.meta.observed->cells.empty());
    EXPECT_TRUE(l.kase.meta.seed.has_value());
    EXPECT_FALSE(l.kase.meta.generator.empty());
    CaseSize size = caseSize(l.kase);
    EXPECT_LE(size.policies, 2u);
    EXPECT_LE(size.pods, 4u);
  }
  EXPECT_GE(faults.size(), 3u) << files << " files";
}

}  // namespace
}  // namespace npf::runner
