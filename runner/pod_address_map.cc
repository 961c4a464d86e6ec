#include "runner/pod_address_map.h"

namespace npf::runner {
namespace {

uint32_t toU32(const IpAddress& a) {
  return uint32_t(a.bytes[0]) << 24 | uint32_t(a.bytes[1]) << 16 | uint32_t(a.bytes[2]) << 8 |
         a.bytes[3];
}

IpAddress fromU32(uint32_t v) {
  IpAddress a;
  a.family = IpFamily::V4;
  a.bytes[0] = uint8_t(v >> 24), a.bytes[1] = uint8_t(v >> 16), a.bytes[2] = uint8_t(v >> 8),
  a.bytes[3] = uint8_t(v);
  return a;
}

}  // namespace

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
  uint32_t host = toU32(caseAddress) & hostBits;
  for (uint32_t tries = 0; tries <= hostBits; ++tries, host = (host + 1) & hostBits) {
    if (host == 0 || host == hostBits) continue;  // network and broadcast addresses
    IpAddress a = fromU32(toU32(range_.base) | host);
    if (taken.count(a)) continue;
    taken.insert(a);
    assigned_.emplace(caseAddress, a);
    return a;
  }
  return std::nullopt;
}

}  // namespace npf::runner
