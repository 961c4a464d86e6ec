// The IPAM a backend may play for replay tests (`replay --pod-ip-range`): every pod IPv4 address
// of a case maps, for the life of a cluster, to the address with the same host bits inside a
// prefix (10.244.1.5 -> 10.123.1.5 in 10.123.0.0/16), the next free one on a clash. A real
// cluster assigns addresses of its own; this makes the local and simulated backends do so too.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "model/ip.h"

namespace npf::runner {

class PodAddressMap {
 public:
  // An IPv4 prefix of at most /30; `error` says why not.
  static std::optional<PodAddressMap> forRange(const std::string& cidr, std::string& error);

  // The address `caseAddress` maps to: the one it got before, else the first address from its
  // host bits on inside the range that is not in `taken` (then added to it). nullopt: full.
  std::optional<IpAddress> map(const IpAddress& caseAddress, std::set<IpAddress>& taken);
  // Every address handed out (the backend must not give them to anything else).
  const std::map<IpAddress, IpAddress>& assigned() const { return assigned_; }
  void clear() { assigned_.clear(); }
  const std::string& range() const { return text_; }

 private:
  Cidr range_;
  std::string text_;
  std::map<IpAddress, IpAddress> assigned_;  // case IPv4 -> assigned
};

}  // namespace npf::runner
