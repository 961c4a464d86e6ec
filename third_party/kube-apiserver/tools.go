//go:build tools

// Package tools pins kube-apiserver: netpolfuzz builds it from the Go module proxy
// (scripts/build-control-plane.sh) to run a real API server in front of a real CNI
// policy engine on the local dataplane.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
