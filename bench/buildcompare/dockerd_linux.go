package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/testutil/dockerd"
)

// peerDocker is the private dockerd of internal/testutil/dockerd (its own
// directories under the work directory, no bridge, no iptables), in a
// cgroup of its own that accounts its CPU time and that of its build
// containers.
type peerDocker struct {
	*dockerd.Dockerd
	cg *cpuGroup
}

// startPeerDocker starts the private dockerd under work, waits until it
// answers and imports baseTar as base. It returns nil and the reason when
// docker is not installed or does not start.
func startPeerDocker(ctx context.Context, work, baseTar string) (*peerDocker, string) {
	cg, err := newCPUGroup(cgroupName(os.Getpid()))
	if err != nil {
		return nil, "no cgroup to account dockerd's CPU time: " + oneLine(err)
	}
	dd, err := dockerd.Start(ctx, dockerd.Options{
		Dir:        filepath.Join(work, "docker"),
		Args:       []string{"--cgroup-parent", cg.containerParent()},
		JoinCgroup: cg.daemonProcs(),
	})
	if err != nil {
		removeCgroup(cg)
		if errors.Is(err, dockerd.ErrNotInstalled) {
			return nil, oneLine(err)
		}
		return nil, "dockerd did not start: " + oneLine(err)
	}
	d := &peerDocker{Dockerd: dd, cg: cg}
	if _, err := d.Output(ctx, "import",
		"--change", "ENV PATH="+image.DefaultPath, "--change", `CMD ["/bin/bash"]`,
		baseTar, "base"); err != nil {
		d.close()
		return nil, "docker import of the base failed: " + oneLine(err)
	}
	return d, ""
}

// close stops dockerd and removes what it left, then its cgroups.
func (d *peerDocker) close() {
	if err := d.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "buildcompare: %v\n", err)
	}
	removeCgroup(d.cg)
}

func removeCgroup(cg *cpuGroup) {
	if err := cg.remove(); err != nil {
		fmt.Fprintf(os.Stderr, "buildcompare: %v\n", err)
	}
}
