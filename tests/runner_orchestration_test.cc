// The local backend's orchestration with fake processes and a fake namespace layer: which
// commands run where, in which order, with which input. No root needed.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "model/case.h"
#include "runner/local/local_backend.h"
#include "tests/support/runner_cases.h"

namespace npf::runner::local {
namespace {

using npf::testing::clusterFromYaml;
using npf::testing::smallClusterYaml;

struct Call {
  std::vector<std::string> argv, env;
  std::string stdinData, netns;
  bool isCni(const std::string& cmd) const {
    return !argv.empty() && argv[0].ends_with("/ptp") &&
           std::find(env.begin(), env.end(), "CNI_COMMAND=" + cmd) != env.end();
  }
  bool isNft() const { return !argv.empty() && argv[0] == "nft"; }
  bool isIp() const { return !argv.empty() && argv[0] == "ip"; }
  std::string envValue(const std::string& key) const {
    for (const auto& e : env)
      if (e.rfind(key + "=", 0) == 0) return e.substr(key.size() + 1);
    return "";
  }
};

class FakeProcesses : public ProcessRunner {
 public:
  ProcessResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& stdinData, const std::string& netns) override {
    std::lock_guard l(mu);
    Call c{argv, env, stdinData, netns};
    calls.push_back(c);
    events.push_back("run " + argv[0]);
    ProcessResult r;
    r.exitCode = 0;
    if (c.isCni("ADD")) {
      if (failCni) {
        r.exitCode = 1;
        r.out = R"({"code": 999, "msg": "boom"})";
        return r;
      }
      auto conf = nlohmann::json::parse(stdinData);
      auto ips = nlohmann::json::array();
      for (const auto& a : conf["ipam"]["addresses"])
        ips.push_back({{"interface", 1}, {"address", a["address"]}});
      r.out = nlohmann::json{
          {"cniVersion", "1.0.0"},
          {"interfaces",
           {{{"name", "veth1234"}}, {{"name", "eth0"}, {"sandbox", c.envValue("CNI_NETNS")}}}},
          {"ips",
           ips}}.dump();
    }
    return r;
  }
  std::vector<Call> matching(const std::function<bool(const Call&)>& f) {
    std::lock_guard l(mu);
    std::vector<Call> out;
    for (const auto& c : calls)
      if (f(c)) out.push_back(c);
    return out;
  }
  std::mutex mu;
  std::vector<Call> calls;
  std::vector<std::string> events;
  bool failCni = false;
};

class FakeNetns : public NetnsOps {
 public:
  explicit FakeNetns(FakeProcesses& p) : procs(p) {}
  std::string configure(const std::string& netns, bool forwarding) override {
    std::lock_guard l(procs.mu);
    configured.push_back(netns);
    return "";
  }
  std::string startServers(const std::string& owner, const std::string& netns,
                           const std::vector<ServerSpec>& specs) override {
    std::lock_guard l(procs.mu);
    procs.events.push_back("serve " + owner);
    servers[owner] = specs;
    return "";
  }
  void stopServers(const std::string& owner) override {
    std::lock_guard l(procs.mu);
    servers.erase(owner);
  }
  std::string flushConntrack(const std::string& netns) override {
    std::lock_guard l(procs.mu);
    procs.events.push_back("flush conntrack " + netns);
    return "";
  }
  std::vector<std::string> waitLinksGone(const std::string& netns,
                                         const std::vector<std::string>& names,
                                         int timeoutMs) override {
    {
      std::lock_guard l(procs.mu);
      for (const auto& n : names) procs.events.push_back("wait link gone " + netns + " " + n);
    }
    if (!linksThatStay) return {};
    // Like the kernel, slower than wiring a pod: whatever does not wait for it comes first.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return names;
  }
  bool sctpSupported() override { return false; }
  bool linksThatStay = false;  // the kernel never destroys a deleted namespace's links
  FakeProcesses& procs;
  std::vector<std::string> configured;
  std::map<std::string, std::vector<ServerSpec>> servers;
};

class RunnerLocalOrchestration : public ::testing::Test {
 protected:
  void SetUp() override {
    stateRoot = ::testing::TempDir() + "npf-orch-" + std::to_string(getpid());
    std::filesystem::remove_all(stateRoot);
    opts.runId = "npf-abcdef";
    opts.stateRoot = stateRoot;
    opts.processes = &procs;
    opts.netnsOps = &netns;
    opts.checkPrivileges = false;
    opts.cleanupLeftoversFirst = false;
  }
  void TearDown() override { std::filesystem::remove_all(stateRoot); }

  FakeProcesses procs;
  FakeNetns netns{procs};
  LocalOptions opts;
  std::string stateRoot;
};

TEST_F(RunnerLocalOrchestration, SetUpCreatesNamespacesWiresPodsWithCniAndLoadsRulesBeforeServing) {
  LocalBackend b(opts);
  Cluster c = clusterFromYaml(smallClusterYaml());
  ASSERT_EQ(b.setUp(c), "");
  EXPECT_TRUE(std::filesystem::exists(stateRoot + "/npf-abcdef/pid"));

  // Namespaces are created from the root namespace, all with the run prefix.
  auto adds = procs.matching([](const Call& c) {
    return c.isIp() && c.netns.empty() && c.stdinData.find("netns add") != std::string::npos;
  });
  std::string all;
  for (const auto& c : adds) all += c.stdinData;
  for (const char* ns : {"npf-abcdef-fab", "npf-abcdef-n0", "npf-abcdef-n1", "npf-abcdef-p0",
                         "npf-abcdef-p1", "npf-abcdef-p2"})
    EXPECT_NE(all.find(std::string("netns add ") + ns + "\n"), std::string::npos) << ns << "\n"
                                                                                  << all;

  // The fabric links each node; veth peers go straight into the node namespace.
  auto fab = procs.matching([](const Call& c) { return c.isIp() && c.netns == "npf-abcdef-fab"; });
  ASSERT_FALSE(fab.empty());
  EXPECT_NE(fab[0].stdinData.find("link add n0 type veth peer name eth0 netns npf-abcdef-n0"),
            std::string::npos);
  EXPECT_NE(fab[0].stdinData.find("route replace 172.18.0.2/32 dev n0"), std::string::npos)
      << fab[0].stdinData;

  // CNI ADD as a runtime does it: plugin in the node's namespace, the spec's variables, config on
  // stdin.
  auto cni = procs.matching([](const Call& c) { return c.isCni("ADD"); });
  ASSERT_EQ(cni.size(), 3u);
  for (const auto& c : cni) {
    EXPECT_EQ(c.argv, std::vector<std::string>{"/usr/lib/cni/ptp"});
    EXPECT_EQ(c.envValue("CNI_IFNAME"), "eth0");
    EXPECT_EQ(c.envValue("CNI_PATH"), "/usr/lib/cni");
    EXPECT_EQ(c.envValue("CNI_NETNS"), "/run/netns/" + c.envValue("CNI_CONTAINERID"));
    auto conf = nlohmann::json::parse(c.stdinData);
    EXPECT_EQ(conf["type"], "ptp");
    EXPECT_EQ(conf["ipam"]["type"], "static");
    std::string addr = conf["ipam"]["addresses"][0]["address"];
    if (addr.rfind("10.0.1.2/", 0) == 0) {
      EXPECT_EQ(c.netns, "npf-abcdef-n1") << "x/b runs on node-2";
    }
    if (addr.rfind("10.0.1.1/", 0) == 0) {
      EXPECT_EQ(c.netns, "npf-abcdef-n0");
    }
  }
  // The fabric routes each pod address to its node.
  auto routes = procs.matching([](const Call& c) {
    return c.isIp() && c.netns == "npf-abcdef-fab" && c.stdinData.find("via") != std::string::npos;
  });
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_NE(routes[0].stdinData.find("route add 10.0.1.2/32 via 172.18.0.3 dev n1"),
            std::string::npos);

  // One nft load per node, in the node's namespace.
  auto nft = procs.matching([](const Call& c) { return c.isNft(); });
  ASSERT_EQ(nft.size(), 2u);
  for (const auto& c : nft) {
    EXPECT_EQ(c.argv, (std::vector<std::string>{"nft", "-f", "-"}));
    EXPECT_TRUE(c.netns == "npf-abcdef-n0" || c.netns == "npf-abcdef-n1");
    EXPECT_EQ(c.stdinData.rfind("table inet npf_abcdef\ndelete table inet npf_abcdef\n", 0), 0u);
  }
  EXPECT_EQ(b.ruleset("node-1"),
            nft[0].netns == "npf-abcdef-n0" ? nft[0].stdinData : nft[1].stdinData);

  // Servers start after the last rules load (a pod is isolated before it serves).
  size_t lastNft = 0, firstServe = procs.events.size();
  for (size_t i = 0; i < procs.events.size(); ++i) {
    if (procs.events[i] == "run nft") lastNft = i;
    if (procs.events[i].rfind("serve ", 0) == 0) firstServe = std::min(firstServe, i);
  }
  EXPECT_LT(lastNft, firstServe);
  ASSERT_TRUE(netns.servers.count("x/a"));
  EXPECT_EQ(netns.servers["x/a"].size(), 3u);  // 80/TCP, 80/UDP, 8080/TCP

  b.tearDown();
  auto dels = procs.matching([](const Call& c) {
    return c.isIp() && c.stdinData.find("netns del npf-abcdef-fab") != std::string::npos;
  });
  EXPECT_EQ(dels.size(), 1u);
  // No CNI DEL: every pod's namespace goes with the others, and takes ptp's veth along.
  EXPECT_EQ(procs.matching([](const Call& c) { return c.isCni("DEL"); }).size(), 0u);
  auto podDels = procs.matching([](const Call& c) {
    return c.isIp() && c.stdinData.find("netns del npf-abcdef-p0") != std::string::npos &&
           c.stdinData.find("netns del npf-abcdef-p1") != std::string::npos &&
           c.stdinData.find("netns del npf-abcdef-p2") != std::string::npos;
  });
  EXPECT_EQ(podDels.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(stateRoot + "/npf-abcdef"));
  EXPECT_TRUE(netns.servers.empty());
}

TEST_F(RunnerLocalOrchestration, ReconcileReloadsRulesForLabelsAndRecreatesOnlyChangedPods) {
  LocalBackend b(opts);
  Cluster c = clusterFromYaml(smallClusterYaml());
  ASSERT_EQ(b.setUp(c), "");
  size_t before = procs.calls.size();

  // A label change: rules only.
  Step relabel;
  relabel.action = Step::Action::RelabelPod;
  relabel.namespace_ = "y";
  relabel.name = "c";
  relabel.labels = {{"pod", "c"}, {"role", "client"}};
  Step policy;
  policy.action = Step::Action::CreatePolicy;
  NetworkPolicy p;
  p.meta.name = "allow-clients";
  p.meta.namespace_ = "x";
  p.podSelector = LabelSelector{};
  NetworkPolicyPeer peer;
  peer.namespaceSelector = LabelSelector{};
  peer.podSelector = LabelSelector{{{"role", "client"}}, {}};
  p.ingress = std::vector<NetworkPolicyRule>{
      NetworkPolicyRule{std::nullopt, std::vector<NetworkPolicyPeer>{peer}}};
  policy.policy = p;
  ASSERT_EQ(applyStep(c, policy), "");
  ASSERT_EQ(applyStep(c, relabel), "");
  ASSERT_EQ(b.reconcile(c), "");
  std::vector<Call> since(procs.calls.begin() + long(before), procs.calls.end());
  for (const auto& call : since) EXPECT_TRUE(call.isNft()) << describeCommand(call.argv);
  EXPECT_NE(b.ruleset("node-2").find("ip saddr 10.0.2.1 return"), std::string::npos)
      << b.ruleset("node-2");

  // Deleting a pod: servers stop, its namespace and fabric route go, and the reconcile waits
  // until the kernel has destroyed the pod's veth in its node (no CNI DEL).
  before = procs.calls.size();
  size_t eventsBefore = procs.events.size();
  Step del;
  del.action = Step::Action::DeletePod;
  del.namespace_ = "x";
  del.name = "b";
  ASSERT_EQ(applyStep(c, del), "");
  ASSERT_EQ(b.reconcile(c), "");
  std::vector<Call> after(procs.calls.begin() + long(before), procs.calls.end());
  bool nsDel = false, routeDel = false;
  for (const auto& call : after) {
    EXPECT_FALSE(call.isCni("DEL")) << describeCommand(call.argv);
    if (call.isIp() && call.stdinData.find("netns del npf-abcdef-p1") != std::string::npos)
      nsDel = true;
    if (call.isIp() && call.stdinData.find("route del 10.0.1.2/32") != std::string::npos)
      routeDel = true;
  }
  EXPECT_TRUE(nsDel && routeDel);
  std::vector<std::string> waits;
  for (size_t i = eventsBefore; i < procs.events.size(); ++i)
    if (procs.events[i].rfind("wait link gone ", 0) == 0) waits.push_back(procs.events[i]);
  EXPECT_EQ(waits, std::vector<std::string>{"wait link gone npf-abcdef-n1 veth1234"});
  EXPECT_FALSE(netns.servers.count("x/b"));

  // Creating a pod with a fresh name gets a fresh namespace.
  Pod d = *c.findPod("y", "c");
  d.meta.name = "d";
  d.podIP = "10.0.2.7";
  d.podIPs = {"10.0.2.7"};
  Step create;
  create.action = Step::Action::CreatePod;
  create.pod = d;
  ASSERT_EQ(applyStep(c, create), "");
  ASSERT_EQ(b.reconcile(c), "");
  auto adds = procs.matching([](const Call& c) {
    return c.isCni("ADD") && c.envValue("CNI_CONTAINERID") == "npf-abcdef-p3";
  });
  ASSERT_EQ(adds.size(), 1u);
  EXPECT_NE(adds[0].stdinData.find("10.0.2.7/31"), std::string::npos) << adds[0].stdinData;
  EXPECT_TRUE(netns.servers.count("y/d"));
  // Nodes are fixed for the life of a run.
  Cluster moreNodes = c;
  moreNodes.nodes.push_back(Node{ObjectMeta{"node-3", "", {}, {}}, {"172.18.0.9"}, {}});
  EXPECT_NE(b.reconcile(moreNodes), "");
}

// A gone pod's wired namespace is taken over by a new pod on the same node with the same
// addresses (the next case's pod there, or the same pod with other ports): new servers, no CNI
// DEL or ADD. A pod at another address gets a namespace of its own as before.
TEST_F(RunnerLocalOrchestration, ANewPodWithAGonePodsNodeAndAddressesTakesItsNamespaceOver) {
  LocalBackend b(opts);
  Cluster c = clusterFromYaml(smallClusterYaml());
  ASSERT_EQ(b.setUp(c), "");
  std::string netnsOfB = b.namespaceOf(Endpoint::pod("x", "b"));
  ASSERT_FALSE(netnsOfB.empty());
  size_t before = procs.calls.size();
  // x/b becomes x/e at the same address on the same node, serving another port.
  Cluster next = c;
  Pod& e = next.pods[1];
  e.meta.name = "e";
  e.containers = {Container{"c", "agnhost", {ContainerPort{"web", 8443, Protocol::TCP}}}};
  ASSERT_EQ(b.reconcile(next), "");
  std::vector<Call> since(procs.calls.begin() + long(before), procs.calls.end());
  for (const auto& call : since) {
    EXPECT_FALSE(call.isCni("ADD") || call.isCni("DEL")) << describeCommand(call.argv);
    EXPECT_EQ(call.stdinData.find("netns del"), std::string::npos) << call.stdinData;
  }
  EXPECT_EQ(b.namespaceOf(Endpoint::pod("x", "e")), netnsOfB);
  EXPECT_FALSE(netns.servers.count("x/b"));
  ASSERT_TRUE(netns.servers.count("x/e"));
  EXPECT_EQ(b.timings().podsReused, 1u);
  EXPECT_EQ(b.timings().podsCreated, 0u);
  // At another address: the old namespace goes, the new one gets a CNI ADD.
  before = procs.calls.size();
  Cluster moved = next;
  moved.pods[1].podIP = "10.0.1.9";
  moved.pods[1].podIPs = {"10.0.1.9"};
  ASSERT_EQ(b.reconcile(moved), "");
  auto adds = procs.matching([](const Call& call) { return call.isCni("ADD"); });
  auto nsDels = procs.matching([&](const Call& call) {
    return call.isIp() && call.stdinData.find("netns del " + netnsOfB) != std::string::npos;
  });
  EXPECT_EQ(adds.size(), 4u);  // three at set-up, one now
  EXPECT_EQ(nsDels.size(), 1u);
  EXPECT_NE(b.namespaceOf(Endpoint::pod("x", "e")), netnsOfB);
}

// A deleted pod's node-side veth that the kernel has not destroyed in time is deleted from the
// node's side before the reconcile returns: it would still route the pod's address there. A
// new pod at that address on that node is wired only after it is gone (its route would clash);
// other new pods are wired meanwhile.
TEST_F(RunnerLocalOrchestration, AGonePodsVethThatOutlivesItsNamespaceIsDeletedFromItsNode) {
  LocalBackend b(opts);
  Cluster c = clusterFromYaml(smallClusterYaml());
  ASSERT_EQ(b.setUp(c), "");
  netns.linksThatStay = true;
  auto reconcileTo = [&](const std::vector<std::string>& podIPs) {
    Cluster next = c;
    next.pods[1].podIP = podIPs[0];
    next.pods[1].podIPs = podIPs;
    size_t before = procs.calls.size();
    EXPECT_EQ(b.reconcile(next), "");
    std::vector<Call> since(procs.calls.begin() + long(before), procs.calls.end());
    size_t linkDel = since.size(), add = since.size();
    for (size_t i = 0; i < since.size(); ++i) {
      if (since[i].isIp() && since[i].netns == "npf-abcdef-n1" &&
          since[i].stdinData == "link del veth1234\n")
        linkDel = std::min(linkDel, i);
      if (since[i].isCni("ADD")) add = std::min(add, i);
    }
    EXPECT_LT(linkDel, since.size()) << "the old veth was not deleted";
    EXPECT_LT(add, since.size()) << "the new pod was not wired";
    return linkDel < add;
  };
  reconcileTo({"10.0.1.9"});  // another address: no order needed
  if (!kernelHasIpv6()) GTEST_SKIP() << "the kernel has no IPv6";
  // The same IPv4 address with an IPv6 one added is another wiring (no takeover), and its IPv4
  // route would clash with the dying veth's.
  EXPECT_TRUE(reconcileTo({"10.0.1.9", "fd00:10::9"}));
}

// What a reconcile may change between cases: the local backend keeps nodes by name and IPv4
// address; their IPv6 addresses and the external hosts may change. Anything else needs a new
// set-up (and the reconcile refuses it).
TEST_F(RunnerLocalOrchestration, ReconcileKeepsNodesByNameAndIpv4AddressOnly) {
  LocalBackend b(opts);
  const Cluster c = clusterFromYaml(smallClusterYaml());
  struct Row {
    const char* change;
    std::function<void(Cluster&)> apply;
    bool reconcilable;
  };
  const std::vector<Row> rows = {
      {"nothing", [](Cluster&) {}, true},
      {"a node gains an IPv6 address",
       [](Cluster& x) { x.nodes[0].internalIPs.push_back("fd00::2"); }, true},
      {"a node lists IPv6 first",
       [](Cluster& x) {
         x.nodes[0].internalIPs = {"fd00::2", "172.18.0.2"};
       },
       true},
      {"external hosts change",
       [](Cluster& x) {
         x.externalHosts = {{"ext", "192.0.2.10"}};
       },
       true},
      {"a node's IPv4 address changes", [](Cluster& x) { x.nodes[0].internalIPs = {"172.18.0.9"}; },
       false},
      {"a node loses its IPv4 address", [](Cluster& x) { x.nodes[0].internalIPs = {"fd00::2"}; },
       false},
      {"a node is renamed", [](Cluster& x) { x.nodes[1].meta.name = "node-9"; }, false},
      {"a node is added",
       [](Cluster& x) {
         x.nodes.push_back(Node{ObjectMeta{"node-3", "", {}, {}}, {"172.18.0.9"}, {}});
       },
       false},
  };
  for (const auto& row : rows) {
    Cluster to = c;
    row.apply(to);
    EXPECT_EQ(b.canReconcile(c, to), row.reconcilable) << row.change;
  }
  ASSERT_EQ(b.setUp(c), "");
  Cluster renamed = c;
  renamed.nodes[1].meta.name = "node-9";
  EXPECT_NE(b.reconcile(renamed), "");
}

// Every state starts from an empty conntrack table in every node (issue 18): after the rules
// are loaded, and also when a reconcile leaves the rules as they were.
TEST_F(RunnerLocalOrchestration, EveryApplyFlushesConntrackInEveryNodeAfterLoadingRules) {
  LocalBackend b(opts);
  Cluster c = clusterFromYaml(smallClusterYaml());
  auto flushes = [&](size_t from) {
    std::lock_guard l(procs.mu);
    std::multiset<std::string> out;
    for (size_t i = from; i < procs.events.size(); ++i)
      if (procs.events[i].rfind("flush conntrack ", 0) == 0) out.insert(procs.events[i].substr(16));
    return out;
  };
  const std::multiset<std::string> bothNodes = {"npf-abcdef-n0", "npf-abcdef-n1"};
  ASSERT_EQ(b.setUp(c), "");
  EXPECT_EQ(flushes(0), bothNodes);
  size_t firstNft = 0, firstFlush = 0;
  for (size_t i = procs.events.size(); i-- > 0;) {
    if (procs.events[i] == "run nft") firstNft = i;
    if (procs.events[i].rfind("flush conntrack ", 0) == 0) firstFlush = i;
  }
  EXPECT_LT(firstNft, firstFlush);

  size_t callsBefore = procs.calls.size(), eventsBefore = procs.events.size();
  ASSERT_EQ(b.reconcile(c), "");
  EXPECT_EQ(procs.calls.size(), callsBefore) << "the same rules are not loaded again";
  EXPECT_EQ(flushes(eventsBefore), bothNodes);
}

// replay runs each saved case under its own profile: configure() changes what the next
// reconcile compiles, and only then.
TEST_F(RunnerLocalOrchestration, ConfiguredProfileTakesEffectAtTheNextReconcile) {
  LocalBackend b(opts);
  Cluster c = clusterFromYaml(smallClusterYaml() + R"(---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-block, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/8}
)");
  ASSERT_EQ(b.setUp(c), "");
  const std::string underDefault = b.ruleset("node-1");
  Profile cilium;
  cilium.ipblockMatchesPodIps = false;
  ASSERT_EQ(b.configure({cilium, {}}), "");
  EXPECT_EQ(b.ruleset("node-1"), underDefault) << "configure alone must not touch the dataplane";
  size_t before = procs.calls.size();
  ASSERT_EQ(b.reconcile(c), "");
  EXPECT_NE(b.ruleset("node-1"), underDefault);
  EXPECT_GT(procs.calls.size(), before) << "the changed rules are loaded";
  ASSERT_EQ(b.configure({}), "");
  ASSERT_EQ(b.reconcile(c), "");
  EXPECT_EQ(b.ruleset("node-1"), underDefault);
}

TEST_F(RunnerLocalOrchestration, CniFailureFailsSetUpAndRemovesWhatWasCreated) {
  procs.failCni = true;
  LocalBackend b(opts);
  std::string err = b.setUp(clusterFromYaml(smallClusterYaml()));
  EXPECT_NE(err.find("CNI ADD"), std::string::npos) << err;
  EXPECT_NE(err.find("boom"), std::string::npos) << err;
  auto dels = procs.matching([](const Call& c) {
    return c.isIp() && c.stdinData.find("netns del npf-abcdef-fab") != std::string::npos;
  });
  EXPECT_EQ(dels.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(stateRoot + "/npf-abcdef"));
}

// A cluster set up with neither nodes nor pods has no node; pods arriving later would need the
// implicit node-1, which reconcile cannot create: an error, not a crash.
TEST_F(RunnerLocalOrchestration, PodsWithoutNodesAfterAnEmptySetUpAreRefused) {
  LocalBackend b(opts);
  Cluster empty;
  empty.namespaces.push_back(Namespace{ObjectMeta{"x", "", {}, {}}, {}});
  ASSERT_EQ(b.setUp(empty), "");
  Cluster withPods = clusterFromYaml(smallClusterYaml());
  withPods.nodes.clear();
  for (auto& p : withPods.pods) p.nodeName.clear();
  EXPECT_NE(b.reconcile(withPods).find("node node-1 was not set up"), std::string::npos);
}

TEST_F(RunnerLocalOrchestration, UnknownFaultIsRefused) {
  opts.faults = {"NOT_A_FAULT"};
  LocalBackend b(opts);
  EXPECT_NE(b.setUp(clusterFromYaml(smallClusterYaml())).find("NOT_A_FAULT"), std::string::npos);
  EXPECT_TRUE(procs.calls.empty());
  EXPECT_NE(b.configure({Profile{}, {"ALSO_NOT"}}), "");
  EXPECT_EQ(b.configure({Profile{}, {"POD_IP_REUSE"}}), "");
}

TEST_F(RunnerLocalOrchestration, ActualKeepsTheDeclaredAddressOrderAndAllocatesMissingAddresses) {
  Cluster c = clusterFromYaml(smallClusterYaml());
  c.pods[0].podIPs = {"fd00::1", "10.0.1.1"};
  c.pods[0].podIP = "fd00::1";
  c.pods[1].podIPs = {"fd00::2"};  // IPv6 only
  c.pods[1].podIP = "fd00::2";
  c.pods[2].podIP.clear();
  c.pods[2].podIPs.clear();
  LocalBackend b(opts);
  ASSERT_EQ(b.setUp(c), "");
  Cluster a = b.actual();
  // An IPv6-primary pod stays IPv6-primary: it is reached where the case says.
  EXPECT_EQ(a.pods[0].podIP, "fd00::1");
  EXPECT_EQ(a.pods[0].podIPs, (std::vector<std::string>{"fd00::1", "10.0.1.1"}));
  EXPECT_EQ(a.pods[1].podIPs, (std::vector<std::string>{"fd00::2"}));
  EXPECT_EQ(a.pods[2].podIP.rfind("100.64.", 0), 0u) << a.pods[2].podIP;
  // Both families go to ptp in one static IPAM configuration; IPv6 through the link-local
  // gateway as a /127.
  auto adds = procs.matching([](const Call& call) { return call.isCni("ADD"); });
  std::vector<nlohmann::json> configs;
  for (const auto& add : adds) configs.push_back(nlohmann::json::parse(add.stdinData));
  auto configFor = [&](const std::string& address) -> nlohmann::json {
    for (const auto& conf : configs)
      for (const auto& x : conf["ipam"]["addresses"])
        if (x["address"] == address) return conf;
    return {};
  };
  nlohmann::json dual = configFor("fd00::1/127");
  ASSERT_FALSE(dual.is_null());
  ASSERT_EQ(dual["ipam"]["addresses"].size(), 2u);
  EXPECT_EQ(dual["ipam"]["addresses"][1]["gateway"], "fe80::1");
  EXPECT_EQ(dual["ipam"]["routes"],
            nlohmann::json::parse(R"([{"dst":"0.0.0.0/0"},{"dst":"::/0"}])"));
  nlohmann::json v6only = configFor("fd00::2/127");
  ASSERT_FALSE(v6only.is_null());
  EXPECT_EQ(v6only["ipam"]["routes"], nlohmann::json::parse(R"([{"dst":"::/0"}])"));
  // The fabric routes each family of a pod to its node.
  std::string fabric;
  for (const auto& call : procs.matching([](const Call& x) { return x.isIp(); }))
    fabric += call.stdinData;
  EXPECT_NE(fabric.find("route add fd00::2/128 via fe80::2 dev n"), std::string::npos) << fabric;
  // Probes that this backend cannot make are Skipped with a reason.
  auto res = b.probe(
      {Probe{Endpoint::pod("x", "a"), Target{Endpoint::external("2001:db8::1"), 80, Protocol::TCP}},
       Probe{Endpoint::pod("x", "b"), Target{Endpoint::pod("y", "c"), 80, Protocol::TCP}}},
      {});
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].kind, ProbeResult::Kind::Skipped);
  EXPECT_NE(res[0].detail.find("not an external host"), std::string::npos) << res[0].detail;
  // x/b has IPv6 only; y/c was given an IPv4 address.
  EXPECT_EQ(res[1].kind, ProbeResult::Kind::Skipped);
  EXPECT_NE(res[1].detail.find("has no IPv4 address"), std::string::npos) << res[1].detail;
}

}  // namespace
}  // namespace npf::runner::local
