//go:build tools

// Package tools pins kube-router, the first real CNI policy engine netpolfuzz runs against
// (--enforcer kube-router); scripts/build-control-plane.sh builds it from the Go module proxy.
package tools

import _ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
