package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/testutil/dockerd"
)

// peerDocker is the private dockerd of internal/testutil/dockerd (its own
// directories under the work directory; no iptables, no bridge, which is
// also why only --network none is compared with docker). It is started
// in its accounting group (containerd and the shims are born there), and
// its containers get a cgroup parent outside it.
type peerDocker struct {
	*dockerd.Dockerd
	group  group
	parent string // --cgroup-parent of the containers
}

// startPeerDocker starts the private dockerd under work and waits until
// it answers. It returns nil and the reason when docker is not installed
// or does not start.
func startPeerDocker(ctx context.Context, work string, tree *cgroupTree) (*peerDocker, string) {
	g, err := tree.group("docker")
	if err != nil {
		return nil, oneLine(err)
	}
	dd, err := dockerd.Start(ctx, dockerd.Options{Dir: filepath.Join(work, "docker"), JoinCgroup: g.procs()})
	if errors.Is(err, dockerd.ErrNotInstalled) {
		return nil, oneLine(err)
	}
	if err != nil {
		return nil, "dockerd did not start: " + oneLine(err)
	}
	return &peerDocker{Dockerd: dd, group: g, parent: tree.path("docker-containers")}, ""
}

// importBase imports the base tar as base, with our base's PATH and CMD.
func (d *peerDocker) importBase(ctx context.Context, baseTar string) error {
	_, err := d.Output(ctx, "import",
		"--change", "ENV PATH="+image.DefaultPath, "--change", `CMD ["/bin/bash"]`,
		baseTar, "base")
	return err
}

// runner is `docker run --rm --network none base /bin/true`; its CPU time
// is the client's and the daemon group's (dockerd, containerd, shim, runc
// until the container's init joins its cgroup).
func (d *peerDocker) runner(out *os.File) runner {
	return &cmdRunner{
		label: "docker run --rm (--network none)",
		argv: append([]string{d.Client}, d.Args("run", "--rm", "--network", "none",
			"--cgroup-parent", d.parent, "base", "/bin/true")...),
		groups: []group{d.group}, out: out,
	}
}

// runDetached starts a container running argv in the background.
func (d *peerDocker) runDetached(ctx context.Context, argv ...string) error {
	_, err := d.Output(ctx, append([]string{"run", "-d", "--network", "none", "--cgroup-parent", d.parent, "base"}, argv...)...)
	return err
}

// removeAll force-removes every container.
func (d *peerDocker) removeAll(ctx context.Context) error {
	_, err := d.RemoveAll(ctx)
	return err
}

// daemons are the PIDs of dockerd and of its containerd.
func (d *peerDocker) daemons() []int {
	pids := []int{d.Pid()}
	if pid := d.ContainerdPid(); pid > 0 {
		pids = append(pids, pid)
	}
	return pids
}

// shims are the PIDs of the containerd shims of our containerd (their
// command line names its socket, under our directory).
func (d *peerDocker) shims() []int {
	return findProcs(func(p procInfo) bool {
		return strings.HasPrefix(p.comm, "containerd-shim") && p.argvContains(d.Dir+"/")
	})
}

// close stops dockerd and removes what it left (see dockerd.Close).
func (d *peerDocker) close() {
	if err := d.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
	}
}

// memEngine describes dockerd for the memory part.
func (d *peerDocker) memEngine() *memEngine {
	return &memEngine{
		label: "docker", monitor: "containerd-shim-runc-v2", daemon: "dockerd + containerd",
		startSleeper: func(ctx context.Context) error { return d.runDetached(ctx, "sleep", "1000") },
		monitors:     d.shims,
		daemons:      d.daemons,
		removeAll:    d.removeAll,
	}
}
