#!/usr/bin/env bash
# Installs what netpolfuzz builds and runs with. Idempotent: does nothing when everything is
# present. Needs root (or sudo) for apt-get.
#
#   scripts/install-deps.sh                    the Debian packages of the build and the local backend
#   scripts/install-deps.sh --with-kube-router  also what `--enforcer kube-router` runs: Debian's
#       etcd-server, ipset and iptables, and kube-apiserver and kube-router built from the Go
#       module proxy into ${XDG_CACHE_HOME:-~/.cache}/netpolfuzz/bin (scripts/build-control-plane.sh;
#       5 to 16 minutes on 2 cores the first time, cached after that). Needs Go >= 1.22.
#   scripts/install-deps.sh --with-analyzers    also the offline analyzers of `--backend analyzer`:
#       Cyclonus v0.5.6 built from the Go module proxy into the same cache (about a minute cold).
set -euo pipefail
cd "$(dirname "$0")/.."

with_kube_router=false
with_analyzers=false
for arg in "$@"; do
  case "$arg" in
    --with-kube-router) with_kube_router=true ;;
    --with-analyzers) with_analyzers=true ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build pkg-config
  libyaml-cpp-dev nlohmann-json3-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  libvalijson-dev                   # validates results.json against docs/results.schema.json
  clang libclang-rt-14-dev          # libFuzzer and sanitizers
  clang-tidy clang-format           # scripts/lint.sh (CI)
  iproute2 nftables libnftables-dev containernetworking-plugins  # the local backend
  libcurl4-openssl-dev openssl      # the local backend's API client (--enforcer kube-router|exec)
  python3                           # bench/*.sh read results.json
  stress-ng                         # the saturated-machine test (tests/runner_load_test.cc)
)
if $with_kube_router; then
  packages+=(etcd-server ipset iptables)  # the control plane's store; what kube-router drives
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if $with_kube_router; then
  scripts/build-control-plane.sh control-plane >/dev/null
fi
if $with_analyzers; then
  scripts/build-control-plane.sh analyzers >/dev/null
fi
