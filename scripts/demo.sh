#!/usr/bin/env bash
# The main job, set up from scratch: installs dependencies, builds, and runs a differential
# fuzz campaign on the local backend: 100 seeded random cases, each set up as real network
# namespaces (CNI ptp plugin, nftables), probed with real packets and compared cell by cell
# with the oracle. Ends with a summary; results in out/fuzz-demo/. Needs root (or sudo).
# Extra arguments go to `netpolfuzz fuzz` (e.g. --cases 500, --inject-fault ENDPORT_IGNORED).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh netpolfuzz
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
set -x
"${sudo[@]}" build/netpolfuzz fuzz --seed 1 --cases 100 --out out/fuzz-demo "$@"
