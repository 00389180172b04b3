package container

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestLookupByUniquePrefix names containers by the 12-digit short id and
// by an ambiguous prefix, which fails with Docker's message.
func TestLookupByUniquePrefix(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var ids []string
	for i := range 20 {
		c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Name: "p" + strconv.Itoa(i), Network: "none", Cmd: []string{"true"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	for _, id := range ids {
		ci, err := f.svc.Inspect(ctx, id[:12])
		if err != nil || ci.ID != id {
			t.Fatalf("inspect %s: %v", id[:12], err)
		}
	}
	// 20 ids over 16 first digits: two share a first digit.
	first := map[byte]int{}
	for _, id := range ids {
		first[id[0]]++
	}
	for d, n := range first {
		if n > 1 {
			_, err := f.svc.Inspect(ctx, string(d))
			if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "multiple IDs found with provided prefix: "+string(d)) {
				t.Fatalf("ambiguous prefix %q: %v", d, err)
			}
			return
		}
	}
	t.Fatal("no two ids share a first digit")
}
