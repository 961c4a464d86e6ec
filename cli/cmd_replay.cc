// `netpolfuzz replay`: runs saved cases again and says, per recorded discrepancy, whether it
// still reproduces, plus any new discrepancies (runner/replay.h).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/backend_options.h"
#include "cli/commands.h"
#include "cli/load.h"
#include "model/ip.h"
#include "runner/local/local_backend.h"
#include "runner/replay.h"
#include "runner/session.h"

namespace npf::cli {

namespace fs = std::filesystem;

namespace {

// " (recorded on local with fault X; replayed with no fault)": where and under what the case was
// recorded (the local backend's enforcer included), and what it runs under now when that
// differs. `backendNow`, `enforcerNow`: the backend and enforcer (or analyzer) of this replay.
std::string recordedText(const Case& c, const runner::RunSettings& now,
                         const std::string& backendNow, const std::string& enforcerNow) {
  const runner::RunSettings recorded = runner::recordedSettings(c);
  std::string out;
  std::string enforcerThen, backendThen;
  if (c.meta.observed) {
    backendThen = c.meta.observed->backend;
    for (const auto& [k, v] : c.meta.observed->environment)
      if (k == "enforcer") enforcerThen = v;
    out = "recorded on " +
          (c.meta.observed->backend.empty() ? std::string("?") : c.meta.observed->backend);
    if (backendThen == "analyzer" && !enforcerThen.empty())
      out += " (" + enforcerThen + ")";
    else if (!enforcerThen.empty() && enforcerThen != "nftables")  // the default goes unsaid
      out += " with the " + enforcerThen + " enforcer";
    if (auto with = describeRunSettings(recorded); !with.empty()) out += " with " + with;
  }
  if (backendThen == "local" && backendNow == "local" && !enforcerThen.empty() &&
      !enforcerNow.empty() && enforcerThen != enforcerNow)
    out += fmt::format("; replayed on the {} enforcer (--enforcer {} replays on the other)",
                       enforcerNow, enforcerThen.substr(0, enforcerThen.find(' ')));
  if (!(now == recorded)) {
    auto with = describeRunSettings(now);
    out += fmt::format("{}replayed with {}", out.empty() ? "" : "; ",
                       with.empty() ? "the default profile and no fault" : with);
  }
  return out.empty() ? "" : " (" + out + ")";
}

// ", profile ..., faults each case records": what the options say every case runs under.
std::string runSettingsText(const BackendOptions& bo) {
  if (!bo.profileGiven && !bo.faultsGiven)
    return ", each case under the profile and faults it records";
  std::string profile = "the profile each case records";
  if (bo.profileGiven) {
    profile = describeRunSettings({bo.profile, {}});
    if (profile.empty()) profile = "default profile";
  }
  std::string faults = !bo.faultsGiven     ? "the faults each case records"
                       : bo.faults.empty() ? "no injected fault"
                                           : describeRunSettings({Profile{}, bo.faults});
  return ", " + profile + ", " + faults;
}

std::string observedText(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ",") + w;
  return out;
}

// Prints each saved case's verdict (and, unless quiet, what became of every recorded cell and
// the new discrepancies), and counts what the totals line needs.
class ReplayVerdicts : public runner::SessionSink {
 public:
  ReplayVerdicts(bool quiet, std::string backend, std::string enforcer)
      : quiet_(quiet), backend_(std::move(backend)), enforcer_(std::move(enforcer)) {}

  void caseDone(const runner::SessionCase& c, const runner::CaseResult&,
                const runner::ReplayResult* replay, const runner::SessionResult&) override {
    const runner::ReplayResult& r = *replay;  // every case of a replay is a saved one
    std::string recordedWith = recordedText(c.kase, *c.settings, backend_, enforcer_);
    if (!r.run.backendError.empty()) {
      std::cout << fmt::format("{}{}: BACKEND FAILURE: {}\n", c.source, recordedWith,
                               r.run.backendError);
      return;
    }
    size_t recordedDiscrepancies = 0;
    for (const auto& cell : r.recorded) recordedDiscrepancies += cell.wasDiscrepancy;
    recordedTotal += recordedDiscrepancies;
    reproducedTotal += r.reproduced();
    if (r.reproduced() > 0) ++reproducingCases;
    if (!r.fresh.empty()) ++casesWithNew;
    std::string verdict =
        r.reproduced() > 0
            ? fmt::format("REPRODUCED ({} of {} recorded cells)", r.reproduced(), r.recorded.size())
        : r.recorded.empty()
            ? std::string("no recorded discrepancy")
            : fmt::format("NOT REPRODUCED (0 of {} recorded cells)", r.recorded.size());
    if (!r.fresh.empty())
      verdict +=
          fmt::format(", {} NEW discrepanc{}", r.fresh.size(), r.fresh.size() == 1 ? "y" : "ies");
    std::cout << fmt::format("{}{}: {}\n", c.source, recordedWith, verdict);
    if (r.reassignedPods > 0)
      std::cout << fmt::format(
          "  {} pods got other addresses than the case's; {} ipBlock entries re-derived\n",
          r.reassignedPods, r.rederivedIpBlocks);
    if (quiet_) return;
    for (const auto& cell : r.recorded)
      std::cout << fmt::format(
          "  {:<19} step {}: {} -> {}  recorded: expected {}, observed {}{}; now: {}\n",
          toString(cell.outcome), cell.recorded.step, cell.recorded.from, cell.recorded.to,
          cell.recorded.expected, observedText(cell.recorded.observed),
          cell.wasDiscrepancy ? "" : " (flaky)", cell.now);
    size_t shown = 0;
    for (const auto& n : r.fresh) {
      if (shown++ == 10) {
        std::cout << fmt::format("  ... and {} more new discrepancies\n", r.fresh.size() - 10);
        break;
      }
      std::string obs;
      for (const auto& a : n.cell.attempts)
        obs += (obs.empty() ? "" : ",") + std::string(toString(a.kind));
      std::cout << fmt::format(
          "  {:<19} step {}: {} -> {}  expected {}, observed {}\n    signature: {}\n", "new",
          n.step, toString(n.cell.probe.from), toString(n.cell.probe.target),
          n.cell.expected ? toString(*n.cell.expected) : "skip", obs, n.cell.signature);
    }
  }

  size_t reproducingCases = 0, casesWithNew = 0, recordedTotal = 0, reproducedTotal = 0;

 private:
  bool quiet_;
  std::string backend_, enforcer_;
};

}  // namespace

Command addReplayCommand(CLI::App& app) {
  struct Options {
    BackendOptions backend;
    std::vector<std::string> paths;
    std::string podIpRange;
    bool quiet = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "replay",
      "Run saved cases again (failing cases written by fuzz, conformance or minimize; "
      "corpus/regressions/) and report, per discrepancy recorded in the case's spec.observed, "
      "whether it still reproduces: same cell, same step, the oracle still expects the same "
      "verdict and the backend still disagrees. Discrepancies not recorded are reported as new. "
      "ipBlocks derived from pod addresses (annotation netpolfuzz.io/ipblock-sources) are "
      "re-derived when the cluster gives pods other addresses.\n"
      "Each case runs under the profile (spec.profile) and injected faults (spec.observed.faults) "
      "it records; --profile/--cni and --inject-fault replace them for every case "
      "(--inject-fault none: against the correct dataplane).\n"
      "The local backend needs root (CAP_NET_ADMIN); it creates only network namespaces named "
      "npf-* and removes them at the end.\n"
      "Exit: 0 nothing reproduced and no new discrepancy, 1 a discrepancy reproduced (or a new "
      "one appeared), 2 bad input or usage, 3 backend failure.\n"
      "Examples:\n"
      "  netpolfuzz replay corpus/regressions/33a474b3ec24.yaml\n"
      "  netpolfuzz replay out/fuzz-s1/failures/ --inject-fault none   # without the faults\n"
      "  netpolfuzz replay case.min.yaml --pod-ip-range 10.123.0.0/16   # other pod addresses");
  sub->add_option("paths", o->paths,
                  "Case files or directories (searched recursively for .yaml/.yml/.json)")
      ->required();
  sub->add_option("--pod-ip-range", o->podIpRange,
                  "Local backend: give pods addresses of their own in this IPv4 prefix (same host "
                  "bits) instead of the case's, as a real cluster's IPAM would; derived ipBlocks "
                  "are re-derived")
      ->type_name("CIDR");
  sub->add_flag("--quiet,-q", o->quiet, "Only the per-case verdict lines and the totals");
  addBackendOptions(*sub, o->backend, /*savedCases=*/true);

  return {
      sub, [o]() {
        BackendOptions& bo = o->backend;
        if (!parseBackendOptions(bo, "replay")) return kExitBadInput;
        if (!o->podIpRange.empty()) {
          auto c = parseCidr(o->podIpRange);
          if (!c || c->base.family != IpFamily::V4 || c->prefixLength > 30) {
            std::cerr << fmt::format(
                "netpolfuzz replay: --pod-ip-range: '{}' is not an IPv4 prefix of at most /30\n",
                o->podIpRange);
            return kExitBadInput;
          }
        }
        std::vector<std::string> files;
        for (const auto& p : o->paths) {
          std::string err;
          auto found = listCaseFiles(p, err);
          if (!err.empty()) {
            std::cerr << err << '\n';
            return kExitBadInput;
          }
          files.insert(files.end(), found.begin(), found.end());
        }
        std::vector<runner::SessionCase> cases;
        bool bad = false;
        for (const auto& f : files) {
          Loaded l = loadCase({f});
          if (!l.errors.empty()) {
            printDiagnostics(l);
            bad = true;
            continue;
          }
          if (l.kase.meta.name.empty()) l.kase.meta.name = fs::path(f).stem().string();
          runner::RunSettings rs;
          std::string note;
          if (auto e = savedCaseSettings(bo, l.kase, rs, note); !e.empty()) {
            std::cerr << fmt::format("{}: {}\n", f, e);
            bad = true;
            continue;
          }
          if (!note.empty()) std::cerr << fmt::format("note: {}: {}\n", f, note);
          runner::SessionCase c;
          c.kase = std::move(l.kase);
          c.source = f;
          c.settings = std::move(rs);
          cases.push_back(std::move(c));
        }
        if (bad) return kExitBadInput;
        if (cases.empty()) {
          std::cerr << "netpolfuzz replay: no case files found\n";
          return kExitBadInput;
        }
        if (bo.dryRun) {
          std::vector<std::pair<std::string, Case>> plain;
          for (const auto& c : cases) plain.push_back({c.source, c.kase});
          return dryRunCases(bo, plain);
        }
        if (!checkBackendMachine(bo, "replay")) return kExitInfrastructure;
        // The session's Replayer re-derives ipBlocks itself.
        MadeBackend made = makeBackend(bo, /*rederive=*/false, o->podIpRange);
        runner::Backend& backend = *made.backend;
        runner::SessionOptions so;
        so.check = checkOptions(bo);
        so.stop = &installInterruptHandling();
        const size_t total = cases.size();
        std::cout << fmt::format("netpolfuzz replay: {} case{} on the {} backend (run {}){}{}\n",
                                 total, total == 1 ? "" : "s", bo.backend, made.runId,
                                 runSettingsText(bo),
                                 o->podIpRange.empty() ? "" : ", pod addresses in " + o->podIpRange)
                  << std::flush;

        ReplayVerdicts verdicts(o->quiet, bo.backend, enforcerDescription(bo));
        runner::ListedCases source(std::move(cases));
        runner::SessionResult result = runner::runSession(backend, source, verdicts, so);
        backend.tearDown();
        std::cout << fmt::format(
            "\n{} case{}: {} reproduce ({} of {} recorded discrepancies), {} with new "
            "discrepancies\n",
            total, total == 1 ? "" : "s", verdicts.reproducingCases, verdicts.reproducedTotal,
            verdicts.recordedTotal, verdicts.casesWithNew);
        if (!result.backendError.empty()) return kExitInfrastructure;
        if (verdicts.reproducingCases > 0 || verdicts.casesWithNew > 0) return kExitDiscrepancies;
        if (result.interrupted) return 130;
        return kExitOk;
      }};
}

}  // namespace npf::cli
