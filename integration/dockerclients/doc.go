// Package dockerclients drives container-runtimed's Docker Engine API with
// clients nobody here wrote, beyond the docker CLI and docker-py (package
// integration/dockercli): Compose (docker-compose 1.29, Python) and
// testcontainers-go. Each test fails when the client gets an error or a
// wrong answer.
package dockerclients
