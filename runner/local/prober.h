// Real packets: many TCP connects / UDP echoes at once from inside network namespaces.
#pragma once

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

// Probes grouped by source namespace; one thread per namespace at a time (at most
// options.maxThreads), each with an epoll loop keeping up to maxInFlightPerSource sockets in
// flight, every socket with its own deadline from its own connect(). TCP: non-blocking connect
// (connected / ECONNREFUSED -> refused / deadline -> timeout). UDP: connected socket, payload
// sent (again at half the deadline), echo awaited; ICMP port unreachable -> refused. SCTP is
// probed like TCP when the kernel has it, else Skipped. Retries per options.
std::vector<ProbeResult> runSocketProbes(const std::vector<SocketProbe>& probes,
                                         const ProbeOptions& options);

}  // namespace npf::runner::local
