# syntax=docker/dockerfile:1
#
# netpolfuzz in a container image (Debian bookworm). Three stages:
#
#   build    the project's build dependencies, installed by scripts/install-deps.sh, and
#            netpolfuzz built as Release by scripts/build.sh
#   kubectl  kubectl v1.31.2 for `--backend kind`, built from the Go module proxy exactly as
#            scripts/build-control-plane.sh builds it (same go.mod/go.sum, flags and ldflags;
#            the version is read from that script). Debian bookworm's kubernetes-client is
#            kubectl 1.20, far outside kubectl's +-1 minor version skew with the v1.31 clusters
#            netpolfuzz is tested against
#   runtime  (the default target) the binary, kubectl, corpus/ and what the local backend runs:
#            iproute2 (`ip`), nftables (`nft`), containernetworking-plugins (the ptp, static and
#            host-local CNI plugins in /usr/lib/cni); conntrack entries are flushed over netlink
#            by netpolfuzz itself, so no conntrack tool is needed
#
# Not in the image: kube-apiserver, kube-router and Cyclonus (`--enforcer kube-router`,
# `--backend analyzer`). Building them is 5 to 16 minutes of Go on 2 cores
# (scripts/build-control-plane.sh), and kube-router v2.1.0 and Cyclonus need Go 1.26; the
# nightly campaigns use the local backend's own nftables enforcer and the kind backend. To add
# them, run `scripts/install-deps.sh --with-kube-router --with-analyzers` in a stage with Go
# >= 1.22, copy ${XDG_CACHE_HOME:-~/.cache}/netpolfuzz/bin into the image, set
# NETPOLFUZZ_BIN_DIR to it, and install etcd-server, ipset, iptables and openssl.
#
# Usage:
#   docker build -t netpolfuzz:latest .
#   # local backend: network namespaces, veths, bridges and nftables need a privileged container
#   docker run --rm --privileged -v "$PWD/results:/results" netpolfuzz:latest \
#       fuzz --backend local --seed 1 --cases 100 --out /results/fuzz-s1
#   # kind backend: only kubectl and a kubeconfig; no privileges
#   docker run --rm --network host -v "$HOME/.kube:/root/.kube:ro" netpolfuzz:latest \
#       conformance --backend kind --context kind-npf --cni calico --out /tmp/conformance
#   # offline commands (merge, diff, findings, report, status) need nothing
#   docker run --rm -v "$PWD/results:/results" netpolfuzz:latest merge /results/run --out /results/run/merged
#
# Base images are pinned by tag; pin them by digest (debian:bookworm-slim@sha256:...) for
# byte-for-byte reproducible builds.

FROM debian:bookworm-slim AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
# The dependencies in a layer of their own, rebuilt only when install-deps.sh changes. The
# script runs apt-get itself (as root: no sudo), non-interactively and with
# --no-install-recommends. It also installs what only CI needs (clang, clang-tidy, test
# libraries): CMakeLists.txt requires GTest and rapidcheck at configure time, and this stage is
# discarded anyway.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh
COPY . .
# scripts/build.sh configures build/ only when it is not configured yet (as RelWithDebInfo):
# configure it as Release first, without the benchmarks, then let the script build the CLI.
# NPF_SOURCE_DIR is compiled in as /src, which the runtime image does not have: there
# `conformance` and `kind up` find corpus/ and scripts/kind/ relative to the WORKDIR.
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNPF_BENCH=OFF \
    && scripts/build.sh netpolfuzz \
    && strip build/netpolfuzz \
    && build/netpolfuzz --version

FROM golang:1.22-bookworm AS kubectl
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
COPY scripts/build-control-plane.sh scripts/build-control-plane.sh
COPY third_party/kube-apiserver third_party/kube-apiserver
WORKDIR /src/third_party/kube-apiserver
# The kubectl line of scripts/build-control-plane.sh, without building kube-apiserver and
# kube-router too (that script has no kubectl-only set). Checked to give the same binary.
RUN KUBE_VERSION="$(sed -n 's/^KUBE_VERSION=//p' /src/scripts/build-control-plane.sh)" \
    && test -n "$KUBE_VERSION" \
    && IFS=. read -r major minor _ <<<"${KUBE_VERSION#v}" \
    && base=k8s.io/component-base/version \
    && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 go build -trimpath \
        -ldflags "-s -w -X $base.gitVersion=$KUBE_VERSION -X $base.gitMajor=$major -X $base.gitMinor=$minor -X $base.gitTreeState=clean -X $base.buildDate=1970-01-01T00:00:00Z" \
        -o /out/kubectl k8s.io/kubernetes/cmd/kubectl \
    && /out/kubectl version --client

FROM debian:bookworm-slim AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Versions are not pinned (DL3008): bookworm's point and security updates replace the pinned
# versions in the archive, and a pin would then break the build; the distribution release is
# pinned by the base image instead. libcurl4, libfmt9 and libyaml-cpp0.7 are the shared
# libraries netpolfuzz links; tini runs it as PID 1 (forwards SIGTERM, so a deleted pod tears
# its run down; reaps orphans, also when it is not PID 1 thanks to -s, e.g. under
# `docker run --init`; `tini -e 1` turns the discrepancy exit code into success where a Job
# needs that, see deploy/kubernetes/nightly-job.yaml); ca-certificates for kubectl against
# clusters whose kubeconfig relies on public CAs.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        iproute2 nftables containernetworking-plugins \
        libcurl4 libfmt9 libyaml-cpp0.7 \
        tini ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=kubectl /out/kubectl /usr/local/bin/kubectl
COPY --from=build /src/build/netpolfuzz /usr/local/bin/netpolfuzz
# `conformance` reads ./corpus/conformance, `kind up` ./scripts/kind, replay and
# --known-failures ./corpus/findings: all relative to this directory.
WORKDIR /opt/netpolfuzz
COPY --from=build /src/corpus corpus
COPY --from=build /src/scripts/kind scripts/kind
# The image works: shared libraries resolve and the conformance suite is found without the
# source tree.
RUN netpolfuzz --version \
    && netpolfuzz conformance --list | tail -n 1 \
    && kubectl version --client
# No USER: the local backend needs root in the container with CAP_NET_ADMIN and CAP_SYS_ADMIN
# (it creates network namespaces, bind-mounted under /run/netns, veths, bridges and nftables
# rule sets), so a non-root user cannot run it; in Kubernetes run it privileged. The kind
# backend and the offline commands do run as any user (docker run --user 65534:65534, or
# runAsNonRoot in a pod), given a writable --out.
ENTRYPOINT ["/usr/bin/tini", "-s", "--", "netpolfuzz"]
CMD ["--help"]
