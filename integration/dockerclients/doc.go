// Package dockerclients drives container-runtimed's Docker Engine API with
// clients nobody here wrote, beyond the docker CLI and docker-py (package
// integration/dockercli): Compose (docker-compose 1.29, Python; and Docker
// Compose v2's Go implementation, github.com/docker/compose/v5, built from
// the Go module proxy at the version pinned in composev5/go.mod, a module
// of its own) and testcontainers-go. Each test fails when the client gets
// an error or a wrong answer.
package dockerclients
