#!/usr/bin/env bash
# Campaign benchmarks on the local backend (root): time per small case, probe throughput, and
# how many cases / seconds each injected fault class takes to be detected. Medians over seeds,
# all measured in this one run. Usage: bench/fuzz_bench.sh [SEEDS] (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-5}
cli=build/netpolfuzz
[ -x "$cli" ] || scripts/build.sh >/dev/null
work=$(mktemp -d /tmp/npf-fuzz-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

median() { python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f"{statistics.median(v):.1f}" if v else "-")' "$@"; }

echo "== per small case: apply + probe + diff (40 cases per seed) =="
case_medians=() probe_rates=()
for s in $(seq 1 "$seeds"); do
  "$cli" fuzz --seed "$s" --cases 40 --out "$work/small-$s" -q >/dev/null
  read -r m r < <(python3 - "$work/small-$s/results.json" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
per_case = [c["timings"]["totalMs"] for c in d["cases"]]
# Probe-phase throughput: every attempt (denied ones wait for their timeout) over probing time.
rates = [c["probes"] / (c["timings"]["probeMs"] / 1000) for c in d["cases"] if c["timings"]["probeMs"] > 0]
print(f'{statistics.median(per_case):.0f} {statistics.median(rates):.0f}')
PY
)
  echo "seed $s: median $m ms per case, probe phase $r probes/s"
  case_medians+=("$m") probe_rates+=("$r")
done
echo "MEDIAN per small case: $(median "${case_medians[@]}") ms; probe phase: $(median "${probe_rates[@]}") probes/s"

echo "== probe throughput on large clusters (8x6 pods, 4 nodes; 5 cases) =="
"$cli" fuzz --seed 1 --size large --cases 5 --out "$work/large" -q >/dev/null
python3 - "$work/large/results.json" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
rates = []
for c in d["cases"]:
    for s in c["states"]:
        if s["probeMs"] > 0:
            rates.append(s["probes"] / (s["probeMs"] / 1000))
cells = [s["cells"] for c in d["cases"] for s in c["states"]]
print(f'MEDIAN probe phase on large states ({statistics.median(cells):.0f} cells each): {statistics.median(rates):.0f} probes/s; '
      f'whole campaign incl. set-up: {d["totals"]["probesPerSecond"]:.0f} probes/s')
PY

echo "== time to detect each injected fault (median over $seeds seeds, at most 200 cases) =="
printf '%-24s %8s %9s %s\n' fault cases seconds per-seed-cases
for f in $("$cli" fuzz --list-faults | awk '{print $1}'); do
  cases=() secs=()
  for s in $(seq 1 "$seeds"); do
    "$cli" fuzz --seed "$s" --cases 200 --max-failures 1 --inject-fault "$f" --out "$work/$f-$s" -q >/dev/null || true
    read -r n t < <(python3 - "$work/$f-$s/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
hit = [i for i, c in enumerate(d["cases"]) if c["discrepancies"] > 0]
if hit:
    print(hit[0] + 1, f'{sum(c["timings"]["totalMs"] for c in d["cases"][:hit[0] + 1]) / 1000:.1f}')
else:
    print("none", "none")
PY
)
    cases+=("$n") secs+=("$t")
  done
  found=() foundsecs=()
  for i in "${!cases[@]}"; do [ "${cases[$i]}" != none ] && found+=("${cases[$i]}") && foundsecs+=("${secs[$i]}"); done
  printf '%-24s %8s %9s %s\n' "$f" "$(median "${found[@]}")" "$(median "${foundsecs[@]}")" "${cases[*]}"
done
