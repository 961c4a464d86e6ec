// What the local backend does inside network namespaces from its own threads (no child
// processes): configure a namespace, and serve on pod ports. Behind an interface so that the
// orchestration can be tested without root.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/objects.h"

namespace npf::runner::local {

struct ServerSpec {
  Protocol protocol = Protocol::TCP;
  int32_t port = 0;
  std::string bindIp;  // empty: every address of the namespace, IPv4 and IPv6
  auto operator<=>(const ServerSpec&) const = default;
};

class NetnsOps {
 public:
  virtual ~NetnsOps() = default;
  // Inside `netns`: loopback up, ICMP and ICMPv6 rate limits off (so UDP "refused" is reliable
  // under load), rp_filter off, IPv6 duplicate address detection off (addresses usable at
  // once), and IPv4 and IPv6 forwarding on when `forwarding`. Error message or "".
  virtual std::string configure(const std::string& netns, bool forwarding) = 0;
  // Starts servers in `netns` owned by `owner` (TCP: accept and close; UDP: echo; SCTP:
  // accept and close). Specs already served by `owner` are kept. Error message or "".
  virtual std::string startServers(const std::string& owner, const std::string& netns,
                                   const std::vector<ServerSpec>& specs) = 0;
  // Closes every server of `owner`.
  virtual void stopServers(const std::string& owner) = 0;
  // Deletes every connection-tracking entry of `netns` (ctnetlink), so that no connection the
  // namespace accepted under an earlier ruleset answers for the current one. Error or "".
  virtual std::string flushConntrack(const std::string& netns) = 0;
  // Waits until no link in `netns` has one of `names` (the node-side ends of veths whose pod
  // namespaces were just deleted: the kernel destroys them with the namespace, but later, from
  // a work queue), at most `timeoutMs`. Returns the names still there.
  virtual std::vector<std::string> waitLinksGone(const std::string& netns,
                                                 const std::vector<std::string>& names,
                                                 int timeoutMs) = 0;
  // Whether the kernel has SCTP sockets (socket() fails with EPROTONOSUPPORT otherwise).
  virtual bool sctpSupported() = 0;
};

// Threads of this process: a short-lived thread setns()es into the namespace to configure it
// or to open listening sockets; one long-lived thread serves every socket with epoll. A
// SIGKILL of the process therefore leaves no server behind.
std::unique_ptr<NetnsOps> makeRealNetnsOps();

// Runs `fn` on a new thread that has entered the network namespace `netns` (a name under
// /run/netns or a path), and waits for it. Returns "" or why the namespace could not be entered.
std::string runInNetns(const std::string& netns, const std::function<void()>& fn);

// Deletes every conntrack entry of the calling thread's network namespace. Error or "".
std::string flushConntrackHere();

// Whether the kernel has IPv6 (it may be built or booted without it); checked once.
bool kernelHasIpv6();

// Probes the kernel for SCTP socket support once (in the caller's namespace).
bool kernelHasSctp();

}  // namespace npf::runner::local
