package container

import (
	"context"
	"strconv"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// BenchmarkListFiltered lists 100 containers as ps -a does: plainly,
// with filters (a regexp name, a label and a status), and with sizes.
func BenchmarkListFiltered(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	for i := range 100 {
		_, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Name: "c" + strconv.Itoa(i), Network: "none",
			Cmd: []string{"true"}, Labels: map[string]string{"n": strconv.Itoa(i % 10)}})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		opts api.ContainerListOptions
		want int
	}{
		{"all", api.ContainerListOptions{All: true}, 100},
		{"filters", api.ContainerListOptions{Filters: map[string][]string{"name": {"^c[0-9]+$"}, "label": {"n=3"}, "status": {"created"}}}, 10},
		{"size", api.ContainerListOptions{All: true, Size: true}, 100},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				l, err := f.svc.ListFiltered(ctx, bc.opts)
				if err != nil || len(l) != bc.want {
					b.Fatalf("%d containers, %v; want %d", len(l), err, bc.want)
				}
			}
		})
	}
}
