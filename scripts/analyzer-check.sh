#!/usr/bin/env bash
# The bounded analyzer job of CI: Cyclonus v0.5.6 (--backend analyzer) on the conformance suite,
# a seeded 100-case campaign and the findings' own cases, each checked against its known-failures
# file (corpus/findings/cyclonus-v0.5.6/): exit 0 when Cyclonus fails exactly as written down, 1
# on a new failure or a listed one that went away. Then every minimized campaign case must still
# reproduce, and Cyclonus must still panic on the valid CIDR of crashes/ (exit 3, the panic
# named). No root. Needs scripts/test.sh
# (or scripts/install-deps.sh --with-analyzers and scripts/build.sh) first.
set -euo pipefail
cd "$(dirname "$0")/.."
findings=corpus/findings/cyclonus-v0.5.6
out=${OUT:-out/analyzer-check}
cli=build/netpolfuzz

echo "== conformance against cyclonus"
"$cli" conformance --backend analyzer --analyzer cyclonus -q --report none -o "$out/conformance" \
  --known-failures "$findings/known-failures.txt"

echo "== seeded campaign against cyclonus"
"$cli" fuzz --backend analyzer --analyzer cyclonus --seed 1 --cases 100 -q --report none \
  -o "$out/fuzz-s1" --known-failures "$findings/known-failures-fuzz-s1-100.txt"

echo "== the findings' own cases against cyclonus"
"$cli" conformance "$findings/cases" --backend analyzer --analyzer cyclonus -q --report none \
  -o "$out/findings" --known-failures "$findings/cases/known-failures.txt"

echo "== the minimized campaign cases still reproduce on cyclonus"
count=$(ls "$findings"/minimized/*.yaml | wc -l)
status=0
"$cli" replay "$findings/minimized" --backend analyzer --analyzer cyclonus >"$out/minimized.log" 2>&1 || status=$?
if [ "$status" -ne 1 ] || ! grep -q "^$count cases: $count reproduce" "$out/minimized.log"; then
  cat "$out/minimized.log" >&2
  echo "analyzer-check: expected all $count cases of $findings/minimized to reproduce (exit 1), got exit $status" >&2
  exit 1
fi
grep "^$count cases:" "$out/minimized.log"

echo "== the crash finding"
status=0
"$cli" conformance "$findings/crashes" --backend analyzer --analyzer cyclonus -q --report none \
  -o "$out/crashes" >"$out/crashes.log" 2>&1 || status=$?
if [ "$status" -ne 3 ] || ! grep -q "panic: unable to parse CIDR '10.244.002.0/24'" "$out/crashes.log"; then
  cat "$out/crashes.log" >&2
  echo "analyzer-check: expected Cyclonus to panic on $findings/crashes (exit 3), got exit $status" >&2
  exit 1
fi
echo "cyclonus still panics on $findings/crashes/leading-zero-cidr-panics.yaml (as written down)"
