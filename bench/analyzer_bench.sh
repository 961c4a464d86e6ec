#!/usr/bin/env bash
# The oracle against Cyclonus v0.5.6 on the same synthetic clusters (48, 200, 500, 2,000 pods)
# and the same sampled cells, in this one run: medians, and the ratio analyzer / oracle.
# Needs scripts/install-deps.sh --with-analyzers. Usage: bench/analyzer_bench.sh [RUNS] [CELLS]
# (default 5 runs, 5,000 cells per cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh analyzer_bench >/dev/null
build/analyzer_bench --runs="${1:-5}" --cells="${2:-5000}"
