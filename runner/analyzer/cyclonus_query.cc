#include "runner/analyzer/cyclonus_query.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "model/codec.h"
#include "model/defaults.h"
#include "model/endpoint_address.h"
#include "model/ip.h"

namespace npf::runner::analyzer {
namespace {

using nlohmann::json;

const char* familyName(IpFamily f) { return f == IpFamily::V4 ? "IPv4" : "IPv6"; }

// A pod's labels, namespace and namespace labels as the API server has them (the namespace
// carries kubernetes.io/metadata.name).
json internalPeer(const Cluster& c, const Pod& pod) {
  Namespace ns;
  if (const Namespace* declared = c.findNamespace(pod.meta.namespace_)) ns = *declared;
  ns.meta.name = pod.meta.namespace_;
  applyDefaults(ns);
  return {{"PodLabels", json(pod.meta.labels)},
          {"NamespaceLabels", json(ns.meta.labels)},
          {"Namespace", pod.meta.namespace_}};
}

// The pod a probe endpoint names, when Cyclonus can stand for it: a pod with its own network.
const Pod* expressiblePod(const Cluster& c, const Endpoint& e, const char* role, std::string& why) {
  const Pod* pod = c.findPod(e.namespace_, e.name);
  if (!pod) {
    why = fmt::format("{} {} is not a pod of the cluster", role, toString(e));
    return nullptr;
  }
  if (pod->hostNetwork) {
    why = fmt::format("the {} {} is a hostNetwork pod: Cyclonus's Traffic has no node identity",
                      role, toString(e));
    return nullptr;
  }
  return pod;
}

std::optional<IpAddress> firstOfFamily(const Pod& pod, IpFamily family) {
  std::vector<std::string> all{pod.podIP};
  all.insert(all.end(), pod.podIPs.begin(), pod.podIPs.end());
  for (const auto& a : all)
    if (auto ip = parseIp(a); ip && ip->family == family) return ip;
  return std::nullopt;
}

// One Traffic object, or "" and `why` when the cell is one Cyclonus cannot express.
std::optional<json> traffic(const Cluster& c, const Probe& p, std::string& why) {
  const Endpoint& from = p.from;
  const Endpoint& to = p.target.to;
  if (from.kind == Endpoint::Kind::Node || to.kind == Endpoint::Kind::Node) {
    why = "Cyclonus's Traffic has no nodes (a node is neither a pod nor an external address)";
    return std::nullopt;
  }
  if (to.kind == Endpoint::Kind::Service || from.kind == Endpoint::Kind::Service) {
    why = "Cyclonus's Traffic has no Services (it judges pod and IP peers only)";
    return std::nullopt;
  }
  DestinationAddress dst = destinationAddress(c, to);
  if (dst.problem != DestinationAddress::Problem::None) {
    why = dst.why;
    return std::nullopt;
  }
  const IpFamily family = dst.address->family;
  json destination = {{"IP", toString(*dst.address)}};
  std::string portName;
  if (to.kind == Endpoint::Kind::Pod) {
    const Pod* pod = expressiblePod(c, to, "destination", why);
    if (!pod) return std::nullopt;
    destination["Internal"] = internalPeer(c, *pod);
    std::set<std::string> names;
    for (const auto& container : pod->containers)
      for (const auto& port : container.ports)
        if (port.containerPort == p.target.port && port.effectiveProtocol() == p.target.protocol &&
            !port.name.empty())
          names.insert(port.name);
    if (names.size() > 1) {
      why = fmt::format("{} names {}/{} {} times ({}): Cyclonus's Traffic carries one port name",
                        toString(to), p.target.port, toString(p.target.protocol), names.size(),
                        fmt::join(names, ", "));
      return std::nullopt;
    }
    if (!names.empty()) portName = *names.begin();
  }
  json source;
  if (from.kind == Endpoint::Kind::External) {
    auto ip = parseIp(from.name);
    if (!ip || ip->family != family) {
      why = fmt::format("source {} has no {} address", toString(from), familyName(family));
      return std::nullopt;
    }
    source = {{"IP", toString(*ip)}};
  } else {
    const Pod* pod = expressiblePod(c, from, "source", why);
    if (!pod) return std::nullopt;
    auto ip = firstOfFamily(*pod, family);
    if (!ip) {
      why = fmt::format("source {} has no {} address", toString(from), familyName(family));
      return std::nullopt;
    }
    source = {{"Internal", internalPeer(c, *pod)}, {"IP", toString(*ip)}};
  }
  return json{{"Source", source},
              {"Destination", destination},
              {"ResolvedPort", p.target.port},
              {"ResolvedPortName", portName},
              {"Protocol", toString(p.target.protocol)}};
}

}  // namespace

CyclonusQuery cyclonusQuery(const Cluster& c, const std::vector<Probe>& probes) {
  CyclonusQuery q;
  for (size_t i = 0; i < c.policies.size(); ++i) {
    Cluster one;
    one.policies.push_back(c.policies[i]);
    applyDefaults(one.policies.back());
    q.policyFiles.emplace_back(fmt::format("policy-{:04}.yaml", i), encodeYaml(one));
  }
  json all = json::array();
  q.skipped.resize(probes.size());
  for (size_t i = 0; i < probes.size(); ++i) {
    auto t = traffic(c, probes[i], q.skipped[i]);
    if (!t) continue;
    q.skipped[i].clear();
    q.asked.push_back(i);
    all.push_back(std::move(*t));
  }
  q.trafficJson = all.dump(1);
  return q;
}

std::optional<std::vector<bool>> parseCyclonusVerdicts(std::string_view text, size_t expected,
                                                       std::string& error) {
  // Each footer is one line: `| IS ALLOWED? |  TRUE  |` (or FALSE), then the table's padding.
  std::vector<bool> out;
  size_t lineNo = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++lineNo;
    size_t at = line.find("IS ALLOWED?");
    if (at == std::string_view::npos) continue;
    std::string_view rest = line.substr(at + 11);
    size_t bar = rest.find('|');
    if (bar == std::string_view::npos) {
      error = fmt::format("line {}: an `IS ALLOWED?` footer without a verdict column", lineNo);
      return std::nullopt;
    }
    rest = rest.substr(bar + 1);
    size_t first = rest.find_first_not_of(' ');
    std::string_view word = first == std::string_view::npos
                                ? ""
                                : rest.substr(first, rest.find_first_of(" |", first) - first);
    if (word == "TRUE") {
      out.push_back(true);
    } else if (word == "FALSE") {
      out.push_back(false);
    } else {
      error = fmt::format("line {}: `IS ALLOWED?` is neither TRUE nor FALSE: '{}'", lineNo,
                          std::string(word.substr(0, 40)));
      return std::nullopt;
    }
  }
  if (out.size() != expected) {
    error = fmt::format("{} `IS ALLOWED?` verdicts for {} traffic objects", out.size(), expected);
    return std::nullopt;
  }
  return out;
}

}  // namespace npf::runner::analyzer
