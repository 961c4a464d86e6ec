// `netpolfuzz validate FILE...`: check manifests like the apiserver would.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/load.h"
#include "model/case_file.h"
#include "model/defaults.h"

namespace npf::cli {

namespace {

struct ValidateOptions {
  std::vector<std::string> files;
  bool printDefaulted = false;
};

int runValidate(const ValidateOptions& o) {
  Loaded l = loadCase(o.files);
  // kubectl apply validates fields strictly by default: what the other commands ignore with a
  // warning (an unknown field), the API server rejects.
  for (auto it = l.warnings.begin(); it != l.warnings.end();) {
    if (it->rejectedByStrictValidation) {
      Diagnostic d = *it;
      if (auto at = d.message.rfind(" (ignored)"); at != std::string::npos) d.message.erase(at);
      d.message += "; kubectl apply rejects unknown fields (strict field validation)";
      l.errors.push_back(std::move(d));
      it = l.warnings.erase(it);
    } else {
      ++it;
    }
  }
  printDiagnostics(l);
  if (!l.errors.empty()) return kExitBadInput;
  if (o.printDefaulted) {
    applyDefaults(l.kase);
    std::cout << encodeCase(l.kase);
    return kExitOk;
  }
  const Cluster& c = l.kase.cluster;
  std::cout << "valid: " << c.namespaces.size() << " namespaces, " << c.nodes.size() << " nodes, "
            << c.pods.size() << " pods, " << c.services.size() << " services, " << c.policies.size()
            << " network policies, " << c.clusterPolicies.size() << " cluster-scoped policies, "
            << c.externalHosts.size() << " external hosts, " << l.kase.meta.steps.size()
            << " steps\n";
  return kExitOk;
}

}  // namespace

Command addValidateCommand(CLI::App& app) {
  auto o = std::make_shared<ValidateOptions>();
  CLI::App* sub = app.add_subcommand(
      "validate",
      "Validate case files as `kubectl apply` and the API server would: kubectl's decoding "
      "(YAML 1.1 scalars, JSON, Lists), unknown fields (strict field validation), names, labels, "
      "selectors, ports, CIDRs, ... (judged against the real API server by validation-diff; "
      "docs/validation.md). Exit 0 when all are valid, else 2 with one `file:line:col: message` "
      "line per error.");
  sub->add_option("files", o->files, "Case files (YAML or JSON manifests)")->required();
  sub->add_flag("--print-defaulted", o->printDefaulted,
                "Print the case with the API server's defaults filled in (policyTypes, "
                "protocols, targetPorts, the namespace name label), as `expect` computes on it");
  return {sub, [o] { return runValidate(*o); }};
}

}  // namespace npf::cli
