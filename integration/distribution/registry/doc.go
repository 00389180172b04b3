// Package registry tests the distribution package against the reference
// registry, github.com/distribution/distribution/v3 (what Docker Hub and
// most private registries run), served on 127.0.0.1 with filesystem
// storage and htpasswd auth. It is a module of its own so that the
// registry's dependencies stay out of the engine's go.mod; run it with
// `cd integration/distribution/registry && go test ./...`.
package registry
