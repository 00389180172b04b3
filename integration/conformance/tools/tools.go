//go:build tools

// Package tools pins the OCI runtime-tools validation suite that
// integration/conformance builds and runs. It is a module of its own so
// that the suite's old dependencies never enter the engine's go.mod; this
// file only keeps `go mod tidy` from dropping the requirements.
package tools

import (
	_ "github.com/opencontainers/runtime-tools/cmd/runtimetest"
	_ "github.com/opencontainers/runtime-tools/validation/util"
)
