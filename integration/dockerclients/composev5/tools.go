//go:build tools

// Package composev5 pins Docker Compose v2's Go implementation
// (github.com/docker/compose/v5) whose docker-compose binary
// integration/dockerclients builds and drives against the daemon. It is a
// module of its own so that Compose's dependencies never enter the
// engine's go.mod; this file only keeps `go mod tidy` from dropping the
// requirement.
package composev5

import _ "github.com/docker/compose/v5/cmd"
