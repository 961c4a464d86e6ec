#include "runner/local/prober.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "runner/local/netns_ops.h"
#include "runner/process.h"

namespace npf::runner::local {

namespace {

using Clock = std::chrono::steady_clock;

const char kPayload[] = "netpolfuzz-probe";

// `ip`:`port` as a socket address of the address's family.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
};

SocketAddress toSockaddr(const IpAddress& ip, int port) {
  SocketAddress out;
  if (ip.family == IpFamily::V4) {
    auto* a = reinterpret_cast<sockaddr_in*>(&out.storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(uint16_t(port));
    std::memcpy(&a->sin_addr, ip.bytes.data(), 4);
    out.length = sizeof(sockaddr_in);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&out.storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(uint16_t(port));
    std::memcpy(&a->sin6_addr, ip.bytes.data(), 16);
    out.length = sizeof(sockaddr_in6);
  }
  return out;
}

ProbeResult fromErrno(int err, double ms) {
  ProbeResult r;
  r.latencyMs = ms;
  switch (err) {
    case 0:
      r.kind = ProbeResult::Kind::Connected;
      break;
    case ECONNREFUSED:
      r.kind = ProbeResult::Kind::Refused;
      r.detail = "connection refused";
      break;
    case EHOSTUNREACH:
    case ENETUNREACH:
      // An ICMP unreachable answer: something on the path said no.
      r.kind = ProbeResult::Kind::Refused;
      r.detail = strerror(err);
      break;
    case ETIMEDOUT:
      r.kind = ProbeResult::Kind::Timeout;
      break;
    default:
      r.kind = ProbeResult::Kind::Error;
      r.detail = strerror(err);
      break;
  }
  return r;
}

// Binds `fd` (a socket of `family`) to `ip` (nullopt: any address) and `port`.
int bindTo(int fd, IpFamily family, const std::optional<IpAddress>& ip, uint16_t port) {
  IpAddress any;
  any.family = family;
  SocketAddress b = toSockaddr(ip.value_or(any), port);
  return bind(fd, b.get(), b.length) == 0 ? 0 : errno;
}

// Binds `fd` as `p` asks: its own sourcePort, else the next free port of `ports`, else (no
// allocator) an ephemeral port the kernel picks. Returns 0 or an errno.
int bindSource(int fd, const SocketProbe& p, SourcePorts* ports) {
  int one = 1;
  const IpFamily family = p.dst.family;
  if (p.sourcePort) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    return bindTo(fd, family, p.bindTo, p.sourcePort);
  }
  if (ports) {
    // A port may be taken by a server of the namespace (hostNetwork pods serve on the node).
    int err = EADDRINUSE;
    for (int tries = 0; tries < 64 && err == EADDRINUSE; ++tries)
      err = bindTo(fd, family, p.bindTo, ports->next(p.netns));
    return err;
  }
  if (!p.bindTo) return 0;
  if (p.protocol != Protocol::UDP)
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  return bindTo(fd, family, p.bindTo, 0);
}

uint16_t boundPort(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
  // The port sits at the same offset in sockaddr_in and sockaddr_in6.
  return ntohs(reinterpret_cast<const sockaddr_in*>(&a)->sin_port);
}

// Probes of one source namespace, on the calling thread (already inside that namespace).
void probeGroup(const std::vector<SocketProbe>& probes, const std::vector<size_t>& items,
                std::vector<ProbeResult>& results, const ProbeOptions& o, SourcePorts* ports) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) {
    for (size_t i : items)
      results[i] = {ProbeResult::Kind::Error, 0, std::string("epoll: ") + strerror(errno)};
    return;
  }
  struct Slot {
    int fd = -1;
    size_t item = 0;
    Clock::time_point start;
    uint32_t gen = 0;
    bool udp = false;
    uint16_t sourcePort = 0;
  };
  const size_t cap = size_t(std::max(1, o.maxInFlightPerSource));
  std::vector<Slot> slots(cap);
  std::vector<size_t> freeSlots;
  for (size_t i = cap; i-- > 0;) freeSlots.push_back(i);
  std::deque<std::pair<size_t, uint32_t>> deadlines, resends;  // FIFO = deadline order
  const auto timeout = std::chrono::milliseconds(std::max(1, o.timeoutMs));
  const auto resendAfter = timeout / 2;

  auto elapsedMs = [](Clock::time_point since) {
    return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
  };
  auto finish = [&](size_t slot, ProbeResult r) {
    Slot& s = slots[slot];
    r.sourcePort = s.sourcePort;
    results[s.item] = std::move(r);
    epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);
    if (!s.udp) {
      linger lg{1, 0};  // reset instead of FIN: no TIME_WAIT piling up in the source
      setsockopt(s.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(s.fd);
    s.fd = -1;
    s.gen++;
    freeSlots.push_back(slot);
  };

  size_t next = 0;
  epoll_event evs[256];
  while (next < items.size() || freeSlots.size() < cap) {
    // Start probes up to the in-flight cap.
    while (next < items.size() && !freeSlots.empty()) {
      size_t item = items[next++];
      const SocketProbe& p = probes[item];
      bool udp = p.protocol == Protocol::UDP;
      int type = (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
      const SocketAddress a = toSockaddr(p.dst, p.port);
      if (p.bindTo && p.bindTo->family != p.dst.family) {
        results[item] = {ProbeResult::Kind::Error, 0,
                         "source address " + toString(*p.bindTo) + " is not of the family of " +
                             toString(p.dst)};
        continue;
      }
      int fd = socket(a.family(), type, p.protocol == Protocol::SCTP ? IPPROTO_SCTP : 0);
      if (fd < 0) {
        results[item] = {ProbeResult::Kind::Error, 0, std::string("socket: ") + strerror(errno)};
        continue;
      }
      if (int err = bindSource(fd, p, ports); err != 0) {
        results[item] = {ProbeResult::Kind::Error, 0, std::string("bind: ") + strerror(err)};
        close(fd);
        continue;
      }
      auto start = Clock::now();
      int rc = connect(fd, a.get(), a.length);
      int err = rc == 0 ? 0 : errno;
      uint16_t sourcePort = boundPort(fd);
      if (udp && err == 0 && send(fd, kPayload, sizeof kPayload, 0) < 0) err = errno;
      if (err != 0 && err != EINPROGRESS) {
        results[item] = fromErrno(err, elapsedMs(start));
        results[item].sourcePort = sourcePort;
        close(fd);
        continue;
      }
      if (!udp && err == 0) {  // connected at once (same namespace)
        results[item] = fromErrno(0, elapsedMs(start));
        results[item].sourcePort = sourcePort;
        linger lg{1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fd);
        continue;
      }
      size_t slot = freeSlots.back();
      freeSlots.pop_back();
      Slot& s = slots[slot];
      s.fd = fd;
      s.item = item;
      s.start = start;
      s.udp = udp;
      s.sourcePort = sourcePort;
      epoll_event ev{};
      ev.events = udp ? EPOLLIN : EPOLLOUT;
      ev.data.u64 = (uint64_t(s.gen) << 32) | slot;
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      deadlines.push_back({slot, s.gen});
      if (udp) resends.push_back({slot, s.gen});
    }
    if (freeSlots.size() == cap) continue;

    // Sleep until the next event, deadline or resend.
    auto now = Clock::now();
    auto wake = now + timeout;
    auto live = [&](const std::pair<size_t, uint32_t>& e) {
      return slots[e.first].gen == e.second && slots[e.first].fd >= 0;
    };
    while (!deadlines.empty() && !live(deadlines.front())) deadlines.pop_front();
    while (!resends.empty() && !live(resends.front())) resends.pop_front();
    if (!deadlines.empty()) wake = std::min(wake, slots[deadlines.front().first].start + timeout);
    if (!resends.empty()) wake = std::min(wake, slots[resends.front().first].start + resendAfter);
    int waitMs = int(std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count());
    if (waitMs < 0) waitMs = 0;
    if (wake > now && waitMs == 0) waitMs = 1;
    int n = epoll_wait(ep, evs, 256, waitMs);
    for (int i = 0; i < n; ++i) {
      size_t slot = size_t(evs[i].data.u64 & 0xffffffff);
      uint32_t gen = uint32_t(evs[i].data.u64 >> 32);
      Slot& s = slots[slot];
      if (s.gen != gen || s.fd < 0) continue;
      double ms = elapsedMs(s.start);
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (s.udp && err == 0) {
        char buf[256];
        ssize_t got = recv(s.fd, buf, sizeof buf, 0);
        if (got < 0) {
          if (errno == EAGAIN) continue;
          err = errno;
        }
      }
      finish(slot, fromErrno(err, ms));
    }
    // Resend UDP payloads that got no answer yet; time out the overdue.
    now = Clock::now();
    while (!resends.empty()) {
      auto [slot, gen] = resends.front();
      if (!live(resends.front())) {
        resends.pop_front();
        continue;
      }
      if (slots[slot].start + resendAfter > now) break;
      send(slots[slot].fd, kPayload, sizeof kPayload, 0);
      resends.pop_front();
    }
    while (!deadlines.empty()) {
      auto [slot, gen] = deadlines.front();
      if (!live(deadlines.front())) {
        deadlines.pop_front();
        continue;
      }
      if (slots[slot].start + timeout > now) break;
      deadlines.pop_front();
      finish(slot, {ProbeResult::Kind::Timeout, elapsedMs(slots[slot].start), ""});
    }
  }
  close(ep);
}

void runRound(const std::vector<SocketProbe>& probes, const std::vector<size_t>& which,
              std::vector<ProbeResult>& results, const ProbeOptions& o, SourcePorts* ports) {
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i : which) groups[probes[i].netns].push_back(i);
  std::vector<std::pair<const std::string*, const std::vector<size_t>*>> work;
  for (const auto& [ns, items] : groups) work.push_back({&ns, &items});
  std::atomic<size_t> nextGroup{0};
  auto worker = [&] {
    while (true) {
      size_t g = nextGroup++;
      if (g >= work.size()) return;
      const std::string* ns = work[g].first;
      const std::vector<size_t>* items = work[g].second;
      std::string err = runInNetns(*ns, [&] { probeGroup(probes, *items, results, o, ports); });
      if (!err.empty())
        for (size_t i : *items) results[i] = {ProbeResult::Kind::Error, 0, err};
    }
  };
  size_t threads = std::min(work.size(), size_t(std::max(1, o.maxThreads)));
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
}

}  // namespace

uint16_t SourcePorts::next(const std::string& netns) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = next_.try_emplace(netns, kFirst);
  uint16_t port = it->second;
  it->second = port == kLast ? kFirst : uint16_t(port + 1);
  return port;
}

void SourcePorts::forget(const std::string& netns) {
  std::lock_guard lock(mu_);
  next_.erase(netns);
}

std::vector<ProbeResult> runSocketProbes(const std::vector<SocketProbe>& probes,
                                         const ProbeOptions& options, SourcePorts* ports) {
  std::vector<ProbeResult> results(probes.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < probes.size(); ++i) {
    if (probes[i].protocol == Protocol::SCTP && !kernelHasSctp()) {
      results[i] = {ProbeResult::Kind::Skipped, 0,
                    "SCTP: the kernel has no SCTP sockets (EPROTONOSUPPORT)"};
      continue;
    }
    todo.push_back(i);
  }
  runRound(probes, todo, results, options, ports);
  for (int attempt = 0; attempt < std::max(options.timeoutRetries, options.errorRetries);
       ++attempt) {
    std::vector<size_t> again;
    for (size_t i : todo) {
      auto k = results[i].kind;
      if ((k == ProbeResult::Kind::Timeout && attempt < options.timeoutRetries) ||
          (k == ProbeResult::Kind::Error && attempt < options.errorRetries))
        again.push_back(i);
    }
    if (again.empty()) break;
    runRound(probes, again, results, options, ports);
  }
  return results;
}

}  // namespace npf::runner::local
