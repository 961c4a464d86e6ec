#!/usr/bin/env bash
# The bounded kube-router job of CI: the conformance cases that exercise what kube-router is
# known to get wrong and their neighbours, and a short seeded campaign, both against kube-router
# v2.1.0 on the local backend, each checked against its known-failures file
# (corpus/findings/kube-router-v2.1.0/): exit 0 when kube-router fails exactly as written down,
# 1 on a new failure or on a listed one that went away. Needs root and scripts/test.sh (or
# scripts/install-deps.sh --with-kube-router and scripts/build.sh) first.
set -euo pipefail
cd "$(dirname "$0")/.."
findings=corpus/findings/kube-router-v2.1.0
out=${OUT:-out/kube-router-check}

echo "== conformance against kube-router (tagged subset)"
build/netpolfuzz conformance --enforcer kube-router -q --report none -o "$out/conformance" \
  --include source:upstream-e2e,family:peers,family:named-ports,family:actions,family:external-hosts \
  --known-failures "$findings/known-failures.txt"

echo "== seeded campaign against kube-router"
build/netpolfuzz fuzz --enforcer kube-router --seed 1 --cases 30 -q --report none \
  -o "$out/fuzz-s1" --known-failures "$findings/known-failures-fuzz-s1-30.txt"

echo "== the findings' own cases against kube-router"
build/netpolfuzz conformance "$findings/cases" --enforcer kube-router -q --report none \
  -o "$out/findings" --known-failures "$findings/cases/known-failures.txt"
