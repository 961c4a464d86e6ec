// `netpolfuzz fuzz`: a differential campaign. Generates seeded cases, runs each on a real
// dataplane, compares every probed cell with the oracle, saves failing cases and results.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <regex>
#include <set>

#include "cli/backend_options.h"
#include "cli/commands.h"
#include "cli/report_files.h"
#include "generator/case_gen.h"
#include "runner/minimize.h"
#include "runner/replay.h"
#include "cli/load.h"
#include "reports/campaign_summary.h"
#include "runner/campaign_results.h"
#include "runner/campaign.h"
#include "runner/local/local_backend.h"
#include "runner/local/run_state.h"

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

std::string utcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string shellWord(const std::string& s) {
  bool plain = !s.empty() && s.find_first_not_of(
                                 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,") ==
                                 std::string::npos;
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `fuzz --minimize`: the first failing case of each distinct signature, minimized on the
// same backend, written to OUT/minimized/HASH.yaml.
void minimizeFindings(runner::Backend& backend, const runner::CampaignOptions& co, const RunInfo& info,
                      const runner::CampaignResult& result, const std::string& out, double seconds, bool quiet) {
  std::set<std::string> seen;
  runner::CaseRunner caseRunner(backend, co.profile, co.check);
  std::error_code ec;
  fs::create_directories(fs::path(out) / "minimized", ec);
  for (const auto& cr : result.cases) {
    std::string signature;
    for (const auto& st : cr.states)
      for (const auto& cell : st.notable)
        if (signature.empty() && cell.status == runner::CellStatus::Fail) signature = cell.signature;
    if (signature.empty() || !seen.insert(signature).second) continue;
    if (co.stop && co.stop->load()) break;
    std::cout << fmt::format("minimizing {} ({})\n", cr.name, signature) << std::flush;
    Case c = generateCase(co.seed, cr.index, co.size, co.weights);
    runner::MinimizeOptions mo;
    mo.signature = signature;
    mo.maxSeconds = seconds;
    mo.stop = co.stop;
    if (!quiet && isatty(STDERR_FILENO))
      mo.progress = [](const runner::MinimizeProgress& p) {
        std::cerr << fmt::format("\r\033[K  {} trials, {:.0f} s, {}: {}", p.trials, p.seconds, p.phase,
                                 runner::toString(p.size))
                  << std::flush;
      };
    runner::MinimizeResult m = runner::minimizeCase(caseRunner, co.profile, c, mo);
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
    std::string path = (fs::path(out) / "minimized" / (runner::caseContentHash(saved) + ".yaml")).string();
    if (!writeFileAtomic(path, encodeCase(saved))) {
      std::cerr << fmt::format("{}:0:0: cannot write minimized case\n", path);
      continue;
    }
    std::cout << fmt::format("  {} -> {} in {:.1f} s ({} trials){}: {}\n", runner::toString(m.before),
                             runner::toString(m.after), m.seconds, m.trials, m.capped ? ", time limit reached" : "",
                             path);
  }
  caseRunner.tearDown();
}

}  // namespace

Command addFuzzCommand(CLI::App& app) {
  struct Options {
    BackendOptions backend;
    std::optional<uint64_t> seed;
    size_t cases = 100;
    bool casesGiven = false;
    std::string duration;
    uint64_t firstIndex = 0;
    std::string size = "small";
    std::string weights;
    std::string out;
    bool listFaults = false;
    bool quiet = false;
    bool timings = false;
    size_t maxFailures = 0;
    bool minimize = false;
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
  sub->add_option("--seed", o->seed, "Campaign seed (default: random; always printed). Case i of a seed is "
                                     "always the same case");
  sub->add_option("--cases,-n", o->cases, "Number of cases (default 100; with --duration, a limit too)")
      ->check(CLI::Range(size_t(1), size_t(100000000)))
      ->each([o](const std::string&) { o->casesGiven = true; });
  sub->add_option("--duration", o->duration, "Run until this much time has passed, e.g. 90s, 10m, 1h30m");
  sub->add_option("--first-index", o->firstIndex, "Index of the first case (to resume or re-run a case)")
      ->capture_default_str();
  sub->add_option("--size", o->size, "Cluster size: small (3x3 pods, 2 nodes), medium (4x4, 3 nodes), large (8x6, 4 nodes)")
      ->check(CLI::IsMember({"small", "medium", "large"}))
      ->capture_default_str();
  sub->add_option("--weights", o->weights, "File of `name: value` lines overriding generator weights (docs/generator.md)");
  sub->add_option("--out,-o", o->out, "Output directory (default out/fuzz-s<SEED>)");
  sub->add_flag("--list-faults", o->listFaults, "List the fault classes --inject-fault accepts, and exit");
  sub->add_option("--max-failures", o->maxFailures, "Stop after this many failing cases (0: never)")
      ->capture_default_str();
  sub->add_flag("--minimize", o->minimize,
                "At the end, minimize the first failing case of each new discrepancy signature "
                "(delta debugging on the backend) into OUT/minimized/");
  sub->add_option("--minimize-seconds", o->minimizeSeconds, "Time limit per minimization")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  addReportOption(*sub, o->reports);
  sub->add_flag("--timings", o->timings,
                "Print where the time went, by phase (apply incl. waiting for pods, probe, oracle and diff), "
                "and the convergence time per state");
  addBackendOptions(*sub, o->backend);
  sub->add_flag("--quiet,-q", o->quiet, "No progress line");

  return {sub, [o]() {
            if (o->listFaults) {
              for (const auto& f : runner::local::LocalBackend::supportedFaults())
                std::cout << fmt::format("{:<24} {}\n", f, runner::local::LocalBackend::describeFault(f));
              return kExitOk;
            }
            BackendOptions& bo = o->backend;
            if (!parseBackendOptions(bo, "fuzz")) return kExitBadInput;
            const Profile& profile = bo.profile;
            runner::CampaignOptions co;
            co.profile = profile;
            if (!o->weights.empty() && !loadWeightsFile(o->weights, co.weights)) return kExitBadInput;
            if (!o->duration.empty()) {
              auto d = parseDuration(o->duration);
              if (!d) {
                std::cerr << fmt::format("netpolfuzz fuzz: --duration: '{}' is not a duration like 90s, 10m, 1h30m\n", o->duration);
                return kExitBadInput;
              }
              co.durationSeconds = *d;
              co.cases = o->casesGiven ? o->cases : 0;
            } else {
              co.cases = o->cases;
            }
            co.seed = o->seed ? *o->seed : std::random_device{}();
            co.firstIndex = o->firstIndex;
            co.size = o->size == "large" ? ClusterSize::Large : o->size == "medium" ? ClusterSize::Medium : ClusterSize::Small;
            co.check = checkOptions(bo);
            co.maxFailingCases = o->maxFailures;
            std::string out = o->out.empty() ? fmt::format("out/fuzz-s{}", co.seed) : o->out;
            if (bo.dryRun) {
              if (co.cases == 0) {
                std::cerr << "netpolfuzz fuzz: --dry-run needs --cases N\n";
                return kExitBadInput;
              }
              std::vector<std::pair<std::string, Case>> cases;
              for (uint64_t i = 0; i < co.cases; ++i)
                cases.push_back({fmt::format("seed {} index {}", co.seed, co.firstIndex + i),
                                 generateCase(co.seed, co.firstIndex + i, co.size, co.weights)});
              return dryRunCases(bo, cases);
            }
            if (!checkBackendMachine(bo, "fuzz")) return kExitInfrastructure;

            std::error_code ec;
            fs::create_directories(fs::path(out) / "failures", ec);
            if (ec) {
              std::cerr << fmt::format("{}:0:0: cannot create directory: {}\n", out, ec.message());
              return kExitInfrastructure;
            }

            RunInfo info;
            info.backend = bo.backend;
            info.seed = co.seed;
            info.size = o->size;
            info.profile = profile;
            info.faults = bo.faults;
            info.started = utcNow();
            info.command = fmt::format("netpolfuzz fuzz --backend {} --seed {} --size {}", bo.backend, co.seed, o->size);
            if (co.cases) info.command += fmt::format(" --cases {}", co.cases);
            if (co.durationSeconds > 0) info.command += " --duration " + shellWord(o->duration);
            if (o->maxFailures) info.command += fmt::format(" --max-failures {}", o->maxFailures);
            if (co.firstIndex) info.command += fmt::format(" --first-index {}", co.firstIndex);
            if (!o->weights.empty()) info.command += " --weights " + shellWord(o->weights);
            if (bo.backend == "kind" && !bo.context.empty()) info.command += " --context " + shellWord(bo.context);
            if (!bo.cni.empty()) info.command += " --cni " + bo.cni;
            for (const auto& p : bo.profileSettings) info.command += " --profile " + shellWord(p);
            for (const auto& f : bo.faults) info.command += " --inject-fault " + shellWord(f);

            MadeBackend made = makeBackend(bo);
            runner::Backend& backend = *made.backend;
            co.stop = &installInterruptHandling();

            std::cout << fmt::format("netpolfuzz fuzz: seed {}, {} {} cases{}, backend {} (run {}){}\n", co.seed,
                                     co.cases ? fmt::format("{}", co.cases) : std::string("unlimited"), o->size,
                                     co.durationSeconds > 0 ? ", for " + o->duration : "", bo.backend, made.runId,
                                     bo.faults.empty() ? "" : fmt::format(", injected fault {}", fmt::join(bo.faults, ",")));
            std::cout << "reproduce: " << info.command << "\n" << std::flush;

            const bool tty = isatty(STDERR_FILENO) && !o->quiet;
            std::vector<std::string> files;
            auto lastWrite = std::chrono::steady_clock::now();
            auto lastLine = lastWrite;
            bool writeFailed = false;
            auto writeResults = [&](const results::Results& doc) {
              if (!writeFileAtomic((fs::path(out) / "results.json").string(), results::renderJson(doc)) &&
                  !writeFailed) {
                writeFailed = true;
                std::cerr << fmt::format("{}/results.json:0:0: cannot write results\n", out);
              }
            };
            auto observer = [&](const Case& c, const runner::CaseResult& r, const runner::CampaignResult& sofar) {
              std::string file;
              if (r.discrepancies() > 0) {
                file = "failures/" + c.meta.name + ".yaml";
                if (!writeFileAtomic((fs::path(out) / file).string(), encodeCase(runner::caseWithObservation(c, r, info))))
                  std::cerr << fmt::format("{}/{}:0:0: cannot write failing case\n", out, file);
              }
              files.push_back(file);
              auto now = std::chrono::steady_clock::now();
              if (now - lastWrite > std::chrono::seconds(10)) {
                writeResults(runner::toResults(sofar, info, files));
                lastWrite = now;
              }
              if (tty) {
                if (r.discrepancies() > 0)
                  std::cerr << fmt::format("\r\033[KFAIL {}: {} discrepancies -> {}/{}\n", c.meta.name,
                                           r.discrepancies(), out, file);
                std::cerr << "\r\033[K" << renderProgressLine(runner::toTotals(sofar), sofar.seconds, co.cases, co.durationSeconds)
                          << std::flush;
              } else if (!o->quiet) {
                if (r.discrepancies() > 0)
                  std::cerr << fmt::format("FAIL {}: {} discrepancies -> {}/{}\n", c.meta.name, r.discrepancies(),
                                           out, file);
                if (now - lastLine > std::chrono::seconds(10)) {
                  std::cerr << renderProgressLine(runner::toTotals(sofar), sofar.seconds, co.cases, co.durationSeconds)
                            << '\n';
                  lastLine = now;
                }
              }
            };
            runner::CampaignResult result = runner::runCampaign(backend, co, observer);
            backend.tearDown();
            if (tty) std::cerr << "\r\033[K" << std::flush;
            const results::Results doc = runner::toResults(result, info, files);
            writeResults(doc);
            std::cout << renderCampaignSummary(doc, out);
            if (o->timings) std::cout << renderTimings(doc);
            if (o->minimize && result.discrepancies() > 0 && result.backendError.empty() && !co.stop->load())
              minimizeFindings(backend, co, info, result, out, o->minimizeSeconds, o->quiet);
            if (!writeRequestedReports(out, o->reports)) return kExitInfrastructure;
            if (!result.backendError.empty()) return kExitInfrastructure;
            if (result.discrepancies() > 0) return kExitDiscrepancies;
            if (result.interrupted) return 130;
            return kExitOk;
          }};
}

}  // namespace npf::cli
