#!/usr/bin/env bash
# Static checks of the sources: clang-tidy with the repository's short .clang-tidy (real bugs:
# use after move, dangling views, needless copies) over every translation unit of build/, and
# clang-format --dry-run on every tracked source.
# Usage: scripts/lint.sh   (after scripts/build.sh; exits non-zero on a finding)
set -euo pipefail
cd "$(dirname "$0")/.."
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [ -z "$tidy" ]; then
  echo "lint: clang-tidy is missing (apt-get install clang-tidy)" >&2
  exit 1
fi
[ -f build/compile_commands.json ] || { echo "lint: run scripts/build.sh first" >&2; exit 1; }
echo "== clang-tidy ($("$tidy" --version | grep -o 'version [0-9.]*'))"
# Generated sources (embedded assets) are not ours to lint.
python3 -c 'import json,sys; [print(e["file"]) for e in json.load(open("build/compile_commands.json"))]' |
  grep -v '/build[^/]*/' | sort -u >build/lint-files.txt
echo "$(wc -l <build/lint-files.txt) translation units"
if ! xargs -P "$(nproc)" -n 4 "$tidy" -p build --quiet <build/lint-files.txt >build/lint.log 2>&1; then
  grep -E -A3 "(warning|error):" build/lint.log | head -n 80 >&2
  echo "lint: clang-tidy found problems (above; full log: build/lint.log)" >&2
  exit 1
fi
echo "clang-tidy: no findings"
echo "== clang-format"
if ! git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror 2>build/format.log; then
  grep -m 20 "error:" build/format.log >&2
  echo "lint: sources not formatted as .clang-format says; run: git ls-files '*.cc' '*.h' | xargs clang-format -i" >&2
  exit 1
fi
echo "clang-format: every source is formatted"
