package container

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func TestStopKillsAfterTimeoutWhenTermIsIgnored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// The shell prints once its trap is set, so the stop cannot come
	// before it.
	id := f.run(t, api.ContainerCreate{Cmd: []string{"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"}})
	waitLog(t, f, id, "ready")
	one := 1
	if err := f.svc.Stop(ctx, id, &one); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	in, err := f.svc.Inspect(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if in.State != StateExited || in.StateDetail.ExitCode != 137 {
		t.Errorf("after stop: state %s exit code %d, want exited 137 (SIGKILL)", in.State, in.StateDetail.ExitCode)
	}
}

func TestStopWithSignal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{StopSignal: "USR1", Cmd: []string{"sh", "-c", "trap 'exit 42' USR1; echo ready; while :; do sleep 1; done"}})
	waitLog(t, f, id, "ready")
	if err := f.svc.Stop(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	if res := f.wait(t, id); res.StatusCode != 42 {
		t.Errorf("exit code %d, want 42 from the USR1 trap", res.StatusCode)
	}
}

func TestKillAndPause(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Cmd: []string{"sleep", "60"}})
	if err := f.svc.Pause(ctx, id); err != nil {
		t.Fatal(err)
	}
	if in, _ := f.svc.Inspect(ctx, id); in.State != StatePaused || !strings.HasSuffix(in.Status, "(Paused)") {
		t.Errorf("after pause: %s %q", in.State, in.Status)
	}
	if err := f.svc.Pause(ctx, id); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("second pause: %v, want a conflict", err)
	}
	if err := f.svc.Unpause(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Kill(ctx, id, "bogus"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("kill with a bad signal: %v", err)
	}
	if err := f.svc.Kill(ctx, id, "SIGKILL"); err != nil {
		t.Fatal(err)
	}
	if res := f.wait(t, id); res.StatusCode != 137 {
		t.Errorf("exit code %d after kill", res.StatusCode)
	}
}

func TestRestartPolicies(t *testing.T) {
	tests := []struct {
		name   string
		policy api.RestartPolicy
		cmd    string
		// runs is how many times the container must have run in all.
		runs int
	}{
		{"no", api.RestartPolicy{Name: "no"}, "exit 1", 1},
		{"on-failure:2", api.RestartPolicy{Name: "on-failure", MaximumRetryCount: 2}, "exit 1", 3},
		{"on-failure with success", api.RestartPolicy{Name: "on-failure"}, "exit 0", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id := f.run(t, api.ContainerCreate{RestartPolicy: tt.policy, Cmd: []string{"sh", "-c", "echo run; " + tt.cmd}})
			for i := 0; i < tt.runs; i++ {
				f.waitEvent(t, id, "die")
			}
			res := f.wait(t, id)
			in, err := f.svc.Inspect(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if in.RestartCount != tt.runs-1 {
				t.Errorf("restart count %d, want %d", in.RestartCount, tt.runs-1)
			}
			if got := strings.Count(f.logs(t, id), "run\n"); got != tt.runs {
				t.Errorf("ran %d times, want %d", got, tt.runs)
			}
			if in.State != StateExited || res.StatusCode != in.StateDetail.ExitCode {
				t.Errorf("final state %s code %d (wait said %d)", in.State, in.StateDetail.ExitCode, res.StatusCode)
			}
		})
	}
	t.Run("always, until stopped", func(t *testing.T) {
		f := newFixture(t)
		ctx := context.Background()
		id := f.run(t, api.ContainerCreate{RestartPolicy: api.RestartPolicy{Name: "always"}, Cmd: []string{"sh", "-c", "exit 0"}})
		f.waitEvent(t, id, "die")
		f.waitEvent(t, id, "restart")
		f.waitEvent(t, id, "die")
		if err := f.svc.Stop(ctx, id, nil); err != nil {
			t.Fatal(err)
		}
		in, _ := f.svc.Inspect(ctx, id)
		if in.State != StateExited {
			t.Fatalf("state %s after stop", in.State)
		}
		// Give a pending restart its chance (backoff is short early on).
		time.Sleep(restartDelay(in.RestartCount) + 200*time.Millisecond)
		if in, _ := f.svc.Inspect(ctx, id); in.State != StateExited {
			t.Errorf("state %s: the policy restarted a stopped container", in.State)
		}
	})
}

func TestSameNameRace(t *testing.T) {
	f := newFixture(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Create(context.Background(), api.ContainerCreate{Name: "contested", Image: "busybox"})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, errdefs.ErrAlreadyExists):
			t.Errorf("loser got %v, want ErrAlreadyExists", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d creates won, want exactly 1", won)
	}
	list, err := f.svc.List(context.Background(), true)
	if err != nil || len(list) != 1 || list[0].Name != "contested" {
		t.Fatalf("list %+v %v", list, err)
	}
}

// waitLog waits (bounded) until the container's log contains want.
func waitLog(tb testing.TB, f *fixture, id, want string) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(f.logs(tb, id), want) {
		if time.Now().After(deadline) {
			tb.Fatalf("log never showed %q: %q", want, f.logs(tb, id))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWaitConditions(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Cmd: []string{"sleep", "60"}})
	if err != nil {
		t.Fatal(err)
	}
	// A created container is not running: at once.
	if res, err := f.svc.Wait(ctx, c.ID, "not-running"); err != nil || res.StatusCode != 0 {
		t.Errorf("not-running on a created container: %+v %v", res, err)
	}
	if _, err := f.svc.Wait(ctx, c.ID, "sometime"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("bad condition: %v", err)
	}
	next := make(chan api.WaitResult, 1)
	go func() {
		res, _ := f.svc.Wait(ctx, c.ID, "next-exit")
		next <- res
	}()
	if err := f.svc.Start(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-next:
		t.Fatalf("next-exit returned before the exit: %+v", res)
	case <-time.After(100 * time.Millisecond):
	}
	if err := f.svc.Kill(ctx, c.ID, "9"); err != nil {
		t.Fatal(err)
	}
	if res := <-next; res.StatusCode != 137 {
		t.Errorf("next-exit: %+v", res)
	}
	f.waitEvent(t, c.ID, "create")
	if err := f.svc.Remove(ctx, c.ID, false); err != nil {
		t.Fatal(err)
	}
	f.waitEvent(t, c.ID, "destroy")
	if _, err := f.svc.Wait(ctx, c.ID, ""); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("wait on a removed container: %v", err)
	}
}
