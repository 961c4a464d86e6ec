#include "cli/known_failures_option.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/load.h"
#include "runner/atomic_file.h"
#include "runner/local/enforcer.h"

namespace npf::cli {

namespace fs = std::filesystem;

void addKnownFailuresOptions(CLI::App& sub, KnownFailuresOptions& o,
                             const std::string& defaultNote) {
  sub.add_option("--known-failures", o.file,
                 "The cells this dataplane is known to fail (one per line: CASE STEP FROM "
                 "TO:PORT/PROTOCOL; docs/enforcers.md): exit 1 only on a new failure or on a "
                 "listed cell that passed. " +
                     defaultNote + "; `none`: every failure counts")
      ->type_name("FILE");
  sub.add_option("--write-known-failures", o.writeFile,
                 "Write every failed cell of this run as a known-failures file")
      ->type_name("FILE");
}

bool loadKnownFailures(KnownFailuresOptions& o, const std::string& defaultFile) {
  o.active = o.file.empty() ? defaultFile : o.file;
  if (o.active == "none") o.active.clear();
  o.entries.clear();
  if (o.active.empty()) return true;
  std::ifstream in(o.active, std::ios::binary);
  if (!in) {
    std::cerr << fmt::format("{}:0:0: cannot read the known-failures file\n", o.active);
    return false;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parsed = results::parseKnownFailures(text, o.active);
  for (const auto& e : parsed.errors) std::cerr << toString(e) << '\n';
  if (!parsed.errors.empty()) return false;
  o.entries = std::move(parsed.entries);
  return true;
}

int finishKnownFailures(const KnownFailuresOptions& o, const results::Results& doc,
                        const RunInfo& info) {
  if (!o.writeFile.empty()) {
    std::string header = fmt::format(
        "Known failures of {} on the {} backend, written by\n  {} --write-known-failures {}\n"
        "on {}. Each line: CASE STEP FROM TO:PORT/PROTOCOL  # signature.",
        info.enforcer.empty() ? info.backend : info.enforcer, info.backend, info.command,
        o.writeFile, info.started);
    if (!runner::writeFileAtomic(o.writeFile, results::renderKnownFailures(doc, header))) {
      std::cerr << "cannot write " << o.writeFile << '\n';
      return kExitInfrastructure;
    }
    std::cout << "known failures written: " << o.writeFile << '\n';
  }
  if (o.active.empty()) return -1;
  auto check = results::checkKnownFailures(doc, o.entries);
  std::cout << results::renderKnownFailureCheck(check, o.active);
  return check.ok() ? kExitOk : kExitDiscrepancies;
}

std::string defaultKnownFailuresFor(const std::string& enforcer) {
  if (enforcer != "kube-router") return "";
  std::string rel = std::string("corpus/findings/kube-router-") +
                    runner::local::kKubeRouterVersion + "/known-failures.txt";
  if (fs::exists(rel)) return rel;
#ifdef NPF_SOURCE_DIR
  if (fs::exists(std::string(NPF_SOURCE_DIR) + "/" + rel))
    return std::string(NPF_SOURCE_DIR) + "/" + rel;
#endif
  return "";
}

}  // namespace npf::cli
