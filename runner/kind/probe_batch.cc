#include "runner/kind/probe_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <map>
#include <mutex>
#include <thread>

#include "model/endpoint_address.h"
#include "runner/kind/manifests.h"

namespace npf::runner::kind {
namespace {

constexpr std::string_view kBegin = "NPF-BEGIN";
constexpr std::string_view kResult = "NPF-R ";
constexpr std::string_view kEnd = "NPF-END";

ProbeResult skipped(std::string why) { return {ProbeResult::Kind::Skipped, 0, std::move(why)}; }
ProbeResult error(std::string why) { return {ProbeResult::Kind::Error, 0, std::move(why)}; }

std::string hostPort(const IpAddress& ip, int port) {
  return ip.family == IpFamily::V6 ? fmt::format("[{}]:{}", toString(ip), port)
                                   : fmt::format("{}:{}", toString(ip), port);
}

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

template <typename T>
bool parseNumber(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// What `agnhost connect` said (exit status and first line of its output) as a verdict.
ProbeResult classify(int exitCode, std::string_view message) {
  std::string text(message.substr(0, 300));
  if (exitCode == 0) return {ProbeResult::Kind::Connected, 0, ""};
  if (exitCode != 1) return error(fmt::format("agnhost connect exited {}: {}", exitCode, text));
  if (message.rfind("TIMEOUT", 0) == 0) return {ProbeResult::Kind::Timeout, 0, text};
  if (message.rfind("REFUSED", 0) == 0) return {ProbeResult::Kind::Refused, 0, text};
  // A reject by RST or ICMP unreachable reaches agnhost as an OTHER error (SCTP always).
  if (message.rfind("OTHER", 0) == 0)
    for (std::string_view s : {"connection refused", "no route to host", "host is unreachable",
                               "network is unreachable", "connection reset", "permission denied"})
      if (contains(message, s)) return {ProbeResult::Kind::Refused, 0, text};
  return error(fmt::format("agnhost connect: {}", text));
}

std::string firstLine(const std::string& s) {
  auto nl = s.find('\n');
  return s.substr(0, std::min<size_t>(nl, 300));
}

}  // namespace

ProbePlan planProbes(const Cluster& actual, const std::vector<Probe>& probes,
                     const ClientPods& clients) {
  ProbePlan plan;
  std::map<ExecSource, std::vector<PlannedProbe>> bySource;
  for (size_t i = 0; i < probes.size(); ++i) {
    const Probe& pr = probes[i];
    ExecSource src;
    const Endpoint& f = pr.from;
    if (f.kind == Endpoint::Kind::Pod) {
      const Pod* p = actual.findPod(f.namespace_, f.name);
      if (!p) {
        plan.immediate.emplace_back(
            i, skipped("source " + toString(f) + " is not a pod of the cluster"));
        continue;
      }
      src = {f.namespace_, f.name, execContainerOf(*p)};
    } else if (f.kind == Endpoint::Kind::Node) {
      if (!actual.findNode(f.name)) {
        plan.immediate.emplace_back(
            i, skipped("source " + toString(f) + " is not a node of the cluster"));
        continue;
      }
      src = {clients.namespace_, clients.podOf(f.name), ""};
    } else {
      plan.immediate.emplace_back(
          i, skipped(f.kind == Endpoint::Kind::External
                         ? "the kind backend has no external hosts to probe from"
                         : "a Service cannot be a probe source"));
      continue;
    }

    const Endpoint& t = pr.target.to;
    if (t.kind == Endpoint::Kind::External) {
      // Never send traffic to an address the cluster does not own.
      plan.immediate.emplace_back(i, skipped("the kind backend has no external hosts to probe"));
      continue;
    }
    const DestinationAddress dst = destinationAddress(actual, t);
    if (!dst.address) {
      plan.immediate.emplace_back(i, skipped(dst.why));
      continue;
    }
    bySource[src].push_back(PlannedProbe{i, *dst.address, pr.target.port, pr.target.protocol});
  }
  for (auto& [src, list] : bySource) plan.batches.push_back(Batch{src, std::move(list)});
  return plan;
}

std::string probeScript(const std::vector<PlannedProbe>& probes, int timeoutMs,
                        const std::string& agnhost) {
  // Each probe runs in its own background subshell and prints exactly one line; lines are
  // short, so each is one write() and concurrent lines never interleave. Nanosecond timestamps
  // give the latency where `date` supports %N; the parser ignores them otherwise.
  std::string s = fmt::format(
      "nl='\n'\n"
      "p() {{\n"
      "  s=$(date +%s%N 2>/dev/null)\n"
      "  r=$('{}' connect \"$2\" --timeout=\"$3\" --protocol=\"$4\" 2>&1)\n"
      "  c=$?\n"
      "  e=$(date +%s%N 2>/dev/null)\n"
      "  r=${{r%%\"$nl\"*}}\n"
      "  echo \"{}$1 $c $s $e $r\"\n"
      "}}\n"
      "echo {} {}\n",
      agnhost, kResult, kBegin, probes.size());
  for (size_t k = 0; k < probes.size(); ++k)
    s += fmt::format("p {} {} {}ms {} &\n", k, hostPort(probes[k].destination, probes[k].port),
                     timeoutMs, agnhostProtocol(probes[k].protocol));
  s += fmt::format("wait\necho {}\n", kEnd);
  return s;
}

std::vector<std::string> execArgv(const std::vector<std::string>& kubectlPrefix,
                                  const ExecSource& source, const std::string& script) {
  std::vector<std::string> argv = kubectlPrefix;
  for (const char* a : {"exec", "--namespace"}) argv.push_back(a);
  argv.push_back(source.namespace_);
  argv.push_back(source.pod);
  if (!source.container.empty()) {
    argv.push_back("--container");
    argv.push_back(source.container);
  }
  for (const char* a : {"--", "/bin/sh", "-c"}) argv.push_back(a);
  argv.push_back(script);
  return argv;
}

std::vector<ProbeResult> parseProbeOutput(std::string_view output,
                                          const std::vector<PlannedProbe>& probes) {
  std::vector<ProbeResult> results(probes.size());
  std::vector<bool> seen(probes.size(), false);
  bool begun = false, ended = false;
  size_t pos = 0;
  while (pos < output.size()) {
    size_t nl = output.find('\n', pos);
    std::string_view line =
        output.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? output.size() : nl + 1;
    if (nl == std::string_view::npos) break;  // an unterminated last line may be cut in half
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.rfind(kBegin, 0) == 0) begun = true;
    if (line == kEnd) ended = true;
    if (line.rfind(kResult, 0) != 0) continue;
    // "NPF-R <k> <exit> <startNs> <endNs> <message...>"; timestamps may be empty or not numbers.
    std::string_view rest = line.substr(kResult.size());
    std::vector<std::string_view> fields;
    for (int f = 0; f < 4; ++f) {
      size_t sp = rest.find(' ');
      fields.push_back(rest.substr(0, sp));
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
    size_t k = 0;
    int code = 0;
    if (!parseNumber(fields[0], k) || k >= probes.size() || seen[k] ||
        !parseNumber(fields[1], code))
      continue;
    seen[k] = true;
    results[k] = classify(code, rest);
    uint64_t start = 0, end = 0;
    // Nanoseconds since the epoch have 19 digits; anything else is a `date` without %N.
    if (fields[2].size() >= 16 && fields[3].size() >= 16 && parseNumber(fields[2], start) &&
        parseNumber(fields[3], end) && end >= start)
      results[k].latencyMs = double(end - start) / 1e6;
  }
  for (size_t k = 0; k < probes.size(); ++k)
    if (!seen[k])
      results[k] = error(!begun   ? "the exec printed no probe output"
                         : !ended ? "the exec's output was cut short before this probe's result"
                                  : "no result line for this probe");
  return results;
}

std::vector<ProbeResult> runBatches(const ProbePlan& plan, size_t count, ProcessRunner& processes,
                                    const BatchRunOptions& options, BatchRunStats* stats) {
  std::vector<ProbeResult> results(count, error("not probed"));
  for (const auto& [i, r] : plan.immediate)
    if (i < count) results[i] = r;
  std::atomic<size_t> next{0}, execs{0}, failed{0};
  std::mutex mu;
  auto worker = [&] {
    for (size_t b = next++; b < plan.batches.size(); b = next++) {
      const Batch& batch = plan.batches[b];
      ProcessResult pr = processes.run(execArgv(options.kubectlPrefix, batch.source,
                                                probeScript(batch.probes, options.timeoutMs)),
                                       options.env, "", "");
      ++execs;
      std::vector<ProbeResult> got = parseProbeOutput(pr.out, batch.probes);
      if (!pr.ok()) {
        ++failed;
        std::string why =
            fmt::format("kubectl exec in {}/{} failed (exit {}): {}", batch.source.namespace_,
                        batch.source.pod, pr.exitCode, firstLine(pr.err));
        for (auto& r : got)
          if (r.kind == ProbeResult::Kind::Error) r.detail = why;
      }
      std::lock_guard lock(mu);
      for (size_t k = 0; k < batch.probes.size(); ++k)
        if (batch.probes[k].index < count) results[batch.probes[k].index] = got[k];
    }
  };
  size_t threads = std::min(std::max<size_t>(options.maxParallelExecs, 1), plan.batches.size());
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (stats) {
    stats->execs = execs;
    stats->failedExecs = failed;
  }
  return results;
}

}  // namespace npf::runner::kind
