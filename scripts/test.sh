#!/usr/bin/env bash
# Sets up and runs every test: installs dependencies (kube-apiserver, kube-router and Cyclonus
# included: built from the Go module proxy the first time, 5 to 16 minutes on 2 cores, cached
# after that),
# builds, runs the GoogleTest/RapidCheck suite through ctest (the enforcer tests run a real API
# server and kube-router), then each libFuzzer target for a fixed number of runs (ASan+UBSan).
# Usage: scripts/test.sh            (FUZZ_RUNS=N to change the fuzzing budget per target)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-kube-router --with-analyzers
scripts/build.sh

echo "== unit, property and end-to-end tests (ctest)"
# The enforcer and analyzer tests fail, rather than skip, if the binaries are missing.
(cd build && NPF_REQUIRE_KUBE_ROUTER=1 NPF_REQUIRE_ANALYZERS=1 ctest --output-on-failure --timeout 600 -j2)

echo "== libFuzzer targets"
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DNPF_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" >/dev/null
fi
ninja -C build-fuzz
for fuzzer in build-fuzz/*_fuzzer; do
  name=$(basename "$fuzzer" _fuzzer)
  # The decoder runs thousands of inputs a second; the oracle target evaluates whole
  # generated cases with both engines under ASan, about a hundred times slower.
  case $name in
    oracle) runs=${FUZZ_RUNS:-2000} ;;
    results) runs=${FUZZ_RUNS:-20000} ;;  # parses, then renders every format
    manifest_mutator) runs=${FUZZ_RUNS:-10000} ;;  # mutations write up to 300 KB; ~230 runs/s
    *) runs=${FUZZ_RUNS:-100000} ;;
  esac
  seeds=corpus/fuzz/$name
  work=$(mktemp -d)
  echo "-- $name: $runs runs from $seeds"
  # New inputs go to a scratch directory so the checked-in seeds stay as they are.
  if ! "$fuzzer" -runs="$runs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      "$work" "$seeds" >"$work.log" 2>&1; then
    tail -n 60 "$work.log" >&2
    echo "fuzzer $name failed (log above)" >&2
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$work.log" || true
  rm -rf "$work" "$work.log"
done
echo "fuzz: all targets passed"
