#include "runner/local/cni.h"

#include <nlohmann/json.hpp>

namespace npf::runner::local {

std::string ptpStaticConfig(const std::string& networkName,
                            const std::vector<PtpAddress>& addresses) {
  auto list = nlohmann::json::array();
  auto routes = nlohmann::json::array();
  for (const auto& a : addresses) {
    list.push_back({{"address", toString(a.ip) + "/" + std::to_string(a.prefixLength)},
                    {"gateway", toString(a.gateway)}});
    routes.push_back({{"dst", a.ip.family == IpFamily::V4 ? "0.0.0.0/0" : "::/0"}});
  }
  nlohmann::json conf = {
      {"cniVersion", "1.0.0"},
      {"name", networkName},
      {"type", "ptp"},
      {"ipMasq", false},
      {"mtu", 1500},
      {"ipam", {{"type", "static"}, {"addresses", list}, {"routes", routes}}},
  };
  return conf.dump();
}

IpAddress ipv6PodGateway() { return *parseIp("fe80::1"); }

std::vector<std::string> cniEnvironment(const CniRequest& r) {
  return {
      "CNI_COMMAND=" + r.command, "CNI_CONTAINERID=" + r.containerId,
      "CNI_NETNS=" + r.podNetns,  "CNI_IFNAME=" + r.ifname,
      "CNI_PATH=" + r.cniPath,    "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
  };
}

ProcessResult invokeCni(ProcessRunner& runner, const CniRequest& r) {
  return runner.run({r.cniPath + "/" + r.plugin}, cniEnvironment(r), r.config, r.nodeNetns);
}

CniAddResult parseCniAddResult(const std::string& text) {
  CniAddResult out;
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object()) {
      out.error = "CNI result is not a JSON object";
      return out;
    }
    if (j.contains("code")) {
      out.error = "CNI error " + j["code"].dump() + ": " + j.value("msg", std::string()) +
                  (j.contains("details") ? " (" + j.value("details", std::string()) + ")" : "");
      return out;
    }
    std::vector<nlohmann::json> ifaces;
    if (j.contains("interfaces") && j["interfaces"].is_array())
      for (const auto& i : j["interfaces"]) ifaces.push_back(i);
    for (const auto& i : ifaces)
      if (i.is_object() && !i.contains("sandbox") && i.contains("name")) {
        out.hostInterface = i["name"].get<std::string>();
        break;
      }
    if (j.contains("ips") && j["ips"].is_array())
      for (const auto& ip : j["ips"])
        if (ip.is_object() && ip.contains("address") && ip["address"].is_string())
          out.addresses.push_back(ip["address"].get<std::string>());
    if (out.addresses.empty()) out.error = "CNI result has no ips";
  } catch (const std::exception& e) {
    out.error = std::string("CNI result is not JSON: ") + e.what();
  }
  return out;
}

bool gatewayChoiceStillFits(const IpAddress& pod, const GatewayChoice& choice,
                            const std::set<IpAddress>& inUse) {
  if (inUse.count(choice.gateway)) return false;
  if (pod.family != IpFamily::V4 || choice.prefixLength >= 31) return true;
  uint32_t mask = ~uint32_t(0) << (32 - choice.prefixLength);
  uint32_t net = ipv4ToU32(pod) & mask, bcast = net | ~mask;
  return !inUse.count(ipv4FromU32(net)) && !inUse.count(ipv4FromU32(bcast));
}

std::optional<GatewayChoice> chooseGateway(const IpAddress& pod, const std::set<IpAddress>& avoid) {
  if (pod.family != IpFamily::V4) return std::nullopt;
  uint32_t p = ipv4ToU32(pod);
  for (int len = 31; len >= 8; --len) {
    uint32_t mask = len == 0 ? 0 : ~uint32_t(0) << (32 - len);
    uint32_t net = p & mask, bcast = net | ~mask;
    if (len < 31 && (avoid.count(ipv4FromU32(net)) || avoid.count(ipv4FromU32(bcast)) || p == net ||
                     p == bcast))
      continue;
    // Candidates from the top of the prefix down (generators tend to fill from the bottom).
    uint32_t lo = len == 31 ? net : net + 1, hi = len == 31 ? bcast : bcast - 1;
    int tried = 0;
    for (uint32_t g = hi; g >= lo && tried < 4096; --g, ++tried) {
      if (g != p && !avoid.count(ipv4FromU32(g))) return GatewayChoice{ipv4FromU32(g), len};
      if (g == 0) break;
    }
  }
  return std::nullopt;
}

}  // namespace npf::runner::local
