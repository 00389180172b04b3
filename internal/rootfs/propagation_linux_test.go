package rootfs

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRootPropagation runs a container with the root propagations of the
// runtime spec whose result does not depend on the host's mounts (slave of
// a private host mount is private) and checks the container's "/" has it
// (runtime-tools linux_rootfs_propagation). "unbindable" used to fail Prepare: "/" was made
// unbindable before rootfs was bound onto itself (EINVAL).
func TestRootPropagation(t *testing.T) {
	requireRoot(t)
	for _, tc := range []struct {
		prop string
		// want is the mark mountinfo's optional fields show for "/"
		// ("" for private: no mark).
		want string
	}{
		{"shared", "shared:"},
		{"private", ""},
		{"unbindable", "unbindable"},
	} {
		t.Run(tc.prop, func(t *testing.T) {
			base := publicDir(t)
			watchHostMounts(t, base)
			rootfs := busyboxRootfs(t, filepath.Join(base, "rootfs"))
			spec := dockerSpec()
			spec.Linux.RootfsPropagation = tc.prop
			rep := child{scenario: "container", rootfs: rootfs, spec: spec}.run(t)
			if rep.Error != "" {
				t.Fatalf("child: %s", rep.Error)
			}
			root, ok := mountAt(rep, "/")
			if !ok {
				t.Fatalf("no mount at / in %+v", rep.Mounts)
			}
			switch {
			case tc.want == "" && root.Optional != "":
				t.Errorf("/ has propagation %q, want private (none)", root.Optional)
			case tc.want != "" && !strings.Contains(root.Optional, tc.want):
				t.Errorf("/ has propagation %q, want %q", root.Optional, tc.want)
			}
		})
	}
}
