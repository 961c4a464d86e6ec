// Hand-written ground truth for the oracle: scenarios as YAML manifests, expectations as
// truth tables worked out by hand from SEMANTICS.md and the upstream e2e suite
// (kubernetes test/e2e/network/netpol/network_policy.go), never computed by code.
//
// Every expected cell is checked against both the reference evaluator (npf::evaluateProbe)
// and the matrix engine (npf::computeMatrix); a failure lists every mismatching cell as
// "from -> to port/proto: expected X got Y".
//
// Table notation (cyclonus / upstream e2e style): rows are sources, columns destinations,
//   `.` allow, `X` deny, `?` undefined (the diagonal under the default loopback=undefined),
//   `-` not probed (evaluateProbe returns nullopt, e.g. a Service without backends).
// Cell lists: one `FROM TO PORT/PROTO VERDICT` per line, VERDICT one of the symbols above or
// allow / deny / undefined / skip. Endpoints as in the JSON contract: ns/pod, svc/ns/name,
// node/NAME, ip/ADDR.
//
// Readings taken where SEMANTICS.md leaves room (each also noted at the test):
//  R1 Probes to a port no container declares are still judged by policy alone (the oracle
//     computes whether policy allows the packet, not whether a server listens), so SCTP
//     probes against the 3x3 pods are meaningful.
//  R2 A pod endpoint is probed at status.podIP; the connection's family is that address's
//     family and the source uses its own address of the same family (dual-stack).
//  R3 A Node source sends from its (first) InternalIP.
//  R4 policyTypes defaulting: `egress: []` is an empty egress list, so an absent policyTypes
//     stays [Ingress] ("plus Egress if the policy has a non-empty egress list").
//  R5 "a hostNetwork pod's traffic is treated as traffic of its node" (default profile): it
//     is matched by ipBlocks of its node's IP, never by selectors, and a policy selecting a
//     hostNetwork pod does not isolate it (node traffic is not subject to pod policies).
//  R6 A pod in an undeclared namespace: the namespace exists with no labels but the implicit
//     kubernetes.io/metadata.name.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "model/codec.h"
#include "model/objects.h"
#include "model/probe.h"
#include "oracle/matrix.h"
#include "oracle/profile.h"
#include "oracle/reference.h"
#include "oracle/verdict.h"
#include "tests/support/three_by_three.h"

namespace {

using npf::Endpoint;
using npf::Profile;
using npf::Protocol;
using npf::Verdict;
using npf::scenario::ThreeByThreeOptions;
using npf::scenario::threeByThreeYaml;

constexpr Protocol TCP = Protocol::TCP;
constexpr Protocol UDP = Protocol::UDP;
constexpr Protocol SCTP = Protocol::SCTP;

// ---------------------------------------------------------------------------------------------
// Harness: parsing the hand-written expectations, running both engines, reporting.
// ---------------------------------------------------------------------------------------------

// An expected cell outcome: a verdict, or nullopt for "not probed".
using Expected = std::optional<Verdict>;

std::atomic<size_t> gCellsChecked{0};
std::atomic<size_t> gScenariosRun{0};

class CountingEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    if (gScenariosRun > 0)
      std::printf("[scenarios] %zu scenario checks, %zu hand-written cells\n", gScenariosRun.load(),
                  gCellsChecked.load());
  }
};
[[maybe_unused]] const auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new CountingEnvironment);

std::vector<std::string_view> splitWs(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(start, nl - start);
    if (size_t hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
    if (!splitWs(l).empty()) out.push_back(l);
    start = nl + 1;
  }
  return out;
}

// The test's own endpoint parser (independent of npf::parseEndpoint).
std::optional<Endpoint> parseEndpointText(std::string_view s) {
  auto nonEmpty = [](std::string_view v) { return !v.empty(); };
  if (s.starts_with("svc/")) {
    std::string_view rest = s.substr(4);
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string_view ns = rest.substr(0, slash), name = rest.substr(slash + 1);
    if (!nonEmpty(ns) || !nonEmpty(name) || name.find('/') != std::string_view::npos)
      return std::nullopt;
    return Endpoint::service(std::string(ns), std::string(name));
  }
  if (s.starts_with("node/") && s.size() > 5) return Endpoint::node(std::string(s.substr(5)));
  if (s.starts_with("ip/") && s.size() > 3) return Endpoint::external(std::string(s.substr(3)));
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view ns = s.substr(0, slash), name = s.substr(slash + 1);
  if (!nonEmpty(ns) || !nonEmpty(name) || name.find('/') != std::string_view::npos)
    return std::nullopt;
  return Endpoint::pod(std::string(ns), std::string(name));
}

std::string endpointText(const Endpoint& e) {
  switch (e.kind) {
    case Endpoint::Kind::Pod:
      return e.namespace_ + "/" + e.name;
    case Endpoint::Kind::Service:
      return "svc/" + e.namespace_ + "/" + e.name;
    case Endpoint::Kind::Node:
      return "node/" + e.name;
    case Endpoint::Kind::External:
      return "ip/" + e.name;
  }
  return "?";
}

const char* protoText(Protocol p) {
  switch (p) {
    case Protocol::TCP:
      return "TCP";
    case Protocol::UDP:
      return "UDP";
    case Protocol::SCTP:
      return "SCTP";
  }
  return "?";
}

std::optional<Protocol> parseProto(std::string_view s) {
  if (s == "TCP") return TCP;
  if (s == "UDP") return UDP;
  if (s == "SCTP") return SCTP;
  return std::nullopt;
}

std::string verdictText(const Expected& v) {
  if (!v) return "not-probed";
  switch (*v) {
    case Verdict::Allow:
      return "allow";
    case Verdict::Deny:
      return "deny";
    case Verdict::Undefined:
      return "undefined";
  }
  return "?";
}

char verdictSymbol(const Expected& v) {
  if (!v) return '-';
  switch (*v) {
    case Verdict::Allow:
      return '.';
    case Verdict::Deny:
      return 'X';
    case Verdict::Undefined:
      return '?';
  }
  return '!';
}

// Parses a verdict symbol or word into *out; false when the token is not a verdict.
bool parseVerdictToken(std::string_view t, Expected* out) {
  if (t == "." || t == "allow")
    *out = Verdict::Allow;
  else if (t == "X" || t == "deny")
    *out = Verdict::Deny;
  else if (t == "?" || t == "undefined")
    *out = Verdict::Undefined;
  else if (t == "-" || t == "skip")
    *out = std::nullopt;
  else
    return false;
  return true;
}

struct Cell {
  npf::Probe probe;
  Expected expected;
};

// A truth table for one port/protocol.
struct TableSpec {
  int port;
  Protocol protocol;
  std::string text;
};

struct Scenario {
  std::string yaml{};               // the case as a user writes it
  std::vector<TableSpec> tables{};  // full truth tables
  std::string cells{};              // individual cells, "FROM TO PORT/PROTO VERDICT" per line
  Profile profile{};                // profile the expectations hold under
  std::vector<npf::ExternalHost> externalHosts{};  // YAML has no kind for them
};

struct ParsedTable {
  std::vector<Endpoint> rows, cols;
  std::vector<Expected> cells;  // row-major
};

// Parses a truth table; reports problems with the table itself as test failures.
std::optional<ParsedTable> parseTable(std::string_view text) {
  auto ls = lines(text);
  if (ls.empty()) {
    ADD_FAILURE() << "empty truth table";
    return std::nullopt;
  }
  ParsedTable t;
  for (auto tok : splitWs(ls[0])) {
    auto e = parseEndpointText(tok);
    if (!e) {
      ADD_FAILURE() << "bad column endpoint '" << tok << "' in table header";
      return std::nullopt;
    }
    t.cols.push_back(*e);
  }
  for (size_t i = 1; i < ls.size(); ++i) {
    auto toks = splitWs(ls[i]);
    auto e = parseEndpointText(toks[0]);
    if (!e) {
      ADD_FAILURE() << "bad row endpoint '" << toks[0] << "'";
      return std::nullopt;
    }
    if (toks.size() != t.cols.size() + 1) {
      ADD_FAILURE() << "table row '" << toks[0] << "' has " << toks.size() - 1 << " cells, want "
                    << t.cols.size();
      return std::nullopt;
    }
    t.rows.push_back(*e);
    for (size_t j = 1; j < toks.size(); ++j) {
      Expected v;
      if (!parseVerdictToken(toks[j], &v)) {
        ADD_FAILURE() << "bad cell '" << toks[j] << "' in row " << toks[0];
        return std::nullopt;
      }
      t.cells.push_back(v);
    }
  }
  return t;
}

// Parses "FROM TO PORT/PROTO VERDICT" lines.
std::optional<std::vector<Cell>> parseCellList(std::string_view text) {
  std::vector<Cell> out;
  for (auto l : lines(text)) {
    auto toks = splitWs(l);
    if (toks.size() != 4) {
      ADD_FAILURE() << "bad cell line (want FROM TO PORT/PROTO VERDICT): '" << l << "'";
      return std::nullopt;
    }
    auto from = parseEndpointText(toks[0]);
    auto to = parseEndpointText(toks[1]);
    size_t slash = toks[2].find('/');
    Expected v;
    bool verdictOk = parseVerdictToken(toks[3], &v);
    if (!from || !to || slash == std::string_view::npos || !verdictOk) {
      ADD_FAILURE() << "bad cell line: '" << l << "'";
      return std::nullopt;
    }
    auto proto = parseProto(toks[2].substr(slash + 1));
    int port = std::stoi(std::string(toks[2].substr(0, slash)));
    if (!proto) {
      ADD_FAILURE() << "bad protocol in cell line: '" << l << "'";
      return std::nullopt;
    }
    out.push_back(Cell{npf::Probe{*from, npf::Target{*to, port, *proto}}, v});
  }
  return out;
}

bool endpointDeclared(const npf::Cluster& c, const Endpoint& e) {
  switch (e.kind) {
    case Endpoint::Kind::Pod:
      for (const auto& p : c.pods)
        if (p.meta.namespace_ == e.namespace_ && p.meta.name == e.name) return true;
      return false;
    case Endpoint::Kind::Service:
      for (const auto& s : c.services)
        if (s.meta.namespace_ == e.namespace_ && s.meta.name == e.name) return true;
      return false;
    case Endpoint::Kind::Node:
      for (const auto& n : c.nodes)
        if (n.meta.name == e.name) return true;
      return false;
    case Endpoint::Kind::External:
      for (const auto& h : c.externalHosts)
        if (h.ip == e.name) return true;
      return false;
  }
  return false;
}

std::string cellText(const npf::Probe& p) {
  return endpointText(p.from) + " -> " + endpointText(p.target.to) + " " +
         std::to_string(p.target.port) + "/" + protoText(p.target.protocol);
}

std::string explanationText(const npf::Explanation& why) {
  std::string s;
  auto add = [&](const char* label, const std::vector<std::string>& v) {
    for (const auto& line : v) s += std::string("\n        ") + label + ": " + line;
  };
  add("egress", why.egress);
  add("ingress", why.ingress);
  add("note", why.notes);
  return s;
}

std::string profileText(const Profile& p) {
  const char* loop = p.loopback == Profile::Loopback::Undefined ? "undefined"
                     : p.loopback == Profile::Loopback::Allow   ? "allow"
                                                                : "policy";
  return std::string("ipblock-matches-pod-ips=") + (p.ipblockMatchesPodIps ? "true" : "false") +
         " loopback=" + loop + " egress-to-own-node=" +
         (p.egressToOwnNode == Profile::EgressToOwnNode::Policy ? "policy" : "allow") +
         " hostnetwork-selectable=" + (p.hostnetworkSelectable ? "true" : "false");
}

std::string renderTable(const ParsedTable& t, const std::vector<Expected>& got) {
  size_t w = 4;
  for (const auto& e : t.rows) w = std::max(w, endpointText(e).size());
  for (const auto& e : t.cols) w = std::max(w, endpointText(e).size());
  auto pad = [&](std::string s) {
    s.resize(w + 1, ' ');
    return s;
  };
  std::string out = pad("");
  for (const auto& c : t.cols) out += pad(endpointText(c));
  out += "\n";
  for (size_t i = 0; i < t.rows.size(); ++i) {
    out += pad(endpointText(t.rows[i]));
    for (size_t j = 0; j < t.cols.size(); ++j) {
      Expected want = t.cells[i * t.cols.size() + j];
      Expected have = got[i * t.cols.size() + j];
      std::string cell(1, verdictSymbol(have));
      if (have != want) cell += "!";
      out += pad(cell);
    }
    out += "\n";
  }
  return out;
}

// Decodes the scenario, checks every hand-written cell against both engines.
void expectScenario(const Scenario& s) {
  ++gScenariosRun;
  npf::DecodeResult r = npf::decodeManifests(s.yaml, "scenario.yaml");
  {
    std::string errs;
    for (const auto& d : r.errors)
      errs += "\n  " + d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.col) + ": " +
              d.message;
    ASSERT_TRUE(r.errors.empty()) << "decodeManifests reported errors on a valid case:" << errs;
  }
  npf::Cluster c = std::move(r.cluster);
  for (const auto& h : s.externalHosts) c.externalHosts.push_back(h);

  // Probe set: one block per table, one 1x1 block per listed cell.
  npf::ProbeSet probes;
  std::vector<Cell> cells;
  std::vector<std::pair<ParsedTable, size_t>> tables;  // table, index of its first cell
  for (const auto& spec : s.tables) {
    auto t = parseTable(spec.text);
    ASSERT_TRUE(t.has_value());
    npf::ProbeBlock b;
    b.sources = t->rows;
    for (const auto& col : t->cols) b.targets.push_back(npf::Target{col, spec.port, spec.protocol});
    tables.emplace_back(*t, cells.size());
    for (size_t i = 0; i < t->rows.size(); ++i)
      for (size_t j = 0; j < t->cols.size(); ++j)
        cells.push_back(
            Cell{npf::Probe{t->rows[i], b.targets[j]}, t->cells[i * t->cols.size() + j]});
    probes.blocks.push_back(std::move(b));
  }
  if (!s.cells.empty()) {
    auto list = parseCellList(s.cells);
    ASSERT_TRUE(list.has_value());
    for (const auto& cell : *list) {
      probes.blocks.push_back(npf::ProbeBlock{{cell.probe.from}, {cell.probe.target}});
      cells.push_back(cell);
    }
  }
  ASSERT_FALSE(cells.empty()) << "scenario without expectations";
  size_t probeCells = 0;
  for (const auto& b : probes.blocks) probeCells += b.sources.size() * b.targets.size();
  ASSERT_EQ(probeCells, cells.size());
  gCellsChecked += cells.size();

  // Every endpoint named by the expectations must exist in the decoded cluster (catches both
  // typos here and objects the decoder dropped).
  for (const auto& cell : cells) {
    for (const Endpoint* e : {&cell.probe.from, &cell.probe.target.to})
      ASSERT_TRUE(endpointDeclared(c, *e))
          << "endpoint " << endpointText(*e) << " is not in the decoded cluster";
  }

  // Reference evaluator.
  std::vector<Expected> ref(cells.size());
  std::string refMismatches;
  size_t refBad = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    npf::Explanation why;
    ref[i] = npf::evaluateProbe(c, cells[i].probe, s.profile, &why);
    if (ref[i] != cells[i].expected) {
      ++refBad;
      refMismatches += "\n  " + cellText(cells[i].probe) + ": expected " +
                       verdictText(cells[i].expected) + " got " + verdictText(ref[i]) +
                       explanationText(why);
    }
  }
  // Matrix engine, over the whole probe set at once.
  npf::Matrix m = npf::computeMatrix(c, probes, s.profile);
  ASSERT_EQ(m.size(), cells.size()) << "computeMatrix returned the wrong number of cells";
  std::vector<Expected> mat(cells.size());
  std::string matMismatches;
  size_t matBad = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    mat[i] = m.verdict(i);
    if (mat[i] != cells[i].expected) {
      ++matBad;
      matMismatches += "\n  " + cellText(cells[i].probe) + ": expected " +
                       verdictText(cells[i].expected) + " got " + verdictText(mat[i]);
    }
  }

  auto renderTables = [&](const std::vector<Expected>& got) {
    std::string out;
    for (size_t k = 0; k < tables.size(); ++k) {
      const auto& [t, first] = tables[k];
      std::vector<Expected> slice(got.begin() + first,
                                  got.begin() + first + t.rows.size() * t.cols.size());
      bool bad = false;
      for (size_t i = 0; i < slice.size(); ++i) bad |= slice[i] != t.cells[i];
      if (bad)
        out += "\n  table " + std::to_string(s.tables[k].port) + "/" +
               protoText(s.tables[k].protocol) + " as computed ('!' marks a wrong cell):\n" +
               renderTable(t, slice);
    }
    return out;
  };
  EXPECT_EQ(refBad, 0u) << "reference evaluator (evaluateProbe) disagrees on " << refBad << " of "
                        << cells.size() << " cells [profile " << profileText(s.profile) << "]"
                        << refMismatches << renderTables(ref);
  EXPECT_EQ(matBad, 0u) << "matrix engine (computeMatrix) disagrees on " << matBad << " of "
                        << cells.size() << " cells [profile " << profileText(s.profile) << "]"
                        << matMismatches << renderTables(mat);
}

Profile profileWith(void (*f)(Profile&)) {
  Profile p;
  f(p);
  return p;
}

std::string cluster3x3(const ThreeByThreeOptions& o = {}) { return threeByThreeYaml(o); }

// ---------------------------------------------------------------------------------------------
// Hand-written truth tables on the standard 3x3 cluster, reused by several scenarios.
// ---------------------------------------------------------------------------------------------

const char* const kAllAllowed = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)";

// Every pod of x isolated for ingress with nothing allowed.
const char* const kDenyIngressToX = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   .   .   .   .   .   .
x/b      X   ?   X   .   .   .   .   .   .
x/c      X   X   ?   .   .   .   .   .   .
y/a      X   X   X   ?   .   .   .   .   .
y/b      X   X   X   .   ?   .   .   .   .
y/c      X   X   X   .   .   ?   .   .   .
z/a      X   X   X   .   .   .   ?   .   .
z/b      X   X   X   .   .   .   .   ?   .
z/c      X   X   X   .   .   .   .   .   ?
)";

// Every pod of y isolated for ingress with nothing allowed.
const char* const kDenyIngressToY = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   X   X   X   .   .   .
x/b      .   ?   .   X   X   X   .   .   .
x/c      .   .   ?   X   X   X   .   .   .
y/a      .   .   .   ?   X   X   .   .   .
y/b      .   .   .   X   ?   X   .   .   .
y/c      .   .   .   X   X   ?   .   .   .
z/a      .   .   .   X   X   X   ?   .   .
z/b      .   .   .   X   X   X   .   ?   .
z/c      .   .   .   X   X   X   .   .   ?
)";

// Every pod of x isolated for ingress and egress with nothing allowed.
const char* const kDenyAllX = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   X   X   X   X   X   X
x/b      X   ?   X   X   X   X   X   X   X
x/c      X   X   ?   X   X   X   X   X   X
y/a      X   X   X   ?   .   .   .   .   .
y/b      X   X   X   .   ?   .   .   .   .
y/c      X   X   X   .   .   ?   .   .   .
z/a      X   X   X   .   .   .   ?   .   .
z/b      X   X   X   .   .   .   .   ?   .
z/c      X   X   X   .   .   .   .   .   ?
)";

// Every pod of x isolated for egress with nothing allowed.
const char* const kDenyEgressFromX = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   X   X   X   X   X   X
x/b      X   ?   X   X   X   X   X   X   X
x/c      X   X   ?   X   X   X   X   X   X
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)";

// x/a isolated for ingress, nothing allowed into it.
const char* const kDenyIngressToXA = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      X   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      X   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      X   .   .   .   .   .   .   ?   .
z/c      X   .   .   .   .   .   .   .   ?
)";

// x/a isolated for egress, nothing allowed out of it.
const char* const kDenyEgressFromXA = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   X   X   X   X   X   X
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)";

// Into x/a only from x/b.
const char* const kIntoXAOnlyFromXB = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      X   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      X   .   .   .   .   .   .   ?   .
z/c      X   .   .   .   .   .   .   .   ?
)";

// Into x/a only from the pods of namespace y.
const char* const kIntoXAOnlyFromNsY = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      X   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      X   .   .   .   .   .   .   ?   .
z/c      X   .   .   .   .   .   .   .   ?
)";

// Into x/a only from the pods of namespaces y and z.
const char* const kIntoXAOnlyFromNsYZ = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      X   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)";

// Into x/a only from the other pods of namespace x.
const char* const kIntoXAOnlyFromNsX = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      X   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      X   .   .   .   .   .   .   ?   .
z/c      X   .   .   .   .   .   .   .   ?
)";

// Into x/a only from namespaces x and z.
const char* const kIntoXAOnlyFromNsXZ = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      X   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)";

// x/a reachable from every pod; x/b and x/c from none.
const char* const kOnlyXAReachableInX = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   .   .   .   .   .   .
x/b      .   ?   X   .   .   .   .   .   .
x/c      .   X   ?   .   .   .   .   .   .
y/a      .   X   X   ?   .   .   .   .   .
y/b      .   X   X   .   ?   .   .   .   .
y/c      .   X   X   .   .   ?   .   .   .
z/a      .   X   X   .   .   .   ?   .   .
z/b      .   X   X   .   .   .   .   ?   .
z/c      .   X   X   .   .   .   .   .   ?
)";

// ---------------------------------------------------------------------------------------------
// Upstream e2e scenarios (test/e2e/network/netpol/network_policy.go), on the full 3x3 cluster.
// ---------------------------------------------------------------------------------------------

TEST(ScenarioUpstream, DefaultDenyIngressBlocksEveryPodInNamespaceX) {
  // "should support a 'default-deny-ingress' policy" (TCP, and the UDP and SCTP variants).
  // SCTP probes: reading R1.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress
  namespace: x
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: []
)",
      .tables = {{80, TCP, kDenyIngressToX},
                 {81, TCP, kDenyIngressToX},
                 {80, UDP, kDenyIngressToX},
                 {80, SCTP, kDenyIngressToX}},
  });
}

TEST(ScenarioUpstream, DefaultDenyIngressWithoutPolicyTypesOrIngressKeyStillIsolates) {
  // policyTypes absent defaults to [Ingress]; ingress absent = no rule allows anything.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress
  namespace: x
spec:
  podSelector: {}
)",
      .tables = {{80, TCP, kDenyIngressToX}, {81, UDP, kDenyIngressToX}},
  });
}

TEST(ScenarioUpstream, DefaultDenyAllBlocksTrafficIntoAndOutOfNamespaceX) {
  // "should support a 'default-deny-all' policy" and the first half of
  // "should stop enforcing policies after they are deleted".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: x
spec:
  podSelector: {}
  policyTypes: [Egress, Ingress]
  ingress: []
  egress: []
)",
      .tables = {{80, TCP, kDenyAllX}, {81, UDP, kDenyAllX}},
  });
}

TEST(ScenarioUpstream, AllowFromPodBInSameNamespaceOnly) {
  // "should enforce policy to allow traffic from pods within server namespace based on
  // PodSelector": podSelector alone means pods in the policy's namespace (y/b is not x/b).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: x-a-allows-x-b
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - podSelector:
        matchLabels:
          pod: b
)",
      .tables = {{80, TCP, kIntoXAOnlyFromXB}, {81, UDP, kIntoXAOnlyFromXB}},
  });
}

TEST(ScenarioUpstream, AllowIngressForTargetOverDefaultDeny) {
  // "should enforce policy to allow ingress traffic for a target": deny-all in x plus an
  // allow-all-pods-in-all-namespaces policy on x/a.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: x
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: []
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-all-to-a
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {}
      namespaceSelector: {}
)",
      .tables = {{80, TCP, kOnlyXAReachableInX}},
  });
}

TEST(ScenarioUpstream, AllowFromAllNamespacesChangesNothingForPods) {
  // "should enforce policy to allow ingress traffic from pods in all namespaces".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-from-another-ns
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {}
)",
      .tables = {{80, TCP, kAllAllowed}},
  });
}

TEST(ScenarioUpstream, AllowOnlyFromNamespaceYByMatchLabels) {
  // "should enforce policy to allow traffic only from a different namespace, based on
  // NamespaceSelector" (with the `ns: y` label the e2e model puts on namespaces).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-via-ns-selector
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          ns: "y"
)",
      .tables = {{80, TCP, kIntoXAOnlyFromNsY}},
  });
}

TEST(ScenarioUpstream, PodSelectorMatchExpressionsInAllowsOnlyXB) {
  // "should enforce policy based on PodSelector with MatchExpressions".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: x-a-allows-x-b
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - key: pod
          operator: In
          values: [b]
)",
      .tables = {{80, TCP, kIntoXAOnlyFromXB}},
  });
}

TEST(ScenarioUpstream, NamespaceSelectorMatchExpressionsInAllowsOnlyNamespaceY) {
  // "should enforce policy based on NamespaceSelector with MatchExpressions" (default ns label,
  // which the manifests omit and the oracle must add).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ns-y-match-selector
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: In
          values: ["y"]
)",
      .tables = {{80, TCP, kIntoXAOnlyFromNsY}},
  });
}

TEST(ScenarioUpstream, NamespaceSelectorOrPodSelectorAsTwoPeersIsUnion) {
  // "should enforce policy based on PodSelector or NamespaceSelector": two peers are ORed:
  // any pod outside x, or x/b.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ns-y-match-selector
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: [x]
    - podSelector:
        matchLabels:
          pod: b
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, NamespaceSelectorAndPodSelectorInOnePeerIsIntersection) {
  // "should enforce policy based on PodSelector and NamespaceSelector": one peer with both
  // selectors = pods b in namespaces other than x.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ns-y-podselector-and-nsselector
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: [x]
      podSelector:
        matchLabels:
          pod: b
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      X   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      X   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, MultiplePodAndNamespaceSelectorExpressionsInOnePeer) {
  // "should enforce policy based on Multiple PodSelectors and NamespaceSelectors":
  // pods b or c in namespaces other than x.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ns-y-z-pod-b-c
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: [x]
      podSelector:
        matchExpressions:
        - key: pod
          operator: In
          values: [b, c]
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      X   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, AnyOfTwoPodSelectorPeersIsAllowed) {
  // "should enforce policy based on any PodSelectors".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ns-x-pod-b-c
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - podSelector:
        matchLabels:
          pod: b
    - podSelector:
        matchLabels:
          pod: c
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      X   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      X   .   .   .   .   .   .   ?   .
z/c      X   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, OnlyPodAInNamespaceYByPodAndNamespaceSelector) {
  // "should enforce policy to allow traffic only from a pod in a different namespace based on
  // PodSelector and NamespaceSelector" (TCP, UDP and SCTP variants; SCTP: reading R1).
  const char* table = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      X   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      X   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      X   .   .   .   .   .   .   ?   .
z/c      X   .   .   .   .   .   .   .   ?
)";
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ns-y-pod-a-via-namespace-pod-selector
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          ns: "y"
      podSelector:
        matchLabels:
          pod: a
)",
      .tables = {{80, TCP, table}, {80, UDP, table}, {80, SCTP, table}},
  });
}

TEST(ScenarioUpstream, AllowOnlyPort81FromNamespaceY) {
  // "should enforce policy based on Ports" (TCP; the UDP/SCTP variants use their own
  // protocol, below). Port 80 gets nothing; UDP 81 is not TCP 81.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-via-ns-selector
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          ns: "y"
    ports:
    - port: 81
      protocol: TCP
)",
      .tables = {{81, TCP, kIntoXAOnlyFromNsY},
                 {80, TCP, kDenyIngressToXA},
                 {81, UDP, kDenyIngressToXA}},
  });
}

TEST(ScenarioUpstream, AllowOnlyPort81FromNamespaceYForUdpAndSctp) {
  // UDP and SCTP variants of "should enforce policy based on Ports" (SCTP: reading R1).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-on-port-81-ns-x-udp
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          ns: "y"
    ports:
    - port: 81
      protocol: UDP
    - port: 81
      protocol: SCTP
)",
      .tables = {{81, UDP, kIntoXAOnlyFromNsY},
                 {81, SCTP, kIntoXAOnlyFromNsY},
                 {81, TCP, kDenyIngressToXA},
                 {80, UDP, kDenyIngressToXA}},
  });
}

TEST(ScenarioUpstream, StackedPoliciesOnPorts80And81AreUnion) {
  // "should enforce multiple, stacked policies with overlapping podSelectors" (final state).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-via-ns-selector
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          ns: "y"
    ports:
    - port: 81
      protocol: TCP
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-via-ns-selector-80
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          ns: "y"
    ports:
    - port: 80
      protocol: TCP
)",
      .tables = {{80, TCP, kIntoXAOnlyFromNsY},
                 {81, TCP, kIntoXAOnlyFromNsY},
                 {80, UDP, kDenyIngressToXA}},
  });
}

TEST(ScenarioUpstream, AllowAllIngressPolicyAllowsEverything) {
  // "should support allow-all policy": ingress: [{}].
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-all
  namespace: x
spec:
  podSelector:
    matchLabels: {}
  ingress:
  - {}
)",
      .tables = {{80, TCP, kAllAllowed}, {81, TCP, kAllAllowed}, {81, UDP, kAllAllowed}},
  });
}

TEST(ScenarioUpstream, NamedIngressPortServe81TcpAllowsOnly81Tcp) {
  // "should allow ingress access on one named port". serve-81-tcp is TCP on every pod, so
  // UDP 81 is not matched (the name resolves with its protocol).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-all
  namespace: x
spec:
  podSelector:
    matchLabels: {}
  ingress:
  - ports:
    - port: serve-81-tcp
)",
      .tables = {{81, TCP, kAllAllowed}, {80, TCP, kDenyIngressToX}, {81, UDP, kDenyIngressToX}},
  });
}

TEST(ScenarioUpstream, NamedIngressPortFromNamespaceY) {
  // "should allow ingress access from namespace on one named port".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-via-ns-selector-80
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          ns: "y"
    ports:
    - port: serve-80-tcp
      protocol: TCP
)",
      .tables = {{80, TCP, kIntoXAOnlyFromNsY}, {81, TCP, kDenyIngressToXA}},
  });
}

TEST(ScenarioUpstream, NamedEgressPortServe80TcpAllowsOnly80) {
  // "should allow egress access on one named port": the name resolves on each destination.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress
  namespace: x
spec:
  podSelector:
    matchLabels: {}
  policyTypes: [Egress]
  egress:
  - ports:
    - port: serve-80-tcp
)",
      .tables = {{80, TCP, kAllAllowed}, {81, TCP, kDenyEgressFromX}, {80, UDP, kDenyEgressFromX}},
  });
}

TEST(ScenarioUpstream, UpdatedToEmptyIngressListDeniesAllIntoX) {
  // "should enforce updated policy" (final state): ingress: [] with podSelector {}.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-all-mutate-to-deny-all
  namespace: x
spec:
  podSelector:
    matchLabels: {}
  ingress: []
)",
      .tables = {{81, TCP, kDenyIngressToX}},
  });
}

TEST(ScenarioUpstream, EmptyPodSelectorPeerDeniesOtherNamespaces) {
  // "should deny ingress from pods on other namespaces": from [{podSelector: {}}] = all pods
  // of the policy's own namespace.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-empty-policy
  namespace: x
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector:
        matchLabels: {}
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      X   X   X   ?   .   .   .   .   .
y/b      X   X   X   .   ?   .   .   .   .
y/c      X   X   X   .   .   ?   .   .   .
z/a      X   X   X   .   .   .   ?   .   .
z/b      X   X   X   .   .   .   .   ?   .
z/c      X   X   X   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, DenyIngressByLabelSelectorIsolatesOnlyMatchingPod) {
  // "should deny ingress access to updated pod" (final state: x/a carries target=isolated).
  // Pod labels are given in the manifest here; the cluster helper only labels `pod`.
  std::string yaml = cluster3x3();
  const std::string from = "  name: a\n  namespace: \"x\"\n  labels:\n    pod: a\n";
  size_t at = yaml.find(from);
  ASSERT_NE(at, std::string::npos);
  yaml.replace(at, from.size(), from + "    target: isolated\n");
  expectScenario({
      .yaml = yaml + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress-via-label-selector
  namespace: x
spec:
  podSelector:
    matchLabels:
      target: isolated
  policyTypes: [Ingress]
  ingress: []
)",
      .tables = {{80, TCP, kDenyIngressToXA}},
  });
}

TEST(ScenarioUpstream, DenyEgressFromPodA) {
  // "should deny egress from pods based on PodSelector": policyTypes [Egress], egress absent.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-egress-pod-a
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress]
)",
      .tables = {{80, TCP, kDenyEgressFromXA}},
  });
}

TEST(ScenarioUpstream, DenyEgressFromAllPodsInNamespaceX) {
  // "should deny egress from all pods in a namespace".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-egress-ns-x
  namespace: x
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: []
)",
      .tables = {{80, TCP, kDenyEgressFromX}, {81, UDP, kDenyEgressFromX}},
  });
}

TEST(ScenarioUpstream, IngressAndEgressTogetherOnPodA) {
  // "should work with Ingress, Egress specified together": x/a accepts only x/b, and may
  // send only to port 80.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-via-pod-selector
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress, Ingress]
  ingress:
  - from:
    - podSelector:
        matchLabels:
          pod: b
  egress:
  - ports:
    - port: 80
)",
      .tables = {{80, TCP, kIntoXAOnlyFromXB}, {81, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   X   X   X   X   X   X
x/b      .   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      X   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      X   .   .   .   .   .   .   ?   .
z/c      X   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, ClientEgressDenyOverridesServerIngressAllow) {
  // "should support denying of egress traffic on the client side (even if the server
  // explicitly allows this traffic)": x/a may only send to y/a; y/a and y/b accept only x/a.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-to-ns-y-pod-a
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: "y"
      podSelector:
        matchLabels:
          pod: a
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-from-xa-on-ya-match-selector
  namespace: "y"
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: x
      podSelector:
        matchLabels:
          pod: a
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-from-xa-on-yb-match-selector
  namespace: "y"
spec:
  podSelector:
    matchLabels:
      pod: b
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: x
      podSelector:
        matchLabels:
          pod: a
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   .   X   X   X   X   X
x/b      .   ?   .   X   X   .   .   .   .
x/c      .   .   ?   X   X   .   .   .   .
y/a      .   .   .   ?   X   .   .   .   .
y/b      .   .   .   X   ?   .   .   .   .
y/c      .   .   .   X   X   ?   .   .   .
z/a      .   .   .   X   X   .   ?   .   .
z/b      .   .   .   X   X   .   .   ?   .
z/c      .   .   .   X   X   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, EgressToPodAInNamespaceYOnly) {
  // "should enforce egress policy allowing traffic to a server in a different namespace based
  // on PodSelector and NamespaceSelector".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-to-ns-y-pod-a
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          ns: "y"
      podSelector:
        matchLabels:
          pod: a
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   .   X   X   X   X   X
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, ProtocolOnlyTcpRuleAllowsTcpNotUdp) {
  // "should enforce ingress policy allowing any port traffic to a server on a specific
  // protocol".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-by-proto
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - ports:
    - protocol: TCP
)",
      .tables = {{80, TCP, kAllAllowed},
                 {81, TCP, kAllAllowed},
                 {80, UDP, kDenyIngressToXA},
                 {80, SCTP, kDenyIngressToXA}},
  });
}

TEST(ScenarioUpstream, PortRestrictedIngressBlocks81UntilAllowAllIsAdded) {
  // "should enforce multiple ingress policies with ingress allow-all policy taking
  // precedence", first state: only port 80 allowed.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-port-80
  namespace: x
spec:
  podSelector:
    matchLabels: {}
  ingress:
  - ports:
    - port: 80
)",
      .tables = {{81, TCP, kDenyIngressToX}, {80, TCP, kAllAllowed}},
  });
}

TEST(ScenarioUpstream, IngressAllowAllPolicyAddsToPortRestrictedPolicy) {
  // ... second state: the allow-all policy is added; policies only add.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-port-80
  namespace: x
spec:
  podSelector:
    matchLabels: {}
  ingress:
  - ports:
    - port: 80
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress
  namespace: x
spec:
  podSelector:
    matchLabels: {}
  ingress:
  - {}
)",
      .tables = {{81, TCP, kAllAllowed}, {80, TCP, kAllAllowed}},
  });
}

TEST(ScenarioUpstream, PortRestrictedEgressBlocks81UntilAllowAllIsAdded) {
  // "should enforce multiple egress policies with egress allow-all policy taking precedence",
  // first state.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-port-80
  namespace: x
spec:
  podSelector:
    matchLabels: {}
  policyTypes: [Egress]
  egress:
  - ports:
    - port: 80
)",
      .tables = {{81, TCP, kDenyEgressFromX}, {80, TCP, kAllAllowed}},
  });
}

TEST(ScenarioUpstream, EgressAllowAllPolicyAddsToPortRestrictedPolicy) {
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-port-80
  namespace: x
spec:
  podSelector:
    matchLabels: {}
  policyTypes: [Egress]
  egress:
  - ports:
    - port: 80
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress
  namespace: x
spec:
  podSelector:
    matchLabels: {}
  policyTypes: [Egress]
  egress:
  - {}
)",
      .tables = {{81, TCP, kAllAllowed}},
  });
}

TEST(ScenarioUpstream, EgressToServerInCidrBlockAllowsOnlyThatPod) {
  // "should allow egress access to server in CIDR block": y/b is 10.0.2.2.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-via-cidr-egress-rule
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.2.2/32
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   X   .   X   X   X   X
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"}},
  });
}

// x/a may send everywhere except x/b.
const char* const kXAEgressAllButXB = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   .   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)";

const char* const kEgressExceptXBPolicy = R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-via-cidr-egress-rule
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/8
        except:
        - 10.0.1.2/32
)";

TEST(ScenarioUpstream, EgressCidrWithExceptBlocksOnlyTheExceptedPod) {
  // "should enforce except clause while egress access to server in CIDR block".
  expectScenario({
      .yaml = cluster3x3() + kEgressExceptXBPolicy,
      .tables = {{80, TCP, kXAEgressAllButXB}},
  });
}

TEST(ScenarioUpstream, ExceptedIpAllowedByAnotherPolicyIsAllowed) {
  // "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed", with
  // the second policy added next to the first: except is not a deny.
  expectScenario({
      .yaml = cluster3x3() + kEgressExceptXBPolicy + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-to-x-b
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.1.2/32
)",
      .tables = {{80, TCP, kAllAllowed}},
  });
}

TEST(ScenarioUpstream, ReplacedCidrPolicyAllowsOnlyTheFormerlyExceptedPod) {
  // The upstream test's final state: the except policy replaced (same name) by one allowing
  // only x/b's /32.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-via-cidr-egress-rule
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.1.2/32
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   X   X   X   X   X   X   X
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, IngressAndEgressOfOnePodAreControlledIndependently) {
  // "should enforce policies to check ingress and egress policies can be controlled
  // independently based on PodSelector" (final state).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-for-target
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress]
  egress:
  - {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress-via-label-selector
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Ingress]
  ingress: []
)",
      .tables = {{80, TCP, kDenyIngressToXA}},
  });
}

TEST(ScenarioUpstream, SctpOnlyAllowDoesNotAllowTcpOnSamePort) {
  // "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP'" (PROTOCOL_CONFUSION).
  // The SCTP table itself uses reading R1.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress
  namespace: x
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: []
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-only-sctp-ingress-on-port-81
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - ports:
    - port: 81
      protocol: SCTP
)",
      .tables = {{81, TCP, kDenyIngressToX},
                 {81, UDP, kDenyIngressToX},
                 {81, SCTP, kOnlyXAReachableInX},
                 {80, SCTP, kDenyIngressToX}},
  });
}

TEST(ScenarioUpstream, SctpOnlyAllowStillIsolatesPodForTcp) {
  // "should properly isolate pods that are selected by a policy allowing SCTP".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-only-sctp-ingress-on-port-80
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - ports:
    - port: 80
      protocol: SCTP
)",
      .tables = {{81, TCP, kDenyIngressToXA}, {80, TCP, kDenyIngressToXA}},
  });
}

TEST(ScenarioUpstream, UdpOnlyAllowDoesNotAllowTcp) {
  // "should not allow access by TCP when a policy specifies only UDP".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-only-udp-ingress-on-port-81
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - ports:
    - port: 81
      protocol: UDP
)",
      .tables = {{81, TCP, kDenyIngressToXA}, {81, UDP, kAllAllowed}, {80, UDP, kDenyIngressToXA}},
  });
}

TEST(ScenarioUpstream, DefaultNamespaceLabelMatchLabelsSelectsNamespaceY) {
  // "should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using
  // default ns label": kubernetes.io/metadata.name is implicit (not in the manifests).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-client-a-via-ns-selector-for-immutable-ns-label
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: "y"
)",
      .tables = {{80, TCP, kIntoXAOnlyFromNsY}},
  });
}

TEST(ScenarioUpstream, DefaultNamespaceLabelNotInDeniesEgressToNamespaceY) {
  // "should enforce policy based on NamespaceSelector with MatchExpressions using default ns
  // label": egress from x/a to every namespace but y.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ns-y-match-selector-for-immutable-ns-label
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: ["y"]
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   X   X   X   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, PolicyTypesEgressIgnoresIngressSection) {
  // policyTypes: [Egress] with an ingress section that would deny everything if honoured.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: egress-only-with-ignored-ingress
  namespace: x
spec:
  podSelector: {}
  policyTypes: [Egress]
  ingress: []
  egress:
  - {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: egress-only-with-ignored-ingress-rule
  namespace: "y"
spec:
  podSelector: {}
  policyTypes: [Egress]
  ingress:
  - from:
    - podSelector:
        matchLabels:
          pod: nobody
  egress:
  - {}
)",
      .tables = {{80, TCP, kAllAllowed}},
  });
}

TEST(ScenarioUpstream, EmptyEgressListWithPolicyTypeEgressDeniesAllEgress) {
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all-egress
  namespace: x
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: []
)",
      .tables = {{80, TCP, kDenyEgressFromX}},
  });
}

TEST(ScenarioUpstream, EndPortRangeCoversBothPortsButPortAloneOnlyOne) {
  // endPort: x/a accepts TCP 80..81 (inclusive); x/b accepts TCP 80 only.
  const char* port80 = kAllAllowed;
  const char* port81 = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   .   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   X   ?   .   .   .   .   .   .
y/a      .   X   .   ?   .   .   .   .   .
y/b      .   X   .   .   ?   .   .   .   .
y/c      .   X   .   .   .   ?   .   .   .
z/a      .   X   .   .   .   .   ?   .   .
z/b      .   X   .   .   .   .   .   ?   .
z/c      .   X   .   .   .   .   .   .   ?
)";
  const char* udp80 = R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   .   .   .   .   .   .   .
x/b      X   ?   .   .   .   .   .   .   .
x/c      X   X   ?   .   .   .   .   .   .
y/a      X   X   .   ?   .   .   .   .   .
y/b      X   X   .   .   ?   .   .   .   .
y/c      X   X   .   .   .   ?   .   .   .
z/a      X   X   .   .   .   .   ?   .   .
z/b      X   X   .   .   .   .   .   ?   .
z/c      X   X   .   .   .   .   .   .   ?
)";
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-80-to-81
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - ports:
    - port: 80
      endPort: 81
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-80-only
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: b
  ingress:
  - ports:
    - port: 80
      protocol: TCP
)",
      .tables = {{80, TCP, port80}, {81, TCP, port81}, {80, UDP, udp80}},
  });
}

TEST(ScenarioUpstream, PoliciesInNamespaceYDoNotAffectNamespaceX) {
  // podSelector selects only in the policy's own namespace: `pod: a` in y is not x/a or z/a.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress
  namespace: "y"
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-egress-a
  namespace: "y"
spec:
  podSelector:
    matchLabels:
      pod: a
  policyTypes: [Egress]
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   X   X   X   .   .   .
x/b      .   ?   .   X   X   X   .   .   .
x/c      .   .   ?   X   X   X   .   .   .
y/a      X   X   X   ?   X   X   X   X   X
y/b      .   .   .   X   ?   X   .   .   .
y/c      .   .   .   X   X   ?   .   .   .
z/a      .   .   .   X   X   X   ?   .   .
z/b      .   .   .   X   X   X   .   ?   .
z/c      .   .   .   X   X   X   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, DenyIngressInNamespaceYMirrorsNamespaceX) {
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress
  namespace: "y"
spec:
  podSelector: {}
  ingress: []
)",
      .tables = {{80, TCP, kDenyIngressToY}},
  });
}

TEST(ScenarioUpstream, IngressIpBlockOfNamespaceYPodCidr) {
  // ipBlock with the pod CIDR of namespace y's pods (profile default: ipBlocks match pod IPs),
  // and the same with an except carving out y/b.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-from-y-cidr
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.2.0/24
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-from-y-cidr-except-b
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: c
  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.2.0/24
        except: [10.0.2.2/32]
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   X   .   .   .   .   .   .
x/b      X   ?   X   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   X   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      X   .   X   .   .   .   ?   .   .
z/b      X   .   X   .   .   .   .   ?   .
z/c      X   .   X   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioUpstream, NamespaceSelectorExpressionOperatorsOnExtraLabels) {
  // matchExpressions In / NotIn / Exists / DoesNotExist on a label only some namespaces carry:
  // y has env=prod, z has env=dev, x has no env label. One target pod per operator.
  ThreeByThreeOptions o;
  o.namespaceLabels = {{"y", {{"env", "prod"}}}, {"z", {{"env", "dev"}}}};
  // Targets: x/a Exists env; x/b DoesNotExist env; x/c NotIn [prod].
  expectScenario({
      .yaml = cluster3x3(o) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: a-from-env-exists
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: a
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: env, operator: Exists}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: b-from-env-does-not-exist
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: b
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: env, operator: DoesNotExist}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: c-from-env-not-prod
  namespace: x
spec:
  podSelector:
    matchLabels:
      pod: c
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: env, operator: NotIn, values: [prod]}
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      X   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      .   X   X   ?   .   .   .   .   .
y/b      .   X   X   .   ?   .   .   .   .
y/c      .   X   X   .   .   ?   .   .   .
z/a      .   X   .   .   .   .   ?   .   .
z/b      .   X   .   .   .   .   .   ?   .
z/c      .   X   .   .   .   .   .   .   ?
)"}},
  });
}

// ---------------------------------------------------------------------------------------------
// One scenario (or more) per single-state row of BUG-CLASSES.md.
// ---------------------------------------------------------------------------------------------

// A small cluster for named-port cases: one namespace, servers disagreeing on `http`.
const char* const kNamedPortCluster = R"(
apiVersion: v1
kind: Namespace
metadata: {name: np}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status:
  addresses:
  - {type: InternalIP, address: 172.18.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: np, labels: {app: client}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports: [{name: http, containerPort: 7070}]
status: {podIP: 10.0.0.10}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: np, labels: {app: web}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports: [{name: http, containerPort: 8080}]
status: {podIP: 10.0.0.11}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: np, labels: {app: web}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports: [{name: http, containerPort: 9090, protocol: TCP}]
status: {podIP: 10.0.0.12}
---
apiVersion: v1
kind: Pod
metadata: {name: web-3, namespace: np, labels: {app: web}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports: [{name: http, containerPort: 8080, protocol: UDP}]
status: {podIP: 10.0.0.13}
---
apiVersion: v1
kind: Pod
metadata: {name: web-4, namespace: np, labels: {app: web}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports: [{name: metrics, containerPort: 8080}]
status: {podIP: 10.0.0.14}
)";

TEST(ScenarioBugClass, NamedPortResolvesPerDestinationPodWithItsProtocol) {
  // NAMED_PORT_RESOLUTION, ingress: `http` is 8080/TCP on web-1, 9090/TCP on web-2,
  // 8080/UDP on web-3 and absent on web-4; the client's own `http` (7070) is irrelevant.
  expectScenario({
      .yaml = std::string(kNamedPortCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-http, namespace: np}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports:
    - port: http
)",
      .cells = R"(
np/client np/web-1 8080/TCP allow
np/client np/web-1 9090/TCP deny
np/client np/web-1 7070/TCP deny     # resolved on the source would allow this
np/client np/web-1 8080/UDP deny
np/client np/web-2 9090/TCP allow    # same name, another number on this pod
np/client np/web-2 8080/TCP deny
np/web-1  np/web-2 9090/TCP allow
np/web-2  np/web-1 8080/TCP allow
np/client np/web-3 8080/UDP deny     # name exists but for UDP; the entry is TCP
np/client np/web-3 8080/TCP deny
np/client np/web-4 8080/TCP deny     # name not defined: matches nothing (not all ports)
np/client np/web-4 9090/TCP deny
np/web-1  np/client 7070/TCP allow   # client not selected
)",
  });
}

TEST(ScenarioBugClass, NamedPortWithUdpProtocolMatchesOnlyTheUdpDefinition) {
  // NAMED_PORT_RESOLUTION: the same name with protocol UDP.
  expectScenario({
      .yaml = std::string(kNamedPortCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-http-udp, namespace: np}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports:
    - port: http
      protocol: UDP
)",
      .cells = R"(
np/client np/web-3 8080/UDP allow
np/client np/web-3 8080/TCP deny
np/client np/web-1 8080/UDP deny     # web-1's http is TCP
np/client np/web-1 8080/TCP deny
np/client np/web-2 9090/UDP deny
np/client np/web-4 8080/UDP deny
)",
  });
}

TEST(ScenarioBugClass, NamedEgressPortResolvesOnDestinationAndNeverOnExternalIps) {
  // NAMED_PORT_RESOLUTION, egress: resolved on each destination pod; "For egress to an
  // external IP a named port never matches."
  expectScenario({
      .yaml = std::string(kNamedPortCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress-http, namespace: np}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - ports:
    - port: http
)",
      .cells = R"(
np/client np/web-1 8080/TCP allow
np/client np/web-2 9090/TCP allow
np/client np/web-2 8080/TCP deny
np/client np/web-1 7070/TCP deny      # the client's own number for `http`
np/client np/web-3 8080/UDP deny
np/client np/web-3 8080/TCP deny
np/client np/web-4 8080/TCP deny
np/client ip/203.0.113.10 8080/TCP deny
np/client ip/203.0.113.10 7070/TCP deny
np/web-1  np/web-2 8080/TCP allow     # web-1 is not isolated for egress, web-2 not for ingress
)",
      .externalHosts = {{"internet", "203.0.113.10"}},
  });
}

TEST(ScenarioBugClass, EndPortRangeIsInclusiveAndProtocolSpecific) {
  // ENDPORT_IGNORED: ingress 8080..8090/TCP into web-1; egress 5000..5002/UDP from client.
  expectScenario({
      .yaml = std::string(kNamedPortCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-1-range, namespace: np}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports:
    - {port: 8080, endPort: 8090}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-udp-range, namespace: np}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - ports:
    - {protocol: UDP, port: 5000, endPort: 5002}
)",
      .cells = R"(
np/web-2 np/web-1 8079/TCP deny
np/web-2 np/web-1 8080/TCP allow
np/web-2 np/web-1 8085/TCP allow
np/web-2 np/web-1 8090/TCP allow
np/web-2 np/web-1 8091/TCP deny
np/web-2 np/web-1 8085/UDP deny
np/client np/web-1 8085/TCP deny       # client egress allows only UDP 5000..5002
np/client ip/203.0.113.10 4999/UDP deny
np/client ip/203.0.113.10 5000/UDP allow
np/client ip/203.0.113.10 5001/UDP allow
np/client ip/203.0.113.10 5002/UDP allow
np/client ip/203.0.113.10 5003/UDP deny
np/client ip/203.0.113.10 5001/TCP deny
)",
      .externalHosts = {{"internet", "203.0.113.10"}},
  });
}

TEST(ScenarioBugClass, EmptyPortEntryMeansAllTcpAndProtocolOnlyMeansAllOfThatProtocol) {
  // EMPTY_PORT / PROTOCOL_DEFAULT on 3x3: x/a `ports: [{}]`, x/b `[{protocol: UDP}]`,
  // x/c `[{protocol: SCTP}]`, y/a `ports: []` (empty list = every port and protocol).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-empty-port-entry, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports:
    - {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-udp-only, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - ports:
    - protocol: UDP
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-sctp-only, namespace: x}
spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - ports:
    - protocol: SCTP
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-empty-ports-list, namespace: "y"}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports: []
)",
      .cells = R"(
z/a x/a 80/TCP allow
z/a x/a 81/TCP allow
z/a x/a 12345/TCP allow
z/a x/a 80/UDP deny
z/a x/a 80/SCTP deny
z/a x/b 80/UDP allow
z/a x/b 53/UDP allow
z/a x/b 80/TCP deny
z/a x/b 80/SCTP deny
z/a x/c 81/SCTP allow
z/a x/c 81/TCP deny
z/a x/c 81/UDP deny
z/a y/a 80/TCP allow
z/a y/a 81/UDP allow
z/a y/a 80/SCTP allow
)",
  });
}

TEST(ScenarioBugClass, SctpAllowAllowsNeitherTcpNorUdpOnSamePort) {
  // PROTOCOL_CONFUSION: beyond the upstream TCP check, UDP 81 is not SCTP 81 either, and a
  // UDP-only allow does not allow SCTP.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-sctp-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - ports:
    - {port: 81, protocol: SCTP}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-udp-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - ports:
    - {port: 81, protocol: UDP}
)",
      .cells = R"(
y/a x/a 81/SCTP allow
y/a x/a 81/TCP deny
y/a x/a 81/UDP deny
y/a x/b 81/UDP allow
y/a x/b 81/SCTP deny
y/a x/b 81/TCP deny
)",
  });
}

TEST(ScenarioBugClass, IpBlockExceptNarrowsOnlyItsOwnPeer) {
  // IPBLOCK_EXCEPT_AS_DENY: into x/a, policy 1 allows 10.0.0.0/16 except namespace y's /24;
  // policy 2 allows y/b. Into x/b, one rule has the except peer and a peer allowing z/c.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-cidr-except-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.0.0/16
        except: [10.0.2.0/24]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-y-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: "y"}}
      podSelector: {matchLabels: {pod: b}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-cidr-except-z-or-z-c, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.0.0/16
        except: [10.0.3.0/24]
    - namespaceSelector: {matchLabels: {ns: z}}
      podSelector: {matchLabels: {pod: c}}
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      .   X   .   .   .   .   ?   .   .
z/b      .   X   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioBugClass, EveryPeerOfARuleCounts) {
  // MULTI_PEER_DROPPED: x/a accepts y/a (ipBlock), z/b (ipBlock) and x/c (podSelector) from
  // one rule; x/b may send to y/b and z/c (two ipBlocks in one rule).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-three-peers, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.2.1/32}
    - ipBlock: {cidr: 10.0.3.2/32}
    - podSelector: {matchLabels: {pod: c}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-two-ipblocks, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 10.0.2.2/32}
    - ipBlock: {cidr: 10.0.3.3/32}
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      X   ?   X   X   .   X   X   X   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      X   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      X   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioBugClass, RulePortsBelongOnlyToThatRulesPeers) {
  // RULE_CROSS_PRODUCT: rule 1 = namespace y on 80, rule 2 = namespace z on 81.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-two-rules, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: "y"}}
    ports:
    - port: 80
  - from:
    - namespaceSelector: {matchLabels: {ns: z}}
    ports:
    - port: 81
)",
      .tables = {{80, TCP, kIntoXAOnlyFromNsY}, {81, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      X   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      X   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioBugClass, EgressPoliciesOnTheSamePortAddUp) {
  // MULTI_POLICY_UNION: three egress policies for x/a, all on port 80, to namespace y, to
  // namespace z, and to x/b.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-to-y-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {ns: "y"}}}]
    ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-to-z-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {ns: z}}}]
    ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-to-b-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {pod: b}}}]
    ports: [{port: 80, protocol: TCP}]
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   X   .   .   .   .   .   .
x/b      .   ?   .   .   .   .   .   .   .
x/c      .   .   ?   .   .   .   .   .   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"},
                 {81, TCP, kDenyEgressFromXA}},
  });
}

TEST(ScenarioBugClass, AbsentPolicyTypesWithEgressRulesIsolatesBothDirections) {
  // POLICYTYPES defaulting: no policyTypes + non-empty egress = [Ingress, Egress]; ingress
  // absent, so x/a accepts nothing.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-egress-to-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  egress:
  - to:
    - namespaceSelector: {matchLabels: {ns: "y"}}
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   .   .   .   X   X   X
x/b      X   ?   .   .   .   .   .   .   .
x/c      X   .   ?   .   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      X   .   .   .   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      X   .   .   .   .   .   ?   .   .
z/b      X   .   .   .   .   .   .   ?   .
z/c      X   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioBugClass, AbsentPolicyTypesWithEmptyEgressListIsIngressOnly) {
  // POLICYTYPES defaulting, reading R4: `egress: []` is not a non-empty egress list, so the
  // policy is [Ingress] only: x/a accepts nothing but may send anywhere.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-empty-egress-no-types, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  egress: []
)",
      .tables = {{80, TCP, kDenyIngressToXA}},
  });
}

TEST(ScenarioBugClass, PolicyTypesIngressIgnoresEgressRules) {
  // POLICYTYPES: egress rules under policyTypes [Ingress] have no effect.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-ingress-only, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - {}
  egress:
  - to:
    - podSelector: {matchLabels: {pod: nobody}}
)",
      .tables = {{80, TCP, kAllAllowed}},
  });
}

TEST(ScenarioBugClass, NamespaceAndPodSelectorInOnePeerInEgress) {
  // NS_AND_POD_SELECTOR in the egress direction: x/c may send only to pods c of namespace z,
  // x/b to any pod of namespace z or any pod labelled c in x (two peers, OR).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-to-z-c, namespace: x}
spec:
  podSelector: {matchLabels: {pod: c}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {ns: z}}
      podSelector: {matchLabels: {pod: c}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-to-z-or-c, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {ns: z}}
    - podSelector: {matchLabels: {pod: c}}
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   .   .   .   .   .   .   .   .
x/b      X   ?   .   X   X   X   .   .   .
x/c      X   X   ?   X   X   X   X   X   .
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioBugClass, MatchExpressionsMultiValueNotInAndInAndMixedWithMatchLabels) {
  // MATCHEXPRESSIONS: y env=prod, z env=dev. x/a: NotIn [prod, dev] (only x, whose env is
  // absent); x/b: In [prod, dev]; x/c: matchLabels env=prod AND ns In [y, z] -> only y.
  // Pod selector side: y/a accepts pods of y whose `pod` is NotIn [a, b] (only y/c).
  ThreeByThreeOptions o;
  o.namespaceLabels = {{"y", {{"env", "prod"}}}, {"z", {{"env", "dev"}}}};
  expectScenario({
      .yaml = cluster3x3(o) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-env-not-in-prod-dev, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: env, operator: NotIn, values: [prod, dev]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-env-in-prod-dev, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: env, operator: In, values: [prod, dev]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-env-prod-and-ns-in-y-z, namespace: x}
spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {env: prod}
        matchExpressions:
        - {key: ns, operator: In, values: ["y", z]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-pod-not-in-a-b, namespace: "y"}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: pod, operator: NotIn, values: [a, b]}
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   X   .   .   .   .   .
x/b      .   ?   X   X   .   .   .   .   .
x/c      .   X   ?   X   .   .   .   .   .
y/a      X   .   .   ?   .   .   .   .   .
y/b      X   .   .   X   ?   .   .   .   .
y/c      X   .   .   .   .   ?   .   .   .
z/a      X   .   X   X   .   .   ?   .   .
z/b      X   .   X   X   .   .   .   ?   .
z/c      X   .   X   X   .   .   .   .   ?
)"}},
  });
}

TEST(ScenarioBugClass, NamespaceSelectorsNeverMatchExternalIpsOrNodes) {
  // NS_SELECTOR_SCOPE: negated and empty namespace selectors, an empty pod selector; external
  // host 203.0.113.10 and nodes as sources, external host as destination. Node sources:
  // reading R3; ingress from the destination's own node is always allowed.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-not-x, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: ns, operator: NotIn, values: [x]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-all-namespaces, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from:
    - namespaceSelector: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-from-own-namespace, namespace: x}
spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - from:
    - podSelector: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-to-all-namespaces, namespace: "y"}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchExpressions:
        - {key: ns, operator: NotIn, values: [q]}
)",
      .cells = R"(
ip/203.0.113.10 x/a 80/TCP deny
ip/203.0.113.10 x/b 80/TCP deny
ip/203.0.113.10 x/c 80/TCP deny
ip/203.0.113.10 y/b 80/TCP allow    # not isolated
node/node-2     x/a 80/TCP deny     # x/a runs on node-1
node/node-1     x/a 80/TCP allow    # own node
node/node-1     x/b 80/TCP deny     # x/b runs on node-2
node/node-2     x/b 80/TCP allow
node/node-2     x/c 80/TCP deny
y/a             x/a 80/TCP allow
x/b             x/a 80/TCP deny
z/c             x/b 80/TCP allow
x/a             x/c 80/TCP allow
y/a             x/c 80/TCP deny
y/a             ip/203.0.113.10 80/TCP deny
y/a             z/b 80/TCP allow
y/b             ip/203.0.113.10 80/TCP allow
)",
      .externalHosts = {{"internet", "203.0.113.10"}},
  });
}

TEST(ScenarioBugClass, EgressPeersAreDestinationsNotSources) {
  // EGRESS_DIRECTION: x/a may send only to its own IP (so to nobody else), x/b only to y/b's
  // IP, x/c only to pods `pod: a` of x. Traffic *into* them is unaffected.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-to-own-ip, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.0.1.1/32}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-to-y-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.0.2.2/32}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-to-pod-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: c}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {pod: a}}}]
)",
      .tables = {{80, TCP, R"(
        x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a      ?   X   X   X   X   X   X   X   X
x/b      X   ?   X   X   .   X   X   X   X
x/c      .   X   ?   X   X   X   X   X   X
y/a      .   .   .   ?   .   .   .   .   .
y/b      .   .   .   .   ?   .   .   .   .
y/c      .   .   .   .   .   ?   .   .   .
z/a      .   .   .   .   .   .   ?   .   .
z/b      .   .   .   .   .   .   .   ?   .
z/c      .   .   .   .   .   .   .   .   ?
)"}},
  });
}

// A client, a backend behind a Service whose port (8080) differs from its targetPort (80),
// two backends with a named targetPort resolving to different numbers, and a Service without
// backends.
const char* const kServiceCluster = R"(
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {ns: x}}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status:
  addresses:
  - {type: InternalIP, address: 172.18.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: x, labels: {app: client}}
spec:
  nodeName: node-1
  containers: [{name: c, image: agnhost}]
status: {podIP: 10.0.1.10}
---
apiVersion: v1
kind: Pod
metadata: {name: client-b, namespace: x, labels: {app: client-b}}
spec:
  nodeName: node-1
  containers: [{name: c, image: agnhost}]
status: {podIP: 10.0.1.11}
---
apiVersion: v1
kind: Pod
metadata: {name: client-c, namespace: x, labels: {app: client-c}}
spec:
  nodeName: node-1
  containers: [{name: c, image: agnhost}]
status: {podIP: 10.0.1.12}
---
apiVersion: v1
kind: Pod
metadata: {name: client-d, namespace: x, labels: {app: client-d}}
spec:
  nodeName: node-1
  containers: [{name: c, image: agnhost}]
status: {podIP: 10.0.1.13}
---
apiVersion: v1
kind: Pod
metadata: {name: backend, namespace: x, labels: {app: backend}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports: [{name: http, containerPort: 80}]
status: {podIP: 10.0.1.20}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: x, labels: {app: web}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports: [{name: http, containerPort: 80}]
status: {podIP: 10.0.1.31}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: x, labels: {app: web}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports: [{name: http, containerPort: 81}]
status: {podIP: 10.0.1.32}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: x}
spec:
  clusterIP: 10.96.0.10
  selector: {app: backend}
  ports:
  - {name: http, port: 8080, protocol: TCP, targetPort: 80}
---
apiVersion: v1
kind: Service
metadata: {name: named, namespace: x}
spec:
  clusterIP: 10.96.0.11
  selector: {app: web}
  ports:
  - {name: http, port: 8080, targetPort: http}
---
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: x}
spec:
  clusterIP: 10.96.0.12
  selector: {app: nothing}
  ports:
  - {port: 8080}
)";

TEST(ScenarioBugClass, ServiceEgressIsJudgedOnBackendTargetPortNotServicePort) {
  // SERVICE_PRE_DNAT: client may send to port 80 only; client-b to port 8080 only; client-c
  // to the ClusterIP only (ipBlock); client-d to the backend pod IP only (ipBlock).
  expectScenario({
      .yaml = std::string(kServiceCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-to-80, namespace: x}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-b-to-8080, namespace: x}
spec:
  podSelector: {matchLabels: {app: client-b}}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-c-to-cluster-ip, namespace: x}
spec:
  podSelector: {matchLabels: {app: client-c}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.96.0.10/32}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-d-to-backend-ip, namespace: x}
spec:
  podSelector: {matchLabels: {app: client-d}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.0.1.20/32}}]
)",
      .cells = R"(
x/client   svc/x/svc   8080/TCP allow
x/client   x/backend   80/TCP   allow
x/client   x/backend   8080/TCP deny
x/client-b svc/x/svc   8080/TCP deny
x/client-b x/backend   8080/TCP allow   # policy alone (R1): nothing listens there
x/client-c svc/x/svc   8080/TCP deny
x/client-d svc/x/svc   8080/TCP allow
x/client   svc/x/empty 8080/TCP skip    # no backend: not probed
)",
  });
}

TEST(ScenarioBugClass, ServiceIngressIsJudgedOnTargetPort) {
  // SERVICE_PRE_DNAT on the server side: backend accepts only port 80 from client, and only
  // 8080 from client-b.
  expectScenario({
      .yaml = std::string(kServiceCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: backend-in, namespace: x}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 80}]
  - from: [{podSelector: {matchLabels: {app: client-b}}}]
    ports: [{port: 8080}]
)",
      .cells = R"(
x/client   svc/x/svc 8080/TCP allow
x/client-b svc/x/svc 8080/TCP deny
x/client-c svc/x/svc 8080/TCP deny
)",
  });
}

TEST(ScenarioBugClass, NamedTargetPortDifferingPerBackendGivesUndefinedWhenBackendsDisagree) {
  // SERVICE_PRE_DNAT with a named targetPort: svc/x/named:8080 -> web-1:80 or web-2:81.
  // Ingress into the web pods: client on 80 only (backends disagree -> undefined), client-b
  // on the named port (both allow), client-c on 80..81 (both allow), client-d on 82 (both
  // deny).
  expectScenario({
      .yaml = std::string(kServiceCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-in, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 80}]
  - from: [{podSelector: {matchLabels: {app: client-b}}}]
    ports: [{port: http}]
  - from: [{podSelector: {matchLabels: {app: client-c}}}]
    ports: [{port: 80, endPort: 81}]
  - from: [{podSelector: {matchLabels: {app: client-d}}}]
    ports: [{port: 82}]
)",
      .cells = R"(
x/client   svc/x/named 8080/TCP undefined
x/client   x/web-1     80/TCP   allow
x/client   x/web-2     81/TCP   deny
x/client-b svc/x/named 8080/TCP allow
x/client-c svc/x/named 8080/TCP allow
x/client-d svc/x/named 8080/TCP deny
)",
  });
}

TEST(ScenarioBugClass, KubeletNodeToPodAlwaysAllowedFromOwnNodeOnly) {
  // NODE_TO_POD: deny-all ingress in x; node-2's IP allowed into x/c by ipBlock. Node
  // sources: reading R3. x/a, x/c on node-1; x/b on node-2.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec:
  podSelector: {}
  ingress: []
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-from-node-2, namespace: x}
spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - from: [{ipBlock: {cidr: 172.18.0.3/32}}]
)",
      .tables = {{80, TCP, R"(
             x/a x/b x/c y/a y/b
node/node-1   .   X   .   .   .
node/node-2   X   .   .   .   .
)"},
                 {81, UDP, R"(
             x/a x/b x/c y/a y/b
node/node-1   .   X   .   .   .
node/node-2   X   .   .   .   .
)"}},
  });
}

const char* const kDenyEgressFromXAPolicy = R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-egress-only-to-node-2, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 172.18.0.3/32}}]
)";

TEST(ScenarioBugClass, EgressToOwnNodeFollowsPolicyByDefault) {
  // NODE_TO_POD, egress side: the exemption is for ingress only; with the default profile
  // (egress-to-own-node=policy) x/a (node-1) may not reach its own node. ipBlock matches the
  // node IP of node-2.
  expectScenario({
      .yaml = cluster3x3() + kDenyEgressFromXAPolicy,
      .cells = R"(
x/a node/node-1 10250/TCP deny
x/a node/node-2 10250/TCP allow
x/a x/c         80/TCP    deny
x/c node/node-1 10250/TCP allow
)",
  });
}

// ---------------------------------------------------------------------------------------------
// Profile knobs.
// ---------------------------------------------------------------------------------------------

TEST(ScenarioProfile, EgressToOwnNodeAllowKnobExemptsOnlyTheOwnNode) {
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-deny-egress, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
)",
      .cells = R"(
x/a node/node-1 10250/TCP allow
x/a node/node-2 10250/TCP deny
x/a x/c         80/TCP    deny
)",
      .profile =
          profileWith([](Profile& p) { p.egressToOwnNode = Profile::EgressToOwnNode::Allow; }),
  });
}

const char* const kIpBlockPodIpPolicies = R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-y-cidr-and-external, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.2.0/24}
    - ipBlock: {cidr: 192.0.2.0/24}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-to-z-cidr-and-external, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 10.0.3.0/24}
    - ipBlock: {cidr: 192.0.2.0/24}
)";

TEST(ScenarioProfile, IpBlockMatchesPodIpsByDefault) {
  // IPBLOCK_POD_IP, default profile (ipblock-matches-pod-ips=true).
  expectScenario({
      .yaml = cluster3x3() + kIpBlockPodIpPolicies,
      .cells = R"(
y/a            x/a 80/TCP allow
y/c            x/a 80/TCP allow
z/a            x/a 80/TCP deny
x/c            x/a 80/TCP deny
ip/192.0.2.10  x/a 80/TCP allow
x/b            z/a 80/TCP allow
x/b            y/a 80/TCP deny
x/b ip/192.0.2.10 80/TCP allow
x/b ip/203.0.113.10 80/TCP deny
)",
      .externalHosts = {{"ext-1", "192.0.2.10"}, {"ext-2", "203.0.113.10"}},
  });
}

TEST(ScenarioProfile, IpBlockDoesNotMatchPodIpsWhenKnobIsOff) {
  // IPBLOCK_POD_IP with ipblock-matches-pod-ips=false: only cluster-external IPs match.
  expectScenario({
      .yaml = cluster3x3() + kIpBlockPodIpPolicies,
      .cells = R"(
y/a            x/a 80/TCP deny
y/c            x/a 80/TCP deny
z/a            x/a 80/TCP deny
ip/192.0.2.10  x/a 80/TCP allow
x/b            z/a 80/TCP deny
x/b ip/192.0.2.10 80/TCP allow
x/b ip/203.0.113.10 80/TCP deny
)",
      .profile = profileWith([](Profile& p) { p.ipblockMatchesPodIps = false; }),
      .externalHosts = {{"ext-1", "192.0.2.10"}, {"ext-2", "203.0.113.10"}},
  });
}

// Deny-all ingress in x; x/c accepts from pods `pod: c` (itself); a Service for x/a.
const std::string& loopbackYaml() {
  static const std::string y = cluster3x3() + R"(
---
apiVersion: v1
kind: Service
metadata: {name: svc-a, namespace: x}
spec:
  clusterIP: 10.96.1.1
  selector: {pod: a}
  ports:
  - {name: http, port: 8080, targetPort: 80}
---
apiVersion: v1
kind: Service
metadata: {name: svc-c, namespace: x}
spec:
  clusterIP: 10.96.1.3
  selector: {pod: c}
  ports:
  - {name: http, port: 8080, targetPort: serve-80-tcp}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec:
  podSelector: {}
  ingress: []
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-from-c, namespace: x}
spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - from: [{podSelector: {matchLabels: {pod: c}}}]
)";
  return y;
}

TEST(ScenarioProfile, LoopbackUndefinedByDefaultIncludingHairpin) {
  expectScenario({
      .yaml = loopbackYaml(),
      .cells = R"(
x/a x/a          80/TCP   undefined
x/c x/c          80/TCP   undefined
y/a y/a          80/TCP   undefined
x/a svc/x/svc-a  8080/TCP undefined   # hairpin
x/c svc/x/svc-c  8080/TCP undefined
x/b x/a          80/TCP   deny
x/b svc/x/svc-a  8080/TCP deny
x/b svc/x/svc-c  8080/TCP deny
y/a svc/x/svc-a  8080/TCP deny
)",
  });
}

TEST(ScenarioProfile, LoopbackAllowKnobAllowsPodToItself) {
  expectScenario({
      .yaml = loopbackYaml(),
      .cells = R"(
x/a x/a          80/TCP   allow
x/c x/c          80/TCP   allow
y/a y/a          80/TCP   allow
x/a svc/x/svc-a  8080/TCP allow
x/b x/a          80/TCP   deny
)",
      .profile = profileWith([](Profile& p) { p.loopback = Profile::Loopback::Allow; }),
  });
}

TEST(ScenarioProfile, LoopbackPolicyKnobJudgesPodToItselfLikeAnyPair) {
  expectScenario({
      .yaml = loopbackYaml(),
      .cells = R"(
x/a x/a          80/TCP   deny
x/c x/c          80/TCP   allow
y/a y/a          80/TCP   allow
x/a svc/x/svc-a  8080/TCP deny
x/c svc/x/svc-c  8080/TCP allow
x/b x/c          80/TCP   deny
)",
      .profile = profileWith([](Profile& p) { p.loopback = Profile::Loopback::Policy; }),
  });
}

// hostNetwork pods: x/h1 on node-1 and x/h2 on node-2, with their node's IP.
const char* const kHostNetworkCluster = R"(
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {ns: x}}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status:
  addresses: [{type: InternalIP, address: 172.18.0.2}]
---
apiVersion: v1
kind: Node
metadata: {name: node-2}
status:
  addresses: [{type: InternalIP, address: 172.18.0.3}]
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {pod: a}}
spec:
  nodeName: node-1
  containers:
  - {name: c, image: agnhost, ports: [{name: serve-80-tcp, containerPort: 80}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {pod: b}}
spec:
  nodeName: node-2
  containers:
  - {name: c, image: agnhost, ports: [{name: serve-80-tcp, containerPort: 80}]}
status: {podIP: 10.0.1.2}
---
apiVersion: v1
kind: Pod
metadata: {name: h1, namespace: x, labels: {pod: h1}}
spec:
  nodeName: node-1
  hostNetwork: true
  containers: [{name: c, image: agnhost}]
status: {podIP: 172.18.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: h2, namespace: x, labels: {pod: h2}}
spec:
  nodeName: node-2
  hostNetwork: true
  containers: [{name: c, image: agnhost}]
status: {podIP: 172.18.0.3}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-own-namespace-pods, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{podSelector: {}}]
)";

TEST(ScenarioProfile, HostNetworkPodTrafficIsItsNodesTrafficByDefault) {
  // hostnetwork-selectable=false: x/h2's traffic is node-2's, which `podSelector: {}` does not
  // match; x/h1 is on x/a's own node, which is always allowed.
  expectScenario({
      .yaml = kHostNetworkCluster,
      .cells = R"(
x/h2 x/a 80/TCP deny
x/h1 x/a 80/TCP allow
x/b  x/a 80/TCP allow
)",
  });
}

TEST(ScenarioProfile, HostNetworkPodSelectableKnobLetsSelectorsMatchIt) {
  expectScenario({
      .yaml = kHostNetworkCluster,
      .cells = R"(
x/h2 x/a 80/TCP allow
x/b  x/a 80/TCP allow
)",
      .profile = profileWith([](Profile& p) { p.hostnetworkSelectable = true; }),
  });
}

// ---------------------------------------------------------------------------------------------
// IPv6 / dual-stack (reading R2: the connection uses the destination's status.podIP family).
// ---------------------------------------------------------------------------------------------

const char* const kDualStackCluster = R"(
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {ns: x}}
---
apiVersion: v1
kind: Namespace
metadata: {name: "y", labels: {ns: "y"}}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status:
  addresses:
  - {type: InternalIP, address: 172.18.0.2}
  - {type: InternalIP, address: "fc00:f853:ccd:e793::2"}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {pod: a}}
spec:
  nodeName: node-1
  containers:
  - {name: c, image: agnhost, ports: [{name: serve-80-tcp, containerPort: 80}]}
status:
  podIP: "fd00:10:1::1"
  podIPs: [{ip: "fd00:10:1::1"}, {ip: 10.0.1.1}]
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {pod: b}}
spec:
  nodeName: node-1
  containers:
  - {name: c, image: agnhost, ports: [{name: serve-80-tcp, containerPort: 80}]}
status:
  podIP: "fd00:10:1::2"
  podIPs: [{ip: "fd00:10:1::2"}, {ip: 10.0.1.2}]
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: "y", labels: {pod: a}}
spec:
  nodeName: node-1
  containers:
  - {name: c, image: agnhost, ports: [{name: serve-80-tcp, containerPort: 80}]}
status:
  podIP: "fd00:10:2::1"
  podIPs: [{ip: "fd00:10:2::1"}, {ip: 10.0.2.1}]
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: "y", labels: {pod: b}}
spec:
  nodeName: node-1
  containers:
  - {name: c, image: agnhost, ports: [{name: serve-80-tcp, containerPort: 80}]}
status:
  podIP: "fd00:10:2::2"
  podIPs: [{ip: "fd00:10:2::2"}, {ip: 10.0.2.2}]
)";

TEST(ScenarioIpv6, Ipv6IpBlocksMatchIpv6TrafficAndIpv4BlocksDoNot) {
  // IPV6: x/a accepts namespace y's IPv6 /64; x/b accepts y's IPv4 /24 (wrong family for
  // this traffic) and the external 2001:db8::/32; y/a may send to fd00:10::/32 except x/b.
  expectScenario({
      .yaml = std::string(kDualStackCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-y-v6, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{ipBlock: {cidr: "fd00:10:2::/64"}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-y-v4-or-external-v6, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.2.0/24}
    - ipBlock: {cidr: "2001:db8::/32"}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-to-cluster-v6-except-x-b, namespace: "y"}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: "fd00:10::/32"
        except: ["fd00:10:1::2/128"]
)",
      .tables = {{80, TCP, R"(
              x/a x/b y/a y/b
x/a            ?   X   .   .
x/b            X   ?   .   .
y/a            .   X   ?   .
y/b            .   X   .   ?
ip/2001:db8::10 X  .   .   .
)"}},
      .cells = R"(
y/a ip/2001:db8::10 80/TCP deny     # outside fd00:10::/32
x/a ip/2001:db8::10 80/TCP allow
)",
      .externalHosts = {{"internet-v6", "2001:db8::10"}},
  });
}

// ---------------------------------------------------------------------------------------------
// Edge cases of SEMANTICS.md beyond the bug classes.
// ---------------------------------------------------------------------------------------------

TEST(ScenarioEdge, EmptyFromAndToListsMatchEveryPeerIncludingExternalIpsAndNodes) {
  // "A rule with from/to absent or empty matches every peer (including external IPs)".
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-empty-list, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: []
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-empty-list-port-80, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from: []
    ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-to-empty-list-port-80, namespace: "y"}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to: []
    ports: [{port: 80}]
)",
      .cells = R"(
ip/203.0.113.10 x/a 81/TCP allow
node/node-2     x/a 81/TCP allow
z/a             x/a 81/UDP allow
ip/203.0.113.10 x/b 80/TCP allow
ip/203.0.113.10 x/b 81/TCP deny
node/node-1     x/b 81/TCP deny
y/a ip/203.0.113.10 80/TCP allow
y/a ip/203.0.113.10 81/TCP deny
y/a z/b         80/TCP allow
y/a z/b         81/TCP deny
y/a z/b         80/UDP deny
)",
      .externalHosts = {{"internet", "203.0.113.10"}},
  });
}

TEST(ScenarioEdge, AbsentPolicyPodSelectorSelectsEveryPodOfTheNamespace) {
  // "podSelector ... absent behaves as {}" (objects.h); policyTypes absent -> [Ingress].
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: no-pod-selector
  namespace: x
spec:
  policyTypes: [Ingress]
)",
      .tables = {{80, TCP, kDenyIngressToX}},
  });
}

TEST(ScenarioEdge, PolicyTypesBothWithEgressAbsentDeniesAllEgress) {
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-both-types-no-rules, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress, Egress]
  ingress:
  - {}
)",
      .tables = {{80, TCP, kDenyEgressFromXA}},
  });
}

TEST(ScenarioEdge, PodSelectorNotInAndDoesNotExistMatchPodsWithoutTheLabel) {
  // NotIn: "key absent, or value not in set"; DoesNotExist: "key absent". x/nolabel has no
  // labels. x/c's selector ANDs matchLabels pod=a with pod In [b]: it matches nothing.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: v1
kind: Pod
metadata: {name: nolabel, namespace: x}
spec:
  nodeName: node-1
  containers:
  - {name: c, image: agnhost, ports: [{name: serve-80-tcp, containerPort: 80}]}
status: {podIP: 10.0.1.9}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-pod-not-b-c, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: pod, operator: NotIn, values: [b, c]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-unlabelled, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: pod, operator: DoesNotExist}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-from-contradiction, namespace: x}
spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - from:
    - podSelector:
        matchLabels: {pod: a}
        matchExpressions:
        - {key: pod, operator: In, values: [b]}
)",
      .cells = R"(
x/nolabel x/a 80/TCP allow
x/b       x/a 80/TCP deny
x/c       x/a 80/TCP deny
y/c       x/a 80/TCP deny       # NotIn still only within the policy's namespace
x/nolabel x/b 80/TCP allow
x/a       x/b 80/TCP deny
y/a       x/b 80/TCP deny
x/a       x/c 80/TCP deny
x/b       x/c 80/TCP deny
x/nolabel x/c 80/TCP deny
x/a       x/nolabel 80/TCP allow  # not selected by any policy
)",
  });
}

TEST(ScenarioEdge, PodInUndeclaredNamespaceCarriesOnlyItsImplicitNameLabel) {
  // validate.h: pods in undeclared namespaces are allowed and "the oracle treats them as
  // existing". Reading: such a namespace has no labels but the implicit
  // kubernetes.io/metadata.name=<name>.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: w, labels: {pod: a}}
spec:
  nodeName: node-1
  containers:
  - {name: c, image: agnhost, ports: [{name: serve-80-tcp, containerPort: 80}]}
status: {podIP: 10.0.4.1}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-ns-w, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: w}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-all-ns, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from:
    - namespaceSelector: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-from-ns-without-ns-label, namespace: x}
spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: ns, operator: DoesNotExist}
)",
      .cells = R"(
w/a x/a 80/TCP allow
y/a x/a 80/TCP deny
w/a x/b 80/TCP allow
w/a x/c 80/TCP allow
y/a x/c 80/TCP deny
x/a w/a 80/TCP allow
)",
  });
}

TEST(ScenarioEdge, PodsWithoutIpAreNotProbed) {
  // evaluateProbe: nullopt for a pod without an IP (either end) and for a Service whose only
  // selected pod has no IP.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: v1
kind: Pod
metadata: {name: pending, namespace: x, labels: {pod: pending}}
spec:
  nodeName: node-1
  containers:
  - {name: c, image: agnhost, ports: [{name: serve-80-tcp, containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: pending, namespace: x}
spec:
  clusterIP: 10.96.0.50
  selector: {pod: pending}
  ports: [{port: 80}]
)",
      .cells = R"(
x/a       x/pending     80/TCP skip
x/pending x/a           80/TCP skip
x/a       svc/x/pending 80/TCP skip
x/a       x/b           80/TCP allow
)",
  });
}

TEST(ScenarioEdge, IpBlockEdgeCidrsHostBitsWholeSpaceAndWrongFamily) {
  // x/a: 0.0.0.0/0 except 10.0.0.0/8 (everything but the pods); x/b: 10.0.2.77/24 (host
  // bits set, means 10.0.2.0/24); x/c: ::/0 (IPv6 only, never matches IPv4 traffic).
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-outside-pods, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from:
    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-host-bits-cidr, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.2.77/24}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: c-from-all-ipv6, namespace: x}
spec:
  podSelector: {matchLabels: {pod: c}}
  ingress:
  - from:
    - ipBlock: {cidr: "::/0"}
)",
      .cells = R"(
ip/203.0.113.10 x/a 80/TCP allow
node/node-2     x/a 80/TCP allow     # 172.18.0.3 is outside 10.0.0.0/8
y/a             x/a 80/TCP deny
x/b             x/a 80/TCP deny
y/a             x/b 80/TCP allow
y/c             x/b 80/TCP allow
z/a             x/b 80/TCP deny
ip/203.0.113.10 x/b 80/TCP deny
y/a             x/c 80/TCP deny
ip/203.0.113.10 x/c 80/TCP deny
node/node-2     x/c 80/TCP deny
)",
      .externalHosts = {{"internet", "203.0.113.10"}},
  });
}

TEST(ScenarioEdge, EgressPortsToExternalIpBlockAndSelectorsNeverReachExternal) {
  // x/a may send to 203.0.113.0/24 on 443 only; x/b to every pod of every namespace
  // (namespaceSelector {} + podSelector {}), which excludes external IPs and nodes.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-to-external-443, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 203.0.113.0/24}}]
    ports: [{port: 443, protocol: TCP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-to-all-pods, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}, podSelector: {}}]
)",
      .cells = R"(
x/a ip/203.0.113.10 443/TCP   allow
x/a ip/203.0.113.10 80/TCP    deny
x/a ip/203.0.113.10 443/UDP   deny
x/a y/a             443/TCP   deny
x/b ip/203.0.113.10 80/TCP    deny
x/b z/c             81/UDP    allow
x/b node/node-2     10250/TCP deny
x/b node/node-1     10250/TCP deny
)",
      .externalHosts = {{"internet", "203.0.113.10"}},
  });
}

// Services across namespaces: backends only from the Service's own namespace; a named
// targetPort per backend; absent targetPort = port; a UDP Service port whose named
// targetPort exists only for TCP has no backend.
const char* const kServiceEdgeCluster = R"(
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {ns: x}}
---
apiVersion: v1
kind: Namespace
metadata: {name: "y", labels: {ns: "y"}}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status:
  addresses: [{type: InternalIP, address: 172.18.0.2}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: x, labels: {app: client}}
spec:
  nodeName: node-1
  containers: [{name: c, image: agnhost}]
status: {podIP: 10.0.1.10}
---
apiVersion: v1
kind: Pod
metadata: {name: client2, namespace: x, labels: {app: client2}}
spec:
  nodeName: node-1
  containers: [{name: c, image: agnhost}]
status: {podIP: 10.0.1.11}
---
apiVersion: v1
kind: Pod
metadata: {name: fake, namespace: x, labels: {app: web}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports:
    - {name: http, containerPort: 80}
    - {name: dns, containerPort: 53, protocol: UDP}
status: {podIP: 10.0.1.12}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: "y", labels: {app: web}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports:
    - {name: http, containerPort: 80}
    - {name: dns, containerPort: 53, protocol: UDP}
status: {podIP: 10.0.2.11}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: "y", labels: {app: web}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports:
    - {name: http, containerPort: 81}
    - {name: dns, containerPort: 53, protocol: UDP}
status: {podIP: 10.0.2.12}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: "y", labels: {app: solo}}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: agnhost
    ports: [{name: http, containerPort: 8080}]
status: {podIP: 10.0.2.13}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: "y"}
spec:
  clusterIP: 10.96.2.1
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: dns, port: 53, protocol: UDP, targetPort: dns}
---
apiVersion: v1
kind: Service
metadata: {name: solo, namespace: "y"}
spec:
  clusterIP: 10.96.2.2
  selector: {app: solo}
  ports:
  - {name: plain, port: 80}
  - {name: udp-http, port: 8080, protocol: UDP, targetPort: http}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-to-y-named-http, namespace: x}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {ns: "y"}}}]
    ports: [{port: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-2-only-dns-from-x, namespace: "y"}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: x}}}]
    ports: [{port: 53, protocol: UDP}]
  - from: [{podSelector: {}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x-web-deny-all, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: []
)";

TEST(ScenarioEdge, ServiceTranslationAcrossNamespacesWithNamedAndDefaultTargetPorts) {
  // svc/y/web:80 -> y/web-1:80 or y/web-2:81 (named `http`); :53/UDP -> `dns` (53) on both.
  // x/fake carries app=web but lives in x: not a backend. svc/y/solo:80 -> y/solo:80
  // (targetPort absent); its 8080/UDP port names `http`, which solo defines only for TCP: no
  // backend. Ingress into both web pods (one policy): UDP 53 from namespace x, anything from
  // y. client's egress: to namespace y on named port `http`.
  expectScenario({
      .yaml = kServiceEdgeCluster,
      .cells = R"(
x/client  svc/y/web   80/TCP   deny        # egress ok on both (http), ingress denies TCP from x
x/client  svc/y/web   53/UDP   deny        # egress: `http` is not the dns port
x/client  y/web-2     81/TCP   deny
x/client  svc/y/solo  80/TCP   deny        # solo's `http` is 8080, the target is 80
x/client  y/solo      8080/TCP allow
x/client  svc/y/solo  8080/UDP skip
x/client2 svc/y/web   53/UDP   allow       # x/fake would deny: it must not be a backend
x/client2 svc/y/web   80/TCP   deny
x/client2 svc/y/solo  80/TCP   allow
y/solo    svc/y/web   80/TCP   allow       # from y: second ingress rule
x/client2 x/fake      80/TCP   deny
)",
  });
}

TEST(ScenarioEdge, ServiceBackendsThatAgreeOrDisagreeOnIngress) {
  // Same cluster, plus web-1 also accepting TCP from namespace x: the two backends of
  // svc/y/web now disagree for TCP from x (web-1 allows, web-2 denies).
  expectScenario({
      .yaml = std::string(kServiceEdgeCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-1-tcp-from-x, namespace: "y"}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: x}}}]
    ports: [{port: 80}]
)",
      .cells = R"(
x/client  svc/y/web   80/TCP   undefined   # web-1:80 allowed, web-2:81 denied
x/client2 svc/y/web   80/TCP   undefined
x/client2 svc/y/web   53/UDP   allow
x/client2 y/web-1     80/TCP   allow
x/client2 y/web-2     81/TCP   deny
)",
  });
}

TEST(ScenarioEdge, ServiceEgressWithNumericPortMatchingOneBackendIsUndefined) {
  // Egress from client2 on numeric port 80 only: svc/y/web:80 goes to web-1:80 (allowed) or
  // web-2:81 (denied by client2's own egress) -> undefined.
  expectScenario({
      .yaml = std::string(kServiceEdgeCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client2-to-80, namespace: x}
spec:
  podSelector: {matchLabels: {app: client2}}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 80}, {port: 53, protocol: UDP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-allow-all, namespace: "y"}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{}]
)",
      .cells = R"(
x/client2 svc/y/web  80/TCP undefined
x/client2 svc/y/web  53/UDP allow
x/client  svc/y/web  80/TCP allow        # named `http` matches on both backends
)",
  });
}

TEST(ScenarioEdge, PolicyPodSelectorWithNotInIsolatesOnlyTheOtherPods) {
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: isolate-all-but-a, namespace: x}
spec:
  podSelector:
    matchExpressions:
    - {key: pod, operator: NotIn, values: [a]}
  ingress: []
)",
      .tables = {{80, TCP, kOnlyXAReachableInX}},
  });
}

TEST(ScenarioEdge, HostNetworkPodsAreNeitherIsolatedNorSelectedByDefault) {
  // Reading R5 of "a hostNetwork pod's traffic is treated as traffic of its node" (default
  // hostnetwork-selectable=false): a policy selecting hostNetwork pods isolates nothing
  // (node traffic is not subject to pod policies), while an ipBlock of the node IP does
  // match a hostNetwork source. x/a accepts from pods of x (as in the cluster), x/b from
  // node-2's IP; deny-all in and out for every pod labelled h1/h2.
  expectScenario({
      .yaml = std::string(kHostNetworkCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-from-node-2-ip, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
  - from: [{ipBlock: {cidr: 172.18.0.3/32}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-hostnetwork-pods, namespace: x}
spec:
  podSelector:
    matchExpressions:
    - {key: pod, operator: In, values: [h1, h2]}
  policyTypes: [Ingress, Egress]
)",
      .cells = R"(
x/h2 x/b 80/TCP allow     # own node of x/b anyway
x/h1 x/b 80/TCP deny      # node-1's IP is not in the block
x/h1 x/a 80/TCP allow     # own node
x/b  x/h1 80/TCP allow    # traffic to node-1: not isolated by the pod policy
x/a  x/h2 80/TCP allow
)",
  });
}

TEST(ScenarioIpv6, Ipv4WholeSpaceBlockNeverMatchesIpv6Traffic) {
  // Dual-stack cluster, IPv6 primary (reading R2): y/b accepts only from 0.0.0.0/0 and may
  // send only to 0.0.0.0/0.
  expectScenario({
      .yaml = std::string(kDualStackCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-ipv4-only, namespace: "y"}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
)",
      .cells = R"(
x/a y/b 80/TCP deny
ip/2001:db8::10 y/b 80/TCP deny
y/b x/a 80/TCP deny
y/b ip/2001:db8::10 80/TCP deny
x/a y/a 80/TCP allow
)",
      .externalHosts = {{"internet-v6", "2001:db8::10"}},
  });
}

TEST(ScenarioProfile, EgressToAHostNetworkPodIsEgressToItsNode) {
  // Reading R5: x/a (node-1) isolated for egress; x/h1 is hostNetwork on node-1, x/h2 on
  // node-2. Default egress-to-own-node=policy, then =allow.
  const std::string yaml = std::string(kHostNetworkCluster) + R"(
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-deny-egress, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
)";
  expectScenario({
      .yaml = yaml,
      .cells = R"(
x/a x/h1 80/TCP deny
x/a x/h2 80/TCP deny
)",
  });
  expectScenario({
      .yaml = yaml,
      .cells = R"(
x/a x/h1 80/TCP allow
x/a x/h2 80/TCP deny
x/a x/b  80/TCP deny
)",
      .profile =
          profileWith([](Profile& p) { p.egressToOwnNode = Profile::EgressToOwnNode::Allow; }),
  });
}

// ---------------------------------------------------------------------------------------------
// The example case files under corpus/examples must decode and give the documented tables.
// ---------------------------------------------------------------------------------------------

std::string readExample(const std::string& name) {
  std::string path = std::string(NPF_SOURCE_DIR) + "/corpus/examples/" + name;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return {};
  std::string s;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

TEST(ScenarioExamples, ThreeByThreeDenyIngressExampleGivesItsTruthTable) {
  std::string yaml = readExample("3x3-default-deny-ingress.yaml");
  ASSERT_FALSE(yaml.empty());
  expectScenario({
      .yaml = yaml,
      .tables = {{80, TCP, kDenyIngressToX}, {81, UDP, kDenyIngressToX}, {80, TCP, R"(
             x/a x/b x/c y/b
node/node-1   .   X   .   .
node/node-2   X   .   X   .
)"}},
  });
}

TEST(ScenarioExamples, ThreeByThreeAllowNamespaceYPort81ExampleGivesItsTruthTable) {
  std::string yaml = readExample("3x3-allow-ns-y-port-81.yaml");
  ASSERT_FALSE(yaml.empty());
  expectScenario({
      .yaml = yaml,
      .tables = {{81, TCP, kIntoXAOnlyFromNsY}, {80, TCP, kDenyIngressToXA}},
  });
}

TEST(ScenarioExamples, NamedPortPerPodExampleResolvesOnEachDestination) {
  std::string yaml = readExample("named-port-per-pod.yaml");
  ASSERT_FALSE(yaml.empty());
  expectScenario({
      .yaml = yaml,
      .cells = R"(
shop/client shop/web-1 8080/TCP allow
shop/client shop/web-2 9090/TCP allow
shop/client shop/web-2 8080/TCP deny
shop/client svc/shop/web 80/TCP allow
)",
  });
}

// ---------------------------------------------------------------------------------------------
// Last on purpose (see the comment inside).
// ---------------------------------------------------------------------------------------------

TEST(ScenarioPolicyNamespaces, PoliciesInNamespacesWithoutPodsChangeNothing) {
  // A declared namespace without pods and an undeclared one each hold a deny-all policy;
  // x/a accepts only from the empty namespace (so from nobody). Kept last in the file: a
  // policy in an undeclared namespace has crashed the matrix engine, which would abort the
  // scenarios after it.
  expectScenario({
      .yaml = cluster3x3() + R"(
---
apiVersion: v1
kind: Namespace
metadata: {name: empty, labels: {ns: empty}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: empty}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: ghost}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-empty-ns, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {ns: empty}}}]
)",
      .tables = {{80, TCP, kDenyIngressToXA}},
  });
}

}  // namespace
