// Package daemon is container-runtimed's HTTP layer: it routes the
// requests of docs/API.md to the services (containers, images, events),
// decodes their bodies and encodes their answers, and is the one place
// where errors become HTTP status codes (errdefs kind → status, body
// api.Error).
//
// The services are plain Go types behind the interfaces in service.go:
// package container's Service, and the image, network and distribution
// services of cmd/container-runtimed (the composition root), so that this
// package imports no engine package (internal/depcheck enforces it).
//
// Every request runs on its own goroutine and no lock is held while a
// client is written to, so a slow or vanished client only stalls its own
// request. Bodies are bounded, handler panics become 500 answers, and
// streams (events, logs, build progress, attach, exec, trace) flush as
// they go and end when the client leaves or the daemon shuts down.
package daemon
