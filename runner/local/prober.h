// Real packets: many TCP connects / UDP echoes at once from inside network namespaces.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model/ip.h"
#include "model/objects.h"
#include "runner/backend.h"

namespace npf::runner::local {

// One probe at the socket level.
struct SocketProbe {
  std::string netns;                // source network namespace (name under /run/netns, or path)
  std::optional<IpAddress> bindTo;  // source address (multi-homed sources: nodes)
  uint16_t sourcePort = 0;          // 0: an ephemeral port
  IpAddress dst;
  int32_t port = 0;
  Protocol protocol = Protocol::TCP;
};

// Source ports for probes, handed out in rotation per source namespace over the ephemeral
// range 32768..60999, so that consecutive attempts of a cell never share a 5-tuple and a
// 5-tuple is used again only after every other port of its namespace was (not before ~28,000
// probes from there). The kernel's random choice gives no such guarantee; a re-probe on the
// same 5-tuple could meet whatever the first attempt left in conntrack. Thread-safe.
class SourcePorts {
 public:
  static constexpr uint16_t kFirst = 32768, kLast = 60999;
  uint16_t next(const std::string& netns);
  // The namespace is gone (a deleted pod): its rotation goes too, so that a long campaign's
  // rotations do not pile up.
  void forget(const std::string& netns);

 private:
  std::mutex mu_;
  std::map<std::string, uint16_t> next_;
};

// Probes grouped by source namespace; one thread per namespace at a time (at most
// options.maxThreads), each with an epoll loop keeping up to maxInFlightPerSource sockets in
// flight, every socket with its own deadline from its own connect(). TCP: non-blocking connect
// (connected / ECONNREFUSED -> refused / deadline -> timeout). UDP: connected socket, payload
// sent (again at half the deadline), echo awaited; ICMP port unreachable -> refused. SCTP is
// probed like TCP when the kernel has it, else Skipped. Retries per options. A probe without a
// sourcePort binds one from `ports` (a port in use is skipped), or an ephemeral one when
// `ports` is null; every result records the source port used.
std::vector<ProbeResult> runSocketProbes(const std::vector<SocketProbe>& probes,
                                         const ProbeOptions& options, SourcePorts* ports = nullptr);

}  // namespace npf::runner::local
