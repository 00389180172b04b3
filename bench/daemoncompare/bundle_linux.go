package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/runtime"
)

// ociCore is the isolation core alone: a runc-compatible runtime's `run`
// of /bin/true on a bundle whose root filesystem is the exported base.
type ociCore struct {
	bundle string
	// state is the runtimes' --root parent (one directory each).
	state string
	group group
	tree  *cgroupTree
	// runtimes are the runtime binaries runners were made for.
	runtimes []string
}

// newOCICore extracts baseTar into a bundle under work with our default
// spec (no terminal, read-only root, /bin/true) and a cgroupsPath outside
// the runtimes' accounting group, like the daemons' containers.
func newOCICore(work, baseTar string, tree *cgroupTree) (*ociCore, error) {
	c := &ociCore{bundle: filepath.Join(work, "bundle"), state: filepath.Join(work, "oci-state"), tree: tree}
	rootfs := filepath.Join(c.bundle, "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		return nil, err
	}
	if out, err := exec.Command("tar", "-C", rootfs, "--numeric-owner", "-xpf", baseTar).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("extracting the base into the bundle: %v: %s", err, strings.TrimSpace(string(out)))
	}
	spec := runtime.DefaultSpec()
	spec.Process.Terminal = false
	spec.Process.Args = []string{"/bin/true"}
	spec.Root.Readonly = true
	spec.Linux.CgroupsPath = tree.path("oci-containers/c")
	// crun 1.8 refuses ociVersions newer than it knows (as ocicompare).
	spec.Version = "1.0.2-dev"
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(c.bundle, "config.json"), b, 0o644); err != nil {
		return nil, err
	}
	if c.group, err = tree.group("oci"); err != nil {
		return nil, err
	}
	return c, nil
}

// sleeperBundle writes, next to the bundle, bundle NAME: the same root
// filesystem (read-only, shared) running `sleep 1000`, in cgroup
// oci-containers/NAME, for a runtime's exec to join; it returns its
// directory.
func (c *ociCore) sleeperBundle(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(c.bundle, "config.json"))
	if err != nil {
		return "", err
	}
	var spec specs.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		return "", err
	}
	spec.Root.Path = filepath.Join(c.bundle, "rootfs")
	spec.Process.Args = []string{"sleep", "1000"}
	spec.Linux.CgroupsPath = c.tree.path("oci-containers/" + name)
	if b, err = json.MarshalIndent(spec, "", "  "); err != nil {
		return "", err
	}
	dir := filepath.Join(filepath.Dir(c.bundle), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644)
}

// runner is `RUNTIME --root STATE run --bundle BUNDLE ID`, born in the
// runtimes' accounting group.
func (c *ociCore) runner(label, path string, out *os.File) runner {
	c.runtimes = append(c.runtimes, path)
	root := filepath.Join(c.state, filepath.Base(path))
	id := fmt.Sprintf("daemoncompare-%d", os.Getpid())
	return &cmdRunner{
		label: label, argv: []string{path, "--root", root, "run", "--bundle", c.bundle, id},
		bornIn: &c.group, groups: []group{c.group}, out: out,
		// A run cut short leaves its state: delete it first.
		before: func() error {
			if _, err := os.Stat(filepath.Join(root, id)); err == nil {
				return exec.Command(path, "--root", root, "delete", "--force", id).Run()
			}
			return nil
		},
	}
}

// close force-deletes, with the runtime that made it, any container state
// left in the runtimes' roots.
func (c *ociCore) close() {
	for _, path := range c.runtimes {
		root := filepath.Join(c.state, filepath.Base(path))
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			if e.IsDir() {
				_ = exec.Command(path, "--root", root, "delete", "--force", e.Name()).Run()
			}
		}
	}
}
