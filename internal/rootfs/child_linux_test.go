package rootfs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// The root tests run the real sequence in a child process: the test binary
// started again in new namespaces, with the scenario named in the
// environment. Protocol (environment in, stdout out):
//
//	parent -> child  ROOTFS_TEST_CHILD   scenario name ("container", "prepare")
//	                 ROOTFS_TEST_ROOTFS  host path of the rootfs
//	                 ROOTFS_TEST_SPEC    the spec, JSON
//	                 ROOTFS_TEST_PROBES  what to look at afterwards, JSON []probe
//	child -> parent  stdout: one childReport, JSON; exit status 0 unless the
//	                 report could not be written.
const (
	envChild  = "ROOTFS_TEST_CHILD"
	envRootfs = "ROOTFS_TEST_ROOTFS"
	envSpec   = "ROOTFS_TEST_SPEC"
	envProbes = "ROOTFS_TEST_PROBES"
)

func TestMain(m *testing.M) {
	if name := os.Getenv(envChild); name != "" {
		os.Exit(childMain(name))
	}
	os.Exit(m.Run())
}

// probe asks the child to look at one path inside the finished container.
type probe struct {
	// Op is stat, lstat, readlink, read, openw (open for writing, write
	// nothing), create (write a new file), list, or run (Path is a
	// /bin/sh command line).
	Op   string `json:"op"`
	Path string `json:"path"`
}

// probeResult is what a probe saw.
type probeResult struct {
	probe
	// Errno is the error number's name ("EROFS") when the operation
	// failed, Err the whole error.
	Errno string `json:"errno,omitempty"`
	Err   string `json:"err,omitempty"`
	// Type, Perm, Major and Minor describe a stat: Type is file, dir,
	// symlink, char, block, fifo or socket.
	Type  string `json:"type,omitempty"`
	Perm  uint32 `json:"perm,omitempty"`
	Major uint32 `json:"major,omitempty"`
	Minor uint32 `json:"minor,omitempty"`
	UID   uint32 `json:"uid,omitempty"`
	GID   uint32 `json:"gid,omitempty"`
	// Data is what read or run returned, or the readlink target.
	Data string `json:"data,omitempty"`
	// Entries are the names list found.
	Entries []string `json:"entries,omitempty"`
}

// mountRecord is one line of /proc/self/mountinfo.
type mountRecord struct {
	Mountpoint string `json:"mountpoint"`
	FSType     string `json:"fstype"`
	Source     string `json:"source"`
	Options    string `json:"options"`
	VFSOptions string `json:"vfsOptions"`
	Optional   string `json:"optional"`
}

// childReport is what the child tells the parent.
type childReport struct {
	// Error is the failure of Prepare, PivotRoot or Finish.
	Error string `json:"error,omitempty"`
	// Pid is the child's pid in its namespace.
	Pid int `json:"pid"`
	// NewMounts are the host-side mount points of the mounts Prepare made
	// (mountinfo after Prepare, less what was there before).
	NewMounts []string `json:"newMounts"`
	// Mounts is the mount table inside the finished container.
	Mounts []mountRecord `json:"mounts"`
	// Probes are in the order asked.
	Probes []probeResult `json:"probes"`
}

// childMain runs scenario name and writes its report.
func childMain(name string) int {
	var rep childReport
	rep.Pid = os.Getpid()
	if err := childScenario(name, &rep); err != nil {
		rep.Error = err.Error()
	}
	if err := json.NewEncoder(os.Stdout).Encode(&rep); err != nil {
		fmt.Fprintln(os.Stderr, "writing report:", err)
		return 2
	}
	return 0
}

// childScenario runs one named scenario:
//
//	container  Prepare, PivotRoot, Finish, then the probes
//	prepare    Prepare only (its error is the result)
func childScenario(name string, rep *childReport) error {
	rootfs := os.Getenv(envRootfs)
	var spec specs.Spec
	if err := json.Unmarshal([]byte(os.Getenv(envSpec)), &spec); err != nil {
		return fmt.Errorf("decoding spec: %w", err)
	}
	var probes []probe
	if s := os.Getenv(envProbes); s != "" {
		if err := json.Unmarshal([]byte(s), &probes); err != nil {
			return fmt.Errorf("decoding probes: %w", err)
		}
	}
	before, err := mountinfo.GetMounts(nil)
	if err != nil {
		return err
	}
	prepErr := Prepare(&spec, rootfs)
	// Recorded even when Prepare failed: a mount it made on the way may
	// be outside the rootfs.
	if rep.NewMounts, err = newMountpoints(before); err != nil {
		return err
	}
	if prepErr != nil {
		return prepErr
	}
	if name == "prepare" {
		return nil
	}
	if name != "container" {
		return fmt.Errorf("unknown scenario %q", name)
	}
	if err := PivotRoot(rootfs); err != nil {
		return err
	}
	if err := Finish(&spec); err != nil {
		return err
	}
	mounts, err := mountinfo.GetMounts(nil)
	if err != nil {
		return err
	}
	for _, m := range mounts {
		rep.Mounts = append(rep.Mounts, mountRecord{m.Mountpoint, m.FSType, m.Source, m.Options, m.VFSOptions, m.Optional})
	}
	for _, p := range probes {
		rep.Probes = append(rep.Probes, runProbe(p))
	}
	return nil
}

// newMountpoints lists the mount points of mounts not in before.
func newMountpoints(before []*mountinfo.Info) ([]string, error) {
	old := map[int]bool{}
	for _, m := range before {
		old[m.ID] = true
	}
	after, err := mountinfo.GetMounts(nil)
	if err != nil {
		return nil, err
	}
	var added []string
	for _, m := range after {
		if !old[m.ID] {
			added = append(added, m.Mountpoint)
		}
	}
	return added, nil
}

// runProbe performs p.
func runProbe(p probe) probeResult {
	r := probeResult{probe: p}
	var err error
	switch p.Op {
	case "stat", "lstat":
		var st unix.Stat_t
		if p.Op == "stat" {
			err = unix.Stat(p.Path, &st)
		} else {
			err = unix.Lstat(p.Path, &st)
		}
		if err == nil {
			r.Type = fileType(st.Mode)
			r.Perm = st.Mode & 0o7777
			r.Major, r.Minor = unix.Major(st.Rdev), unix.Minor(st.Rdev)
			r.UID, r.GID = st.Uid, st.Gid
		}
	case "readlink":
		r.Data, err = os.Readlink(p.Path)
	case "read":
		var f *os.File
		if f, err = os.Open(p.Path); err == nil {
			var b []byte
			b, err = io.ReadAll(io.LimitReader(f, 4096))
			r.Data = string(b)
			f.Close()
		}
	case "openw":
		var f *os.File
		if f, err = os.OpenFile(p.Path, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
	case "create":
		err = os.WriteFile(p.Path, []byte("probe"), 0o644)
	case "list":
		var entries []fs.DirEntry
		entries, err = os.ReadDir(p.Path)
		for _, e := range entries {
			r.Entries = append(r.Entries, e.Name())
		}
	case "run":
		var out []byte
		out, err = exec.Command("/bin/sh", "-c", p.Path).CombinedOutput()
		r.Data = string(out)
	default:
		err = fmt.Errorf("unknown probe %q", p.Op)
	}
	if err != nil {
		r.Err = err.Error()
		var errno syscall.Errno
		if errors.As(err, &errno) {
			r.Errno = unix.ErrnoName(errno)
		}
	}
	return r
}

// fileType names the type bits of a stat mode.
func fileType(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return "file"
	case unix.S_IFDIR:
		return "dir"
	case unix.S_IFLNK:
		return "symlink"
	case unix.S_IFCHR:
		return "char"
	case unix.S_IFBLK:
		return "block"
	case unix.S_IFIFO:
		return "fifo"
	case unix.S_IFSOCK:
		return "socket"
	}
	return fmt.Sprintf("%#o", mode&unix.S_IFMT)
}
