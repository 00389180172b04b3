package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// partExec is part 8: exec of /bin/true into a running `sleep 1000`:
// ours through the CLI, crun exec (private mount namespace) and runc exec
// into containers that they run from the same bundle, alternating.
func (s *setup) partExec(ctx context.Context) (retErr error) {
	before := loadavg()
	out, err := s.ours.cli(ctx, "run", "-d", "--network", "none", "base", "sleep", "1000")
	if err != nil {
		return err
	}
	id := strings.TrimSpace(out)
	defer func() {
		if err := s.ours.client.ContainerRemove(context.WithoutCancel(ctx), id, true); err != nil && retErr == nil {
			retErr = fmt.Errorf("removing the exec target: %w", err)
		}
	}()
	rs := []runner{&cmdRunner{
		label: "ours: container-runtime exec", argv: []string{s.ours.bin.cli, "exec", id, "/bin/true"},
		env: s.ours.env(), dir: s.ours.dir, groups: []group{s.ours.group}, out: s.out,
	}}
	var skipped []skip
	if s.crun != nil {
		if _, err := s.crun.call("sleeper-start"); err != nil {
			skipped = append(skipped, skip{"crun exec", "crun run -d of sleep failed: " + oneLine(err)})
		} else {
			defer s.crun.call("sleeper-stop")
			rs = append(rs, &crunRunner{label: "core: crun exec (own mount ns)", op: "exec", h: s.crun})
		}
	} else {
		skipped = append(skipped, skip{"crun exec", "crun not installed"})
	}
	if s.runc != "" {
		r, stop, err := s.runcExec()
		if err != nil {
			skipped = append(skipped, skip{"runc exec", oneLine(err)})
		} else {
			defer stop()
			rs = append(rs, r)
		}
	} else {
		skipped = append(skipped, skip{"runc exec", "runc not installed"})
	}
	rs, failed, err := warmUp(ctx, rs, s.cfg.warmup)
	if err != nil {
		return err
	}
	series, err := alternate(ctx, rs, s.cfg.n)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("== exec /bin/true into a running sleep, %d runs each after %d warm-up, alternating", s.cfg.n, s.cfg.warmup)
	printTable(os.Stdout, title, series, append(slices.Clone(skipped), failed...))
	printTargets(series, target{"ours: container-runtime exec", "core: crun exec (own mount ns)", 1.0})
	fmt.Println("  CPU: the client and the daemon's cgroup (ours); the runtime's process tree until the exec'd process joins the container's cgroup (crun, runc)")
	fmt.Printf("  load average before: %s; after: %s\n", before, loadavg())
	return nil
}

// runcExec starts `sleep 1000` with runc (detached) from a bundle next to
// the core's, and returns the runner of `runc exec` into it and what
// deletes it.
func (s *setup) runcExec() (runner, func(), error) {
	bundle, err := s.core.sleeperBundle("runc-sleep")
	if err != nil {
		return nil, nil, err
	}
	root := filepath.Join(s.core.state, "runc-exec")
	id := fmt.Sprintf("daemoncompare-%d-sleep", os.Getpid())
	// Born in the runtimes' group, as runc run is; its stdio is
	// /dev/null, which the sleep keeps.
	if err := s.core.group.enter(); err != nil {
		return nil, nil, err
	}
	// Not a pipe: the sleep would hold it open.
	if err := resetFile(s.out); err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(s.runc, "--root", root, "run", "--detach", "--bundle", bundle, id)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	err = cmd.Run()
	if lerr := s.core.group.t.leave(); err == nil && lerr != nil {
		return nil, nil, lerr
	}
	stop := func() { _ = exec.Command(s.runc, "--root", root, "delete", "--force", id).Run() }
	if err != nil {
		stop()
		out, _ := os.ReadFile(s.out.Name())
		return nil, nil, fmt.Errorf("runc run -d of sleep: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return &cmdRunner{
		label: "core: runc exec", argv: []string{s.runc, "--root", root, "exec", id, "/bin/true"},
		bornIn: &s.core.group, groups: []group{s.core.group}, out: s.out,
	}, stop, nil
}
