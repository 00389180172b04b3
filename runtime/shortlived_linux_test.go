package runtime

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestStartShortLivedUnderLoad is the regression test of "init process
// exited before start" for short programs under load: Start polls the
// exec fifo, and when a poll timed out it checked that the init was alive
// without reading the fifo first, so a program acknowledged, executed and
// gone in between was reported as never started. The poll interval is
// cut to 1 ms to make that window frequent; 500 containers of /bin/true
// are created, started and waited for while every CPU is kept busy, and
// each must start and exit 0. The deadline only keeps a hang from
// blocking the suite.
func TestStartShortLivedUnderLoad(t *testing.T) {
	b := newTestBundle(t, "/bin/true")
	b.rt.startPoll = time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	testutil.BurnCPU(t)

	const starts = 500
	base := testID(t)
	failed := 0
	for i := range starts {
		if ctx.Err() != nil {
			t.Fatalf("only %d of %d starts done before the deadline", i, starts)
		}
		id := fmt.Sprintf("%s-%d", base, i)
		c, err := b.tryCreate(id, CreateOptions{})
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		err = b.rt.Start(ctx, id)
		st, werr := c.p.Wait()
		c.waited = true
		c.cleanup(t)
		switch {
		case err != nil:
			failed++
			t.Errorf("start %d: %v", i, err)
		case werr != nil || st.Code != 0:
			failed++
			t.Errorf("container %d: exit %+v, %v", i, st, werr)
		}
		if failed > 5 {
			t.Fatalf("%d failures in %d starts", failed, i+1)
		}
	}
}
