package container

import (
	"context"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// TestRestartPolicyAtDaemonStart: always and unless-stopped differ as
// Docker defines them. A container the user stopped stays stopped while
// the daemon runs under both; when the daemon restarts (a new Service on
// the same roots), the always container runs again and the
// unless-stopped one stays stopped.
func TestRestartPolicyAtDaemonStart(t *testing.T) {
	for _, tt := range []struct {
		policy      string
		wantRestart bool
	}{
		{"always", true},
		{"unless-stopped", false},
	} {
		t.Run(tt.policy, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			id := f.run(t, api.ContainerCreate{RestartPolicy: api.RestartPolicy{Name: tt.policy}, Cmd: []string{"sleep", "60"}})
			zero := 0
			if err := f.svc.Stop(ctx, id, &zero); err != nil {
				t.Fatal(err)
			}
			if in, _ := f.svc.Inspect(ctx, id); in.State != StateExited {
				t.Fatalf("state %s after stop, want exited", in.State)
			}
			f.svc.Close()
			f.svc = f.open(t)

			// The decision is taken while the Service opens: right after,
			// the container is on its way back, or exited for good.
			in, err := f.svc.Inspect(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.wantRestart {
				if in.State != StateExited {
					t.Errorf("state %s after the daemon restarted: the %s container the user stopped was started", in.State, tt.policy)
				}
				return
			}
			if in.State != StateRestarting && in.State != StateRunning {
				t.Fatalf("state %s after the daemon restarted, want restarting or running", in.State)
			}
			f.waitEvent(t, id, "restart")
			if in, _ := f.svc.Inspect(ctx, id); in.State != StateRunning {
				t.Errorf("state %s after the restart, want running", in.State)
			}
			// Stopped again, it stays stopped while this daemon runs.
			if err := f.svc.Stop(ctx, id, &zero); err != nil {
				t.Fatal(err)
			}
			if in, _ := f.svc.Inspect(ctx, id); in.State != StateExited {
				t.Errorf("state %s after the second stop", in.State)
			}
		})
	}
}
