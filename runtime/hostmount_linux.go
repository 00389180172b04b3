package runtime

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// A spec that lists no mount namespace shares the runtime's
// (runtime-spec config-linux.md: a namespace type that is not listed
// MUST be inherited), as runc and crun do. The container's mounts are then
// made in the host's namespace, all below one private bind of the rootfs
// onto itself (rootfs.BindHostRoot, recorded as record.HostRoot), and
// removed with it at delete or when create fails; the init chroots into
// the rootfs instead of pivot_root, and exec'd processes chroot into the
// init's root. docs/CONFORMANCE.md says what that costs in isolation.

// checkHostMountNamespace refuses what cannot work, or could not be
// confined, without a mount namespace of the container's own:
//
//   - a user namespace: the host's mount namespace belongs to the host's
//     user namespace, in which the container's root may not mount
//     anything (mount(2) fails with EPERM);
//   - the minimal init (opts.Init): it stays PID 1 beside the container
//     with the host's root directory, since only pivot_root moves the root
//     of other processes; the chroot of its child would not reach it.
func checkHostMountNamespace(spec *specs.Spec, opts CreateOptions) error {
	if hasNamespace(spec, specs.MountNamespace) {
		return nil
	}
	if hasNamespace(spec, specs.UserNamespace) {
		return fmt.Errorf("linux.namespaces: a user namespace needs a mount namespace too: without one the container's mounts would be made in the host's mount namespace, where its user namespace may not mount: %w", errdefs.ErrInvalidArgument)
	}
	if opts.Init {
		return fmt.Errorf("linux.namespaces: the minimal init needs a mount namespace: without one it would keep the host's root directory beside the container: %w", errdefs.ErrInvalidArgument)
	}
	return nil
}
