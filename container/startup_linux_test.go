package container

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func TestStartupCommandsRunBeforeTarget(t *testing.T) {
	f := newFixture(t)
	addImage(t, f.store, "seeded", [][]string{{"/bin/sh", "-c", "echo one"}, {"/bin/sh", "-c", "echo two"}}, []string{"echo", "target"})
	id := f.run(t, api.ContainerCreate{Image: "seeded"})
	f.wait(t, id)
	if got := f.logs(t, id); got != "one\ntwo\ntarget\n" {
		t.Errorf("logs %q, want the startup commands in order before the target", got)
	}
	for _, want := range []string{"echo one", "echo two"} {
		ev := f.waitEvent(t, id, "startup-command")
		if ev.StartupCommand == nil || ev.StartupCommand.Args[2] != want || ev.ExitCode == nil || *ev.ExitCode != 0 {
			t.Errorf("startup-command event %+v, want %q with code 0", ev, want)
		}
	}
	in, err := f.svc.Inspect(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.StartupCommands) != 2 || in.StartupCommands[0].Args[2] != "echo one" || in.StartupCommands[1].Args[2] != "echo two" {
		t.Fatalf("inspect startup commands %+v", in.StartupCommands)
	}
	for _, r := range in.StartupCommands {
		if r.ExitCode != 0 || r.Duration <= 0 {
			t.Errorf("startup result %+v", r)
		}
	}
	if !hasPhase(in.StartPhases, "startup-commands") {
		t.Errorf("no startup-commands phase in %+v", in.StartPhases)
	}
	// They run again at every start.
	if err := f.svc.Start(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	f.waitEvent(t, id, "die")
	f.wait(t, id)
	if got := f.logs(t, id); got != "one\ntwo\ntarget\none\ntwo\ntarget\n" {
		t.Errorf("logs after the second start %q", got)
	}
}

func TestFailingStartupCommandStopsStart(t *testing.T) {
	f := newFixture(t)
	addImage(t, f.store, "failing", [][]string{{"/bin/sh", "-c", "echo first"}, {"/bin/sh", "-c", "exit 3"}, {"/bin/sh", "-c", "echo never"}}, []string{"echo", "target"})
	ctx := context.Background()
	c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "failing", Name: "failing"})
	if err != nil {
		t.Fatal(err)
	}
	err = f.svc.Start(ctx, c.ID)
	if err == nil {
		t.Fatal("start succeeded")
	}
	if !strings.Contains(err.Error(), `"exit 3"`) || !strings.Contains(err.Error(), "exit code 3") {
		t.Errorf("error %q does not name the failing command and its code", err)
	}
	if !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("error %v is not a conflict", err)
	}
	in, err := f.svc.Inspect(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if in.State == StateRunning || in.StateDetail.Error == "" {
		t.Errorf("state after a failed start: %+v", in.StateDetail)
	}
	if len(in.StartupCommands) != 2 || in.StartupCommands[1].ExitCode != 3 {
		t.Errorf("startup results %+v", in.StartupCommands)
	}
	if got := f.logs(t, c.ID); strings.Contains(got, "never") || strings.Contains(got, "target") || !strings.Contains(got, "first") {
		t.Errorf("logs %q", got)
	}
	assertNoMounts(t, f.root)
}

func hasPhase(ps []api.Phase, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}
