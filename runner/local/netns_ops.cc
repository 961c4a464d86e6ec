#include "runner/local/netns_ops.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "runner/process.h"

namespace npf::runner::local {

std::string runInNetns(const std::string& netns, const std::function<void()>& fn) {
  std::string error;
  std::thread t([&] {
    int fd = open(netnsPath(netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = "cannot open " + netnsPath(netns) + ": " + strerror(errno);
      return;
    }
    if (setns(fd, CLONE_NEWNET) != 0) {
      error = "setns into " + netnsPath(netns) + ": " + strerror(errno);
      close(fd);
      return;
    }
    close(fd);
    fn();
  });
  t.join();
  return error;
}

bool kernelHasIpv6() {
  // Absent when the kernel was built or booted without IPv6 (ipv6.disable=1).
  static const bool has = access("/proc/sys/net/ipv6", F_OK) == 0;
  return has;
}

bool kernelHasSctp() {
  static const bool has = [] {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
    if (fd >= 0) {
      close(fd);
      return true;
    }
    return errno != EPROTONOSUPPORT && errno != ESOCKTNOSUPPORT;
  }();
  return has;
}

std::string flushConntrackHere() {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) return std::string("netlink socket: ") + strerror(errno);
  // IPCTNL_MSG_CT_DELETE without a tuple flushes the table; version 0 means every family.
  struct {
    nlmsghdr header;
    nfgenmsg body;
  } request{};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request.header.nlmsg_seq = 1;
  request.body.nfgen_family = AF_INET;
  request.body.version = NFNETLINK_V0;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  std::string error;
  if (sendto(fd, &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) <
      0) {
    error = std::string("conntrack flush: send: ") + strerror(errno);
  } else {
    alignas(nlmsghdr) char answer[512];
    ssize_t got = recv(fd, answer, sizeof answer, 0);
    const auto* reply = reinterpret_cast<const nlmsghdr*>(answer);
    if (got < 0) {
      error = std::string("conntrack flush: receive: ") + strerror(errno);
    } else if (!NLMSG_OK(reply, size_t(got)) || reply->nlmsg_type != NLMSG_ERROR) {
      error = "conntrack flush: unexpected answer from the kernel";
    } else if (int code = -static_cast<const nlmsgerr*>(NLMSG_DATA(reply))->error; code != 0) {
      error = std::string("conntrack flush: ") + strerror(code) +
              (code == EOPNOTSUPP || code == EPROTONOSUPPORT
                   ? " (the kernel lacks ctnetlink: load nf_conntrack_netlink)"
                   : "");
    }
  }
  close(fd);
  return error;
}

namespace {

bool writeSysctl(const char* path, const char* value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, value, strlen(value)) == ssize_t(strlen(value));
  close(fd);
  return ok;
}

class ServerPool {
 public:
  ServerPool() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = 0;
    epoll_ctl(ep_, EPOLL_CTL_ADD, wake_, &ev);
    thread_ = std::thread([this] { loop(); });
  }
  ~ServerPool() {
    stop_ = true;
    uint64_t one = 1;
    ssize_t ignored = write(wake_, &one, sizeof one);
    (void)ignored;
    thread_.join();
    for (auto& [id, l] : listeners_) close(l.fd);
    close(ep_);
    close(wake_);
  }

  std::string start(const std::string& owner, const std::string& netns,
                    const std::vector<ServerSpec>& specs) {
    std::vector<ServerSpec> todo;
    {
      std::lock_guard lock(mu_);
      for (const auto& s : specs)
        if (!owned_[owner].count(s) && std::find(todo.begin(), todo.end(), s) == todo.end())
          todo.push_back(s);
    }
    if (todo.empty()) return "";
    std::vector<std::pair<ServerSpec, int>> opened;
    std::string error;
    std::string nsError = runInNetns(netns, [&] {
      for (const auto& s : todo) {
        int fd = openListener(s, error);
        if (fd < 0) return;
        opened.push_back({s, fd});
      }
    });
    if (!nsError.empty()) error = nsError;
    std::lock_guard lock(mu_);
    for (auto& [spec, fd] : opened) {
      uint64_t id = nextId_++;
      listeners_[id] = Listener{fd, spec.protocol, owner};
      owned_[owner][spec] = id;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = id;
      epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    }
    return error.empty() ? "" : owner + ": " + error;
  }

  void stop(const std::string& owner) {
    std::lock_guard lock(mu_);
    auto it = owned_.find(owner);
    if (it == owned_.end()) return;
    for (auto& [spec, id] : it->second) {
      auto l = listeners_.find(id);
      if (l == listeners_.end()) continue;
      epoll_ctl(ep_, EPOLL_CTL_DEL, l->second.fd, nullptr);
      close(l->second.fd);
      listeners_.erase(l);
    }
    owned_.erase(it);
  }

 private:
  struct Listener {
    int fd;
    Protocol protocol;
    std::string owner;
  };

  // A listener on one address, or (no bindIp) on every address of both families: an IPv6
  // socket that also takes IPv4 (IPV6_V6ONLY off), since a pod may have one address of each.
  static int openListener(const ServerSpec& s, std::string& error) {
    bool udp = s.protocol == Protocol::UDP;
    sockaddr_storage a{};
    socklen_t alen = 0;
    if (s.bindIp.empty() && !kernelHasIpv6()) {
      auto* a4 = reinterpret_cast<sockaddr_in*>(&a);
      a4->sin_family = AF_INET;
      a4->sin_port = htons(uint16_t(s.port));
      alen = sizeof(sockaddr_in);
    } else if (s.bindIp.empty()) {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(&a);
      a6->sin6_family = AF_INET6;
      a6->sin6_port = htons(uint16_t(s.port));
      alen = sizeof(sockaddr_in6);
    } else if (auto* a4 = reinterpret_cast<sockaddr_in*>(&a);
               inet_pton(AF_INET, s.bindIp.c_str(), &a4->sin_addr) == 1) {
      a4->sin_family = AF_INET;
      a4->sin_port = htons(uint16_t(s.port));
      alen = sizeof(sockaddr_in);
    } else if (auto* a6 = reinterpret_cast<sockaddr_in6*>(&a);
               inet_pton(AF_INET6, s.bindIp.c_str(), &a6->sin6_addr) == 1) {
      a6->sin6_family = AF_INET6;
      a6->sin6_port = htons(uint16_t(s.port));
      alen = sizeof(sockaddr_in6);
    } else {
      error = "bad bind address " + s.bindIp;
      return -1;
    }
    int type = (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
    int proto = s.protocol == Protocol::SCTP ? IPPROTO_SCTP : 0;
    int fd = socket(a.ss_family, type, proto);
    if (fd < 0) {
      error = std::string("socket: ") + strerror(errno);
      return -1;
    }
    int one = 1, zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a.ss_family == AF_INET6 && s.bindIp.empty())
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (udp) {
      int big = 4 << 20;
      if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), alen) != 0) {
      error = "bind " + (s.bindIp.empty() ? std::string("*") : s.bindIp) + ":" +
              std::to_string(s.port) + "/" + toString(s.protocol) + ": " + strerror(errno);
      close(fd);
      return -1;
    }
    if (!udp && listen(fd, 4096) != 0) {
      error = std::string("listen: ") + strerror(errno);
      close(fd);
      return -1;
    }
    return fd;
  }

  void loop() {
    epoll_event evs[128];
    char buf[2048];
    while (!stop_) {
      int n = epoll_wait(ep_, evs, 128, -1);
      if (n < 0) continue;  // EINTR
      std::lock_guard lock(mu_);
      for (int i = 0; i < n; ++i) {
        auto it = listeners_.find(evs[i].data.u64);
        if (it == listeners_.end()) continue;  // the wake-up eventfd, or closed meanwhile
        int fd = it->second.fd;
        if (it->second.protocol == Protocol::UDP) {
          // Echo every datagram back to its sender.
          for (int k = 0; k < 256; ++k) {
            sockaddr_storage from{};
            socklen_t len = sizeof from;
            ssize_t got =
                recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (got < 0) break;
            sendto(fd, buf, size_t(got), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), len);
          }
        } else {
          // The handshake already told the prober "connected"; accept and close.
          for (int k = 0; k < 256; ++k) {
            int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) break;
            close(c);
          }
        }
      }
    }
  }

  int ep_ = -1, wake_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  uint64_t nextId_ = 1;
  std::map<uint64_t, Listener> listeners_;
  std::map<std::string, std::map<ServerSpec, uint64_t>> owned_;
  std::thread thread_;
};

class RealNetnsOps : public NetnsOps {
 public:
  std::string configure(const std::string& netns, bool forwarding) override {
    std::string error;
    std::string nsError = runInNetns(netns, [&] {
      int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (s < 0) {
        error = std::string("socket: ") + strerror(errno);
        return;
      }
      ifreq ifr{};
      strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
      if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) error = std::string("lo up: ") + strerror(errno);
      } else {
        error = std::string("lo flags: ") + strerror(errno);
      }
      close(s);
      const std::pair<const char*, const char*> settings[] = {
          {"/proc/sys/net/ipv4/icmp_ratelimit", "0"},
          {"/proc/sys/net/ipv4/icmp_msgs_per_sec", "100000"},
          {"/proc/sys/net/ipv4/icmp_msgs_burst", "100000"},
          {"/proc/sys/net/ipv4/conf/all/rp_filter", "0"},
          {"/proc/sys/net/ipv4/conf/default/rp_filter", "0"},
      };
      const std::pair<const char*, const char*> ipv6Settings[] = {
          {"/proc/sys/net/ipv6/icmp/ratelimit", "0"},
          // No duplicate address detection: every address here is unique by construction, and
          // a tentative address would not answer for a second or more after it is added.
          {"/proc/sys/net/ipv6/conf/all/accept_dad", "0"},
          {"/proc/sys/net/ipv6/conf/default/accept_dad", "0"},
      };
      for (const auto& [path, value] : settings)
        if (!writeSysctl(path, value) && error.empty()) error = std::string("cannot write ") + path;
      if (kernelHasIpv6())
        for (const auto& [path, value] : ipv6Settings)
          if (!writeSysctl(path, value) && error.empty())
            error = std::string("cannot write ") + path;
      if (forwarding && !writeSysctl("/proc/sys/net/ipv4/ip_forward", "1") && error.empty())
        error = "cannot enable ip_forward";
      if (forwarding && kernelHasIpv6() &&
          !writeSysctl("/proc/sys/net/ipv6/conf/all/forwarding", "1") && error.empty())
        error = "cannot enable IPv6 forwarding";
    });
    if (!nsError.empty()) return nsError;
    return error.empty() ? "" : netns + ": " + error;
  }

  std::string startServers(const std::string& owner, const std::string& netns,
                           const std::vector<ServerSpec>& specs) override {
    std::vector<ServerSpec> usable;
    for (const auto& s : specs)
      if (s.protocol != Protocol::SCTP || sctpSupported()) usable.push_back(s);
    return pool_.start(owner, netns, usable);
  }

  void stopServers(const std::string& owner) override { pool_.stop(owner); }

  std::string flushConntrack(const std::string& netns) override {
    std::string error;
    std::string nsError = runInNetns(netns, [&] { error = flushConntrackHere(); });
    if (!nsError.empty()) return nsError;
    return error.empty() ? "" : netns + ": " + error;
  }

  std::vector<std::string> waitLinksGone(const std::string& netns,
                                         const std::vector<std::string>& names,
                                         int timeoutMs) override {
    std::vector<std::string> left = names;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    std::string nsError = runInNetns(netns, [&] {
      while (true) {
        std::erase_if(left, [](const std::string& n) { return if_nametoindex(n.c_str()) == 0; });
        if (left.empty() || std::chrono::steady_clock::now() >= deadline) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
    if (!nsError.empty()) return {};  // no namespace, no links left in it
    return left;
  }

  bool sctpSupported() override { return kernelHasSctp(); }

 private:
  ServerPool pool_;
};

}  // namespace

std::unique_ptr<NetnsOps> makeRealNetnsOps() { return std::make_unique<RealNetnsOps>(); }

}  // namespace npf::runner::local
