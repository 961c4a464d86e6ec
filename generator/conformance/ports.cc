// The ports family (after Cyclonus), on a cluster that also serves SCTP: rules with no ports,
// every protocol with no port, 80 and 81, standard named ports, pathological ports (a name whose
// protocol differs, ports no pod serves), Cyclonus's port pairs, and endPort ranges. Ports are
// where protocol defaulting, named-port resolution and ranges must agree with the API.
#include <fmt/format.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "generator/conformance/builders.h"
#include "generator/conformance/families.h"
#include "generator/conformance/suite.h"

namespace npf::conformance {

namespace {

struct NamedPort {
  std::string slug;
  NetworkPolicyPort port;
};

}  // namespace

void portsFamily(Suite& s) {
  // Every pod serves 80 and 81 on TCP, UDP and SCTP here.
  const Cluster c = base(withSctp());
  auto add = [&](Dir d, const std::string& kind, const std::string& slug,
                 std::vector<NetworkPolicyPort> ports, std::vector<std::string> tags) {
    tags.push_back(dirTag(d));
    tags.push_back("ports:" + kind);
    s.add(fmt::format("ports/{}/{}/{}", dirName(d), kind, slug), tags,
          with(c, {dirPolicy(d, "x", "ports", podIs("a"), {rule(kAnyPeer, std::move(ports))})}));
  };
  for (Dir d : kDirs) {
    s.add(fmt::format("ports/{}/none/absent", dirName(d)), {dirTag(d), "port:any", "ports:none"},
          with(c, {dirPolicy(d, "x", "ports", podIs("a"),
                             {rule(std::vector{pods(all()), namespaces(all())}, kAnyPort)})}));
    s.add(fmt::format("ports/{}/none/empty-list", dirName(d)),
          {dirTag(d), "port:any", "ports:none"},
          with(c, {dirPolicy(d, "x", "ports", podIs("a"),
                             {rule(std::vector{pods(all()), namespaces(all())},
                                   std::vector<NetworkPolicyPort>{})})}));
  }
  // Cyclonus: protocol {absent, TCP, UDP, SCTP} x port {absent, 80, 81}, plus named ports.
  std::vector<NamedPort> singles;
  const std::vector<std::pair<const char*, std::optional<Protocol>>> protos = {
      {"", std::nullopt},
      {"tcp-", Protocol::TCP},
      {"udp-", Protocol::UDP},
      {"sctp-", Protocol::SCTP}};
  for (const auto& [prefix, proto] : protos) {
    singles.push_back(
        {proto ? std::string(prefix) + "any-port" : "empty-entry", protocolOnly(proto)});
    for (int32_t port : {80, 81})
      singles.push_back({proto ? fmt::format("{}{}", prefix, port) : fmt::format("port-{}", port),
                         num(port, proto)});
  }
  singles.push_back({"named-serve-80-tcp", named("serve-80-tcp")});
  singles.push_back({"tcp-named-serve-80-tcp", named("serve-80-tcp", Protocol::TCP)});
  singles.push_back({"tcp-named-serve-81-tcp", named("serve-81-tcp", Protocol::TCP)});
  singles.push_back({"udp-named-serve-80-udp", named("serve-80-udp", Protocol::UDP)});
  singles.push_back({"udp-named-serve-81-udp", named("serve-81-udp", Protocol::UDP)});
  singles.push_back({"sctp-named-serve-81-sctp", named("serve-81-sctp", Protocol::SCTP)});
  const std::vector<NamedPort> pathological = {
      {"tcp-named-port-with-udp-name", named("serve-81-udp", Protocol::TCP)},
      {"named-udp-port-with-default-protocol", named("serve-80-udp")},
      {"tcp-named-port-not-served", named("serve-7981-udp", Protocol::TCP)},
      {"tcp-numbered-port-not-served", tcp(7981)},
      {"udp-numbered-port-not-served", udp(7981)},
  };
  // Cyclonus's pairs: all/all, implicit/explicit protocol, all ports, numbered, named.
  const std::vector<std::pair<std::string, std::vector<NetworkPolicyPort>>> pairs = {
      {"empty-entry+port-80", {protocolOnly(std::nullopt), num(80)}},
      {"empty-entry+named-serve-80-tcp", {protocolOnly(std::nullopt), named("serve-80-tcp")}},
      {"empty-entry+udp-any-port", {protocolOnly(std::nullopt), protocolOnly(Protocol::UDP)}},
      {"port-80+port-81", {num(80), num(81)}},
      {"port-80+named-serve-81-tcp", {num(80), named("serve-81-tcp")}},
      {"port-80+udp-named-serve-81-udp", {num(80), named("serve-81-udp", Protocol::UDP)}},
      {"udp-80+udp-named-serve-81-udp", {udp(80), named("serve-81-udp", Protocol::UDP)}},
      {"tcp-80+sctp-81", {tcp(80), sctp(81)}},
  };
  const std::vector<NamedPort> ranges = {
      {"tcp-80-to-81", range(80, 81, Protocol::TCP)},
      {"tcp-80-to-80", range(80, 80, Protocol::TCP)},
      {"port-80-to-81-default-protocol", range(80, 81)},
      {"tcp-1-to-65535", range(1, 65535, Protocol::TCP)},
      {"tcp-79-to-80", range(79, 80, Protocol::TCP)},
      {"tcp-81-to-90", range(81, 90, Protocol::TCP)},
      {"tcp-82-to-8080", range(82, 8080, Protocol::TCP)},
      {"udp-80-to-81", range(80, 81, Protocol::UDP)},
      {"sctp-80-to-81", range(80, 81, Protocol::SCTP)},
  };
  for (Dir d : kDirs) {
    for (const auto& p : singles) add(d, "single", p.slug, {p.port}, {"source:cyclonus"});
    for (const auto& p : pathological)
      add(d, "pathological", p.slug, {p.port}, {"port:pathological", "source:cyclonus"});
    for (const auto& [slug, ports] : pairs)
      add(d, "pair", slug, ports, {"port:multi", "source:cyclonus"});
    for (const auto& p : ranges) add(d, "range", p.slug, {p.port}, {"port:end-port"});
    add(d, "range", "tcp-80-to-80+udp-81-to-81",
        {range(80, 80, Protocol::TCP), range(81, 81, Protocol::UDP)},
        {"port:end-port", "port:multi"});
  }
}

}  // namespace npf::conformance
