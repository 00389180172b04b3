package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/runtime"
)

// makeBundle writes a busybox bundle running /bin/true with our default
// spec (no terminal, read-only root) in a new temporary directory.
func makeBundle() (string, error) {
	dir, err := os.MkdirTemp("", "ocicompare-bundle-")
	if err != nil {
		return "", err
	}
	if err := busyboxfs.Create(filepath.Join(dir, "rootfs")); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	spec := runtime.DefaultSpec()
	spec.Process.Terminal = false
	spec.Process.Args = []string{"/bin/true"}
	spec.Root.Readonly = true
	// crun 1.8 refuses ociVersions newer than it knows.
	spec.Version = "1.0.2-dev"
	b, err := json.MarshalIndent(spec, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// cgroupLayout names the cgroup layout this mount namespace sees.
func cgroupLayout() string {
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return "cgroup v2"
	}
	if _, err := os.Stat("/sys/fs/cgroup/unified/cgroup.controllers"); err == nil {
		return "cgroup hybrid"
	}
	return "cgroup v1"
}
