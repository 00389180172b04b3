// Package api holds the wire types of container-runtimed's HTTP API and
// the error codes it returns. It depends on the standard library only, so
// that any client can use it. docs/API.md documents every route.
//
// The API is served on a UNIX socket (and optionally TLS with client
// certificates). Every route lives under /v1. Requests and answers are
// JSON; streams are newline-delimited JSON (build, bootstrap, events,
// trace) or raw frames (logs, attach, exec: see Frame).
package api

// Version is the API version, the first segment of every route.
const Version = "v1"
