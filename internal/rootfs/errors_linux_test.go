package rootfs

import (
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestPrepareErrors checks that failures come back saying what was asked.
func TestPrepareErrors(t *testing.T) {
	requireRoot(t)
	tests := []struct {
		name  string
		edit  func(*specs.Spec)
		wants []string
	}{
		{
			name: "unknown filesystem",
			edit: func(s *specs.Spec) {
				s.Mounts = []specs.Mount{{Destination: "/x", Type: "nosuchfs", Source: "none", Options: []string{"ro", "nosuid", "foo=bar"}}}
			},
			wants: []string{`mounting nosuchfs at "/x"`, `source="none"`, `/rootfs/x"`, `fstype="nosuchfs"`, "flags=MS_RDONLY|MS_NOSUID", `data="foo=bar"`, "no such device"},
		},
		{
			name: "missing bind source",
			edit: func(s *specs.Spec) {
				s.Mounts = []specs.Mount{{Destination: "/x", Type: "bind", Source: "/nonexistent/rootfs-test"}}
			},
			wants: []string{"/nonexistent/rootfs-test", "not found"},
		},
		{
			name:  "bad rootfs propagation",
			edit:  func(s *specs.Spec) { s.Linux = &specs.Linux{RootfsPropagation: "sideways"} },
			wants: []string{`"sideways"`, "invalid argument"},
		},
		{
			name: "bad device type",
			edit: func(s *specs.Spec) {
				s.Linux = &specs.Linux{Devices: []specs.LinuxDevice{{Path: "/dev/x", Type: "z"}}}
			},
			wants: []string{`creating device "/dev/x"`, "invalid argument"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := publicDir(t)
			watchHostMounts(t, base)
			rootfs := busyboxRootfs(t, filepath.Join(base, "rootfs"))
			spec := &specs.Spec{}
			tt.edit(spec)
			rep := child{scenario: "prepare", rootfs: rootfs, spec: spec}.run(t)
			if rep.Error == "" {
				t.Fatal("Prepare succeeded")
			}
			for _, w := range tt.wants {
				if !strings.Contains(rep.Error, w) {
					t.Errorf("error %q lacks %q", rep.Error, w)
				}
			}
		})
	}
}
