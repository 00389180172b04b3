package snapshot

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// errNoLowerdirAppend means the kernel lacks the new mount API or its
// "lowerdir+" overlay parameter (before Linux 6.8); mount(2) is used instead.
var errNoLowerdirAppend = errors.New(`overlay "lowerdir+" is not supported`)

// mountFS mounts the overlay with the new mount API: fsopen, one fsconfig
// call per parameter, fsmount, move_mount. Each lower directory is its own
// "lowerdir+" parameter, so the stack depth is bounded only by OverlayFS
// (500 layers), not by the size of an option string.
func mountFS(target string, lowers []string, upper, work, opts string) error {
	fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		if err == unix.ENOSYS {
			return errNoLowerdirAppend
		}
		return &mountError{source: "overlay", target: target, fstype: "overlay", options: "fsopen", err: err}
	}
	defer unix.Close(fsfd)
	fail := func(what string, err error) error {
		return &mountError{source: "overlay", target: target, fstype: "overlay", options: what, log: fsLog(fsfd), err: err}
	}
	for i, l := range lowers {
		if err := unix.FsconfigSetString(fsfd, "lowerdir+", l); err != nil {
			if i == 0 && err == unix.EINVAL {
				fsLog(fsfd) // drain "unknown parameter"
				return errNoLowerdirAppend
			}
			return fail(fmt.Sprintf("lowerdir+=%s (layer %d of %d, top first)", l, i+1, len(lowers)), err)
		}
	}
	if upper != "" {
		if err := unix.FsconfigSetString(fsfd, "upperdir", upper); err != nil {
			return fail("upperdir="+upper, err)
		}
		if err := unix.FsconfigSetString(fsfd, "workdir", work); err != nil {
			return fail("workdir="+work, err)
		}
	}
	for _, opt := range strings.Split(opts, ",") {
		// A flag (volatile) is set as one: the kernel refuses it a value,
		// even an empty one.
		k, v, hasValue := strings.Cut(opt, "=")
		set := func() error { return unix.FsconfigSetString(fsfd, k, v) }
		if !hasValue {
			set = func() error { return unix.FsconfigSetFlag(fsfd, k) }
		}
		if err := set(); err != nil {
			return fail(opt, err)
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return fail(fmt.Sprintf("create (%d lowers, upper %q)", len(lowers), upper), err)
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return fail("fsmount", err)
	}
	defer unix.Close(mfd)
	if err := unix.MoveMount(mfd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return &mountError{source: "overlay", target: target, fstype: "overlay", options: "move_mount", err: err}
	}
	return nil
}

// fsLog drains the messages the kernel queued on an fs context: they say
// which parameter was wrong, where errno alone says only EINVAL.
func fsLog(fsfd int) []string {
	var msgs []string
	buf := make([]byte, 1024)
	for range 32 {
		n, err := unix.Read(fsfd, buf)
		if err != nil || n <= 0 {
			break
		}
		msgs = append(msgs, strings.TrimSpace(string(buf[:n])))
	}
	return msgs
}
