// Run identity, on-disk state and cleanup for the local backend. Every network namespace,
// nft table and state directory of a run carries its id `npf-<6 hex>`; the state directory
// <stateRoot>/<run>/ holds the owning process (pid and start time) so that a later run, or
// cleanupLeftovers(), can tell a crashed run (remove its namespaces) from a live one (leave
// it alone).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runner/process.h"

namespace npf::runner::local {

inline constexpr const char* kDefaultStateRoot = "/run/netpolfuzz";

// A fresh run id "npf-xxxxxx" (6 random hex digits).
std::string newRunId();
// True for "npf-" followed by 6 lowercase hex digits.
bool isRunId(const std::string& s);
// The run id a namespace name belongs to ("npf-a1b2c3-n0" -> "npf-a1b2c3"), or "".
std::string runIdOfNamespace(const std::string& netnsName);

// "" when this process may create network namespaces and nftables rules (CAP_NET_ADMIN and
// CAP_SYS_ADMIN, i.e. root), else a one-line explanation.
std::string checkPrivileges();

// <stateRoot>/<run>: the state directory of a run.
std::string runDir(const std::string& stateRoot, const std::string& runId);
// Run ids that have a state directory under `stateRoot`, sorted.
std::vector<std::string> runsWithState(const std::string& stateRoot);
// Whether `runId` is a run id with a state directory or a network namespace: something of it
// is on this machine, alive or not.
bool runExists(const std::string& stateRoot, const std::string& runId);
// The owner's pid recorded in <stateRoot>/<run>/pid; 0 when unreadable.
long ownerPid(const std::string& stateRoot, const std::string& runId);

// Creates <stateRoot>/<run>/ atomically with a `pid` file ("<pid> <starttime>"). Error or "".
std::string createRunDir(const std::string& stateRoot, const std::string& runId);
void removeRunDir(const std::string& stateRoot, const std::string& runId);
// Whether the process recorded in <stateRoot>/<run>/pid is still running (not a zombie, same
// start time). A run directory without a pid file counts as dead.
bool runIsAlive(const std::string& stateRoot, const std::string& runId);

// What /proc/<pid>/stat says about a process: its state (field 3; 'Z' zombie, 'X' dead) and
// its start time (field 22, clock ticks after boot), which with the pid names one process even
// after the pid is reused.
struct ProcessStat {
  char state = '?';
  unsigned long long startTime = 0;
};
// Parses the text of /proc/<pid>/stat (whose command name may hold spaces and parentheses);
// nullopt when it is not one.
std::optional<ProcessStat> parseProcessStat(const std::string& statText);
// The start time of process `pid`; nullopt when it is gone or a zombie.
std::optional<unsigned long long> liveStartTime(long pid);
// The command line of process `pid`, its arguments joined by spaces ("" when unreadable).
std::string commandLineOf(long pid);

// Named network namespaces (under /run/netns) whose names start with `prefix`.
std::vector<std::string> listNamespaces(const std::string& prefix = "npf-");

struct CleanupReport {
  std::vector<std::string> removedNamespaces;
  std::vector<std::string> removedRuns;  // state directories of dead runs
  std::vector<int> killedPids;           // processes found inside leftover namespaces
  std::vector<std::string> errors;
};

// Removes what dead runs left behind: processes inside their namespaces, the namespaces
// (which takes veths, routes, nft tables and conntrack with them) and their state directories.
// Runs whose owner is alive, and `keepRun`, are not touched.
CleanupReport cleanupLeftovers(ProcessRunner& processes = realProcessRunner(),
                               const std::string& stateRoot = kDefaultStateRoot,
                               const std::string& keepRun = "");

// Holds a shared lock on <stateRoot>/lock while a run creates namespaces, so that the removal
// of an empty /run/netns (only if a netpolfuzz run created it) never races with a new run.
class NamespaceCreationLock {
 public:
  explicit NamespaceCreationLock(const std::string& stateRoot);
  ~NamespaceCreationLock();
  NamespaceCreationLock(const NamespaceCreationLock&) = delete;
  NamespaceCreationLock& operator=(const NamespaceCreationLock&) = delete;

 private:
  int fd_ = -1;
};

// If /run/netns did not exist before our first namespace (recorded by the creation lock), no
// run is alive and it is empty, unmount and remove it, as it was before.
void removeRunNetnsIfOurs(const std::string& stateRoot);

// Signal handling. Live local runs register a teardown; tearDownAllLocalRuns() calls them all
// (normal context only). installSignalTeardown() installs SIGINT/SIGTERM handlers that only
// write to a self-pipe; a watcher thread then tears every run down and re-raises the signal
// with its default action. A CLI with its own handler can call notifyTeardownSignal(sig) from
// it instead (async-signal-safe) after installSignalTeardown(/*installHandlers=*/false).
void registerTeardown(const std::string& runId, std::function<void()> fn);
void unregisterTeardown(const std::string& runId);
void tearDownAllLocalRuns();
void installSignalTeardown(bool installHandlers = true);
void notifyTeardownSignal(int sig);

}  // namespace npf::runner::local
