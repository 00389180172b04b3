package rootfs

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// mountFlags are MS_* flags; String names them ("MS_BIND|MS_REC").
type mountFlags uintptr

// mountFlagName pairs a flag with its name.
type mountFlagName struct {
	flag uintptr
	name string
}

// mountFlagNames lists the flags String knows, in bit order.
func mountFlagNames() []mountFlagName {
	return []mountFlagName{
		{unix.MS_RDONLY, "MS_RDONLY"},
		{unix.MS_NOSUID, "MS_NOSUID"},
		{unix.MS_NODEV, "MS_NODEV"},
		{unix.MS_NOEXEC, "MS_NOEXEC"},
		{unix.MS_SYNCHRONOUS, "MS_SYNCHRONOUS"},
		{unix.MS_REMOUNT, "MS_REMOUNT"},
		{unix.MS_MANDLOCK, "MS_MANDLOCK"},
		{unix.MS_DIRSYNC, "MS_DIRSYNC"},
		{unix.MS_NOSYMFOLLOW, "MS_NOSYMFOLLOW"},
		{unix.MS_NOATIME, "MS_NOATIME"},
		{unix.MS_NODIRATIME, "MS_NODIRATIME"},
		{unix.MS_BIND, "MS_BIND"},
		{unix.MS_MOVE, "MS_MOVE"},
		{unix.MS_REC, "MS_REC"},
		{unix.MS_SILENT, "MS_SILENT"},
		{unix.MS_POSIXACL, "MS_POSIXACL"},
		{unix.MS_UNBINDABLE, "MS_UNBINDABLE"},
		{unix.MS_PRIVATE, "MS_PRIVATE"},
		{unix.MS_SLAVE, "MS_SLAVE"},
		{unix.MS_SHARED, "MS_SHARED"},
		{unix.MS_RELATIME, "MS_RELATIME"},
		{unix.MS_I_VERSION, "MS_I_VERSION"},
		{unix.MS_STRICTATIME, "MS_STRICTATIME"},
		{unix.MS_LAZYTIME, "MS_LAZYTIME"},
	}
}

// String names each set flag, joined by "|"; bits without a name are
// printed in hex at the end; no flag at all is "0".
func (f mountFlags) String() string {
	if f == 0 {
		return "0"
	}
	var names []string
	rest := uintptr(f)
	for _, n := range mountFlagNames() {
		if rest&n.flag != 0 {
			names = append(names, n.name)
			rest &^= n.flag
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("%#x", rest))
	}
	return strings.Join(names, "|")
}

// mountError is a failed mount(2) (or mount_setattr(2)) call with its
// operands, so a failure in the init process says exactly what was asked.
type mountError struct {
	// op is what was being done: "mount", "remount", "propagation", ...
	op     string
	source string
	// target is the path on the host before pivot_root (or in the
	// container after it), never the /proc/self/fd/N alias used to make
	// the call.
	target string
	fstype string
	flags  mountFlags
	data   string
	err    error
}

func (e *mountError) Error() string {
	var b strings.Builder
	b.WriteString(e.op)
	fmt.Fprintf(&b, " source=%q target=%q", e.source, e.target)
	if e.fstype != "" {
		fmt.Fprintf(&b, " fstype=%q", e.fstype)
	}
	fmt.Fprintf(&b, " flags=%s", e.flags)
	if e.data != "" {
		fmt.Fprintf(&b, " data=%q", e.data)
	}
	b.WriteString(": ")
	b.WriteString(e.err.Error())
	return b.String()
}

// Unwrap gives the errno, for errors.Is(err, unix.EPERM) and the like.
func (e *mountError) Unwrap() error { return e.err }

// mount calls mount(2) and returns a *mountError on failure. target is
// where the call goes (maybe /proc/self/fd/N); shownTarget is what the
// error prints.
func mount(op, source, target, shownTarget, fstype string, flags uintptr, data string) error {
	if err := unix.Mount(source, target, fstype, flags, data); err != nil {
		return &mountError{op: op, source: source, target: shownTarget, fstype: fstype, flags: mountFlags(flags), data: data, err: err}
	}
	return nil
}
