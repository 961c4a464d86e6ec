#!/usr/bin/env bash
# The same seeded campaign on each enforcer of the local backend, in this one run: cases/s,
# median time per case, median time the enforcer took to catch up with a change, and the
# discrepancies; then the runs side by side (netpolfuzz report --compare). Needs root and
# scripts/install-deps.sh --with-kube-router. Usage: bench/enforcers.sh [CASES] [SEED]
# (default 100 cases, seed 7). Results stay in out/bench-enforcers/.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-100}
seed=${2:-7}
cli=build/netpolfuzz
[ -x "$cli" ] || scripts/build.sh >/dev/null
out=out/bench-enforcers
rm -rf "$out"
for enforcer in nftables kube-router; do
  # Exit 1 (discrepancies) is a result here, not a failure.
  "$cli" fuzz --enforcer "$enforcer" --seed "$seed" --cases "$cases" -q --report none \
    --out "$out/$enforcer" >/dev/null || [ $? -eq 1 ]
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = {}
for e in ("nftables", "kube-router"):
    d = json.load(open(f"{sys.argv[1]}/{e}/results.json"))
    per_case = [c["timings"]["totalMs"] for c in d["cases"]]
    enforcer = [s.get("enforcerMs", 0.0) for c in d["cases"] for s in c["states"]]
    rows[e] = (len(d["cases"]) / d["seconds"], statistics.median(per_case),
               statistics.median(enforcer), d["totals"]["discrepancies"], d["totals"]["failingCases"],
               len(enforcer))
print(f'{"enforcer":<12} {"cases/s":>8} {"median ms/case":>15} {"median enforcer ms":>19} {"states":>7} {"discrepancies":>14} {"failing cases":>14}')
for e, (rate, pc, en, disc, fc, st) in rows.items():
    print(f"{e:<12} {rate:>8.2f} {pc:>15.0f} {en:>19.0f} {st:>7} {disc:>14} {fc:>14}")
n, k = rows["nftables"], rows["kube-router"]
print(f"kube-router / nftables: {k[0] / n[0]:.2f}x the cases/s, {k[1] / n[1]:.2f}x the time per case")
PY
"$cli" report "$out/nftables/results.json" --compare "$out/kube-router/results.json" \
  > "$out/comparison.txt"
echo "side by side: $out/comparison.txt"
