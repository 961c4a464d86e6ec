//go:build tools

// Package tools pins Cyclonus, the first offline NetworkPolicy analyzer netpolfuzz fuzzes
// (--backend analyzer --analyzer cyclonus); scripts/build-control-plane.sh builds it from the
// Go module proxy.
package tools

import _ "github.com/mattfenwick/cyclonus/cmd/cyclonus"
