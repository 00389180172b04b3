package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/image"
)

// peerPodman is podman with its storage, run state, temporary files and
// network configuration under dir, cgroupfs as cgroup manager, runc as
// runtime (crun 1.8 refuses this host's hybrid cgroups) and events to a
// file (there is no journald without systemd). Each podman process is
// born in its accounting group; its containers and their conmon
// processes get a cgroup parent outside it, and conmon's cgroup there
// (<parent>/conmon, podman's choice with cgroupfs) is counted too.
type peerPodman struct {
	path   string
	global []string
	dir    string
	group  group
	conmon group
	parent string
	// ulimits are explicit: podman's defaults (nofile 1048576, nproc
	// above conmon's 32768) exceed what root without CAP_SYS_RESOURCE
	// may set here, and runc then fails to start the container.
	ulimits []string
	// hostPaths are what podman makes outside dir, and whether they
	// existed before.
	hostPaths map[string]bool
}

// podmanHostPaths are what podman (and its image library) make outside
// its storage: the blob info cache, netavark's lock and network
// directory.
func podmanHostPaths() []string {
	return []string{"/var/lib/containers", "/var/lib/containers/cache",
		"/var/lib/containers/cache/blob-info-cache-v1.boltdb", "/var/lib/containers/netavark.lock",
		"/run/containers", "/run/containers/networks"}
}

// podmanGlobal are the global flags of a podman with everything in dir.
func podmanGlobal(dir string) []string {
	return []string{
		"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"),
		"--tmpdir", filepath.Join(dir, "tmp"), "--network-config-dir", filepath.Join(dir, "net"),
		"--storage-driver", "overlay", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
		"--runtime", "runc",
	}
}

// newPodman sets podman up under work. It returns nil and the reason when
// podman or runc is missing.
func newPodman(work string, tree *cgroupTree) (*peerPodman, string) {
	path, err := exec.LookPath("podman")
	if err != nil {
		return nil, "podman not installed (apt-get install podman)"
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return nil, "runc (podman's runtime here) not installed"
	}
	dir := filepath.Join(work, "podman")
	p := &peerPodman{
		path: path, dir: dir, global: podmanGlobal(dir),
		parent:    tree.path("podman-containers"),
		ulimits:   []string{"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"},
		hostPaths: existed(podmanHostPaths()...),
	}
	if p.group, err = tree.group("podman"); err != nil {
		return nil, err.Error()
	}
	if p.conmon, err = tree.group("podman-containers/conmon"); err != nil {
		return nil, err.Error()
	}
	return p, ""
}

// importBase imports the base tar as base with our base's PATH and CMD.
func (p *peerPodman) importBase(ctx context.Context, baseTar string) error {
	out, err := p.podman(ctx, "import", "--change", "ENV PATH="+image.DefaultPath,
		"--change", `CMD ["/bin/bash"]`, baseTar, "base")
	if err != nil {
		return fmt.Errorf("podman import of the base failed: %v: %s", err, strings.TrimSpace(out))
	}
	return nil
}

// podman runs a podman command on our storage.
func (p *peerPodman) podman(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, p.path, append(append([]string(nil), p.global...), args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// runArgs are the arguments of a container of ours on base.
func (p *peerPodman) runArgs(mode ...string) []string {
	args := append(append([]string(nil), p.global...), "run")
	args = append(args, mode...)
	args = append(args, "--network", "none", "--cgroup-parent", p.parent)
	return append(args, p.ulimits...)
}

// runner is `podman run --rm --network none base /bin/true`, born in the
// podman group: its CPU time is that group's and conmon's.
func (p *peerPodman) runner(out *os.File) runner {
	argv := append([]string{p.path}, p.runArgs("--rm")...)
	return &cmdRunner{
		label: "podman run --rm (--network none)",
		argv:  append(argv, "base", "/bin/true"),
		// conmon runs `podman container cleanup` when the container
		// exits: born in conmon's group, it is counted there.
		bornIn: &p.group, groups: []group{p.group, p.conmon}, out: out,
	}
}

// runDetached starts a container running argv in the background.
func (p *peerPodman) runDetached(ctx context.Context, argv ...string) error {
	args := append(p.runArgs("-d")[len(p.global):], "base")
	if out, err := p.podman(ctx, append(args, argv...)...); err != nil {
		return fmt.Errorf("podman run -d: %v: %s", err, strings.TrimSpace(out))
	}
	return nil
}

// conmons are the PIDs of the conmon processes of our containers.
func (p *peerPodman) conmons() []int {
	return findProcs(func(pi procInfo) bool { return pi.comm == "conmon" && pi.argvContains(p.dir+"/") })
}

// removeAll force-removes every container at once.
func (p *peerPodman) removeAll(ctx context.Context) error {
	if out, err := p.podman(ctx, "rm", "--all", "--force", "--time", "0"); err != nil {
		return fmt.Errorf("podman rm: %v: %s", err, strings.TrimSpace(out))
	}
	return nil
}

// close removes podman's containers and images (which unmounts its
// storage) and the host paths it made.
func (p *peerPodman) close() {
	ctx := context.Background()
	if err := p.removeAll(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
	}
	p.podman(ctx, "rmi", "--all", "--force")
	for _, pid := range p.conmons() {
		fmt.Fprintf(os.Stderr, "daemoncompare: stopping a conmon left over (pid %d)\n", pid)
		stopPid(pid, 5*time.Second)
	}
	removeNew(newPaths(p.hostPaths))
}

// memEngine describes podman for the memory part: it has no daemon.
func (p *peerPodman) memEngine() *memEngine {
	return &memEngine{
		label: "podman", monitor: "conmon",
		startSleeper: func(ctx context.Context) error { return p.runDetached(ctx, "sleep", "1000") },
		monitors:     p.conmons,
		removeAll:    p.removeAll,
	}
}
