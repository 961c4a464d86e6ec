// IPv4/IPv6 addresses and CIDR prefixes, parsed strictly (no DNS, no zones, no leading zeros
// in IPv4 octets, as Kubernetes' validation).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace npf {

enum class IpFamily { V4, V6 };

struct IpAddress {
  IpFamily family = IpFamily::V4;
  // Network byte order; an IPv4 address uses bytes[0..3] and leaves the rest zero.
  std::array<uint8_t, 16> bytes{};
  auto operator<=>(const IpAddress&) const = default;
  int bitLength() const { return family == IpFamily::V4 ? 32 : 128; }
  bool bit(int i) const { return (bytes[i / 8] >> (7 - i % 8)) & 1; }
};

std::optional<IpAddress> parseIp(std::string_view s);
std::string toString(const IpAddress& ip);

// An IPv4 address as a host-order integer (10.0.0.1 -> 0x0a000001), and back: for arithmetic
// on addresses (gateways, prefixes, address maps).
uint32_t ipv4ToU32(const IpAddress& a);
IpAddress ipv4FromU32(uint32_t v);

// A prefix such as 10.0.0.0/8. Host bits set in the text (10.1.2.3/8) are accepted and
// masked off, as Kubernetes accepts them in ipBlock.cidr.
struct Cidr {
  IpAddress base;  // host bits cleared
  int prefixLength = 0;
  auto operator<=>(const Cidr&) const = default;
  bool contains(const IpAddress& ip) const;
  // True when every address of `inner` is in this prefix (same family).
  bool contains(const Cidr& inner) const;
};

std::optional<Cidr> parseCidr(std::string_view s);
std::string toString(const Cidr& c);

}  // namespace npf
