package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// runner is one contender: argv for a container (or floor process) named
// id whose runtime keeps its state under root.
type runner struct {
	name string
	argv func(root, id string) []string
	// path is the runtime binary; "" for the floor.
	path string
}

// runtimeRunner runs the bundle with a runc-compatible runtime binary.
func runtimeRunner(name, path, bundle string) runner {
	return runner{name: name, path: path, argv: func(root, id string) []string {
		return []string{path, "--root", filepath.Join(root, name), "run", "--bundle", bundle, id}
	}}
}

// floorRunner runs /bin/true in new mount, UTS, IPC, PID and network
// namespaces, chrooted into rootfs: what any runtime must at least do.
func floorRunner(rootfs string) (runner, error) {
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		return runner{}, fmt.Errorf("unshare (util-linux) not installed")
	}
	return runner{name: "floor: unshare+chroot", argv: func(string, string) []string {
		return []string{unshare, "--mount", "--uts", "--ipc", "--net", "--pid", "--fork", "chroot", rootfs, "/bin/true"}
	}}, nil
}

// compare warms every runner up, then times n runs of each, alternating
// with a rotating first runner. A peer that fails during warm-up is
// dropped (returned in failed with the reason); ours failing, any failure
// once timing started, or ctx ending, is an error.
func compare(ctx context.Context, rs []runner, root string, n, warmup int) (series []*measure.Series, failed [][2]string, err error) {
	errLog, err := os.CreateTemp("", "ocicompare-stderr-")
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(errLog.Name())
	defer errLog.Close()
	var kept []runner
	for _, r := range rs {
		var werr error
		for i := 0; i < warmup && werr == nil && ctx.Err() == nil; i++ {
			_, werr = runOnce(r, root, fmt.Sprintf("ocicompare-%d-warmup-%d", os.Getpid(), i), errLog)
		}
		switch {
		case ctx.Err() != nil:
			return nil, nil, ctx.Err()
		case werr == nil:
			kept = append(kept, r)
		case r.name == oursName:
			return nil, nil, werr
		default:
			failed = append(failed, [2]string{r.name, werr.Error()})
		}
	}
	series = make([]*measure.Series, len(kept))
	for j, r := range kept {
		series[j] = &measure.Series{Name: r.name}
	}
	for i := range n {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		for k := range kept {
			j := (i + k) % len(kept)
			s, err := runOnce(kept[j], root, fmt.Sprintf("ocicompare-%d-%d", os.Getpid(), i), errLog)
			if err != nil {
				return nil, nil, err
			}
			series[j].Add(s)
		}
	}
	return series, failed, nil
}

// runOnce runs one container and times it. The output goes to errLog (a
// file, so that no copying goroutine runs during the timing), which is
// quoted when the run fails.
func runOnce(r runner, root, id string, errLog *os.File) (measure.Sample, error) {
	if err := errLog.Truncate(0); err != nil {
		return measure.Sample{}, err
	}
	if _, err := errLog.Seek(0, io.SeekStart); err != nil {
		return measure.Sample{}, err
	}
	argv := r.argv(root, id)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = errLog, errLog
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		out, _ := os.ReadFile(errLog.Name())
		return measure.Sample{}, fmt.Errorf("%s: %s: %v: %s", r.name, strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return measure.Sample{Wall: wall, CPU: measure.ProcessCPU(cmd.ProcessState)}, nil
}

// cleanLeftovers force-deletes, with the runtime that made it, each
// container state directory left under root (run deletes its container,
// unless interrupted), and returns their names.
func cleanLeftovers(rs []runner, root string) []string {
	var left []string
	for _, r := range rs {
		if r.path == "" {
			continue
		}
		entries, _ := os.ReadDir(filepath.Join(root, r.name))
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			left = append(left, filepath.Join(r.name, e.Name()))
			_ = exec.Command(r.path, "--root", filepath.Join(root, r.name), "delete", "--force", e.Name()).Run()
		}
	}
	return left
}
