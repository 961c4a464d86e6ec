// Batched probing of the kind backend: planning (one batch per source pod), the script run by
// a real /bin/sh against a stand-in agnhost, output parsing (garbage, partial, cut short), and
// the exec fan-out against a recording fake kubectl runner.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "runner/kind/probe_batch.h"

namespace npf::runner::kind {
namespace {

using K = ProbeResult::Kind;

PlannedProbe planned(size_t index, const char* ip, int port, Protocol proto = Protocol::TCP) {
  return PlannedProbe{index, *parseIp(ip), port, proto};
}

Pod pod(const char* ns, const char* name, const char* ip, const char* container = "c80") {
  Pod p;
  p.meta.namespace_ = ns;
  p.meta.name = name;
  p.podIP = ip;
  if (ip[0]) p.podIPs = {ip};
  if (container[0]) p.containers.push_back(Container{container, "agnhost", {}});
  return p;
}

Cluster smallCluster() {
  Cluster c;
  c.pods = {pod("x", "a", "10.244.1.2"), pod("x", "b", "10.244.2.3"), pod("y", "c", "")};
  c.pods[1].containers[0].ports = {ContainerPort{"http", 80, std::nullopt}};
  Node n;
  n.meta.name = "worker";
  n.internalIPs = {"172.18.0.3"};
  c.nodes = {n};
  Service s;
  s.meta.namespace_ = "x";
  s.meta.name = "web";
  s.clusterIP = "10.96.0.10";
  c.services = {s};
  return c;
}

ClientPods clients() {
  return {"npf-run", [](const std::string& node) { return "client-" + node; }};
}

Probe probe(Endpoint from, Endpoint to, int port, Protocol proto = Protocol::TCP) {
  return Probe{std::move(from), Target{std::move(to), port, proto}};
}

TEST(KindProbePlan, OneBatchPerSourceWithDestinationsResolvedOnTheActualCluster) {
  std::vector<Probe> probes = {
      probe(Endpoint::pod("x", "a"), Endpoint::pod("x", "b"), 80),
      probe(Endpoint::pod("x", "b"), Endpoint::pod("x", "a"), 81, Protocol::UDP),
      probe(Endpoint::pod("x", "a"), Endpoint::service("x", "web"), 8080),
      probe(Endpoint::node("worker"), Endpoint::pod("x", "a"), 80),
      probe(Endpoint::pod("x", "a"), Endpoint::node("worker"), 10250),
      probe(Endpoint::external("192.0.2.10"), Endpoint::pod("x", "a"), 80),
      probe(Endpoint::pod("x", "a"), Endpoint::external("192.0.2.10"), 80),
      probe(Endpoint::pod("x", "a"), Endpoint::pod("y", "c"), 80),
      probe(Endpoint::pod("z", "gone"), Endpoint::pod("x", "a"), 80),
      probe(Endpoint::service("x", "web"), Endpoint::pod("x", "a"), 80),
  };
  ProbePlan plan = planProbes(smallCluster(), probes, clients());
  ASSERT_EQ(plan.batches.size(), 3u);  // npf-run/client-worker, x/a, x/b
  EXPECT_EQ(plan.batches[0].source, (ExecSource{"npf-run", "client-worker", ""}));
  EXPECT_EQ(plan.batches[1].source,
            (ExecSource{"x", "a", "idle"}));  // no ports: the idle container
  EXPECT_EQ(plan.batches[2].source, (ExecSource{"x", "b", "cont-80-tcp"}));
  const auto& fromA = plan.batches[1].probes;
  ASSERT_EQ(fromA.size(), 3u);
  EXPECT_EQ(fromA[0].index, 0u);
  EXPECT_EQ(toString(fromA[0].destination), "10.244.2.3");
  EXPECT_EQ(toString(fromA[1].destination), "10.96.0.10");
  EXPECT_EQ(fromA[1].port, 8080);
  EXPECT_EQ(toString(fromA[2].destination), "172.18.0.3");
  EXPECT_EQ(plan.batches[2].probes[0].protocol, Protocol::UDP);
  // Externals (either side), a pod without an IP, unknown pods and Service sources are skipped.
  std::vector<size_t> skipped;
  for (const auto& [i, r] : plan.immediate) {
    EXPECT_EQ(r.kind, K::Skipped) << i;
    EXPECT_FALSE(r.detail.empty());
    skipped.push_back(i);
  }
  EXPECT_EQ(skipped, (std::vector<size_t>{5, 6, 7, 8, 9}));
}

TEST(KindProbeScript, ContainsOnlyAddressesPortsAndWordsNeverNames) {
  std::vector<PlannedProbe> ps = {planned(0, "10.244.1.2", 80),
                                  planned(1, "fd00::5", 8080, Protocol::UDP),
                                  planned(2, "10.96.0.1", 53, Protocol::SCTP)};
  std::string s = probeScript(ps, 250);
  EXPECT_NE(s.find("p 0 10.244.1.2:80 250ms tcp &\n"), std::string::npos) << s;
  EXPECT_NE(s.find("p 1 [fd00::5]:8080 250ms udp &\n"), std::string::npos) << s;
  EXPECT_NE(s.find("p 2 10.96.0.1:53 250ms sctp &\n"), std::string::npos) << s;
  EXPECT_NE(s.find("'/agnhost' connect"), std::string::npos) << s;
  EXPECT_NE(s.find("wait\necho NPF-END\n"), std::string::npos) << s;

  // Pod and namespace names go to kubectl as separate arguments, never into the script.
  ExecSource src{"ns-$(reboot)", "pod;rm -rf /", "c"};
  auto argv = execArgv({"kubectl", "--context", "kind-npf"}, src, s);
  EXPECT_EQ(argv, (std::vector<std::string>{"kubectl", "--context", "kind-npf", "exec",
                                            "--namespace", "ns-$(reboot)", "pod;rm -rf /",
                                            "--container", "c", "--", "/bin/sh", "-c", s}));
  auto noContainer = execArgv({"kubectl"}, ExecSource{"n", "p", ""}, "true");
  EXPECT_EQ(noContainer, (std::vector<std::string>{"kubectl", "exec", "--namespace", "n", "p", "--",
                                                   "/bin/sh", "-c", "true"}));
}

// The generated script, run by the real /bin/sh against a stand-in for agnhost that answers
// as `agnhost connect` does (exit 0, or exit 1 with TIMEOUT/REFUSED/OTHER on stderr).
TEST(KindProbeScript, RunsUnderARealShellAndParsesBack) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(::testing::TempDir()) / ("npf-agnhost-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path fake = dir / "agnhost";
  {
    std::ofstream f(fake);
    f << "#!/bin/sh\n"
         "[ \"$1\" = connect ] || { echo 'UNKNOWN: bad subcommand' >&2; exit 1; }\n"
         "case \"$2\" in\n"
         "  10.0.0.1:80) exit 0 ;;\n"
         "  10.0.0.2:80) sleep 0.2; echo TIMEOUT >&2; exit 1 ;;\n"
         "  10.0.0.3:80) echo 'REFUSED' >&2; exit 1 ;;\n"
         "  10.0.0.4:81) echo 'OTHER: dial tcp 10.0.0.4:81: connect: no route to host' >&2; exit 1 "
         ";;\n"
         "  10.0.0.5:82) printf 'OTHER: two\\nlines of text\\n' >&2; exit 1 ;;\n"
         "  '[fd00::1]:80') [ \"$4\" = --protocol=udp ] && [ \"$3\" = --timeout=300ms ] && exit 0; "
         "exit 1 ;;\n"
         "  *) exit 3 ;;\n"
         "esac\n";
  }
  fs::permissions(fake, fs::perms::owner_all);
  std::vector<PlannedProbe> ps = {
      planned(10, "10.0.0.1", 80), planned(11, "10.0.0.2", 80),
      planned(12, "10.0.0.3", 80), planned(13, "10.0.0.4", 81),
      planned(14, "10.0.0.5", 82), planned(15, "fd00::1", 80, Protocol::UDP),
      planned(16, "10.0.0.9", 80)};
  ProcessResult r = realProcessRunner().run({"/bin/sh", "-c", probeScript(ps, 300, fake.string())},
                                            defaultToolEnv(), "", "");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto got = parseProbeOutput(r.out, ps);
  ASSERT_EQ(got.size(), ps.size());
  EXPECT_EQ(got[0].kind, K::Connected) << r.out;
  EXPECT_EQ(got[1].kind, K::Timeout) << r.out;
  EXPECT_GE(got[1].latencyMs, 150) << r.out;  // GNU date has %N: the sleep shows
  EXPECT_EQ(got[2].kind, K::Refused);
  EXPECT_EQ(got[3].kind, K::Refused) << got[3].detail;  // ICMP unreachable is a refusal
  EXPECT_EQ(got[4].kind, K::Error);
  EXPECT_EQ(got[4].detail, "agnhost connect: OTHER: two");  // first line only
  EXPECT_EQ(got[5].kind, K::Connected) << r.out;
  EXPECT_EQ(got[6].kind, K::Error);
  EXPECT_NE(got[6].detail.find("exited 3"), std::string::npos) << got[6].detail;
  fs::remove_all(dir);
}

struct OutputCase {
  const char* name;
  std::string output;
  std::vector<K> kinds;
  std::vector<const char*> detailHas;  // per probe, "" for any
};

constexpr char kGarbage[] =
    "\x00\xff\nNPF-R\nNPF-R x y\nNPF-R 9 0\nNPF-R -1 0\nNPF-R 1 99999999999999999999\n";

TEST(KindProbeOutput, ParsesWhateverTheExecPrinted) {
  std::vector<PlannedProbe> ps = {planned(0, "10.0.0.1", 80), planned(1, "10.0.0.2", 80),
                                  planned(2, "10.0.0.3", 80)};
  const std::string ns = " 1700000000000000000 1700000000250000000 ";
  std::vector<OutputCase> cases = {
      {"complete",
       "NPF-BEGIN 3\nNPF-R 0 0" + ns + "\nNPF-R 1 1" + ns + "TIMEOUT\nNPF-R 2 1" + ns +
           "REFUSED\nNPF-END\n",
       {K::Connected, K::Timeout, K::Refused},
       {"", "", ""}},
      {"any order, CRLF, noise between lines",
       "Defaulted container \"c80\"\r\nNPF-BEGIN 3\r\nNPF-R 2 0" + ns +
           "\r\nwarning: x\r\nNPF-R 0 1" + ns + "TIMEOUT\r\nNPF-R 1 0" + ns + "\r\nNPF-END\r\n",
       {K::Timeout, K::Connected, K::Connected},
       {"", "", ""}},
      {"cut short: no end marker",
       "NPF-BEGIN 3\nNPF-R 1 0" + ns + "\nNPF-R 0 1 17",
       {K::Error, K::Connected, K::Error},
       {"cut short", "", "cut short"}},
      {"nothing at all",
       "",
       {K::Error, K::Error, K::Error},
       {"no probe output", "no probe output", "no probe output"}},
      {"garbage",
       std::string(kGarbage, sizeof kGarbage - 1),
       {K::Error, K::Error, K::Error},
       {"", "", ""}},
      {"a line missing although the script ended",
       "NPF-BEGIN 3\nNPF-R 0 0\nNPF-R 2 0\nNPF-END\n",
       {K::Connected, K::Error, K::Connected},
       {"", "no result line", ""}},
      {"first result of a duplicated index wins",
       "NPF-BEGIN 3\nNPF-R 0 1 x y TIMEOUT\nNPF-R 0 0\nNPF-END\n",
       {K::Timeout, K::Error, K::Error},
       {"", "", ""}},
      {"agnhost missing from the image",
       "NPF-BEGIN 3\nNPF-R 0 127   sh: /agnhost: not found\nNPF-END\n",
       {K::Error, K::Error, K::Error},
       {"exited 127", "", ""}},
      {"DNS and UNKNOWN are errors, not verdicts",
       "NPF-BEGIN 3\nNPF-R 0 1   DNS: no such host\nNPF-R 1 1   UNKNOWN: x\n"
       "NPF-R 2 1   OTHER: dial tcp: connect: connection reset by peer\nNPF-END\n",
       {K::Error, K::Error, K::Refused},
       {"DNS", "UNKNOWN", ""}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto got = parseProbeOutput(c.output, ps);
    ASSERT_EQ(got.size(), 3u);
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_EQ(got[k].kind, c.kinds[k]) << k << " " << got[k].detail;
      EXPECT_NE(got[k].detail.find(c.detailHas[k]), std::string::npos) << k << " " << got[k].detail;
    }
  }
  // Latency from the nanosecond stamps; none when `date` lacks %N.
  auto got = parseProbeOutput(
      "NPF-BEGIN 3\nNPF-R 0 0" + ns + "\nNPF-R 1 0 1700000000%N 1700000001%N\nNPF-END\n", ps);
  EXPECT_DOUBLE_EQ(got[0].latencyMs, 250.0);
  EXPECT_EQ(got[1].latencyMs, 0.0);
}

// kubectl stand-in: records every argv, answers per source pod from a table.
class FakeKubectl : public ProcessRunner {
 public:
  std::map<std::string, ProcessResult> answers;  // by pod name
  std::vector<std::vector<std::string>> calls;
  std::atomic<int> inFlight{0}, maxInFlight{0};

  ProcessResult run(const std::vector<std::string>& argv, const std::vector<std::string>&,
                    const std::string&, const std::string&) override {
    int now = ++inFlight;
    for (int seen = maxInFlight; now > seen && !maxInFlight.compare_exchange_weak(seen, now);) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::string podName;
    {
      std::lock_guard lock(mu_);
      calls.push_back(argv);
      for (size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == "--namespace") podName = argv[i + 2];
    }
    --inFlight;
    auto it = answers.find(podName);
    return it == answers.end()
               ? ProcessResult{1, "",
                               "Error from server (NotFound): pods \"" + podName + "\" not found"}
               : it->second;
  }

 private:
  std::mutex mu_;
};

TEST(KindProbeBatches, OneExecPerSourceBoundedAndFailuresKeptPerProbe) {
  ProbePlan plan;
  for (int s = 0; s < 6; ++s) {
    Batch b{ExecSource{"x", "p" + std::to_string(s), "c"}, {}};
    for (int t = 0; t < 4; ++t) b.probes.push_back(planned(size_t(s * 4 + t), "10.0.0.1", 80 + t));
    plan.batches.push_back(b);
  }
  plan.immediate.emplace_back(24, ProbeResult{K::Skipped, 0, "external"});
  FakeKubectl kubectl;
  for (int s = 0; s < 6; ++s)
    kubectl.answers["p" + std::to_string(s)] = {
        0, "NPF-BEGIN 4\nNPF-R 0 0\nNPF-R 1 1   TIMEOUT\nNPF-R 2 1   REFUSED\nNPF-R 3 0\nNPF-END\n",
        ""};
  // p4's exec breaks after two results; p5 does not exist.
  kubectl.answers["p4"] = {1, "NPF-BEGIN 4\nNPF-R 0 0\nNPF-R 1 1   TIMEOUT\n",
                           "error: unable to upgrade connection\n"};
  kubectl.answers.erase("p5");
  BatchRunOptions o;
  o.kubectlPrefix = {"kubectl", "--context", "kind-npf"};
  o.maxParallelExecs = 2;
  o.timeoutMs = 500;
  BatchRunStats stats;
  auto got = runBatches(plan, 25, kubectl, o, &stats);
  EXPECT_EQ(kubectl.calls.size(), 6u);  // never one exec per probe
  EXPECT_EQ(stats.execs, 6u);
  EXPECT_EQ(stats.failedExecs, 2u);
  EXPECT_LE(kubectl.maxInFlight.load(), 2);
  EXPECT_EQ(kubectl.maxInFlight.load(), 2);
  for (const auto& argv : kubectl.calls) {
    ASSERT_GT(argv.size(), 5u);
    EXPECT_EQ(argv[1], "--context");
    EXPECT_NE(argv.back().find("500ms"), std::string::npos);
  }
  for (int s = 0; s < 4; ++s) {
    EXPECT_EQ(got[s * 4 + 0].kind, K::Connected);
    EXPECT_EQ(got[s * 4 + 1].kind, K::Timeout);
    EXPECT_EQ(got[s * 4 + 2].kind, K::Refused);
    EXPECT_EQ(got[s * 4 + 3].kind, K::Connected);
  }
  EXPECT_EQ(got[16].kind, K::Connected);  // printed before the exec broke
  EXPECT_EQ(got[17].kind, K::Timeout);
  EXPECT_EQ(got[18].kind, K::Error);
  EXPECT_NE(got[18].detail.find("unable to upgrade connection"), std::string::npos)
      << got[18].detail;
  for (int t = 20; t < 24; ++t) {
    EXPECT_EQ(got[t].kind, K::Error);
    EXPECT_NE(got[t].detail.find("x/p5 failed (exit 1): Error from server (NotFound)"),
              std::string::npos)
        << got[t].detail;
  }
  EXPECT_EQ(got[24].kind, K::Skipped);
}

}  // namespace
}  // namespace npf::runner::kind
