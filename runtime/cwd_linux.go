package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The working directory is where CVE-2024-21626 broke runc out of its
// containers: runc held a descriptor on a host directory while it called
// chdir(process.cwd), so a cwd of /proc/self/fd/N (a magic link to that
// descriptor) left the process with its cwd in the host's tree, from which
// "../../.." reached everything. Three things prevent it here:
//
//   - no directory descriptor of ours is open when the cwd is resolved
//     (releaseDirectoryFDs closes them, then checks);
//   - the cwd is resolved with openat2 from the container's root, with
//     RESOLVE_IN_ROOT (".." and absolute symlinks stay inside) and
//     RESOLVE_NO_MAGICLINKS (no /proc/self/fd/N, /proc/N/cwd, ...), then
//     entered with fchdir;
//   - getcwd must then name a path under "/": a cwd outside the root reads
//     "(unreachable)/..." or fails, and the process is not started.

// enterCwd makes cwd, resolved inside the current root, the working
// directory, creating missing directories as os.MkdirAll would (as root,
// mode 0755). An empty cwd means "/". preserve is the number of the
// caller's descriptors from 3 on, which are the program's and not checked.
//
// Preconditions: the root is the container's (after pivot_root, or after
// setns into its mount namespace) and the final mounts are in place, so
// that no later mount can cover the directory we enter.
func enterCwd(cwd string, preserve int) error {
	if cwd == "" {
		cwd = "/"
	}
	if err := releaseDirectoryFDs(preserve); err != nil {
		return fmt.Errorf("process.cwd %q: %w", cwd, err)
	}
	root, err := unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("process.cwd %q: opening the root: %w", cwd, err)
	}
	fd, err := openCwd(root, cwd)
	unix.Close(root)
	if err != nil {
		return fmt.Errorf("process.cwd %q: %w", cwd, err)
	}
	defer unix.Close(fd)
	if err := unix.Fchdir(fd); err != nil {
		return fmt.Errorf("process.cwd %q: fchdir: %w", cwd, err)
	}
	// unix.Getwd fails with ENOENT unless the kernel's answer is absolute,
	// which it is not for a directory outside our root ("(unreachable)").
	wd, err := unix.Getwd()
	if err != nil {
		return fmt.Errorf("process.cwd %q: the directory entered is not inside the container's root (getcwd: %w)", cwd, err)
	}
	if !strings.HasPrefix(wd, "/") {
		return fmt.Errorf("process.cwd %q: the directory entered is not inside the container's root (getcwd: %q)", cwd, wd)
	}
	return nil
}

// cwdResolve is how every component of the cwd is looked up: inside the
// root, and never through a magic link.
const cwdResolve = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// openCwd returns an O_PATH descriptor on cwd resolved inside root,
// creating the missing components one by one, each inside root.
func openCwd(root int, cwd string) (int, error) {
	rel := strings.TrimPrefix(filepath.Clean("/"+cwd), "/")
	if rel == "" {
		rel = "."
	}
	fd, err := openInRoot(root, rel)
	if !errors.Is(err, unix.ENOENT) {
		return fd, err
	}
	// Create what is missing, a component at a time: each parent is
	// resolved inside the root again, so a symlink in the image can only
	// lead to a directory of the container.
	comps := strings.Split(rel, "/")
	for i := range comps {
		prefix := strings.Join(comps[:i+1], "/")
		fd, err := openInRoot(root, prefix)
		if errors.Is(err, unix.ENOENT) {
			if err := mkdirInRoot(root, strings.Join(comps[:i], "/"), comps[i]); err != nil {
				return -1, err
			}
			fd, err = openInRoot(root, prefix)
		}
		if err != nil {
			return -1, err
		}
		if i == len(comps)-1 {
			return fd, nil
		}
		unix.Close(fd)
	}
	return -1, fmt.Errorf("resolving %q: %w", rel, unix.ENOENT)
}

// openInRoot opens the directory rel with cwdResolve from root.
func openInRoot(root int, rel string) (int, error) {
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: cwdResolve}
	for {
		fd, err := unix.Openat2(root, rel, &how)
		// RESOLVE_IN_ROOT returns EAGAIN when a rename anywhere raced
		// with a ".." lookup; trying again is what the kernel asks.
		if err == unix.EAGAIN {
			continue
		}
		if err == unix.ELOOP {
			return -1, fmt.Errorf("resolving %q inside the container: %w (a magic link such as /proc/self/fd/N is refused, as are symlink loops)", "/"+rel, err)
		}
		if err != nil {
			return -1, fmt.Errorf("resolving %q inside the container: %w", "/"+rel, err)
		}
		return fd, nil
	}
}

// mkdirInRoot creates name in the directory parent (resolved inside root).
// An entry that appeared meanwhile is fine: the caller opens it again.
func mkdirInRoot(root int, parent, name string) error {
	if parent == "" {
		parent = "."
	}
	pfd, err := openInRoot(root, parent)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	if err := unix.Mkdirat(pfd, name, 0o755); err != nil && err != unix.EEXIST {
		return fmt.Errorf("creating %q inside the container: %w", "/"+filepath.Join(parent, name), err)
	}
	return nil
}

// releaseDirectoryFDs closes every directory descriptor of ours (3+preserve
// and up), then checks that none is left. None is needed once the root is
// final, and one held open when the cwd is resolved, from the host above
// all, is what made CVE-2024-21626 possible. The descriptors below
// 3+preserve are the caller's, given to the program on purpose.
//
// A library may hold such a descriptor for the life of the process:
// filepath-securejoin (used by Prepare) caches a handle on a private
// procfs mount. So that a later use of a cached number can never reach
// another file that got the number, the descriptor is not closed but
// replaced (dup3) by an eventfd, which no path can be resolved from.
func releaseDirectoryFDs(preserve int) error {
	dirs, err := directoryFDs(3 + preserve)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return nil // the listing was the check: nothing to release
	}
	ev, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("eventfd: %w", err)
	}
	for _, d := range dirs {
		if err := unix.Dup3(ev, d.fd, unix.O_CLOEXEC); err != nil {
			unix.Close(ev)
			return fmt.Errorf("releasing directory descriptor %d (%s): %w", d.fd, d.path, err)
		}
	}
	unix.Close(ev)
	return checkNoDirectoryFDs(preserve)
}

// checkNoDirectoryFDs fails if a descriptor of ours (3+preserve and up)
// is a directory.
func checkNoDirectoryFDs(preserve int) error {
	dirs, err := directoryFDs(3 + preserve)
	if err != nil {
		return err
	}
	if len(dirs) > 0 {
		return fmt.Errorf("descriptor %d is a directory (%s) still open in the container process: refusing to resolve the working directory", dirs[0].fd, dirs[0].path)
	}
	return nil
}

// openDir is a directory descriptor and the path /proc shows for it.
type openDir struct {
	fd   int
	path string
}

// directoryFDs lists our descriptors from first up that are directories.
func directoryFDs(first int) ([]openDir, error) {
	proc, err := openProc()
	if err != nil {
		// A container without /proc (possible for exec): look at every
		// descriptor number the limit allows instead.
		return scanDirectoryFDs(first)
	}
	defer unix.Close(proc)
	dir, err := unix.Openat(proc, "self/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("listing our descriptors: %w", err)
	}
	f := os.NewFile(uintptr(dir), "/proc/self/fd")
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("listing our descriptors: %w", err)
	}
	var dirs []openDir
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil || fd < first || fd == dir || fd == proc {
			continue
		}
		var st unix.Stat_t
		if unix.Fstat(fd, &st) != nil {
			continue // closed since the listing
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			path, _ := os.Readlink("/proc/self/fd/" + name)
			dirs = append(dirs, openDir{fd: fd, path: path})
		}
	}
	return dirs, nil
}

// openProc returns an O_PATH descriptor on the container's /proc after
// checking that it is a procfs: no symlink in the image and no directory
// standing in for it can redirect what we look up there.
func openProc() (int, error) {
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := unix.Openat2(unix.AT_FDCWD, "/proc", &how)
	if err == unix.ENOSYS || err == unix.EPERM {
		// The seccomp filter is already loaded here, and a profile
		// written before openat2 existed (runtime-tools' default, old
		// Docker profiles) refuses it with EPERM. "/proc" is one
		// component under our own root, so O_NOFOLLOW|O_DIRECTORY
		// refuses the same symlink and the statfs below the rest.
		fd, err = unix.Open("/proc", unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return -1, fmt.Errorf("opening the container's /proc: %w", err)
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(fd, &st); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("statfs of the container's /proc: %w", err)
	}
	if st.Type != unix.PROC_SUPER_MAGIC {
		unix.Close(fd)
		return -1, fmt.Errorf("the container's /proc is not a procfs (type 0x%x): the spec must mount proc at /proc", st.Type)
	}
	return fd, nil
}

// reopenExecFifo opens for writing the exec fifo that fifoFD (O_PATH)
// refers to, through the container's /proc; it blocks until Start opens
// the fifo for reading. The result is checked to be the same fifo.
func reopenExecFifo(fifoFD int) (int, error) {
	proc, err := openProc()
	if err != nil {
		return -1, err
	}
	defer unix.Close(proc)
	fd, err := unix.Openat(proc, "self/fd/"+strconv.Itoa(fifoFD), unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	var want, got unix.Stat_t
	if err := unix.Fstat(fifoFD, &want); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if err := unix.Fstat(fd, &got); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if want.Dev != got.Dev || want.Ino != got.Ino {
		unix.Close(fd)
		return -1, fmt.Errorf("/proc/self/fd/%d is not the exec fifo", fifoFD)
	}
	return fd, nil
}

// scanDirectoryFDs is directoryFDs without /proc: fstat on every number
// from first to the descriptor limit (at most 1<<20).
func scanDirectoryFDs(first int) ([]openDir, error) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return nil, fmt.Errorf("reading the descriptor limit: %w", err)
	}
	var dirs []openDir
	for fd := first; uint64(fd) < min(lim.Cur, 1<<20); fd++ {
		var st unix.Stat_t
		if unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
			dirs = append(dirs, openDir{fd: fd, path: "?"})
		}
	}
	return dirs, nil
}
