// Package client is the typed Go client of container-runtimed's HTTP API
// (docs/API.md). The CLI and the end-to-end tests use it.
//
// A Client talks to the daemon over its UNIX socket (DefaultHost) or over
// TCP with TLS client certificates. Every route has one method; failures
// the daemon reports come back as errors that match the errdefs sentinel of
// their kind with errors.Is, and whose text is the daemon's message:
//
//	c, err := client.FromEnv()
//	...
//	id, err := c.ContainerCreate(ctx, api.ContainerCreate{Image: "base", Cmd: []string{"true"}})
//	if errors.Is(err, errdefs.ErrNotFound) { ... }
//
// Streams: build, bootstrap and import report api.Progress to a callback,
// events arrive on a channel, logs are demultiplexed into two writers, and
// attach and exec return a Stream that carries api frames both ways.
package client
