package daemon

import (
	"context"
	"io"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/api"
)

// ContainerService is what the container routes call; package container
// implements it. {id} in a route is passed through unchanged: a full id,
// a unique id prefix or a name, which the service resolves. Errors are
// tagged with errdefs kinds; the daemon turns them into statuses.
type ContainerService interface {
	Create(ctx context.Context, req api.ContainerCreate) (api.ContainerCreated, error)
	Start(ctx context.Context, id string) error
	// Stop sends the stop signal, then SIGKILL after timeout seconds (nil:
	// the container's or the default).
	Stop(ctx context.Context, id string, timeout *int) error
	// Kill sends signal ("" means SIGKILL), by name ("TERM", "SIGTERM") or
	// number.
	Kill(ctx context.Context, id string, signal string) error
	Restart(ctx context.Context, id string, timeout *int) error
	Pause(ctx context.Context, id string) error
	Unpause(ctx context.Context, id string) error
	// Wait blocks until condition ("not-running", "next-exit" or
	// "removed"; validated by the daemon) holds, or ctx ends.
	Wait(ctx context.Context, id string, condition string) (api.WaitResult, error)
	Remove(ctx context.Context, id string, force bool) error
	// RemoveWithVolumes is Remove that also removes the container's
	// anonymous volumes no other container uses (rm -v).
	RemoveWithVolumes(ctx context.Context, id string, force bool) error
	Inspect(ctx context.Context, id string) (api.ContainerInspect, error)
	List(ctx context.Context, all bool) ([]api.ContainerSummary, error)
	// ListFiltered lists as ps does with Docker's filters, limit and
	// sizes; an unknown filter is ErrInvalidArgument.
	ListFiltered(ctx context.Context, opts api.ContainerListOptions) ([]api.ContainerSummary, error)
	// Rename gives a container a new, free name.
	Rename(ctx context.Context, id, name string) error
	// Top lists the container's processes: `ps -ef`'s columns from
	// /proc, or the host's ps run with psArgs over its pids.
	Top(ctx context.Context, id, psArgs string) (api.ContainerTop, error)
	// Stats sends samples of the container's usage to send: one, or with
	// stream one per second until ctx ends or the container is removed.
	Stats(ctx context.Context, id string, stream bool, send func(api.ContainerStats) error) error
	// Update changes the container's limits (live when it runs) and
	// restart policy, and records them for its next starts.
	Update(ctx context.Context, id string, req api.ContainerUpdate) (api.ContainerUpdated, error)

	// Logs writes the container's log as frames (api.Stdout, api.Stderr)
	// to w. With opts.Follow it keeps writing until the container exits or
	// ctx ends. An error returned before the first frame becomes the
	// answer's status.
	Logs(ctx context.Context, id string, opts LogsOptions, w FrameWriter) error
	// Attach carries frames both ways on conn (see api.WriteFrame) until
	// the client detaches (detach keys, or conn's read side ends) or the
	// container exits, in which case the last frame written is api.Exit.
	// conn is the hijacked connection: an error returned before conn is
	// first read or written becomes the answer's status; after that the
	// daemon can only close the connection.
	Attach(ctx context.Context, id string, opts AttachOptions, conn io.ReadWriter) error
	Resize(ctx context.Context, id string, height, width uint16) error

	// ExecCreate prepares a process in the running container id and
	// returns the exec id.
	ExecCreate(ctx context.Context, id string, req api.ExecCreate) (string, error)
	// ExecStart runs the exec'd process and relays its stdio as frames on
	// conn, as Attach does, ending with an api.Exit frame.
	ExecStart(ctx context.Context, execID string, conn io.ReadWriter) error
	ExecResize(ctx context.Context, execID string, height, width uint16) error
	ExecInspect(ctx context.Context, execID string) (api.ExecInspect, error)

	// Trace runs strace on the container's processes and copies its
	// output to w until ctx ends or the container exits. ErrUnavailable
	// when strace is missing (returned before writing).
	Trace(ctx context.Context, id string, w io.Writer) error
	// Prune removes the stopped containers.
	Prune(ctx context.Context) (api.PruneReport, error)
	// Counts tells how many containers there are, for GET /v1/info.
	Counts(ctx context.Context) (ContainerCounts, error)
	// DiskUsage fills the containers' and their logs' sizes, for GET
	// /v1/system/df.
	DiskUsage(ctx context.Context) (api.DiskUsage, error)
	// ImageInUse reports whether a container uses the image; main sets it
	// as image.Store.InUse.
	ImageInUse(id digest.Digest) bool
}

// The option types the services share with the HTTP layer live in api
// (standard library only), so that services need not import daemon.
type (
	// ContainerCounts are the numbers of containers by state.
	ContainerCounts = api.ContainerCounts
	// LogsOptions are the query of GET /v1/containers/{id}/logs.
	LogsOptions = api.LogsOptions
	// AttachOptions are the query of POST /v1/containers/{id}/attach.
	AttachOptions = api.AttachOptions
	// FrameWriter receives the frames of a stream.
	FrameWriter = api.FrameWriter
)

// ImageService is what the image routes call; cmd/container-runtimed's
// imageService implements it over the image store and the builder.
type ImageService interface {
	List(ctx context.Context) ([]api.ImageSummary, error)
	// ListFiltered lists as images does with Docker's filters; an
	// unknown filter is ErrInvalidArgument.
	ListFiltered(ctx context.Context, opts api.ImageListOptions) ([]api.ImageSummary, error)
	Inspect(ctx context.Context, ref string) (api.ImageInspect, error)
	History(ctx context.Context, ref string) ([]api.HistoryEntry, error)
	Tag(ctx context.Context, ref, name string) error
	// Remove untags or deletes, and reports what it did, as docker rmi.
	Remove(ctx context.Context, ref string, force bool) ([]string, error)
	// Prune removes dangling images (all: every image no container uses)
	// and the layers nothing references any more.
	Prune(ctx context.Context, all bool) (api.PruneReport, error)
	// PruneBuildCache forgets the build cache and frees the layers only it
	// kept.
	PruneBuildCache(ctx context.Context) (api.PruneReport, error)
	// Import, Bootstrap and Build write human-readable progress to
	// progress and return the new image's id.
	Import(ctx context.Context, r io.Reader, name string, progress io.Writer) (string, error)
	Bootstrap(ctx context.Context, req api.BootstrapRequest, progress io.Writer) (string, error)
	Build(ctx context.Context, req api.BuildRequest, progress io.Writer) (string, error)
	// Export writes the flattened root filesystem as a tar. An error
	// returned before the first write becomes the answer's status.
	Export(ctx context.Context, ref string, w io.Writer) error
	// DiskUsage fills the image, layer and build cache sizes.
	DiskUsage(ctx context.Context) (api.DiskUsage, error)
}

// NetworkService is what the network routes call; cmd/container-runtimed's
// networkService implements it over network.Manager. {name} is a
// network's name, id or unique id prefix, which the service resolves.
type NetworkService interface {
	// Create makes a user-defined network: 409 for a taken name or a
	// subnet in use, 400 for a bad one.
	Create(ctx context.Context, req api.NetworkCreate) (api.Network, error)
	// List lists the networks, predefined ones (bridge, host, none)
	// included, by name.
	List(ctx context.Context) ([]api.Network, error)
	// Inspect describes a network with the containers attached.
	Inspect(ctx context.Context, name string) (api.Network, error)
	// Remove removes a user-defined network: 409 while containers are
	// attached, 400 for a predefined one.
	Remove(ctx context.Context, name string) error

	// Connect gives a container one more network (404 for an unknown
	// container or network, 409 when it is connected already, 400 for
	// host, none or a container on them).
	Connect(ctx context.Context, name string, req api.NetworkConnect) error
	// Disconnect takes a network away from a container (404 when it is
	// not connected).
	Disconnect(ctx context.Context, name string, req api.NetworkDisconnect) error
	// Prune removes the user-defined networks no container uses; filters
	// are Docker's until and label (label!).
	Prune(ctx context.Context, filters map[string][]string) (api.NetworkPruneReport, error)
}

// EventSource is the event bus (*events.Bus).
type EventSource interface {
	// Subscribe returns the events published from now on; the channel is
	// closed when ctx ends or the subscriber falls behind.
	Subscribe(ctx context.Context) <-chan api.Event
}

// EventPublisher is the publishing side of the event bus.
type EventPublisher interface {
	Publish(e api.Event)
}
