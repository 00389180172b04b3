package cgroup

import (
	"errors"
	"testing"

	"github.com/opencontainers/cgroups"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestCheckPaths(t *testing.T) {
	tests := []struct {
		name   string
		layout Layout
		paths  map[string]string
		ok     bool
	}{
		{"v1", Legacy, map[string]string{"memory": "/sys/fs/cgroup/memory/a/b", "devices": "/sys/fs/cgroup/devices/a/b"}, true},
		{"hybrid", Hybrid, map[string]string{"devices": "/sys/fs/cgroup/devices/a", "": "/sys/fs/cgroup/unified/a"}, true},
		{"v2", Unified, map[string]string{"": "/sys/fs/cgroup/a/b"}, true},
		{"empty", Legacy, map[string]string{}, false},
		{"v1 hierarchy root", Legacy, map[string]string{"memory": "/sys/fs/cgroup/memory"}, false},
		{"hybrid cgroup2 root", Hybrid, map[string]string{"": "/sys/fs/cgroup/unified"}, false},
		{"v2 root", Unified, map[string]string{"": "/sys/fs/cgroup"}, false},
		{"outside cgroupfs", Legacy, map[string]string{"memory": "/etc/memory/a"}, false},
		{"unclean", Legacy, map[string]string{"memory": "/sys/fs/cgroup/memory/a/../../../../etc"}, false},
		{"v2 with controller keys", Unified, map[string]string{"memory": "/sys/fs/cgroup/a"}, false},
		{"v2 with two paths", Unified, map[string]string{"": "/sys/fs/cgroup/a", "x": "/sys/fs/cgroup/b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPaths(tt.paths, tt.layout)
			if tt.ok && err != nil {
				t.Errorf("checkPaths: %v", err)
			}
			if !tt.ok && !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("checkPaths = %v; want ErrInvalidArgument", err)
			}
		})
	}
}

func TestLoadRejectsEmpty(t *testing.T) {
	if _, err := Load(nil); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("Load(nil) = %v; want ErrInvalidArgument", err)
	}
}

// Importing this package must register the library's device-rule writers
// (the side effect of importing opencontainers/cgroups/devices). Without
// them the library silently skips an empty device list on v1, leaving every
// host device open to the container.
func TestDeviceWritersRegistered(t *testing.T) {
	if cgroups.DevicesSetV1 == nil || cgroups.DevicesSetV2 == nil {
		t.Fatal("cgroups.DevicesSetV1/V2 not registered: the blank import of opencontainers/cgroups/devices is missing")
	}
}
