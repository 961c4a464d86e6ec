// The runner interface: what a dataplane backend does for the campaign, in terms both the local
// backend (netns + CNI + nftables on this machine) and a kind backend (kubectl) implement.
#pragma once

#include <string>
#include <vector>

#include "model/cell_vocabulary.h"
#include "model/objects.h"
#include "model/probe.h"
#include "model/profile.h"

namespace npf::runner {

// The observed outcome of one probe cell (SEMANTICS.md "Verdicts").
struct ProbeResult {
  using Kind = Observed;  // its words: model/cell_vocabulary.h
  Kind kind = Kind::Error;
  double latencyMs = 0;     // from connect() to the outcome
  std::string detail;       // errno text, why skipped, ...
  uint16_t sourcePort = 0;  // the probe's source port, when the backend knows it (0: unknown)
  bool operator==(const ProbeResult&) const = default;
};

struct ProbeOptions {
  int timeoutMs = 250;             // per probe, from its own connect()
  int maxInFlightPerSource = 256;  // concurrent sockets per source network namespace
  int maxThreads = 16;             // prober threads (one source namespace at a time each)
  int timeoutRetries = 0;          // re-probe cells that timed out this many more times
  int errorRetries = 1;            // re-probe cells that failed with Error
};

// What a case runs under: the profile the oracle judges it by (and that a configurable dataplane
// implements), and the fault classes (BUG-CLASSES.md names) injected into the dataplane. A saved
// case records both (`spec.profile`, `spec.observed.faults`).
struct RunSettings {
  Profile profile;
  std::vector<std::string> faults;
  bool operator==(const RunSettings&) const = default;
};

// How the dataplane's policy enforcer caught up with the last setUp() or reconcile(), when the
// backend measures it: an enforcer fed through an API server takes time after the writes; one
// that applies synchronously (the local nftables compiler) takes none (`measured` false).
struct Enforcement {
  bool measured = false;
  double convergedMs = 0;    // from the end of the writes until every node had caught up
  size_t timedOutNodes = 0;  // nodes that had not caught up when probing began anyway
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;  // "local", "kind"
  // How the dataplane behaves from the next setUp() or reconcile() on. A backend whose behaviour
  // is fixed (a real CNI) takes any profile, which then only changes what the oracle expects, and
  // refuses faults: this default. Error message or "".
  virtual std::string configure(const RunSettings& settings);
  // Brings up a cluster for `desired` (nodes, namespaces, pods with servers on every declared
  // container port, Services, policies, external hosts). Returns an error message or "".
  virtual std::string setUp(const Cluster& desired) = 0;
  // Applies the difference to `desired`: policies, pod and namespace labels, Services, pods
  // created or deleted, and what canReconcile() allows besides. Error message or "".
  virtual std::string reconcile(const Cluster& desired) = 0;
  // Whether reconcile() can take a cluster at `from` to `to`, or a new setUp() is needed. By
  // default nodes (names, addresses) and external hosts are fixed at setUp.
  virtual bool canReconcile(const Cluster& from, const Cluster& to) const;
  // The cluster as the backend really has it: the addresses pods, nodes and Services got
  // (a backend may assign pod IPs; the local one keeps the case's and reports the family it
  // serves first). Expectations for probe() must be computed on this.
  virtual Cluster actual() const = 0;
  // Probes every cell concurrently; result i belongs to probes[i].
  virtual std::vector<ProbeResult> probe(const std::vector<Probe>& probes,
                                         const ProbeOptions& options) = 0;
  // Removes everything setUp created. Idempotent.
  virtual void tearDown() = 0;
  virtual Enforcement lastEnforcement() const { return {}; }
};

// All cells of a probe set, in ProbeSet::forEach order.
std::vector<Probe> expandProbes(const ProbeSet& set);

// A backend that does not enforce cluster-scoped policies yet: an error naming them when
// `desired` has any (probing it would report every cell they decide as a discrepancy), else "".
std::string refuseClusterPolicies(const Cluster& desired, const std::string& backend);

}  // namespace npf::runner
