#!/usr/bin/env bash
# The main job, set up from scratch: installs dependencies, builds, and runs netpolfuzz on the
# example case, then generates 50 seeded random cases with their coverage table and
# evaluates one (the fuzz campaign on the local backend replaces this when it lands).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh netpolfuzz
case=corpus/examples/quickstart.yaml
set -x
build/netpolfuzz validate "$case"
build/netpolfuzz expect "$case"
build/netpolfuzz explain "$case" --from y/a --to x/a --port 80
build/netpolfuzz expect "$case" --output summary
build/netpolfuzz generate --seed 1 --count 50 --out out/demo-cases --stats
build/netpolfuzz expect out/demo-cases/small-s1-0000.yaml --output summary
