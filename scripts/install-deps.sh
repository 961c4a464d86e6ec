#!/usr/bin/env bash
# Installs the Debian packages netpolfuzz builds and runs with. Idempotent: does nothing when
# everything is present. Needs root (or sudo) for apt-get.
set -euo pipefail

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
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
