#!/usr/bin/env bash
# Configures and builds netpolfuzz (CLI, tests, benchmarks) into build/. Incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build "$@"
