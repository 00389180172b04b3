package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/container-runtime/container-runtime/errdefs"
)

// --systemd-cgroup asks runc to have systemd make the container's cgroup:
// a transient scope unit started over D-Bus, in the slice named by a
// "slice:prefix:name" cgroupsPath. This runtime makes cgroups with cgroupfs
// only, so it refuses the flag rather than make a cgroup behind systemd's
// back, which a systemd host would later fight over (systemd owns the
// cgroup tree there and may move or remove what it does not know).
//
// Without systemd as PID 1 runc refuses the flag too: there is no one to
// ask. The two cases get different messages, so that the fix is clear:
// on a systemd host, configure the caller for cgroupfs; elsewhere, the
// caller's systemd setting is wrong for the host.

// systemdRunning reports whether systemd is PID 1, by the test of
// sd_booted(3) that runc also uses: /run/systemd/system exists.
func systemdRunning() bool {
	fi, err := os.Lstat("/run/systemd/system")
	return err == nil && fi.IsDir()
}

// systemdCgroupError is the refusal of --systemd-cgroup, on a host with
// systemd as PID 1 or not.
func systemdCgroupError(running bool) error {
	if !running {
		return fmt.Errorf("--systemd-cgroup: systemd is not running as PID 1; --systemd-cgroup needs it "+
			"(drop the flag: containerd SystemdCgroup = false, dockerd native.cgroupdriver=cgroupfs): %w",
			errdefs.ErrUnavailable)
	}
	return fmt.Errorf("--systemd-cgroup: %s does not implement systemd's cgroup driver (transient scope units over D-Bus); "+
		"it makes cgroups with cgroupfs only (drop the flag: containerd SystemdCgroup = false, dockerd native.cgroupdriver=cgroupfs): %w",
		progName, errors.ErrUnsupported)
}
