package runtime

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// The tests of this file try the known ways out of a container (each one
// a runc CVE class) and check that they fail.

// fileSha256 hashes the file at path.
func fileSha256(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestOverwriteRuntimeBinary is CVE-2019-5736: a container process opens
// our binary through /proc/PID/exe of one of our processes and writes to
// it. With the minimal init, PID 1 is our binary; the write must fail and
// the binary on the host stay as it was.
func TestOverwriteRuntimeBinary(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	before := fileSha256(t, self)
	b := newTestBundle(t, "/bin/sh", "-c", "readlink /proc/1/exe; /bin/probe write-exe /proc/1/exe")
	b.init = true
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	lines := strings.Split(out, "\n")
	last := lines[len(lines)-1]
	if st.Code == 0 || last == "ok" {
		t.Errorf("writing PID 1's binary from the container succeeded: %q", out)
	}
	if !slices.Contains([]string{"ETXTBSY", "EPERM", "EROFS", "EACCES"}, last) {
		t.Errorf("writing PID 1's binary: got %q, want ETXTBSY, EPERM, EROFS or EACCES", out)
	}
	if after := fileSha256(t, self); after != before {
		t.Fatalf("the test binary %s changed: sha256 %s -> %s", self, before, after)
	}
}

// TestNoHostDescriptors checks that the container's process holds only
// its stdio, even when the caller has a descriptor open without
// close-on-exec.
func TestNoHostDescriptors(t *testing.T) {
	leak, err := unix.Open("/etc/hostname", unix.O_RDONLY, 0) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(leak)
	for _, withInit := range []bool{false, true} {
		t.Run(fmt.Sprintf("init=%v", withInit), func(t *testing.T) {
			b := newTestBundle(t, "/bin/probe", "fds")
			b.init = withInit
			id := testID(t)
			watchLeaks(t, b, id)
			out, st := b.run(t, id)
			// 3 is the probe's own handle on /proc/self/fd.
			if want := "0 1 2 3\nok"; out != want || st.Code != 0 {
				t.Errorf("descriptors in the container: %q (%+v), want %q", out, st, want)
			}
		})
	}
}

// TestCwdSymlinkStaysInside is CVE-2024-21626's family: process.cwd
// names a symlink that climbs out of the rootfs; it must resolve inside
// it.
func TestCwdSymlinkStaysInside(t *testing.T) {
	tests := []struct{ name, target string }{
		{"relative", "../../../../../../../../etc"},
		{"absolute", "/etc"},
		{"absolute climbing", "/../../../../etc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBundle(t, "/bin/sh", "-c", "pwd -P; cat cwd-marker")
			marker := "inside-" + testID(t)
			if err := os.WriteFile(filepath.Join(b.rootfs, "etc", "cwd-marker"), []byte(marker), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(tt.target, filepath.Join(b.rootfs, "escape")); err != nil {
				t.Fatal(err)
			}
			b.spec.Process.Cwd = "/escape"
			id := testID(t)
			watchLeaks(t, b, id)
			out, st := b.run(t, id)
			if want := "/etc\n" + marker; out != want || st.Code != 0 {
				t.Errorf("cwd through a symlink to %q: %q (%+v), want %q", tt.target, out, st, want)
			}
		})
	}
}

// TestSymlinkedMountTargets: an image whose /proc, /sys or /dev is a
// symlink to a host path must not get our mounts or device nodes there.
// Create may fail or succeed; nothing may appear outside the rootfs.
func TestSymlinkedMountTargets(t *testing.T) {
	for _, dir := range []string{"proc", "sys", "dev", "dev/pts", "sys/fs/cgroup"} {
		t.Run(dir, func(t *testing.T) {
			b := newTestBundle(t, "/bin/ls", "/"+dir)
			outside := t.TempDir()
			link := filepath.Join(b.rootfs, dir)
			if err := os.RemoveAll(link); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, link); err != nil {
				t.Fatal(err)
			}
			id := testID(t)
			leaks := watchLeaks(t, b, id, outside)
			out, st, err := b.tryRun(id)
			t.Logf("run: %+v, %v, output %q", st, err, out)
			ents, rerr := os.ReadDir(outside)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if len(ents) > 0 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("the container wrote to the host directory %s: %v", outside, names)
			}
			leaks.check(t)
		})
	}
}

func TestMinimalInit(t *testing.T) {
	// The subshell exits at once and leaves its sleep to PID 1, which
	// must reap it when it exits.
	b := newTestBundle(t, "/bin/sh", "-c", "echo pid=$$; (sleep 0.2 &); sleep 1; ps -o pid,stat,comm; exit 7")
	b.init = true
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	if st != (ExitStatus{Code: 7}) {
		t.Errorf("exit %+v, want the target's code 7 (output %q)", st, out)
	}
	lines := strings.Split(out, "\n")
	if lines[0] != "pid=2" {
		t.Errorf("the target is %q, want PID 2 under the init", lines[0])
	}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) >= 2 && strings.HasPrefix(f[1], "Z") {
			t.Errorf("zombie in the container: %q\n%s", l, out)
		}
	}
	if len(lines) < 4 {
		t.Errorf("ps printed too little: %q", out)
	}
}

func TestMinimalInitForwardsSignals(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", `trap 'echo got-term; exit 42' TERM; echo ready; while true; do sleep 0.1; done`)
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{Init: true})
	c.start(t)
	c.out.waitFor(t, "ready")
	if err := b.rt.Kill(t.Context(), id, unix.SIGTERM, false); err != nil {
		t.Fatal(err)
	}
	if st := c.wait(t); st != (ExitStatus{Code: 42}) {
		t.Errorf("after SIGTERM to the init: %+v, want the target's 42", st)
	}
	if out := c.out.all(t); !strings.Contains(out, "got-term") {
		t.Errorf("the target did not get SIGTERM: %q", out)
	}
}

// TestCVE_2019_5736_OverwriteStageBinary is TestOverwriteRuntimeBinary
// with the daemon's arrangement: container processes start from another
// binary (UseStageBinary, the daemon's container-runtime-init), whose
// file must stay as it was when the container writes to PID 1's binary.
// The runtime takes one stage binary, before its first container.
func TestCVE_2019_5736_OverwriteStageBinary(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "/bin/probe write-exe /proc/1/exe")
	b.init = true
	self, err := os.ReadFile("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	stage := filepath.Join(t.TempDir(), "container-runtime-init")
	if err := os.WriteFile(stage, self, 0o755); err != nil {
		t.Fatal(err)
	}
	before := fileSha256(t, stage)
	if err := b.rt.UseStageBinary(stage); err != nil {
		t.Fatal(err)
	}
	id := testID(t)
	watchLeaks(t, b, id)
	// The created init (the minimal init: the stage binary itself) seen
	// from the host: a bind mount of the stage binary's file.
	p, err := b.rt.Create(context.Background(), id, CreateOptions{Bundle: b.dir, Spec: b.spec, Init: true})
	if err != nil {
		t.Fatal(err)
	}
	exe, exeErr := os.Stat(fmt.Sprintf("/proc/%d/exe", p.Pid))
	if err := b.rt.Delete(context.Background(), id, true); err != nil {
		t.Fatal(err)
	}
	p.Wait()
	want, err := os.Stat(stage)
	if err != nil {
		t.Fatal(err)
	}
	if exeErr != nil || !os.SameFile(exe, want) {
		t.Errorf("the container's init does not run the stage binary (%v)", exeErr)
	}
	out, st := b.run(t, id)
	if st.Code == 0 || !slices.Contains([]string{"ETXTBSY", "EPERM", "EROFS", "EACCES"}, out) {
		t.Errorf("writing PID 1's binary from the container: %q (exit %d), want ETXTBSY, EPERM, EROFS or EACCES", out, st.Code)
	}
	if after := fileSha256(t, stage); after != before {
		t.Fatalf("the stage binary changed: sha256 %s -> %s", before, after)
	}
	if err := b.rt.UseStageBinary(stage); err == nil {
		t.Error("a second stage binary was taken after containers started from the first")
	}
}

// TestUseInstalledStageBinaryAbsent: with no container-runtime-init next
// to our binary (the test binary's directory), nothing is taken and the
// runtime keeps its own binary; the install test covers the installed
// case through the daemon.
func TestUseInstalledStageBinaryAbsent(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(self), StageBinaryName)); err == nil {
		t.Fatalf("a %s lies next to the test binary %s", StageBinaryName, self)
	}
	rt, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if path, err := rt.UseInstalledStageBinary(); path != "" || err != nil {
		t.Errorf("UseInstalledStageBinary() = %q, %v; want nothing taken", path, err)
	}
}
