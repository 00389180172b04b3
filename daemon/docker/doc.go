// Package docker serves the Docker Engine API over the daemon's services:
// the docker CLI, Compose, docker-py and testcontainers speak it. It
// translates Docker's requests (the types of github.com/moby/moby/api,
// pinned in go.mod) into the calls of daemon.ContainerService,
// ImageService, NetworkService and DistributionService, and their answers
// back into Docker's JSON shapes, status codes and stream formats. It
// holds no state of its own besides the hijacked connections it must
// close at shutdown.
//
// The daemon mounts the Handler next to its own /v1/... routes: Docker's
// paths are /_ping, /version and /vX.YY/... (or the same unversioned), so
// the two never clash.
//
// Streams, as Docker sends them:
//
//	route                         body
//	logs, attach, exec (no tty)   frames: stream byte (1 stdout, 2 stderr), 3 zero bytes,
//	                              big-endian u32 size, payload (our api.WriteFrame frames;
//	                              the api.Exit frame is ours and is dropped)
//	logs, attach, exec (tty)      raw bytes
//	attach, exec start            hijacked after "101 UPGRADED" (Upgrade: tcp); the client
//	                              sends raw stdin, half-closes at its end
//	pull, push, load, build       JSON lines (jsonstream.Message): status/progress, stream,
//	                              aux, errorDetail
//	events                        JSON lines (events.Message)
package docker
