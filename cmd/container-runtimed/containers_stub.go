//go:build !withcontainers

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/events"
	"github.com/container-runtime/container-runtime/runtime"
)

// containerDeps is what the container service is built from.
type containerDeps struct {
	root, execRoot string
	store          *image.Store
	runtime        *runtime.Runtime
	bus            *events.Bus
}

// newContainerService returns a stand-in until package container is
// wired (build tag withcontainers, containers_wired.go): it has no
// containers, and every action fails with ErrUnavailable.
func newContainerService(ctx context.Context, deps containerDeps) (daemon.ContainerService, func() error, error) {
	return unwired{}, func() error { return nil }, nil
}

type unwired struct{}

var errUnwired = fmt.Errorf("this daemon was built without the container service: %w", errdefs.ErrUnavailable)

func (unwired) Create(context.Context, api.ContainerCreate) (api.ContainerCreated, error) {
	return api.ContainerCreated{}, errUnwired
}
func (unwired) Start(context.Context, string) error                  { return errUnwired }
func (unwired) Stop(context.Context, string, *int) error             { return errUnwired }
func (unwired) Kill(context.Context, string, string) error           { return errUnwired }
func (unwired) Restart(context.Context, string, *int) error          { return errUnwired }
func (unwired) Pause(context.Context, string) error                  { return errUnwired }
func (unwired) Unpause(context.Context, string) error                { return errUnwired }
func (unwired) Remove(context.Context, string, bool) error           { return errUnwired }
func (unwired) Resize(context.Context, string, uint16, uint16) error { return errUnwired }
func (unwired) Wait(context.Context, string, string) (api.WaitResult, error) {
	return api.WaitResult{}, errUnwired
}
func (unwired) Inspect(context.Context, string) (api.ContainerInspect, error) {
	return api.ContainerInspect{}, errUnwired
}
func (unwired) List(context.Context, bool) ([]api.ContainerSummary, error) { return nil, nil }
func (unwired) Logs(context.Context, string, daemon.LogsOptions, daemon.FrameWriter) error {
	return errUnwired
}
func (unwired) Attach(context.Context, string, daemon.AttachOptions, io.ReadWriter) error {
	return errUnwired
}
func (unwired) ExecCreate(context.Context, string, api.ExecCreate) (string, error) {
	return "", errUnwired
}
func (unwired) ExecStart(context.Context, string, io.ReadWriter) error { return errUnwired }
func (unwired) ExecResize(context.Context, string, uint16, uint16) error {
	return errUnwired
}
func (unwired) ExecInspect(context.Context, string) (api.ExecInspect, error) {
	return api.ExecInspect{}, errUnwired
}
func (unwired) Trace(context.Context, string, io.Writer) error { return errUnwired }
func (unwired) Prune(context.Context) (api.PruneReport, error) { return api.PruneReport{}, nil }
func (unwired) Counts(context.Context) (daemon.ContainerCounts, error) {
	return daemon.ContainerCounts{}, nil
}
func (unwired) ImageInUse(digest.Digest) bool { return false }
