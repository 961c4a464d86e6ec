// `netpolfuzz fuzz`: a differential campaign. Generates seeded cases, runs each on a real
// dataplane, compares every probed cell with the oracle, saves failing cases and results.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <regex>
#include <set>

#include "cli/backend_options.h"
#include "cli/commands.h"
#include "cli/known_failures_option.h"
#include "cli/load.h"
#include "cli/report_files.h"
#include "cli/session_output.h"
#include "reports/campaign_summary.h"
#include "runner/campaign_results.h"
#include "runner/local/local_backend.h"
#include "runner/local/run_state.h"
#include "runner/minimize.h"
#include "runner/replay.h"
#include "runner/session.h"

namespace npf::cli {

namespace fs = std::filesystem;

namespace {

// "90s", "10m", "1h30m", "2h", or plain seconds; nullopt when malformed or zero.
std::optional<double> parseDuration(const std::string& s) {
  static const std::regex re(R"(^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$)");
  std::smatch m;
  if (s.empty() || !std::regex_match(s, m, re)) return std::nullopt;
  double total = 0;
  if (m[1].matched) total += 3600.0 * std::stod(m[1]);
  if (m[2].matched) total += 60.0 * std::stod(m[2]);
  if (m[3].matched) total += std::stod(m[3]);
  if (total <= 0) return std::nullopt;
  return total;
}

std::string shellWord(const std::string& s) {
  bool plain =
      !s.empty() && s.find_first_not_of(
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,") ==
                        std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `fuzz --minimize`: the first failing case of each distinct signature, minimized on the
// same backend, written to OUT/minimized/HASH.yaml; what was written, for results.json.
std::vector<results::MinimizedRecord> minimizeFindings(
    runner::Backend& backend, const runner::GeneratedCases& cases, const runner::SessionOptions& so,
    const RunInfo& info, const runner::SessionResult& result, const std::string& out,
    double seconds, bool quiet) {
  std::set<std::string> seen;
  std::vector<results::MinimizedRecord> written;
  runner::CaseRunner caseRunner(backend, so.profile, so.check);
  std::error_code ec;
  fs::create_directories(fs::path(out) / "minimized", ec);
  for (const auto& cr : result.cases) {
    std::string signature;
    for (const auto& st : cr.states)
      for (const auto& cell : st.notable)
        if (signature.empty() && cell.status == runner::CellStatus::Fail)
          signature = cell.signature;
    if (signature.empty() || !seen.insert(signature).second) continue;
    if (so.stop && so.stop->load()) break;
    std::cout << fmt::format("minimizing {} ({})\n", cr.name, signature) << std::flush;
    Case c = cases.caseAt(cr.index);
    runner::MinimizeOptions mo;
    mo.signature = signature;
    mo.maxSeconds = seconds;
    mo.stop = so.stop;
    if (!quiet && isatty(STDERR_FILENO))
      mo.progress = [](const runner::MinimizeProgress& p) {
        std::cerr << fmt::format("\r\033[K  {} trials, {:.0f} s, {}: {}", p.trials, p.seconds,
                                 p.phase, runner::toString(p.size))
                  << std::flush;
      };
    runner::MinimizeResult m = runner::minimizeCase(caseRunner, so.profile, c, mo);
    if (mo.progress) std::cerr << "\r\033[K" << std::flush;
    if (!m.backendError.empty()) {
      std::cout << fmt::format("  backend failure while minimizing: {}\n", m.backendError);
      break;
    }
    if (!m.verified) {
      std::cout << fmt::format("  did not reproduce on a fresh cluster; not minimized\n");
      continue;
    }
    Case saved = runner::caseWithObservation(m.minimized, m.finalRun, info);
    const std::string file = "minimized/" + runner::caseContentHash(saved) + ".yaml";
    const std::string path = (fs::path(out) / file).string();
    if (!writeFileAtomic(path, encodeCase(saved))) {
      std::cerr << fmt::format("{}:0:0: cannot write minimized case\n", path);
      continue;
    }
    const runner::CaseSize& a = m.after;
    written.push_back({signature, file, cr.name, runner::toString(a),
                       a.namespaces + a.nodes + a.pods + a.services + a.policies + a.rules +
                           a.peers + a.ports + a.steps + a.externalHosts});
    std::cout << fmt::format("  {} -> {} in {:.1f} s ({} trials){}: {}\n",
                             runner::toString(m.before), runner::toString(m.after), m.seconds,
                             m.trials, m.capped ? ", time limit reached" : "", path);
  }
  caseRunner.tearDown();
  return written;
}

}  // namespace

Command addFuzzCommand(CLI::App& app) {
  struct Options {
    BackendOptions backend;
    KnownFailuresOptions known;
    std::optional<uint64_t> seed;
    size_t cases = 100;
    bool casesGiven = false;
    std::string duration;
    uint64_t firstIndex = 0;
    std::string shard;
    std::string size = "small";
    std::string weights;
    std::string out;
    bool listFaults = false;
    bool quiet = false;
    bool timings = false;
    size_t maxFailures = 0;
    bool minimize = false;
    bool noMinimize = false;
    double minimizeSeconds = 120;
    std::vector<std::string> reports;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "fuzz",
      "Run a differential fuzz campaign: generate seeded random cases, set each case's cluster "
      "up on a real dataplane (reusing it between cases when nodes and external hosts allow), "
      "apply every step, probe every cell with real packets, compare with the oracle, re-probe "
      "disagreeing cells, save failing cases to OUT/failures/ and results to "
      "OUT/results.json.\nThe local backend needs root (CAP_NET_ADMIN), iproute2, nftables and "
      "containernetworking-plugins; it creates only network namespaces named npf-* and removes "
      "them at the end, on SIGINT/SIGTERM, or at the next run after a crash.\n"
      "Exit: 0 no discrepancies, 1 discrepancies, 2 bad usage, 3 backend failure, 130 "
      "interrupted.\nExample: netpolfuzz fuzz --seed 42 --cases 200 --out out/fuzz");
  sub->add_option("--seed", o->seed,
                  "Campaign seed (default: random; always printed). Case i of a seed is "
                  "always the same case");
  sub->add_option("--cases,-n", o->cases,
                  "Number of cases (default 100; with --duration, a limit too)")
      ->check(CLI::Range(size_t(1), size_t(100000000)))
      ->each([o](const std::string&) { o->casesGiven = true; });
  sub->add_option("--duration", o->duration,
                  "Run until this much time has passed, e.g. 90s, 10m, 1h30m");
  sub->add_option("--first-index", o->firstIndex,
                  "Index of the first case (to resume or re-run a case)")
      ->capture_default_str();
  sub->add_option("--shard", o->shard,
                  "Run shard I of N (I from 0 to N-1, e.g. $JOB_COMPLETION_INDEX/N): the cases "
                  "whose position in the run is I modulo N. The N shards of one --seed and "
                  "--cases together run exactly that campaign's cases, under the same names; "
                  "`netpolfuzz merge` joins their output directories")
      ->type_name("I/N");
  sub->add_option(
         "--size", o->size,
         "Cluster size: small (3x3 pods, 2 nodes), medium (4x4, 3 nodes), large (8x6, 4 nodes)")
      ->check(CLI::IsMember({"small", "medium", "large"}))
      ->capture_default_str();
  sub->add_option("--weights", o->weights,
                  "File of `name: value` lines overriding generator weights (docs/generator.md)");
  sub->add_option("--out,-o", o->out,
                  "Output directory (default out/fuzz-s<SEED>, with --shard "
                  "out/fuzz-s<SEED>-shard-I-of-N)");
  sub->add_flag("--list-faults", o->listFaults,
                "List the fault classes --inject-fault accepts, and exit");
  sub->add_option("--max-failures", o->maxFailures, "Stop after this many failing cases (0: never)")
      ->capture_default_str();
  sub->add_flag("--minimize", o->minimize,
                "At the end, minimize the first failing case of each new discrepancy signature "
                "(delta debugging on the backend) into OUT/minimized/. On by default with "
                "--backend analyzer, where a trial takes milliseconds");
  sub->add_flag("--no-minimize", o->noMinimize, "Do not minimize (--backend analyzer)")
      ->excludes("--minimize");
  sub->add_option("--minimize-seconds", o->minimizeSeconds, "Time limit per minimization")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  addReportOption(*sub, o->reports);
  sub->add_flag(
      "--timings", o->timings,
      "Print where the time went, by phase (apply incl. waiting for pods, probe, oracle and diff), "
      "and the convergence time per state");
  addKnownFailuresOptions(*sub, o->known,
                          "A seeded campaign's cases are the same every run, so their failures "
                          "can be listed too. Default: none");
  addBackendOptions(*sub, o->backend);
  sub->add_flag("--quiet,-q", o->quiet, "No progress line");

  return {
      sub, [o]() {
        if (o->listFaults) {
          for (const auto& f : runner::local::LocalBackend::supportedFaults())
            std::cout << fmt::format("{:<24} {}\n", f,
                                     runner::local::LocalBackend::describeFault(f));
          return kExitOk;
        }
        BackendOptions& bo = o->backend;
        if (!parseBackendOptions(bo, "fuzz")) return kExitBadInput;
        if (!loadKnownFailures(o->known, "")) return kExitBadInput;
        GeneratorWeights weights;
        if (!o->weights.empty() && !loadWeightsFile(o->weights, weights)) return kExitBadInput;
        if (weights.clusterPolicies < 0 && !generatesClusterPolicies(bo)) {
          // The rest of each case stays as the seed gives it (a stream of their own).
          weights.clusterPolicies = 0;
          std::cerr << fmt::format(
              "netpolfuzz fuzz: no cluster-scoped policies generated for {} (not enforced, or "
              "not verified here); a weights file with `clusterPolicies: N` asks for them\n",
              enforcerDescription(bo).empty() ? "the " + bo.backend + " backend"
                                              : enforcerDescription(bo));
        }
        runner::SessionOptions so;
        so.profile = bo.profile;
        so.check = checkOptions(bo);
        so.maxFailingCases = o->maxFailures;
        size_t count = o->cases;  // 0: until the duration runs out
        if (!o->duration.empty()) {
          auto d = parseDuration(o->duration);
          if (!d) {
            std::cerr << fmt::format(
                "netpolfuzz fuzz: --duration: '{}' is not a duration like 90s, 10m, 1h30m\n",
                o->duration);
            return kExitBadInput;
          }
          so.durationSeconds = *d;
          count = o->casesGiven ? o->cases : 0;
        }
        runner::Shard shard;
        if (!parseShardOption(o->shard, "fuzz", shard)) return kExitBadInput;
        if (!o->shard.empty() && !o->seed) {
          // Random seeds would make every shard a different campaign.
          std::cerr << "netpolfuzz fuzz: --shard needs --seed (every shard must run the same "
                       "campaign)\n";
          return kExitBadInput;
        }
        const uint64_t seed = o->seed ? *o->seed : std::random_device{}();
        const ClusterSize size = o->size == "large"    ? ClusterSize::Large
                                 : o->size == "medium" ? ClusterSize::Medium
                                                       : ClusterSize::Small;
        runner::GeneratedCases source(seed, o->firstIndex, count, size, weights, shard);
        std::string out = o->out;
        if (out.empty())
          out = shard.whole()
                    ? fmt::format("out/fuzz-s{}", seed)
                    : fmt::format("out/fuzz-s{}-shard-{}-of-{}", seed, shard.index, shard.count);
        if (bo.dryRun) {
          if (count == 0) {
            std::cerr << "netpolfuzz fuzz: --dry-run needs --cases N\n";
            return kExitBadInput;
          }
          std::vector<std::pair<std::string, Case>> cases;
          while (auto c = source.next())
            cases.push_back({fmt::format("seed {} index {}", seed, c->index), std::move(c->kase)});
          return dryRunCases(bo, cases);
        }
        if (!checkBackendMachine(bo, "fuzz")) return kExitInfrastructure;
        if (!createOutputDirectory(out)) return kExitInfrastructure;

        RunInfo info;
        info.backend = bo.backend;
        info.enforcer = enforcerDescription(bo);
        info.seed = seed;
        info.size = o->size;
        info.profile = bo.profile;
        info.faults = bo.faults;
        info.started = utcNow();
        info.command = fmt::format("netpolfuzz fuzz --backend {} --seed {} --size {}", bo.backend,
                                   seed, o->size);
        if (bo.backend == "analyzer") info.command += " --analyzer " + bo.analyzer;
        if (count) info.command += fmt::format(" --cases {}", count);
        if (so.durationSeconds > 0) info.command += " --duration " + shellWord(o->duration);
        if (o->maxFailures) info.command += fmt::format(" --max-failures {}", o->maxFailures);
        if (o->firstIndex) info.command += fmt::format(" --first-index {}", o->firstIndex);
        if (!o->weights.empty()) info.command += " --weights " + shellWord(o->weights);
        if (bo.backend == "kind" && !bo.context.empty())
          info.command += " --context " + shellWord(bo.context);
        if (!bo.cni.empty()) info.command += " --cni " + bo.cni;
        for (const auto& p : bo.profileSettings) info.command += " --profile " + shellWord(p);
        for (const auto& f : bo.faults) info.command += " --inject-fault " + shellWord(f);
        if (bo.enforcer != "nftables") info.command += " --enforcer " + bo.enforcer;
        if (!bo.enforcerCommand.empty())
          info.command += " --enforcer-cmd " + shellWord(bo.enforcerCommand);
        if (!shard.whole()) {
          info.command += " --shard " + shard.toString();  // last: `merge` takes it off
          info.shardIndex = shard.index;
          info.shardCount = shard.count;
        }
        info.plannedCases = source.count();
        info.plannedSeconds = so.durationSeconds;

        bo.logDir = out + "/logs";
        MadeBackend made = makeBackend(bo);
        runner::Backend& backend = *made.backend;
        so.stop = &installInterruptHandling();

        std::cout << fmt::format(
            "netpolfuzz fuzz: seed {}, {} {} cases{}{}, backend {} (run {}){}\n", seed,
            count ? fmt::format("{}", source.count()) : std::string("unlimited"), o->size,
            shard.whole() ? ""
                          : fmt::format(" (shard {} of {}: positions {} mod {})", shard.index,
                                        shard.count, shard.index, shard.count),
            so.durationSeconds > 0 ? ", for " + o->duration : "", bo.backend, made.runId,
            bo.faults.empty() ? "" : fmt::format(", injected fault {}", fmt::join(bo.faults, ",")));
        std::cout << "reproduce: " << info.command << "\n" << std::flush;

        SessionOutputOptions output;
        output.outDir = out;
        output.info = info;
        output.failureFile = [](const runner::SessionCase& c) {
          return "failures/" + c.kase.meta.name + ".yaml";
        };
        output.failLine = [out](const runner::SessionCase& c, const runner::CaseResult& r,
                                const std::string& saved) {
          return fmt::format("{}: {} discrepancies -> {}/{}", c.kase.meta.name, r.discrepancies(),
                             out, saved);
        };
        output.resultsEverySeconds = 10;  // a long campaign's results survive a crash
        output.quiet = o->quiet;
        output.plannedCases = source.count();
        output.durationSeconds = so.durationSeconds;
        SessionOutput sink(std::move(output));
        runner::SessionResult result = runner::runSession(backend, source, sink, so);
        backend.tearDown();
        results::Results doc = sink.finish(result);
        std::cout << renderCampaignSummary(doc, out);
        if (o->timings) std::cout << renderTimings(doc);
        const bool minimize = o->minimize || (bo.backend == "analyzer" && !o->noMinimize);
        if (minimize && result.discrepancies() > 0 && result.backendError.empty() &&
            !so.stop->load()) {
          doc.minimized = minimizeFindings(backend, source, so, info, result, out,
                                           o->minimizeSeconds, o->quiet);
          if (!doc.minimized.empty()) sink.rewrite(doc);
        }
        if (!writeRequestedReports(out, o->reports)) return kExitInfrastructure;
        int known = finishKnownFailures(o->known, doc, info);
        if (known == kExitInfrastructure) return known;
        if (!result.backendError.empty()) return kExitInfrastructure;
        if (known >= 0) return result.interrupted ? 130 : known;
        if (result.discrepancies() > 0) return kExitDiscrepancies;
        if (result.interrupted) return 130;
        return kExitOk;
      }};
}

}  // namespace npf::cli
