package cgroup

import specs "github.com/opencontainers/runtime-spec/specs-go"

// DefaultDeviceRules returns the device rules runc appends after a spec's
// own linux.resources.devices (libcontainer/specconv AllowedDevices): mknod
// of any device, and read/write/mknod of /dev/null, zero, full, random,
// urandom, tty, ptmx and the pts devices. Docker's and containerd's specs
// rely on the runtime adding these, so an OCI runtime compatible with runc
// should append them; this package never adds them by itself.
func DefaultDeviceRules() []specs.LinuxDeviceCgroup {
	dev := func(typ string, major, minor int64, access string) specs.LinuxDeviceCgroup {
		d := specs.LinuxDeviceCgroup{Allow: true, Type: typ, Access: access}
		if major >= 0 {
			d.Major = &major
		}
		if minor >= 0 {
			d.Minor = &minor
		}
		return d
	}
	const wildcard = -1
	return []specs.LinuxDeviceCgroup{
		dev("c", wildcard, wildcard, "m"),
		dev("b", wildcard, wildcard, "m"),
		dev("c", 1, 3, "rwm"),          // /dev/null
		dev("c", 1, 8, "rwm"),          // /dev/random
		dev("c", 1, 7, "rwm"),          // /dev/full
		dev("c", 5, 0, "rwm"),          // /dev/tty
		dev("c", 1, 5, "rwm"),          // /dev/zero
		dev("c", 1, 9, "rwm"),          // /dev/urandom
		dev("c", 136, wildcard, "rwm"), // /dev/pts/*
		dev("c", 5, 2, "rwm"),          // /dev/ptmx
	}
}
