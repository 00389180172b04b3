package security

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestNameExhaustion_UnnamedCreatesUnderLoad guards against a denial of
// service by name collision: the generator draws from 11,235
// adjective_noun names, and with no retry 45 of 1000 unnamed creates
// failed with "the container name X is already in use". 2000 unnamed
// creates from 8 clients at once must all succeed, with distinct names,
// and all be removable.
func TestNameExhaustion_UnnamedCreatesUnderLoad(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	const total, clients = 2000, 8
	var (
		mu   sync.Mutex
		ids  []string
		errs []error
		wg   sync.WaitGroup
	)
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < total; i += clients {
				c, err := d.Client.ContainerCreate(ctx, api.ContainerCreate{Image: img, Network: "none", Cmd: []string{"true"}})
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("create %d: %w", i, err))
				} else {
					ids = append(ids, c.ID)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Errorf("%d of %d unnamed creates failed; first: %v", len(errs), total, errs[0])
	}

	list, err := d.Client.ContainerList(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, c := range list {
		if other, dup := names[c.Name]; dup {
			t.Errorf("containers %.12s and %.12s share the name %q", other, c.ID, c.Name)
		}
		names[c.Name] = c.ID
	}
	if len(list) != total || len(names) != total {
		t.Errorf("%d containers with %d distinct names, want %d", len(list), len(names), total)
	}

	// Clean up here, concurrently (the harness would remove them one by
	// one), and check that nothing is left.
	work := make(chan string)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				if err := d.Client.ContainerRemove(ctx, id, true); err != nil {
					t.Errorf("removing %.12s: %v", id, err)
				}
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	if left, err := d.Client.ContainerList(ctx, true); err != nil || len(left) != 0 {
		t.Errorf("after removal: %d containers left (%v)", len(left), err)
	}
}
