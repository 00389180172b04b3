package container

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// cgroupRoot is where the tests look at the host's cgroup hierarchies.
const cgroupRoot = "/sys/fs/cgroup"

func TestOOMKilled(t *testing.T) {
	if b, _ := os.ReadFile("/proc/swaps"); strings.Count(string(b), "\n") > 1 {
		testutil.Missing(t, "swap is on: a memory limit alone does not OOM")
	}
	f := newFixture(t)
	// The shell's variable grows past the 16 MiB limit.
	id := f.run(t, api.ContainerCreate{Resources: api.Resources{Memory: 16 << 20},
		Cmd: []string{"sh", "-c", `x=$(head -c 100000000 /dev/zero | tr '\0' a); echo survived`}})
	res := f.wait(t, id)
	if !res.OOMKilled {
		t.Fatalf("wait result %+v, want oomKilled", res)
	}
	ev := f.waitEvent(t, id, "die")
	if !ev.OOMKilled {
		t.Errorf("exit event %+v without oomKilled", ev)
	}
	if in, _ := f.svc.Inspect(context.Background(), id); !in.StateDetail.OOMKilled {
		t.Errorf("inspect: %+v", in.StateDetail)
	}
}
