package runtime

import (
	"fmt"
	"os"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/capabilities"
)

// dropPrivileges switches to the process's identity and privileges: no_new_privs,
// the seccomp filter when no_new_privs is off, the bounding set, user and
// groups, the final capability sets and umask, and checks that the user
// may use the working directory that enterCwd entered.
//
// Preconditions: the OS thread is locked; capabilities, no_new_privs and
// the seccomp filter are per thread, and this thread later calls execve.
//
// The order matters. Without no_new_privs, loading a seccomp filter needs
// CAP_SYS_ADMIN, so the filter goes in while we still have it; with
// no_new_privs, execProgram loads it as late as possible, so the syscalls
// we make until then need not be allowed by it. The bounding set is
// dropped while we are still root; PR_SET_KEEPCAPS keeps the permitted set
// across setresuid so the final sets can be applied exactly after it.
func dropPrivileges(p *specs.Process, sc []byte) error {
	if p.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("setting no_new_privs: %w", err)
		}
	}
	if sc != nil && !p.NoNewPrivileges {
		if err := loadSeccompProgram(sc); err != nil {
			return fmt.Errorf("loading seccomp filter: %w", err)
		}
	}
	if p.Capabilities != nil {
		if err := capabilities.ApplyBounding(p.Capabilities); err != nil {
			return fmt.Errorf("dropping bounding capabilities: %w", err)
		}
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("setting keepcaps: %w", err)
	}
	if err := setUser(p.User); err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("clearing keepcaps: %w", err)
	}
	if p.Capabilities != nil {
		if err := capabilities.Apply(p.Capabilities); err != nil {
			return fmt.Errorf("setting capabilities: %w", err)
		}
	}
	if p.User.Umask != nil {
		unix.Umask(int(*p.User.Umask))
	}
	// enterCwd entered the working directory as root; the user must be
	// able to search it too (chdir checks exec permission on its target).
	if err := unix.Chdir("."); err != nil {
		return fmt.Errorf("process.cwd %q as uid %d: %w", p.Cwd, p.User.UID, err)
	}
	return nil
}

// loadLateSeccomp loads the filter that dropPrivileges left for later
// (with no_new_privs). It is idempotent: the filter goes in once.
func loadLateSeccomp(p *specs.Process, sc []byte, loaded *bool) error {
	if sc == nil || !p.NoNewPrivileges || *loaded {
		return nil
	}
	if err := loadSeccompProgram(sc); err != nil {
		return fmt.Errorf("loading seccomp filter: %w", err)
	}
	*loaded = true
	return nil
}

// execProgram closes our descriptors and executes target. It returns
// only on failure.
func execProgram(p *specs.Process, sc []byte, target string, env *stageEnv, seccompLoaded bool) error {
	if err := closeExtraFDs(env.preserve); err != nil {
		return fmt.Errorf("closing descriptors: %w", err)
	}
	if err := applyLateLimits(env); err != nil {
		return err
	}
	if err := loadLateSeccomp(p, sc, &seccompLoaded); err != nil {
		return err
	}
	err := syscall.Exec(target, p.Args, p.Env)
	return fmt.Errorf("executing %s: %w", target, err)
}

// setUser switches to the process's uid, gid and supplementary groups.
// syscall.Setresuid and friends apply to every thread of the Go runtime.
func setUser(u specs.User) error {
	groups := make([]int, len(u.AdditionalGids))
	for i, g := range u.AdditionalGids {
		groups[i] = int(g)
	}
	if err := syscall.Setgroups(groups); err != nil {
		// setgroups is denied in a user namespace whose setgroups file says
		// deny; an empty list is then what we have anyway.
		if len(groups) > 0 || !os.IsPermission(err) {
			return fmt.Errorf("process.user.additionalGids %v: setgroups: %w", u.AdditionalGids, err)
		}
	}
	if err := syscall.Setresgid(int(u.GID), int(u.GID), int(u.GID)); err != nil {
		return fmt.Errorf("process.user.gid %d: setresgid: %w", u.GID, err)
	}
	if err := syscall.Setresuid(int(u.UID), int(u.UID), int(u.UID)); err != nil {
		return fmt.Errorf("process.user.uid %d: setresuid: %w", u.UID, err)
	}
	return nil
}
