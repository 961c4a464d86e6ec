#!/usr/bin/env bash
# Builds the third-party Go programs netpolfuzz runs from the Go module proxy, pinned by the
# go.mod/go.sum checked in under third_party/, into a cache keyed by version:
#   ${XDG_CACHE_HOME:-~/.cache}/netpolfuzz/bin/kube-apiserver-v1.31.2  --enforcer kube-router
#   ${XDG_CACHE_HOME:-~/.cache}/netpolfuzz/bin/kubectl-v1.31.2         validation-diff's judge
#   ${XDG_CACHE_HOME:-~/.cache}/netpolfuzz/bin/kube-router-v2.1.0      --enforcer kube-router
#   ${XDG_CACHE_HOME:-~/.cache}/netpolfuzz/bin/cyclonus-v0.5.6         --backend analyzer
# Usage: build-control-plane.sh [control-plane|analyzers]...   (default: all of them)
# A binary already in the cache is reused (delete it to rebuild). Reproducible: -trimpath, no
# VCS stamping, the version set by ldflags, the module graph read-only from go.sum.
# Needs Go >= 1.22 (`go` on PATH, or GO=/path/to/go). Cold: 214 + 107 s on 2 cores here (downloads included), up to 16 minutes on busy ones.
# Prints the cache directory on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

KUBE_VERSION=v1.31.2
KUBE_ROUTER_VERSION=v2.1.0
CYCLONUS_VERSION=v0.5.6
cache="${XDG_CACHE_HOME:-$HOME/.cache}/netpolfuzz/bin"
go=${GO:-go}
jobs=${BUILD_JOBS:-$(nproc)}

want_control_plane=false want_analyzers=false
[ $# -eq 0 ] && set -- control-plane analyzers
for arg in "$@"; do
  case "$arg" in
    control-plane) want_control_plane=true ;;
    analyzers) want_analyzers=true ;;
    *) echo "build-control-plane: unknown set $arg (control-plane, analyzers)" >&2; exit 2 ;;
  esac
done

if ! command -v "$go" >/dev/null; then
  echo "build-control-plane: Go not found (install Go >= 1.22 or set GO=/path/to/go)" >&2
  exit 2
fi
mkdir -p "$cache"

# build NAME VERSION MODULE_DIR PACKAGE LDFLAGS: go build into the cache unless already there.
build() {
  local name=$1 version=$2 dir=$3 package=$4 ldflags=$5
  local out="$cache/$name-$version"
  if [ -x "$out" ]; then
    echo "build-control-plane: $name $version cached at $out" >&2
    return
  fi
  echo "build-control-plane: building $name $version (go build -p $jobs; minutes on a small machine)" >&2
  local start=$SECONDS
  (cd "$root/$dir" &&
    GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 \
      "$go" build -p "$jobs" -trimpath -ldflags "$ldflags" -o "$out.partial" "$package")
  mv "$out.partial" "$out"
  echo "build-control-plane: $name $version built in $((SECONDS - start)) s" >&2
}

if $want_control_plane; then
IFS=. read -r major minor _ <<<"${KUBE_VERSION#v}"
base=k8s.io/component-base/version
build kube-apiserver "$KUBE_VERSION" third_party/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver \
  "-s -w -X $base.gitVersion=$KUBE_VERSION -X $base.gitMajor=$major -X $base.gitMinor=$minor \
-X $base.gitTreeState=clean -X $base.buildDate=1970-01-01T00:00:00Z"
build kubectl "$KUBE_VERSION" third_party/kube-apiserver k8s.io/kubernetes/cmd/kubectl \
  "-s -w -X $base.gitVersion=$KUBE_VERSION -X $base.gitMajor=$major -X $base.gitMinor=$minor \
-X $base.gitTreeState=clean -X $base.buildDate=1970-01-01T00:00:00Z"
kr=github.com/cloudnativelabs/kube-router/v2/pkg/version
build kube-router "$KUBE_ROUTER_VERSION" third_party/kube-router \
  github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
  "-s -w -X $kr.Version=$KUBE_ROUTER_VERSION -X $kr.BuildDate=1970-01-01T00:00:00Z"
fi
if $want_analyzers; then
build cyclonus "$CYCLONUS_VERSION" third_party/cyclonus github.com/mattfenwick/cyclonus/cmd/cyclonus \
  "-s -w"
fi

echo "$cache"
