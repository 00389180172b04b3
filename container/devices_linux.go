package container

import (
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// hostDevices lists the host's device nodes (in /dev and one level of
// subdirectories) for a privileged container, skipping the ones every
// container gets and the terminal devices, whose instances are the
// container's own.
func hostDevices() []specs.LinuxDevice {
	skip := map[string]bool{
		"/dev/null": true, "/dev/zero": true, "/dev/full": true, "/dev/random": true,
		"/dev/urandom": true, "/dev/tty": true, "/dev/console": true, "/dev/ptmx": true,
	}
	var out []specs.LinuxDevice
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if e.IsDir() {
				if depth == 0 && e.Name() != "pts" && e.Name() != "shm" && e.Name() != "mqueue" {
					walk(p, depth+1)
				}
				continue
			}
			if skip[p] {
				continue
			}
			var st unix.Stat_t
			if unix.Lstat(p, &st) != nil {
				continue
			}
			var typ string
			switch st.Mode & unix.S_IFMT {
			case unix.S_IFCHR:
				typ = "c"
			case unix.S_IFBLK:
				typ = "b"
			default:
				continue
			}
			mode := os.FileMode(st.Mode & 0o777)
			uid, gid := st.Uid, st.Gid
			out = append(out, specs.LinuxDevice{
				Path: p, Type: typ,
				Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev)),
				FileMode: &mode, UID: &uid, GID: &gid,
			})
		}
	}
	walk("/dev", 0)
	return out
}
