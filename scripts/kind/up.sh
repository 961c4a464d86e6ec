#!/usr/bin/env bash
# Creates a kind cluster for netpolfuzz with the CNI under test and waits until nodes and CNI
# pods are ready. Needs docker (or podman), kind and kubectl.
#   scripts/kind/up.sh kindnet|calico|cilium|antrea|kube-router [CLUSTER-NAME] [--dual-stack]
# Then: build/netpolfuzz conformance --backend kind --context kind-CLUSTER-NAME --cni CNI
# Versions are pinned here; NOT exercised on the machine this was written on (no Docker there).
set -euo pipefail
cd "$(dirname "$0")"
cni=${1:?usage: up.sh kindnet|calico|cilium|antrea|kube-router [NAME] [--dual-stack]}
name=${2:-npf-$cni}
config=cluster-nocni.yaml
[ "$cni" = kindnet ] && config=cluster.yaml
if [ "${3:-}" = --dual-stack ]; then
  if [ "$cni" = kindnet ]; then
    config=cluster-dualstack.yaml
  else
    config=$(mktemp --suffix .yaml)
    sed 's/^networking:/networking:\n  ipFamily: dual/' cluster-nocni.yaml >"$config"
  fi
fi

CALICO_VERSION=v3.28.2
CILIUM_VERSION=1.16.3
ANTREA_VERSION=v2.1.0
KUBE_ROUTER_VERSION=v2.2.1

run() { echo "+ $*" >&2; "$@"; }

run kind create cluster --name "$name" --config "$config"
ctx=(--context "kind-$name")
case $cni in
  kindnet) ;;
  calico)
    run kubectl "${ctx[@]}" apply -f "https://raw.githubusercontent.com/projectcalico/calico/$CALICO_VERSION/manifests/calico.yaml"
    run kubectl "${ctx[@]}" -n kube-system rollout status daemonset/calico-node --timeout=300s ;;
  cilium)
    # The cilium CLI (https://github.com/cilium/cilium-cli) installs and waits.
    run cilium install --context "kind-$name" --version "$CILIUM_VERSION"
    run cilium status --context "kind-$name" --wait ;;
  antrea)
    run kubectl "${ctx[@]}" apply -f "https://github.com/antrea-io/antrea/releases/download/$ANTREA_VERSION/antrea.yml"
    run kubectl "${ctx[@]}" -n kube-system rollout status daemonset/antrea-agent --timeout=300s ;;
  kube-router)
    run kubectl "${ctx[@]}" apply -f "https://raw.githubusercontent.com/cloudnativelabs/kube-router/$KUBE_ROUTER_VERSION/daemonset/kubeadm-kuberouter.yaml"
    run kubectl "${ctx[@]}" -n kube-system rollout status daemonset/kube-router --timeout=300s ;;
  *) echo "unknown CNI $cni" >&2; exit 2 ;;
esac
run kubectl "${ctx[@]}" wait --for=condition=Ready nodes --all --timeout=300s
# Pull the test image once per node instead of once per pod.
docker pull registry.k8s.io/e2e-test-images/agnhost:2.52 && run kind load docker-image registry.k8s.io/e2e-test-images/agnhost:2.52 --name "$name" || true
echo "ready: build/netpolfuzz conformance --backend kind --context kind-$name --cni $cni"
