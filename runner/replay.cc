#include "runner/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "generator/policy_gen.h"
#include "model/case_file.h"
#include "model/content_hash.h"
#include "model/ip.h"

namespace npf::runner {
namespace {

std::optional<std::vector<NetworkPolicyRule>>& section(NetworkPolicy& p, PolicyType d) {
  return d == PolicyType::Ingress ? p.ingress : p.egress;
}

// The ipBlock a source line names, if the policy still has it.
IPBlock* blockOf(NetworkPolicy& p, const IpBlockSource& s) {
  auto& rules = section(p, s.direction);
  if (!rules || s.rule >= rules->size()) return nullptr;
  auto& peers = (*rules)[s.rule].peers;
  if (!peers || s.peer >= peers->size() || !(*peers)[s.peer].ipBlock) return nullptr;
  return &*(*peers)[s.peer].ipBlock;
}

std::string* fieldOf(NetworkPolicy& p, const IpBlockSource& s) {
  IPBlock* b = blockOf(p, s);
  if (!b) return nullptr;
  if (!s.except) return &b->cidr;
  return *s.except < b->except.size() ? &b->except[*s.except] : nullptr;
}

std::string cidrOf(const std::string& ip, int prefix) {
  auto c = parseCidr(ip + "/" + std::to_string(prefix));
  return c ? toString(*c) : "";
}

std::string firstAddress(const Pod& p) {
  if (!p.podIP.empty()) return p.podIP;
  return p.podIPs.empty() ? "" : p.podIPs.front();
}

}  // namespace

std::string toString(const IpBlockSource& s) {
  bool in = s.direction == PolicyType::Ingress;
  return fmt::format("spec.{}[{}].{}[{}].ipBlock.{}={}/{}", in ? "ingress" : "egress", s.rule,
                     in ? "from" : "to", s.peer,
                     s.except ? fmt::format("except[{}]", *s.except) : std::string("cidr"),
                     s.source, s.prefix);
}

std::optional<IpBlockSource> parseIpBlockSource(const std::string& line) {
  static const std::regex re(
      R"(^spec\.(ingress|egress)\[(\d+)\]\.(from|to)\[(\d+)\]\.ipBlock\.(?:cidr|except\[(\d+)\])=((?:pod|node|ip):.+)/(\d+)$)");
  std::smatch m;
  if (!std::regex_match(line, m, re)) return std::nullopt;
  IpBlockSource s;
  s.direction = m[1] == "ingress" ? PolicyType::Ingress : PolicyType::Egress;
  if ((s.direction == PolicyType::Ingress) != (m[3] == "from")) return std::nullopt;
  try {
    s.rule = std::stoul(m[2]);
    s.peer = std::stoul(m[4]);
    if (m[5].matched) s.except = std::stoul(m[5]);
    s.source = m[6];
    s.prefix = std::stoi(m[7]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (s.prefix < 0 || s.prefix > 128) return std::nullopt;
  return s;
}

std::vector<IpBlockSource> ipBlockSources(const NetworkPolicy& p) {
  std::vector<IpBlockSource> out;
  auto it = p.meta.annotations.find(kIpBlockSourcesAnnotation);
  if (it == p.meta.annotations.end()) return out;
  std::istringstream in(it->second);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (auto s = parseIpBlockSource(line)) out.push_back(*s);
  }
  return out;
}

void setIpBlockSources(NetworkPolicy& p, const std::vector<IpBlockSource>& sources) {
  if (sources.empty()) {
    p.meta.annotations.erase(kIpBlockSourcesAnnotation);
    return;
  }
  std::string text;
  for (const auto& s : sources) text += toString(s) + "\n";
  p.meta.annotations[kIpBlockSourcesAnnotation] = text;
}

std::optional<std::string> sourceAddress(const Cluster& c, const std::string& source, bool ipv6) {
  auto pick = [&](const std::vector<std::string>& addresses) -> std::optional<std::string> {
    for (const auto& a : addresses)
      if (auto ip = parseIp(a); ip && (ip->family == IpFamily::V6) == ipv6) return a;
    return std::nullopt;
  };
  if (source.rfind("pod:", 0) == 0) {
    std::string rest = source.substr(4);
    auto slash = rest.find('/');
    if (slash == std::string::npos) return std::nullopt;
    const Pod* p = c.findPod(rest.substr(0, slash), rest.substr(slash + 1));
    if (!p || p->hostNetwork) return std::nullopt;
    std::vector<std::string> all;
    if (!p->podIP.empty()) all.push_back(p->podIP);
    all.insert(all.end(), p->podIPs.begin(), p->podIPs.end());
    return pick(all);
  }
  if (source.rfind("node:", 0) == 0) {
    const Node* n = c.findNode(source.substr(5));
    return n ? pick(n->internalIPs) : std::nullopt;
  }
  if (source.rfind("ip:", 0) == 0) {
    for (const auto& h : c.externalHosts)
      if (h.name == source.substr(3)) return pick({h.ip});
  }
  return std::nullopt;
}

NetworkPolicy rederiveIpBlocks(const NetworkPolicy& in, const Cluster& declared,
                               const Cluster& actual, size_t* changed, size_t* dropped) {
  NetworkPolicy p = in;
  std::vector<IpBlockSource> sources = ipBlockSources(p);
  std::set<std::tuple<PolicyType, size_t, size_t>> touched;
  for (const auto& s : sources) {
    std::string* field = fieldOf(p, s);
    if (!field) continue;
    auto current = parseCidr(*field);
    if (!current) continue;
    bool v6 = current->base.family == IpFamily::V6;
    auto was = sourceAddress(declared, s.source, v6);
    auto now = sourceAddress(actual, s.source, v6);
    if (!was || !now || parseIp(*was) == parseIp(*now)) continue;
    std::string next = cidrOf(*now, s.prefix);
    if (next.empty() || next == *field) continue;
    *field = next;
    touched.insert({s.direction, s.rule, s.peer});
    if (changed) ++*changed;
  }
  // An except entry must stay a strict subset of its cidr.
  for (const auto& [dir, rule, peer] : touched) {
    IpBlockSource at{dir, rule, peer, std::nullopt, "", 0};
    IPBlock* b = blockOf(p, at);
    auto outer = b ? parseCidr(b->cidr) : std::nullopt;
    if (!outer) continue;
    for (size_t e = b->except.size(); e-- > 0;) {
      auto inner = parseCidr(b->except[e]);
      if (inner && outer->contains(*inner) && inner->prefixLength > outer->prefixLength) continue;
      b->except.erase(b->except.begin() + long(e));
      if (dropped) ++*dropped;
      std::vector<IpBlockSource> kept;
      for (auto s : sources) {
        if (s.direction == dir && s.rule == rule && s.peer == peer && s.except) {
          if (*s.except == e) continue;
          if (*s.except > e) --*s.except;
        }
        kept.push_back(s);
      }
      sources = kept;
      setIpBlockSources(p, sources);
    }
  }
  return p;
}

Cluster rederiveIpBlocks(const Cluster& desired, const Cluster& actual, size_t* changed) {
  Cluster out = desired;
  for (auto& p : out.policies) p = rederiveIpBlocks(p, desired, actual, changed);
  return out;
}

Case rederiveIpBlocks(const Case& c, const Cluster& actual, size_t* changed) {
  Case out = c;
  out.cluster = rederiveIpBlocks(c.cluster, actual, changed);
  Cluster state = c.cluster;
  for (size_t i = 0; i < out.meta.steps.size(); ++i) {
    Step& s = out.meta.steps[i];
    if (s.policy) s.policy = rederiveIpBlocks(*s.policy, state, actual, changed);
    applyStep(state, c.meta.steps[i]);
  }
  return out;
}

size_t podsWithOtherAddresses(const Cluster& declared, const Cluster& actual) {
  size_t n = 0;
  for (const auto& p : declared.pods) {
    const Pod* a = actual.findPod(p.meta.namespace_, p.meta.name);
    if (!a || p.hostNetwork) continue;
    std::string was = firstAddress(p);
    if (was.empty() || firstAddress(*a).empty()) continue;
    auto w = parseIp(was);
    // The backend may list another family first (the local one lists IPv4 first).
    auto same = sourceAddress(actual, "pod:" + p.meta.namespace_ + "/" + p.meta.name,
                              w && w->family == IpFamily::V6);
    if (!same || parseIp(*same) != w) ++n;
  }
  return n;
}

std::string RederivingBackend::setUp(const Cluster& desired) {
  rederived_ = reassigned_ = 0;
  Cluster first = desired;
  std::erase_if(first.policies, [](const NetworkPolicy& p) { return !ipBlockSources(p).empty(); });
  if (first.policies.size() == desired.policies.size()) {
    std::string err = inner_.setUp(desired);
    if (err.empty()) reassigned_ = podsWithOtherAddresses(desired, inner_.actual());
    return err;
  }
  // The pods get their addresses first; the policies derived from them come next.
  if (auto e = inner_.setUp(first); !e.empty()) return e;
  return applyRederived(desired);
}

std::string RederivingBackend::reconcile(const Cluster& desired) { return applyRederived(desired); }

std::string RederivingBackend::applyRederived(const Cluster& desired) {
  size_t changed = 0;
  Cluster want = rederiveIpBlocks(desired, inner_.actual(), &changed);
  if (auto e = inner_.reconcile(want); !e.empty()) return e;
  // Pods this reconcile created may be sources of derived ipBlocks.
  for (int round = 0; round < 2; ++round) {
    size_t again = 0;
    Cluster next = rederiveIpBlocks(desired, inner_.actual(), &again);
    changed = again;
    if (next.policies == want.policies) break;
    want = std::move(next);
    if (auto e = inner_.reconcile(want); !e.empty()) return e;
  }
  rederived_ = changed;
  reassigned_ = podsWithOtherAddresses(desired, inner_.actual());
  return "";
}

const char* toString(RecordedCellReplay::Outcome o) {
  using O = RecordedCellReplay::Outcome;
  switch (o) {
    case O::Reproduced:
      return "reproduced";
    case O::Agrees:
      return "agrees";
    case O::ExpectationChanged:
      return "expectation changed";
    case O::Flaky:
      return "flaky";
    case O::NotProbed:
      return "not probed";
    case O::Error:
      return "error";
  }
  return "?";
}

size_t ReplayResult::reproduced() const {
  size_t n = 0;
  for (const auto& r : recorded) n += r.outcome == RecordedCellReplay::Outcome::Reproduced;
  return n;
}

RunSettings recordedSettings(const Case& c) {
  RunSettings s;
  if (c.meta.profile) s.profile = *c.meta.profile;
  if (c.meta.observed) s.faults = c.meta.observed->faults;
  return s;
}

Replayer::Replayer(Backend& backend, CheckOptions options)
    : backend_(backend), runner_(backend_, Profile{}, options) {}

namespace {

const char* expectedWord(std::optional<Verdict> v) { return toString(expectedOf(v)); }

// Every recorded attempt disagreed with the recorded expectation.
bool recordedAsDiscrepancy(const ObservedCell& c) {
  if (c.observed.empty()) return false;
  for (const auto& o : c.observed) {
    auto expected = expectedFromWord(c.expected);
    auto seen = observedFromWord(o);
    if (expected == Expected::Deny && seen != Observed::Connected) return false;
    if (expected == Expected::Allow && (seen == Observed::Connected || seen == Observed::Error))
      return false;
    if (expected != Expected::Deny && expected != Expected::Allow) return false;
  }
  return true;
}

std::string describe(const CellOutcome& o) {
  std::string obs;
  for (const auto& a : o.attempts) obs += (obs.empty() ? "" : ",") + std::string(toString(a.kind));
  return fmt::format("expected {}, observed {}", expectedWord(o.expected), obs);
}

}  // namespace

ReplayResult Replayer::replay(const Case& c, const RunSettings& settings) {
  ReplayResult out;
  runner_.tearDown();  // a saved case must reproduce on its own, not thanks to the previous one
  if (auto e = backend_.configure(settings); !e.empty()) {
    out.run.backendError = e;
    return out;
  }
  runner_.setProfile(settings.profile);
  out.run = runner_.run(c);
  out.reassignedPods = backend_.reassignedPods();
  out.rederivedIpBlocks = backend_.rederived();
  using O = RecordedCellReplay::Outcome;
  std::set<std::tuple<size_t, std::string, std::string>> recorded;
  if (c.meta.observed) {
    for (const auto& cell : c.meta.observed->cells) {
      recorded.insert({cell.step, cell.from, cell.to});
      RecordedCellReplay r;
      r.recorded = cell;
      r.wasDiscrepancy = recordedAsDiscrepancy(cell);
      r.outcome = O::NotProbed;
      r.now = "not probed";
      const StateResult* state = nullptr;
      for (const auto& s : out.run.states)
        if (s.step == cell.step) state = &s;
      if (state) {
        const CellOutcome* hit = nullptr;
        for (const auto& o : state->notable)
          if (toString(o.probe.from) == cell.from && toString(o.probe.target) == cell.to) hit = &o;
        if (hit) {
          r.now = describe(*hit);
          bool sameExpectation = expectedWord(hit->expected) == cell.expected;
          switch (hit->status) {
            case CellStatus::Fail:
              r.outcome = sameExpectation ? O::Reproduced : O::ExpectationChanged;
              break;
            case CellStatus::Flaky:
              r.outcome = O::Flaky;
              break;
            default:
              r.outcome = O::Error;
              break;
          }
        } else {
          // Not notable: it passed (or was skipped / undefined) if it was probed at all.
          size_t i = 0;
          state->probeSet.forEach([&](const Probe& p) {
            if (toString(p.from) == cell.from && toString(p.target) == cell.to &&
                i < state->expectedCells.size()) {
              std::string want =
                  toString(expectedFromSymbol(state->expectedCells[i]).value_or(Expected::Skip));
              auto seen = i < state->observedCells.size()
                              ? observedFromSymbol(state->observedCells[i])
                              : std::nullopt;
              r.now = fmt::format("expected {}, observed {}", want, seen ? toString(*seen) : "?");
              r.outcome = want != cell.expected ? O::ExpectationChanged : O::Agrees;
            }
            ++i;
          });
        }
      }
      out.recorded.push_back(std::move(r));
    }
  }
  for (const auto& s : out.run.states)
    for (const auto& o : s.notable)
      if (o.status == CellStatus::Fail &&
          !recorded.count({s.step, toString(o.probe.from), toString(o.probe.target)}))
        out.fresh.push_back({s.step, o});
  return out;
}

std::string caseContentHash(const Case& c) {
  Case stripped;
  stripped.cluster = c.cluster;
  stripped.meta.present = true;
  stripped.meta.probes = c.meta.probes;
  stripped.meta.steps = c.meta.steps;
  return fmt::format("{:016x}", fnv1a64(encodeCase(stripped))).substr(0, 12);
}

}  // namespace npf::runner
