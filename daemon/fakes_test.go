package daemon

import (
	"context"
	"io"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/api"
)

// fakeContainers is a ContainerService whose methods the tests set; an
// unset method panics, so a test notices a route calling the wrong one.
type fakeContainers struct {
	create  func(context.Context, api.ContainerCreate) (api.ContainerCreated, error)
	start   func(context.Context, string) error
	stop    func(context.Context, string, *int) error
	inspect func(context.Context, string) (api.ContainerInspect, error)
	list    func(context.Context, bool) ([]api.ContainerSummary, error)
	wait    func(context.Context, string, string) (api.WaitResult, error)
	logs    func(context.Context, string, LogsOptions, FrameWriter) error
	attach  func(context.Context, string, AttachOptions, io.ReadWriter) error
	resize  func(context.Context, string, uint16, uint16) error
	execCrt func(context.Context, string, api.ExecCreate) (string, error)
	execRun func(context.Context, string, io.ReadWriter) error
	trace   func(context.Context, string, io.Writer) error
	// listF, when set, answers the list route; else list does, given All.
	listF  func(context.Context, api.ContainerListOptions) ([]api.ContainerSummary, error)
	rename func(context.Context, string, string) error
	top    func(context.Context, string, string) (api.ContainerTop, error)
	stats  func(context.Context, string, bool, func(api.ContainerStats) error) error
	update func(context.Context, string, api.ContainerUpdate) (api.ContainerUpdated, error)
}

func (f *fakeContainers) Create(ctx context.Context, req api.ContainerCreate) (api.ContainerCreated, error) {
	return f.create(ctx, req)
}
func (f *fakeContainers) Start(ctx context.Context, id string) error { return f.start(ctx, id) }
func (f *fakeContainers) Stop(ctx context.Context, id string, t *int) error {
	return f.stop(ctx, id, t)
}
func (f *fakeContainers) Kill(context.Context, string, string) error     { panic("Kill") }
func (f *fakeContainers) Restart(context.Context, string, *int) error    { panic("Restart") }
func (f *fakeContainers) Pause(context.Context, string) error            { panic("Pause") }
func (f *fakeContainers) Unpause(context.Context, string) error          { panic("Unpause") }
func (f *fakeContainers) Remove(context.Context, string, bool) error     { panic("Remove") }
func (f *fakeContainers) Prune(context.Context) (api.PruneReport, error) { panic("Prune") }
func (f *fakeContainers) Wait(ctx context.Context, id, cond string) (api.WaitResult, error) {
	return f.wait(ctx, id, cond)
}
func (f *fakeContainers) Inspect(ctx context.Context, id string) (api.ContainerInspect, error) {
	return f.inspect(ctx, id)
}
func (f *fakeContainers) List(ctx context.Context, all bool) ([]api.ContainerSummary, error) {
	return f.list(ctx, all)
}
func (f *fakeContainers) ListFiltered(ctx context.Context, o api.ContainerListOptions) ([]api.ContainerSummary, error) {
	if f.listF == nil {
		return f.list(ctx, o.All)
	}
	return f.listF(ctx, o)
}
func (f *fakeContainers) Rename(ctx context.Context, id, name string) error {
	return f.rename(ctx, id, name)
}
func (f *fakeContainers) Top(ctx context.Context, id, args string) (api.ContainerTop, error) {
	return f.top(ctx, id, args)
}
func (f *fakeContainers) Stats(ctx context.Context, id string, stream bool, send func(api.ContainerStats) error) error {
	return f.stats(ctx, id, stream, send)
}
func (f *fakeContainers) Update(ctx context.Context, id string, req api.ContainerUpdate) (api.ContainerUpdated, error) {
	return f.update(ctx, id, req)
}
func (f *fakeContainers) Logs(ctx context.Context, id string, o LogsOptions, w FrameWriter) error {
	return f.logs(ctx, id, o, w)
}
func (f *fakeContainers) Attach(ctx context.Context, id string, o AttachOptions, c io.ReadWriter) error {
	return f.attach(ctx, id, o, c)
}
func (f *fakeContainers) Resize(ctx context.Context, id string, h, w uint16) error {
	return f.resize(ctx, id, h, w)
}
func (f *fakeContainers) ExecCreate(ctx context.Context, id string, req api.ExecCreate) (string, error) {
	return f.execCrt(ctx, id, req)
}
func (f *fakeContainers) ExecStart(ctx context.Context, id string, c io.ReadWriter) error {
	return f.execRun(ctx, id, c)
}
func (f *fakeContainers) ExecResize(context.Context, string, uint16, uint16) error {
	panic("ExecResize")
}
func (f *fakeContainers) ExecInspect(context.Context, string) (api.ExecInspect, error) {
	panic("ExecInspect")
}
func (f *fakeContainers) Trace(ctx context.Context, id string, w io.Writer) error {
	return f.trace(ctx, id, w)
}
func (f *fakeContainers) Counts(context.Context) (ContainerCounts, error) {
	return ContainerCounts{Total: 3, Running: 1, Stopped: 2}, nil
}
func (f *fakeContainers) ImageInUse(digest.Digest) bool { return false }
func (f *fakeContainers) DiskUsage(context.Context) (api.DiskUsage, error) {
	panic("DiskUsage")
}

// fakeImages is an ImageService whose methods the tests set.
type fakeImages struct {
	list func(context.Context) ([]api.ImageSummary, error)
	// listF, when set, answers the list route; else list does.
	listF  func(context.Context, api.ImageListOptions) ([]api.ImageSummary, error)
	build  func(context.Context, api.BuildRequest, io.Writer) (string, error)
	imp    func(context.Context, io.Reader, string, io.Writer) (string, error)
	export func(context.Context, string, io.Writer) error
}

func (f *fakeImages) List(ctx context.Context) ([]api.ImageSummary, error) { return f.list(ctx) }
func (f *fakeImages) ListFiltered(ctx context.Context, o api.ImageListOptions) ([]api.ImageSummary, error) {
	if f.listF == nil {
		return f.list(ctx)
	}
	return f.listF(ctx, o)
}
func (f *fakeImages) Inspect(context.Context, string) (api.ImageInspect, error) {
	panic("Inspect")
}
func (f *fakeImages) History(context.Context, string) ([]api.HistoryEntry, error) {
	panic("History")
}
func (f *fakeImages) Tag(context.Context, string, string) error { panic("Tag") }
func (f *fakeImages) Remove(context.Context, string, bool) ([]string, error) {
	panic("Remove")
}
func (f *fakeImages) Prune(context.Context, bool) (api.PruneReport, error) { panic("Prune") }
func (f *fakeImages) PruneBuildCache(context.Context) (api.PruneReport, error) {
	panic("PruneBuildCache")
}
func (f *fakeImages) Import(ctx context.Context, r io.Reader, name string, p io.Writer) (string, error) {
	return f.imp(ctx, r, name, p)
}
func (f *fakeImages) Bootstrap(context.Context, api.BootstrapRequest, io.Writer) (string, error) {
	panic("Bootstrap")
}
func (f *fakeImages) Build(ctx context.Context, req api.BuildRequest, p io.Writer) (string, error) {
	return f.build(ctx, req, p)
}
func (f *fakeImages) Export(ctx context.Context, ref string, w io.Writer) error {
	return f.export(ctx, ref, w)
}
func (f *fakeImages) DiskUsage(context.Context) (api.DiskUsage, error) { panic("DiskUsage") }

var (
	_ ContainerService = (*fakeContainers)(nil)
	_ ImageService     = (*fakeImages)(nil)
)

func (f *fakeContainers) RemoveWithVolumes(context.Context, string, bool) error {
	panic("RemoveWithVolumes")
}
