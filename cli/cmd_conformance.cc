// `netpolfuzz conformance`: runs the enumerated conformance suite (corpus/conformance/) on a
// dataplane and prints per-tag and per-feature pass/fail tables.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "cli/backend_options.h"
#include "cli/commands.h"
#include "cli/known_failures_option.h"
#include "cli/load.h"
#include "cli/session_output.h"
#include "generator/conformance.h"
#include "reports/campaign_summary.h"
#include "runner/campaign_results.h"
#include "runner/kind/crds.h"
#include "runner/session.h"

namespace npf::cli {

namespace fs = std::filesystem;

namespace {

// "a,b" "c" -> {a, b, c}
std::set<std::string> splitTags(const std::vector<std::string>& lists) {
  std::set<std::string> out;
  for (const auto& l : lists) {
    std::stringstream ss(l);
    std::string t;
    while (std::getline(ss, t, ','))
      if (!t.empty()) out.insert(t);
  }
  return out;
}

// A path under corpus/: ./corpus/REL, else the source tree's ("" when neither exists).
std::string corpusPath(const std::string& rel) {
  if (fs::exists("corpus/" + rel)) return "corpus/" + rel;
#ifdef NPF_SOURCE_DIR
  if (fs::exists(std::string(NPF_SOURCE_DIR) + "/corpus/" + rel))
    return std::string(NPF_SOURCE_DIR) + "/corpus/" + rel;
#endif
  return "";
}

// The suite's files: ./corpus/conformance, else the source tree's.
std::string defaultSuiteDir() { return corpusPath("conformance"); }

}  // namespace

Command addConformanceCommand(CLI::App& app) {
  struct Options {
    BackendOptions backend;
    std::vector<std::string> paths;
    std::vector<std::string> include, exclude;
    std::string out = "out/conformance";
    std::string shard;
    bool quiet = false;
    bool timings = false;
    bool list = false;
    std::vector<std::string> reports = {"html", "junit"};  // CI systems pick up JUnit
    KnownFailuresOptions known;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "conformance",
      "Run the conformance suite: every enumerated case (corpus/conformance/: upstream e2e "
      "scenarios, Cyclonus's peer/port/action families, Services, named ports, ipBlocks, nodes, "
      "external hosts, step sequences) on a real dataplane, each cell compared with the oracle. "
      "Prints per-tag (bug class, family) and per-feature pass/fail tables and totals; writes "
      "OUT/results.json and failing cases to OUT/failures/.\n"
      "Exit: 0 all passed (or, with known failures, failed exactly as listed), 1 a case failed "
      "(with known failures: a new failure, or a listed one that passed), 2 bad input or usage, "
      "3 backend failure, 130 interrupted.\nExamples:\n  netpolfuzz conformance\n  netpolfuzz "
      "conformance --include "
      "family:ports,port:named --exclude protocol:sctp\n  netpolfuzz conformance --list --include "
      "NAMED_PORT_RESOLUTION");
  sub->add_option("paths", o->paths,
                  "Case files or directories (default: corpus/conformance, from the current "
                  "directory or the source tree)");
  sub->add_option("--include", o->include,
                  "Run only cases carrying one of these tags (comma-separated, repeatable; e.g. "
                  "family:ports, port:named, ENDPORT_IGNORED, source:upstream-e2e)")
      ->type_name("TAGS");
  sub->add_option("--exclude", o->exclude,
                  "Skip cases carrying one of these tags (comma-separated, repeatable)")
      ->type_name("TAGS");
  sub->add_option("--out,-o", o->out, "Output directory")->capture_default_str();
  sub->add_option("--shard", o->shard,
                  "Run shard I of N (I from 0 to N-1): the selected cases whose position in the "
                  "sorted selection is I modulo N; `netpolfuzz merge` joins the shards' output "
                  "directories")
      ->type_name("I/N");
  sub->add_flag("--list", o->list,
                "List the selected cases and their tags, and exit (no dataplane needed)");
  sub->add_flag("--quiet,-q", o->quiet, "No progress line");
  addReportOption(*sub, o->reports);
  sub->add_flag(
      "--timings", o->timings,
      "Print where the time went, by phase (apply incl. waiting for pods, probe, oracle and diff), "
      "and the convergence time per state");
  addKnownFailuresOptions(*sub, o->known,
                          "Default for the whole suite with --enforcer kube-router: "
                          "corpus/findings/kube-router-v2.1.0/known-failures.txt");
  addBackendOptions(*sub, o->backend);

  return {sub, [o]() {
            BackendOptions& bo = o->backend;
            if (!parseBackendOptions(bo, "conformance")) return kExitBadInput;
            runner::Shard shard;
            if (!parseShardOption(o->shard, "conformance", shard)) return kExitBadInput;
            if (!shard.whole() && o->out == "out/conformance")
              o->out += fmt::format("-shard-{}-of-{}", shard.index, shard.count);
            std::vector<std::string> paths = o->paths;
            if (paths.empty()) {
              std::string dir = defaultSuiteDir();
              if (dir.empty()) {
                std::cerr << "netpolfuzz conformance: corpus/conformance not found; give the "
                             "suite's directory\n";
                return kExitBadInput;
              }
              paths.push_back(dir);
            }
            std::vector<std::string> files;
            for (const auto& p : paths) {
              std::string err;
              auto found = listCaseFiles(p, err);
              if (!err.empty()) {
                std::cerr << err << '\n';
                return kExitBadInput;
              }
              files.insert(files.end(), found.begin(), found.end());
            }
            if (!loadKnownFailures(o->known,
                                   o->paths.empty() ? defaultKnownFailuresFor(bo.enforcer) : ""))
              return kExitBadInput;
            auto include = splitTags(o->include), exclude = splitTags(o->exclude);
            std::vector<runner::SessionCase> selected;
            bool bad = false;
            for (const auto& f : files) {
              Loaded l = loadCase({f});
              if (!l.errors.empty()) {
                printDiagnostics(l);
                bad = true;
                continue;
              }
              const auto& tags = l.kase.meta.tags;
              auto has = [&](const std::set<std::string>& set) {
                return std::any_of(tags.begin(), tags.end(),
                                   [&](const std::string& t) { return set.count(t) > 0; });
              };
              if (!include.empty() && !has(include)) continue;
              if (has(exclude)) continue;
              if (l.kase.meta.name.empty()) l.kase.meta.name = fs::path(f).stem().string();
              runner::SessionCase c;
              // A case whose expectations assume a profile (spec.profile: the cluster-policy
              // family's ties by name, a hairpin under loopback=policy) runs under it, on a
              // fresh cluster, unless --profile/--cni replaces it for every case (as replay).
              if (l.kase.meta.profile && !bo.profileGiven)
                c.settings = runner::RunSettings{*l.kase.meta.profile, bo.faults};
              c.kase = std::move(l.kase);
              c.source = f;
              selected.push_back(std::move(c));
            }
            if (bad) return kExitBadInput;
            if (!runsClusterPolicies(bo)) {
              // Every cell they decide would be a false discrepancy.
              size_t before = selected.size();
              std::erase_if(selected, [](const runner::SessionCase& c) {
                if (!c.kase.cluster.clusterPolicies.empty()) return true;
                return std::any_of(c.kase.meta.steps.begin(), c.kase.meta.steps.end(),
                                   [](const Step& s) { return s.clusterPolicy.has_value(); });
              });
              if (size_t skipped = before - selected.size())
                std::cerr << fmt::format(
                    "netpolfuzz conformance: skipped {} case{} with cluster-scoped policies: {} "
                    "does not enforce them\n",
                    skipped, skipped == 1 ? "" : "s",
                    enforcerDescription(bo).empty() ? "the " + bo.backend + " backend"
                                                    : enforcerDescription(bo));
            }
            if (bo.backend == "kind") {
              // The standard-channel CRDs the kind backend installs refuse these fields: the
              // first such case would stop the run.
              size_t before = selected.size();
              std::erase_if(selected, [](const runner::SessionCase& c) {
                Cluster state = c.kase.cluster;
                if (!runner::kind::experimentalChannelField(state).empty()) return true;
                for (const auto& s : c.kase.meta.steps)
                  if (applyStep(state, s).empty() &&
                      !runner::kind::experimentalChannelField(state).empty())
                    return true;
                return false;
              });
              if (size_t skipped = before - selected.size())
                std::cerr << fmt::format(
                    "netpolfuzz conformance: skipped {} case{} with experimental-channel fields "
                    "(nodes peers, v1alpha1 namedPort) that the kind backend's standard-channel "
                    "CRDs refuse\n",
                    skipped, skipped == 1 ? "" : "s");
            }
            if (selected.empty()) {
              std::cerr << "netpolfuzz conformance: no case selected (check --include/--exclude)\n";
              return kExitBadInput;
            }
            const size_t shardCases = shard.casesOf(selected.size());
            if (o->list) {
              for (size_t i = 0; i < selected.size(); ++i)
                if (shard.has(i))
                  std::cout << fmt::format("{}  [{}]\n", selected[i].source,
                                           fmt::join(selected[i].kase.meta.tags, ", "));
              std::cout << fmt::format("{} cases\n", shardCases);
              return kExitOk;
            }
            if (bo.dryRun) {
              std::vector<std::pair<std::string, Case>> cases;
              for (size_t i = 0; i < selected.size(); ++i)
                if (shard.has(i)) cases.push_back({selected[i].source, selected[i].kase});
              return dryRunCases(bo, cases);
            }
            if (!checkBackendMachine(bo, "conformance")) return kExitInfrastructure;
            if (!createOutputDirectory(o->out)) return kExitInfrastructure;

            RunInfo info;
            info.kind = "conformance";
            info.backend = bo.backend;
            info.enforcer = enforcerDescription(bo);
            info.size = "conformance";
            info.profile = bo.profile;
            info.faults = bo.faults;
            info.started = utcNow();
            info.command = "netpolfuzz conformance";
            for (const auto& p : o->paths) info.command += " " + p;
            if (bo.backend != "local") info.command += " --backend " + bo.backend;
            if (bo.backend == "analyzer") info.command += " --analyzer " + bo.analyzer;
            for (const auto& t : o->include) info.command += " --include " + t;
            for (const auto& t : o->exclude) info.command += " --exclude " + t;
            for (const auto& p : bo.profileSettings) info.command += " --profile " + p;
            for (const auto& f : bo.faults) info.command += " --inject-fault " + f;
            if (bo.enforcer != "nftables") info.command += " --enforcer " + bo.enforcer;
            if (!bo.enforcerCommand.empty())
              info.command += " --enforcer-cmd '" + bo.enforcerCommand + "'";
            if (!shard.whole()) {
              info.command += " --shard " + shard.toString();  // last: `merge` takes it off
              info.shardIndex = shard.index;
              info.shardCount = shard.count;
            }
            info.plannedCases = shardCases;

            bo.logDir = o->out + "/logs";
            MadeBackend made = makeBackend(bo);
            runner::Backend& backend = *made.backend;
            runner::SessionOptions so;
            so.profile = bo.profile;
            so.faults = bo.faults;
            so.check = checkOptions(bo);
            so.stop = &installInterruptHandling();
            std::cout << fmt::format(
                             "netpolfuzz conformance: {} cases{} on the {} backend (run {}){}\n",
                             shardCases,
                             shard.whole() ? ""
                                           : fmt::format(" (shard {} of the {} selected)",
                                                         shard.toString(), selected.size()),
                             bo.backend, made.runId,
                             bo.faults.empty()
                                 ? ""
                                 : fmt::format(", injected fault {}", fmt::join(bo.faults, ",")))
                      << (o->known.active.empty()
                              ? ""
                              : fmt::format("known failures: {} ({} cells)\n", o->known.active,
                                            o->known.entries.size()))
                      << std::flush;

            SessionOutputOptions output;
            output.outDir = o->out;
            output.info = info;
            // A failing case is saved under its path below the suite's directory, '/' made '-'.
            const std::string suiteRoot =
                paths.size() == 1 && fs::is_directory(paths[0]) ? paths[0] : ".";
            output.failureFile = [suiteRoot](const runner::SessionCase& c) {
              std::string rel = fs::relative(c.source, suiteRoot).string();
              std::replace(rel.begin(), rel.end(), '/', '-');
              return "failures/" + rel;
            };
            output.failLine = [](const runner::SessionCase& c, const runner::CaseResult& r,
                                 const std::string&) {
              return fmt::format("{}: {} discrepancies", c.source, r.discrepancies());
            };
            output.quiet = o->quiet;
            output.plannedCases = shardCases;
            output.resultsEverySeconds = 10;  // `netpolfuzz status` follows a long run
            SessionOutput sink(std::move(output));
            runner::ListedCases source(std::move(selected), shard);
            runner::SessionResult result = runner::runSession(backend, source, sink, so);
            backend.tearDown();
            const results::Results doc = sink.finish(result);
            std::cout << renderTagTables(doc);
            std::cout << renderCampaignSummary(doc, o->out);
            if (o->timings) std::cout << renderTimings(doc);
            if (!writeRequestedReports(o->out, o->reports)) return kExitInfrastructure;
            int known = finishKnownFailures(o->known, doc, info);
            if (known == kExitInfrastructure) return known;
            if (!result.backendError.empty()) return kExitInfrastructure;
            if (result.interrupted) return 130;
            if (known >= 0) return known;
            if (result.discrepancies() > 0) return kExitDiscrepancies;
            if (result.interrupted) return 130;
            return kExitOk;
          }};
}

}  // namespace npf::cli
