// `netpolfuzz explain FILE... --from EP --to EP --port N[/PROTO]`: one probe's verdict and why.
#include <charconv>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/load.h"
#include "model/defaults.h"
#include "oracle/reference.h"

namespace npf::cli {

// "80", "80/UDP", "53/udp": port 1..65535 and an optional protocol (TCP by default).
static std::optional<std::pair<int32_t, Protocol>> parsePortSpec(const std::string& s) {
  auto slash = s.find('/');
  std::string num = s.substr(0, slash);
  int32_t port = 0;
  auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), port);
  if (num.empty() || ec != std::errc() || end != num.data() + num.size() || port < 1 ||
      port > 65535)
    return std::nullopt;
  Protocol proto = Protocol::TCP;
  if (slash != std::string::npos) {
    std::string p = s.substr(slash + 1);
    for (auto& ch : p) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    auto parsed = parseProtocol(p);
    if (!parsed) return std::nullopt;
    proto = *parsed;
  }
  return std::make_pair(port, proto);
}

namespace {

struct ExplainOptions {
  std::vector<std::string> files;
  std::string from, to, port;
  std::vector<std::string> profile;
  size_t step = 0;
};

int runExplain(const ExplainOptions& o) {
  Profile profile;
  if (!parseProfile(o.profile, profile)) return kExitBadInput;
  auto from = parseEndpoint(o.from);
  auto to = parseEndpoint(o.to);
  auto port = parsePortSpec(o.port);
  if (!from)
    std::cerr << "netpolfuzz: --from: '" << o.from
              << "' is not an endpoint (NS/POD, svc/NS/NAME, node/NAME, ip/ADDR)\n";
  if (!to)
    std::cerr << "netpolfuzz: --to: '" << o.to
              << "' is not an endpoint (NS/POD, svc/NS/NAME, node/NAME, ip/ADDR)\n";
  if (!port)
    std::cerr << "netpolfuzz: --port: '" << o.port
              << "' is not PORT[/TCP|UDP|SCTP] with PORT in 1..65535\n";
  if (!from || !to || !port) return kExitBadInput;

  Loaded l = loadCase(o.files);
  printDiagnostics(l);
  if (!l.errors.empty()) return kExitBadInput;
  applyDefaults(l.kase);  // what the API server would hold
  if (o.profile.empty() && l.kase.meta.profile) profile = *l.kase.meta.profile;

  std::vector<Cluster> states = caseStates(l.kase);
  if (o.step >= states.size()) {
    std::cerr << "netpolfuzz: --step: the case has " << states.size() - 1 << " steps\n";
    return kExitBadInput;
  }
  Probe probe{*from, Target{*to, port->first, port->second}};
  Explanation why;
  auto verdict = evaluateProbe(states[o.step], probe, profile, &why);
  std::cout << renderExplanation(probe, verdict, why);
  // A probe that cannot be made (unknown endpoint, no backend) is bad input.
  return verdict ? kExitOk : kExitBadInput;
}

}  // namespace

Command addExplainCommand(CLI::App& app) {
  auto o = std::make_shared<ExplainOptions>();
  CLI::App* sub = app.add_subcommand(
      "explain",
      "Explain one probe's expected verdict: which policies isolate the source (egress) and the "
      "destination (ingress), which rule, peer and port allowed it, or why none did.");
  sub->add_option("files", o->files, "Case files (YAML or JSON manifests)")->required();
  const char* endpointHelp =
      "Endpoint: NS/POD (a pod by its IP), svc/NS/NAME (a Service), node/NAME, ip/ADDR "
      "(an external host), pod/NS/POD (a pod in a namespace named svc, node, ip or pod)";
  sub->add_option("--from", o->from, endpointHelp)->required()->type_name("EP");
  sub->add_option("--to", o->to, endpointHelp)->required()->type_name("EP");
  sub->add_option("--port", o->port,
                  "Destination port and protocol, e.g. 80 or 53/UDP (TCP by default); for a "
                  "Service, the Service port")
      ->required()
      ->type_name("N[/PROTO]");
  addProfileOption(*sub, o->profile, /*savedCaseDefault=*/true);
  sub->add_option(
         "--step", o->step,
         "For a case with steps: explain in the state after step N (0 = the initial state)")
      ->capture_default_str();

  return {sub, [o] { return runExplain(*o); }};
}

}  // namespace npf::cli
