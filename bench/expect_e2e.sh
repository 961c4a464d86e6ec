#!/usr/bin/env bash
# End-to-end timing of `netpolfuzz expect --output summary` on the benchmark's synthetic
# cluster (5,000 pods, 50 namespaces, 1,000 policies, 4 ports per pod) written as YAML.
# Prints each run's phase breakdown and the medians. Usage: bench/expect_e2e.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
scripts/build.sh netpolfuzz matrix_bench >/dev/null
file=$(mktemp --suffix=.yaml)
trap 'rm -f "$file"' EXIT
build/matrix_bench --write-yaml="$file"
echo "case file: $(du -h "$file" | cut -f1), $(grep -c '^kind:' "$file") objects"
totals=(); loads=(); computes=()
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  build/netpolfuzz expect "$file" --output summary --timings 2>"$file.t" >/dev/null
  end=$(date +%s.%N)
  cat "$file.t"
  totals+=("$(awk -v a="$start" -v b="$end" "BEGIN {printf \"%.3f\", b - a}")")
  loads+=("$(sed -E 's/.*load \(read, parse, validate\) ([0-9.]+)s.*/\1/' "$file.t")")
  computes+=("$(sed -E 's/.*compute ([0-9.]+)s.*/\1/' "$file.t")")
done
rm -f "$file.t"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median over $runs runs: total $(median "${totals[@]}")s, load $(median "${loads[@]}")s, compute $(median "${computes[@]}")s"
