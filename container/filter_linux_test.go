package container

import (
	"context"
	"slices"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// names returns the names of a listing, in order.
func names(list []api.ContainerSummary) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.Name)
	}
	return out
}

func TestListFilteredThroughService(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.run(t, api.ContainerCreate{Name: "done", Network: "none", Cmd: []string{"sh", "-c", "echo x > /new; exit 3"}, Labels: map[string]string{"tier": "batch"}})
	f.wait(t, "done")
	if _, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Name: "fresh", Network: "none", Cmd: []string{"true"}}); err != nil {
		t.Fatal(err)
	}
	f.run(t, api.ContainerCreate{Name: "up", Network: "none", Cmd: []string{"sleep", "100"}, Labels: map[string]string{"tier": "front"}})

	list := func(opts api.ContainerListOptions) []string {
		t.Helper()
		l, err := f.svc.ListFiltered(ctx, opts)
		if err != nil {
			t.Fatalf("ListFiltered(%+v): %v", opts, err)
		}
		return names(l)
	}
	for _, tc := range []struct {
		opts api.ContainerListOptions
		want []string
	}{
		{api.ContainerListOptions{}, []string{"up"}},
		{api.ContainerListOptions{All: true}, []string{"up", "fresh", "done"}},
		{api.ContainerListOptions{Limit: 1}, []string{"up"}},
		{api.ContainerListOptions{Limit: 2}, []string{"up", "fresh"}},
		{api.ContainerListOptions{Filters: map[string][]string{"status": {"exited", "created"}}}, []string{"fresh", "done"}},
		{api.ContainerListOptions{Filters: map[string][]string{"exited": {"3"}}}, []string{"done"}},
		{api.ContainerListOptions{All: true, Filters: map[string][]string{"label": {"tier"}}}, []string{"up", "done"}},
		{api.ContainerListOptions{All: true, Filters: map[string][]string{"label": {"tier=batch"}, "name": {"^do"}}}, []string{"done"}},
		{api.ContainerListOptions{All: true, Filters: map[string][]string{"ancestor": {"busybox"}}}, []string{"up", "fresh", "done"}},
		{api.ContainerListOptions{All: true, Filters: map[string][]string{"ancestor": {"nosuch"}}}, nil},
		{api.ContainerListOptions{All: true, Filters: map[string][]string{"since": {"done"}}}, []string{"up", "fresh"}},
		{api.ContainerListOptions{All: true, Filters: map[string][]string{"before": {"up"}}}, []string{"fresh", "done"}},
		{api.ContainerListOptions{All: true, Filters: map[string][]string{"network": {"none"}, "status": {"running"}}}, []string{"up"}},
	} {
		if got := list(tc.opts); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: %q, want %q", tc.opts, got, tc.want)
		}
	}
	img, err := f.store.Image(ctx, "busybox")
	if err != nil {
		t.Fatal(err)
	}
	l, err := f.svc.ListFiltered(ctx, api.ContainerListOptions{All: true, Size: true, Filters: map[string][]string{"name": {"^done$"}}})
	if err != nil || len(l) != 1 {
		t.Fatalf("sized list: %v %v", l, err)
	}
	// /new holds "x\n": the writable layer has at least those 2 bytes.
	if l[0].SizeRw < 2 || l[0].SizeRootFs != l[0].SizeRw+img.Size {
		t.Errorf("sizes rw %d rootfs %d, image %d", l[0].SizeRw, l[0].SizeRootFs, img.Size)
	}
	if l, _ := f.svc.ListFiltered(ctx, api.ContainerListOptions{All: true}); l[0].SizeRootFs != 0 {
		t.Errorf("sizes computed without Size: %+v", l[0])
	}
}
