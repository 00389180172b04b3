package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/passwd"
)

// The --pid, --ipc and --uts modes, as Docker has them:
//
//	mode          namespace                      /dev/shm
//	"" / private  the container's own            a tmpfs of the container's mount namespace
//	shareable     the container's own (ipc)      a tmpfs on the host side, <dir>/shm, bound in
//	host          the host's (no namespace)      the host's /dev/shm bound in (ipc)
//	none          the container's own (ipc)      none
//	container:ID  ID's, joined at each start     ID's <dir>/shm bound in (ipc)
//
// A shareable container's /dev/shm lives outside its mount namespace so
// that a container joining its IPC namespace sees the same POSIX shared
// memory; it is mounted at each start and unmounted with the rootfs.

// shmDir is where a shareable container's /dev/shm is mounted on the host.
func (s *Service) shmDir(id string) string { return filepath.Join(s.containerDir(id), "shm") }

// shmSource is the host directory bound over /dev/shm for req, or "" when
// the container mounts its own tmpfs (or has none).
func (s *Service) shmSource(id string, req api.ContainerCreate) string {
	switch {
	case req.IpcMode == "shareable":
		return s.shmDir(id)
	case req.IpcMode == "host":
		return "/dev/shm"
	case strings.HasPrefix(req.IpcMode, "container:"):
		return s.shmDir(strings.TrimPrefix(req.IpcMode, "container:"))
	}
	return ""
}

// applyNamespaceModes changes the default spec's namespaces and /dev/shm
// for req's modes. Joined namespaces get their paths at each start.
func applyNamespaceModes(spec *specs.Spec, req api.ContainerCreate, shmSource string) {
	drop := func(t specs.LinuxNamespaceType) {
		spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == t })
	}
	if req.PidMode == "host" {
		drop(specs.PIDNamespace)
	}
	if req.IpcMode == "host" {
		drop(specs.IPCNamespace)
	}
	if req.UTSMode == "host" {
		drop(specs.UTSNamespace)
		spec.Hostname = "" // the host's: setting it would rename the host
	}
	i := slices.IndexFunc(spec.Mounts, func(m specs.Mount) bool { return m.Destination == "/dev/shm" })
	if i < 0 {
		return
	}
	switch {
	case req.IpcMode == "none":
		spec.Mounts = slices.Delete(spec.Mounts, i, i+1)
	case shmSource != "":
		spec.Mounts[i] = specs.Mount{Destination: "/dev/shm", Type: "bind", Source: shmSource,
			Options: []string{"rbind", "rprivate", "nosuid", "nodev", "noexec"}}
	default:
		size := req.ShmSize
		if size == 0 {
			size = defaultShmSize
		}
		opts := slices.DeleteFunc(slices.Clone(spec.Mounts[i].Options), func(o string) bool { return strings.HasPrefix(o, "size=") })
		spec.Mounts[i].Options = append(opts, "size="+strconv.FormatInt(size, 10))
	}
}

// startHostConfig completes spec at a start: the namespaces of the
// containers it joins (which must run), a shareable container's /dev/shm,
// and the --group-add groups, resolved in the container's /etc/group as
// it is now. It runs after the root file system is mounted and the user
// resolved; unmountRootfs undoes the /dev/shm mount.
func (s *Service) startHostConfig(spec *specs.Spec, r *record) error {
	for _, j := range []struct {
		mode string
		typ  specs.LinuxNamespaceType
		name string
	}{{r.Config.PidMode, specs.PIDNamespace, "pid"}, {r.Config.IpcMode, specs.IPCNamespace, "ipc"}} {
		id, ok := strings.CutPrefix(j.mode, "container:")
		if !ok {
			continue
		}
		pid, err := s.runningPid(id, strings.ToUpper(j.name))
		if err != nil {
			return err
		}
		for i, ns := range spec.Linux.Namespaces {
			if ns.Type == j.typ {
				spec.Linux.Namespaces[i].Path = "/proc/" + strconv.Itoa(pid) + "/ns/" + j.name
			}
		}
	}
	if r.Config.IpcMode == "shareable" {
		if err := mountShm(s.shmDir(r.ID), r.Config.ShmSize); err != nil {
			return err
		}
	}
	return s.addGroups(spec.Process, r)
}

// addGroups gives p the --group-add groups, resolved in the container's
// /etc/group as it is now; exec's processes get them too, as in Docker.
func (s *Service) addGroups(p *specs.Process, r *record) error {
	if len(r.Config.GroupAdd) == 0 {
		return nil
	}
	gids, err := passwd.GroupIDs(s.rootfsDir(r.ID), r.Config.GroupAdd)
	if err != nil {
		return fmt.Errorf("--group-add: %w", err)
	}
	u := &p.User
	for _, g := range gids {
		if !slices.Contains(u.AdditionalGids, g) {
			u.AdditionalGids = append(u.AdditionalGids, g)
		}
	}
	return nil
}

// runningPid is the init pid of the container id, which a container joins
// the kind namespace of; it must be running.
func (s *Service) runningPid(id, kind string) (int, error) {
	e, err := s.lookup(id)
	if err != nil {
		return 0, fmt.Errorf("joining the %s namespace of container %s: %w", kind, id, err)
	}
	r := e.snapshot()
	if r.State.Status != StateRunning || r.State.Pid == 0 {
		return 0, fmt.Errorf("cannot join %s of a non running container: %s: %w", kind, r.Name, errdefs.ErrConflict)
	}
	return r.State.Pid, nil
}

// mountShm mounts a shareable container's /dev/shm at dir, if it is not
// mounted yet (a run that died with the daemon leaves it).
func mountShm(dir string, size int64) error {
	if size == 0 {
		size = defaultShmSize
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the shareable /dev/shm: %w", err)
	}
	if mounted, err := mountinfo.Mounted(dir); err == nil && mounted {
		return nil
	}
	data := "mode=1777,size=" + strconv.FormatInt(size, 10)
	if err := unix.Mount("shm", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, data); err != nil {
		return fmt.Errorf("mounting tmpfs on %s (%s): %w", dir, data, err)
	}
	return nil
}

// unmountShm undoes mountShm; a container without one is fine.
func (s *Service) unmountShm(id string) error {
	dir := s.shmDir(id)
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("unmounting the shareable /dev/shm %s: %w", dir, err)
	}
	return nil
}
