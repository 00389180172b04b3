package rootfs

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// option is what one fstab-style mount option means to mount(2).
type option struct {
	// flag is the MS_* bit(s) the option sets, or clears when clear is true.
	flag  uintptr
	clear bool
	// propagation marks MS_SHARED, MS_SLAVE, MS_PRIVATE and MS_UNBINDABLE
	// (maybe with MS_REC): the kernel takes a propagation change only in a
	// mount call of its own, so these are kept apart from flag.
	propagation bool
	// attrSet and attrClr are MOUNT_ATTR_* bits of the recursive options
	// ("rro", "rnosuid", ...), applied to a whole mount tree with
	// mount_setattr(2) since MS_REMOUNT only changes the top mount.
	attrSet, attrClr uint64
}

// lookupOption returns the meaning of a known mount option. Unknown options
// are filesystem data ("mode=755", "size=65536k", "newinstance", ...).
func lookupOption(name string) (option, bool) {
	switch name {
	case "defaults":
		return option{}, true
	case "ro":
		return option{flag: unix.MS_RDONLY}, true
	case "rw":
		return option{flag: unix.MS_RDONLY, clear: true}, true
	case "nosuid":
		return option{flag: unix.MS_NOSUID}, true
	case "suid":
		return option{flag: unix.MS_NOSUID, clear: true}, true
	case "nodev":
		return option{flag: unix.MS_NODEV}, true
	case "dev":
		return option{flag: unix.MS_NODEV, clear: true}, true
	case "noexec":
		return option{flag: unix.MS_NOEXEC}, true
	case "exec":
		return option{flag: unix.MS_NOEXEC, clear: true}, true
	case "sync":
		return option{flag: unix.MS_SYNCHRONOUS}, true
	case "async":
		return option{flag: unix.MS_SYNCHRONOUS, clear: true}, true
	case "dirsync":
		return option{flag: unix.MS_DIRSYNC}, true
	case "remount":
		return option{flag: unix.MS_REMOUNT}, true
	case "mand":
		return option{flag: unix.MS_MANDLOCK}, true
	case "nomand":
		return option{flag: unix.MS_MANDLOCK, clear: true}, true
	case "atime":
		return option{flag: unix.MS_NOATIME, clear: true}, true
	case "noatime":
		return option{flag: unix.MS_NOATIME}, true
	case "diratime":
		return option{flag: unix.MS_NODIRATIME, clear: true}, true
	case "nodiratime":
		return option{flag: unix.MS_NODIRATIME}, true
	case "relatime":
		return option{flag: unix.MS_RELATIME}, true
	case "norelatime":
		return option{flag: unix.MS_RELATIME, clear: true}, true
	case "strictatime":
		return option{flag: unix.MS_STRICTATIME}, true
	case "nostrictatime":
		return option{flag: unix.MS_STRICTATIME, clear: true}, true
	case "lazytime":
		return option{flag: unix.MS_LAZYTIME}, true
	case "nolazytime":
		return option{flag: unix.MS_LAZYTIME, clear: true}, true
	case "nosymfollow":
		return option{flag: unix.MS_NOSYMFOLLOW}, true
	case "symfollow":
		return option{flag: unix.MS_NOSYMFOLLOW, clear: true}, true
	case "silent":
		return option{flag: unix.MS_SILENT}, true
	case "loud":
		return option{flag: unix.MS_SILENT, clear: true}, true
	case "bind":
		return option{flag: unix.MS_BIND}, true
	case "rbind":
		return option{flag: unix.MS_BIND | unix.MS_REC}, true

	case "private":
		return option{flag: unix.MS_PRIVATE, propagation: true}, true
	case "rprivate":
		return option{flag: unix.MS_PRIVATE | unix.MS_REC, propagation: true}, true
	case "shared":
		return option{flag: unix.MS_SHARED, propagation: true}, true
	case "rshared":
		return option{flag: unix.MS_SHARED | unix.MS_REC, propagation: true}, true
	case "slave":
		return option{flag: unix.MS_SLAVE, propagation: true}, true
	case "rslave":
		return option{flag: unix.MS_SLAVE | unix.MS_REC, propagation: true}, true
	case "unbindable":
		return option{flag: unix.MS_UNBINDABLE, propagation: true}, true
	case "runbindable":
		return option{flag: unix.MS_UNBINDABLE | unix.MS_REC, propagation: true}, true

	case "rro":
		return option{attrSet: unix.MOUNT_ATTR_RDONLY}, true
	case "rrw":
		return option{attrClr: unix.MOUNT_ATTR_RDONLY}, true
	case "rnosuid":
		return option{attrSet: unix.MOUNT_ATTR_NOSUID}, true
	case "rsuid":
		return option{attrClr: unix.MOUNT_ATTR_NOSUID}, true
	case "rnodev":
		return option{attrSet: unix.MOUNT_ATTR_NODEV}, true
	case "rdev":
		return option{attrClr: unix.MOUNT_ATTR_NODEV}, true
	case "rnoexec":
		return option{attrSet: unix.MOUNT_ATTR_NOEXEC}, true
	case "rexec":
		return option{attrClr: unix.MOUNT_ATTR_NOEXEC}, true
	case "rnodiratime":
		return option{attrSet: unix.MOUNT_ATTR_NODIRATIME}, true
	case "rdiratime":
		return option{attrClr: unix.MOUNT_ATTR_NODIRATIME}, true
	case "rnosymfollow":
		return option{attrSet: unix.MOUNT_ATTR_NOSYMFOLLOW}, true
	case "rsymfollow":
		return option{attrClr: unix.MOUNT_ATTR_NOSYMFOLLOW}, true
	// The atime mode is one value in a 3-bit field: clearing the whole
	// field (MOUNT_ATTR__ATIME) and setting the new mode is how
	// mount_setattr(2) changes it.
	case "rnoatime":
		return option{attrSet: unix.MOUNT_ATTR_NOATIME, attrClr: unix.MOUNT_ATTR__ATIME}, true
	case "rrelatime":
		return option{attrSet: unix.MOUNT_ATTR_RELATIME, attrClr: unix.MOUNT_ATTR__ATIME}, true
	case "rstrictatime":
		return option{attrSet: unix.MOUNT_ATTR_STRICTATIME, attrClr: unix.MOUNT_ATTR__ATIME}, true
	}
	return option{}, false
}

// mountOptions is a spec mount's option list split into the parts of the
// mount(2) and mount_setattr(2) calls that apply it.
type mountOptions struct {
	// flags are the MS_* flags of the mount call itself.
	flags uintptr
	// propagation holds each propagation change, in order, each applied
	// with a mount call of its own after the mount.
	propagation []uintptr
	// attrSet and attrClr are the recursive attributes, if any.
	attrSet, attrClr uint64
	// data is the comma-joined filesystem-specific options.
	data string
}

// parseMountOptions splits opts. Later options win over earlier ones
// ("ro,rw" is rw), as with mount(8).
func parseMountOptions(opts []string) mountOptions {
	var mo mountOptions
	var data []string
	for _, o := range opts {
		opt, ok := lookupOption(o)
		switch {
		case !ok:
			data = append(data, o)
		case opt.propagation:
			mo.propagation = append(mo.propagation, opt.flag)
		case opt.attrSet != 0 || opt.attrClr != 0:
			mo.attrClr = mo.attrClr&^opt.attrSet | opt.attrClr
			mo.attrSet = mo.attrSet&^opt.attrClr | opt.attrSet
		case opt.clear:
			mo.flags &^= opt.flag
		default:
			mo.flags |= opt.flag
		}
	}
	mo.data = strings.Join(data, ",")
	return mo
}

// isBind reports whether the mount is a bind mount: type "bind" or a
// "bind"/"rbind" option.
func (mo mountOptions) isBind() bool { return mo.flags&unix.MS_BIND != 0 }

// hasAttrs reports whether recursive attributes must be applied.
func (mo mountOptions) hasAttrs() bool { return mo.attrSet != 0 || mo.attrClr != 0 }

// parsePropagation turns spec.Linux.RootfsPropagation ("rslave", "shared",
// ...) into mount flags.
func parsePropagation(s string) (uintptr, error) {
	opt, ok := lookupOption(s)
	if !ok || !opt.propagation {
		return 0, fmt.Errorf("rootfs propagation %q is not one of shared, slave, private, unbindable (or r-prefixed): %w", s, errdefs.ErrInvalidArgument)
	}
	return opt.flag, nil
}
