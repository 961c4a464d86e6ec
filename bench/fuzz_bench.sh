#!/usr/bin/env bash
# Campaign benchmarks on the local backend (root): time per small case and campaign throughput
# (the adaptive first-round timeout next to the previous, fixed one), probe throughput on large
# clusters, and how many cases / seconds each injected fault class takes to be detected.
# Medians over seeds, all measured in this one run. Usage: bench/fuzz_bench.sh [SEEDS]
# (default 5; `bench/fuzz_bench.sh 3 --speed-only` skips the fault table).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-5}
speed_only=false
[ "${2:-}" = --speed-only ] && speed_only=true
cli=build/netpolfuzz
[ -x "$cli" ] || scripts/build.sh >/dev/null
work=$(mktemp -d /tmp/npf-fuzz-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

median() { python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f"{statistics.median(v):.1f}" if v else "-")' "$@"; }

echo "== per small case: apply + probe + diff (40 cases per seed), adaptive vs fixed first-round timeout =="
# "fixed" is the previous method: every first round waits --timeout-ms (200 ms) for denied
# cells. Both run the same cases, alternately, in this one run.
declare -A case_med rate
for s in $(seq 1 "$seeds"); do
  for method in adaptive fixed; do
    flags=()
    [ "$method" = fixed ] && flags=(--fixed-timeout)
    "$cli" fuzz --seed "$s" --cases 40 "${flags[@]}" --out "$work/small-$method-$s" -q >/dev/null
    read -r m r < <(python3 - "$work/small-$method-$s/results.json" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
per_case = [c["timings"]["totalMs"] for c in d["cases"]]
# Whole-campaign throughput: every probe over the campaign's wall time (set-up included).
print(f'{statistics.median(per_case):.0f} {d["totals"]["probesPerSecond"]:.0f}')
PY
)
    echo "seed $s $method: median $m ms per case, $r probes/s over the campaign"
    case_med[$method]+="$m " rate[$method]+="$r "
  done
done
# shellcheck disable=SC2086
{
  ma=$(median ${case_med[adaptive]}) mf=$(median ${case_med[fixed]})
  ra=$(median ${rate[adaptive]}) rf=$(median ${rate[fixed]})
}
echo "MEDIAN adaptive: $ma ms per small case, $ra probes/s (targets: <= 200 ms, >= 5000 probes/s)"
echo "MEDIAN fixed (previous method): $mf ms per small case, $rf probes/s"
python3 -c "import sys; ma,mf,ra,rf=map(float,sys.argv[1:]); print(f'RATIO adaptive/fixed: {mf/ma:.2f}x faster per case, {ra/rf:.2f}x probes/s')" "$ma" "$mf" "$ra" "$rf"

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

$speed_only && exit 0
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
