#include "model/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace npf {

namespace {

// An IPv4 dotted quad as the API server reads it (k8s.io/utils/net ParseIPSloppy, Go 1.16's
// parser): four decimal fields of 1+ digits up to 255, leading zeros allowed and read as
// decimal ("010" is 10, not 8). Rewritten canonically for inet_pton; "" when not one.
std::string canonicalIpv4(std::string_view s) {
  std::string out;
  int fields = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    int value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      if (value > 255) return "";
      ++i;
    }
    if (i == start) return "";
    out += std::to_string(value);
    if (++fields == 4) return i == s.size() ? out : "";
    if (i == s.size() || s[i] != '.') return "";
    out += '.';
    ++i;
  }
}

}  // namespace

std::optional<IpAddress> parseIp(std::string_view s) {
  // inet_pton is strict (RFC 4291 text, no zones); IPv4 fields, alone or at the end of an IPv6
  // address, are read as the API server does (canonicalIpv4).
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string text(s);
  IpAddress ip;
  if (text.find(':') == std::string::npos) {
    text = canonicalIpv4(text);
    if (text.empty() || inet_pton(AF_INET, text.c_str(), ip.bytes.data()) != 1) return std::nullopt;
    ip.family = IpFamily::V4;
  } else {
    size_t lastColon = text.rfind(':');
    if (text.find('.', lastColon) != std::string::npos) {
      std::string v4 = canonicalIpv4(std::string_view(text).substr(lastColon + 1));
      if (v4.empty()) return std::nullopt;
      text = text.substr(0, lastColon + 1) + v4;
    }
    if (inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) != 1) return std::nullopt;
    ip.family = IpFamily::V6;
  }
  return ip;
}

std::string toString(const IpAddress& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(ip.family == IpFamily::V4 ? AF_INET : AF_INET6, ip.bytes.data(), buf, sizeof buf);
  return buf;
}

static IpAddress maskTo(IpAddress ip, int prefixLength) {
  for (int i = prefixLength; i < ip.bitLength(); ++i)
    ip.bytes[i / 8] &= uint8_t(~(0x80 >> (i % 8)));
  return ip;
}

std::optional<Cidr> parseCidr(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = parseIp(s.substr(0, slash));
  if (!ip) return std::nullopt;
  std::string_view len = s.substr(slash + 1);
  // Decimal digits only, no sign; leading zeros are fine ("/08" is 8), as in the API server's
  // ParseCIDRSloppy.
  if (len.empty()) return std::nullopt;
  int n = 0;
  for (char c : len) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
    if (n > ip->bitLength()) return std::nullopt;
  }
  return Cidr{maskTo(*ip, n), n};
}

std::string toString(const Cidr& c) {
  return toString(c.base) + "/" + std::to_string(c.prefixLength);
}

bool Cidr::contains(const IpAddress& ip) const {
  return ip.family == base.family && maskTo(ip, prefixLength) == base;
}

bool Cidr::contains(const Cidr& inner) const {
  return inner.base.family == base.family && inner.prefixLength >= prefixLength &&
         contains(inner.base);
}

uint32_t ipv4ToU32(const IpAddress& a) {
  return uint32_t(a.bytes[0]) << 24 | uint32_t(a.bytes[1]) << 16 | uint32_t(a.bytes[2]) << 8 |
         a.bytes[3];
}

IpAddress ipv4FromU32(uint32_t v) {
  IpAddress a;
  a.family = IpFamily::V4;
  a.bytes[0] = uint8_t(v >> 24), a.bytes[1] = uint8_t(v >> 16), a.bytes[2] = uint8_t(v >> 8),
  a.bytes[3] = uint8_t(v);
  return a;
}

}  // namespace npf
