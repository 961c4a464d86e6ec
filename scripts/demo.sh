#!/usr/bin/env bash
# The main job, set up from scratch: installs dependencies, builds, and runs netpolfuzz on the
# example case (the fuzz campaign on the local backend replaces this when it lands).
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
