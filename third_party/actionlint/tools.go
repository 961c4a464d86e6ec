//go:build tools

// Package tools pins actionlint, which scripts/validate-deploy.sh builds from the Go module
// proxy to check .github/workflows/*.yml (expressions, contexts, needs, matrix, and every
// `run:` script through ShellCheck).
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
