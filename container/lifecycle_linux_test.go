package container

import (
	"context"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestRunEcho(t *testing.T) {
	f := newFixture(t)
	id := f.run(t, api.ContainerCreate{Name: "echo", Cmd: []string{"echo", "hello from the container"}})
	start := f.waitEvent(t, id, "start")
	if start.Pid <= 0 {
		t.Errorf("start event without a pid: %+v", start)
	}
	if res := f.wait(t, id); res.StatusCode != 0 {
		t.Fatalf("exit code %d, want 0 (%s)", res.StatusCode, res.Error)
	}
	exit := f.waitEvent(t, id, "die")
	if exit.ExitCode == nil || *exit.ExitCode != 0 {
		t.Errorf("exit event %+v, want code 0", exit)
	}
	if got := f.logs(t, id); got != "hello from the container\n" {
		t.Errorf("logs %q", got)
	}
	in, err := f.svc.Inspect(context.Background(), "echo")
	if err != nil {
		t.Fatal(err)
	}
	if in.State != StateExited || in.StateDetail.ExitCode != 0 || in.StateDetail.FinishedAt.IsZero() {
		t.Errorf("inspect state %+v", in.StateDetail)
	}
	if !strings.HasPrefix(in.Status, "Exited (0) ") {
		t.Errorf("status %q", in.Status)
	}
	var names []string
	for _, p := range in.StartPhases {
		names = append(names, p.Name)
	}
	want := "rootfs,monitor,prepare,stage-exec,cgroups,namespaces,init-start,config,mounts,hooks,pivot_root,setup,privileges,state,network,exec"
	if strings.Join(names, ",") != want {
		t.Errorf("start phases %v", names)
	}
}
