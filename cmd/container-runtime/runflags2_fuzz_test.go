package main

import (
	"strings"
	"testing"
)

// FuzzHostFlagParsers feeds one value to the --ulimit, --sysctl and
// --device parsers: none may panic, and what each accepts must keep its
// promise (a ulimit with soft <= hard, both -1 or more; a sysctl key that
// is not empty; a device with absolute paths and permissions of r, w, m).
func FuzzHostFlagParsers(f *testing.F) {
	for _, s := range []string{
		"nofile=512:1024", "nproc=77", "core=unlimited", "core=-1:-1", "nofile=20:10", "=", "a=b=c",
		"net.ipv4.ip_forward=1", "kernel.sem=250 32000 100 128", "/dev/sda", "/dev/sda:/dev/xvdc:rw",
		"/dev/sda:r", "/dev/sda::", ":::", "/a:/b:mwr",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if us, err := parseUlimits([]string{s}); err == nil {
			if len(us) != 1 || us[0].Name == "" || us[0].Soft < -1 || us[0].Hard < -1 || uint64(us[0].Soft) > uint64(us[0].Hard) {
				t.Fatalf("parseUlimits(%q) accepted %+v", s, us)
			}
		}
		if m, err := parseSysctls([]string{s}); err == nil {
			for k := range m {
				if k == "" || strings.TrimSpace(k) != k {
					t.Fatalf("parseSysctls(%q) accepted key %q", s, k)
				}
			}
		}
		if d, err := parseDevice(s); err == nil {
			if !strings.HasPrefix(d.PathOnHost, "/") || !strings.HasPrefix(d.PathInContainer, "/") || !isDeviceMode(d.CgroupPermissions) {
				t.Fatalf("parseDevice(%q) accepted %+v", s, d)
			}
		}
	})
}
