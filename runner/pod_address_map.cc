#include "runner/pod_address_map.h"

namespace npf::runner {
std::optional<PodAddressMap> PodAddressMap::forRange(const std::string& cidr, std::string& error) {
  auto range = parseCidr(cidr);
  if (!range || range->base.family != IpFamily::V4 || range->prefixLength > 30) {
    error = "'" + cidr + "' is not an IPv4 prefix of at most /30";
    return std::nullopt;
  }
  PodAddressMap m;
  m.range_ = *range;
  m.text_ = cidr;
  return m;
}

std::optional<IpAddress> PodAddressMap::map(const IpAddress& caseAddress,
                                            std::set<IpAddress>& taken) {
  if (auto it = assigned_.find(caseAddress); it != assigned_.end()) return it->second;
  const uint32_t hostBits = uint32_t((uint64_t(1) << (32 - range_.prefixLength)) - 1);
  uint32_t host = ipv4ToU32(caseAddress) & hostBits;
  for (uint32_t tries = 0; tries <= hostBits; ++tries, host = (host + 1) & hostBits) {
    if (host == 0 || host == hostBits) continue;  // network and broadcast addresses
    IpAddress a = ipv4FromU32(ipv4ToU32(range_.base) | host);
    if (taken.count(a)) continue;
    taken.insert(a);
    assigned_.emplace(caseAddress, a);
    return a;
  }
  return std::nullopt;
}

}  // namespace npf::runner
