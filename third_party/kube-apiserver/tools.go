//go:build tools

// Package tools pins kube-apiserver and kubectl: netpolfuzz builds them from the Go module proxy
// (scripts/build-control-plane.sh) to run a real API server in front of a real CNI policy
// engine on the local dataplane, and to judge `netpolfuzz validate` against the real decoder
// and validation (scripts/validation-differential.sh).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
