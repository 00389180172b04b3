package security

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// The tests of this file attack `cp` (the archive routes): a container
// that races the daemon's path resolution, one that plants programs and
// libraries for the daemon to run, and tars that aim out of the
// destination.

// hostMarkers fails the test if a file whose name holds marker exists
// in "/" or in any directory from the daemon's root up to "/", where a
// write that escaped a container (by a symlink to "/" or a ".." chain)
// would land.
func hostMarkers(t testing.TB, d *daemon.Daemon, marker string) {
	t.Helper()
	for dir := d.Root; ; dir = filepath.Dir(dir) {
		names, _ := os.ReadDir(dir)
		for _, n := range names {
			if strings.Contains(n.Name(), marker) {
				t.Errorf("ESCAPED FILE on the host: %s", filepath.Join(dir, n.Name()))
				os.RemoveAll(filepath.Join(dir, n.Name()))
			}
		}
		if dir == "/" {
			return
		}
	}
}

// TestCVE_2018_15664_CpSymlinkSwap guards against Docker's
// CVE-2018-15664: `docker cp` resolved a container path on the host and
// then used the resolved path, so a container that swapped a directory
// for a symlink to "/" between the two made the daemon read and write
// the host's files as root.
//
// The container runs the attacker's swap loop: /swap is a directory one
// instant and a symlink to "/" the next (renameat2 RENAME_EXCHANGE, no
// window). /swap/<victim path>/hello exists in the directory ("container
// hello"), and, reached through the symlink, in the container's own root
// ("decoy hello"); on the host it is the victim's "hello from the host".
// Then cp runs a hundred times each way: reading that file and its
// directory (the file, "dir/.", the directory itself as a tar on
// stdout), and writing files named after a marker into it (a file, a
// directory, a tar on stdin). The attack is live when both the directory
// and the symlink were seen. It fails if any read returned the host's
// content, the victim directory changed, or a marker file appeared on
// the host outside the container.
func TestCVE_2018_15664_CpSymlinkSwap(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	v := newVictim(t)
	dir := buildAttacker(t, "")
	vrel := strings.TrimPrefix(v.dir, "/")
	setup := fmt.Sprintf("mkdir -p /swap/%[1]s && echo container hello > /swap/%[1]s/hello && "+
		"mkdir -p /%[1]s && echo decoy hello > /%[1]s/hello && exec %[2]s swap /swap /", vrel, attackerPath)
	args := append([]string{"run", "-d", "--name", "swapper", "--network", "none"}, attackerMount(dir)...)
	d.OK(t, append(args, img, "sh", "-c", setup)...)
	testutil.WaitFor(t, 30*time.Second, "the swap loop", func() bool {
		return strings.Contains(d.Run(t, "logs", "swapper").Stdout, "swap ready")
	})

	out := t.TempDir()
	hostFile := filepath.Join(t.TempDir(), v.marker+"-file")
	os.WriteFile(hostFile, []byte("written by cp\n"), 0o644)
	hostDir := filepath.Join(t.TempDir(), v.marker+"-dir")
	os.MkdirAll(filepath.Join(hostDir, "sub"), 0o755)
	os.WriteFile(filepath.Join(hostDir, "sub", v.marker+"-nested"), []byte("nested\n"), 0o644)
	tarBody := layerTar(t, fileEntry(v.marker+"-tar", "from a tar\n", 0o644))

	target := "/swap/" + vrel
	seen := map[string]int{}
	leaked := func(what, s string) {
		if strings.Contains(s, "hello from the host") || strings.Contains(s, "host-sentinel") {
			t.Errorf("CVE-2018-15664: %s returned the host's file: %q", what, s)
		}
	}
	for i := range 100 {
		// Read the file.
		dst := filepath.Join(out, fmt.Sprint(i))
		if r := d.Run(t, "cp", "swapper:"+target+"/hello", dst); r.Code == 0 {
			b, _ := os.ReadFile(dst)
			leaked("cp of the file", string(b))
			seen[strings.TrimSpace(string(b))]++
		} else {
			seen["error"]++
		}
		// Its directory's content, and the directory as a tar.
		os.Mkdir(dst+"-content", 0o755)
		d.Run(t, "cp", "swapper:"+target+"/.", dst+"-content")
		if b, err := os.ReadFile(filepath.Join(dst+"-content", "hello")); err == nil {
			leaked("cp of the directory's content", string(b))
		}
		r := d.Run(t, "cp", "swapper:/swap", "-")
		leaked("cp of /swap to stdout", r.Stdout)
		r = d.Run(t, "cp", "swapper:"+target, "-")
		leaked("cp of the directory to stdout", r.Stdout)
		// Write into it.
		d.Run(t, "cp", hostFile, "swapper:"+target+"/")
		d.Run(t, "cp", hostDir, "swapper:"+target)
		d.Exec(daemon.CmdTimeout, bytes.NewReader(tarBody), "cp", "-", "swapper:"+target)
	}
	t.Logf("outcomes of reading the file: %v", seen)
	if seen["container hello"] == 0 || seen["decoy hello"]+seen["error"] == 0 {
		t.Errorf("the swap was not seen both ways (%v): the test cannot tell", seen)
	}
	d.OK(t, "rm", "-f", "swapper")
	v.checkUnchanged(t)
	hostMarkers(t, d, v.marker)
}

// TestCVE_2019_14271_CpLoadsNothingFromTheContainer guards against
// Docker's CVE-2019-14271: `docker cp` ran a helper chrooted into the
// container, which loaded the container's libnss_*.so for a user lookup,
// so an image's library ran as root on the host.
//
// The container replaces its programs with the attacker (plantScript:
// a copy that runs leaves a marker on the host) and plants an
// nsswitch.conf naming an "evil" service with libnss_evil.so.2 and
// libnss_files.so.2 copies in every library directory. Then cp runs both
// ways, with and without -a, on the running and on the stopped
// container, and diff, export and commit run on it. No marker may exist
// on the host, the daemon's root must still be the host's "/", and no
// file of the container may be mapped into the daemon.
func TestCVE_2019_14271_CpLoadsNothingFromTheContainer(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	markers := filepath.Join(os.TempDir(), fmt.Sprintf("crt-sec-cp-markers-%d-%d", os.Getpid(), time.Now().UnixNano()))
	t.Cleanup(func() { os.RemoveAll(markers) })
	dir := buildAttacker(t, markers)
	args := append([]string{"run", "-d", "--name", "planted", "--network", "none"}, attackerMount(dir)...)
	d.OK(t, append(args, img, "sleep", "1000")...)
	plantNSS := `
/bin/busybox mkdir -p /etc
/bin/busybox printf 'passwd: evil files\ngroup: evil files\nhosts: evil files\n' > /etc/nsswitch.conf
for d in /lib /lib64 /usr/lib /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib/aarch64-linux-gnu; do
	/bin/busybox mkdir -p $d
	for n in libnss_evil.so.2 libnss_files.so.2 libnss_compat.so.2 libc.so.6 ld-linux-x86-64.so.2; do
		/bin/busybox cp /t/attacker $d/$n
	done
done
/bin/busybox chown 4242:4242 /etc/nsswitch.conf
`
	d.OK(t, "exec", "planted", "/bin/busybox", "sh", "-c", plantScript+plantNSS)
	d.OK(t, "exec", "planted", "true")
	if out := d.OK(t, "exec", "planted", "/bin/busybox", "ls", markers); !strings.Contains(out, "true-") {
		t.Fatalf("the planted true left no marker in the container (%q): the check cannot tell", out)
	}

	host := t.TempDir()
	src := filepath.Join(t.TempDir(), "src")
	os.WriteFile(src, []byte("x\n"), 0o644)
	os.Chown(src, 4242, 4242)
	copies := func(state string) {
		for _, op := range [][]string{
			{"cp", "planted:/etc", filepath.Join(host, state+"-etc")},
			{"cp", "-a", "planted:/etc/nsswitch.conf", filepath.Join(host, state+"-nss")},
			{"cp", "-L", "planted:/bin/sh", filepath.Join(host, state+"-sh")},
			{"cp", src, "planted:/tmp/"},
			{"cp", "-a", src, "planted:/etc/"},
			{"diff", "planted"},
			{"export", "-o", filepath.Join(host, state+".tar"), "planted"},
			{"commit", "planted", "planted-" + state},
		} {
			if r := d.Run(t, op...); r.Code != 0 {
				t.Errorf("%s container: %s", state, r)
			}
		}
	}
	copies("running")
	d.OK(t, "stop", "-t", "1", "planted")
	copies("stopped")

	root, err := os.Readlink(fmt.Sprintf("/proc/%d/root", d.Pid()))
	if err != nil || root != "/" {
		t.Errorf("the daemon's root is %q (%v), not the host's /", root, err)
	}
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", d.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	// A file mapped from a container (through a chroot, say) shows its
	// path inside the container: on the host that path is another inode,
	// or nothing.
	for _, line := range strings.Split(string(maps), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 || !strings.HasPrefix(f[5], "/") {
			continue
		}
		var st syscall.Stat_t
		err := syscall.Stat(f[5], &st)
		if err != nil || fmt.Sprint(st.Ino) != f[4] || strings.HasPrefix(f[5], filepath.Join(d.Root, "containers")+"/") ||
			strings.HasPrefix(f[5], filepath.Join(d.Root, "layers")+"/") || strings.Contains(f[5], "libnss_evil") {
			t.Errorf("CVE-2019-14271 class: the daemon mapped a file that is not the host's: %s (%v)", line, err)
		}
	}
	d.OK(t, "rm", "-f", "planted")
	if entries, err := os.ReadDir(markers); err == nil || !os.IsNotExist(err) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("CVE-2019-14271 class: the host ran the container's programs (markers %v, %v)", names, err)
	}
}

// TestTarBreakout_CpIntoContainer guards `cp - CONTAINER:DIR` (a tar on
// stdin extracted into a container, Docker's PUT archive) against tars
// that aim out of the destination: names with ".." chains and absolute
// names pointing at a host victim directory, a symlink to the victim (and
// to "/", and up a ".." chain) followed by a file through it, and a hard
// link to a host file. On a running and on a stopped container, every
// entry must land inside the container (under the destination) or the
// copy must fail; the victim must be untouched and no marker file may
// appear on the host.
func TestTarBreakout_CpIntoContainer(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	v := newVictim(t)
	d.OK(t, "run", "-d", "--name", "running", "--network", "none", img, "sh", "-c", "mkdir /dest && exec sleep 1000")
	d.OK(t, "run", "--name", "stopped", "--network", "none", img, "mkdir", "/dest")
	vrel := strings.TrimPrefix(v.dir, "/")
	m := v.marker
	hostile := layerTar(t,
		fileEntry(v.dotdot(m+"-dotdot"), "dotdot\n", 0o644),
		fileEntry(v.path(m+"-abs"), "abs\n", 0o644),
		symlinkEntry("esc", v.dir),
		fileEntry("esc/"+m+"-symlink", "through a symlink\n", 0o644),
		symlinkEntry("rootlink", "/"),
		fileEntry("rootlink/"+vrel+"/"+m+"-root", "through a link to /\n", 0o644),
		symlinkEntry("up", strings.Repeat("../", 40)),
		fileEntry("up/"+vrel+"/"+m+"-up", "through a .. link\n", 0o644),
		fileEntry("esc", "replaces the symlink\n", 0o644),
		fileEntry(v.dotdot("hello"), "overwrite attempt\n", 0o644),
	)
	hardlink := layerTar(t, hardlinkEntry(m+"-hard", v.path("hello")))
	for _, ctr := range []string{"running", "stopped"} {
		if r := d.Exec(daemon.CmdTimeout, bytes.NewReader(hostile), "cp", "-", ctr+":/dest"); r.Code != 0 {
			t.Errorf("%s: the hostile tar was refused rather than contained: %s", ctr, r)
		}
		// A hard link to a host path that names nothing inside the
		// destination: refused.
		if r := d.Exec(daemon.CmdTimeout, bytes.NewReader(hardlink), "cp", "-", ctr+":/tmp"); r.Code == 0 {
			t.Errorf("%s: a hard link to %s was accepted", ctr, v.path("hello"))
		}
		r := d.Run(t, "cp", ctr+":/dest", "-")
		if r.Code != 0 {
			t.Fatal(r)
		}
		files := readTar(t, []byte(r.Stdout))
		for name, body := range map[string]string{
			"dest/" + vrel + "/" + m + "-dotdot":  "dotdot\n",
			"dest/" + vrel + "/" + m + "-abs":     "abs\n",
			"dest/" + vrel + "/" + m + "-root":    "through a link to /\n",
			"dest/" + vrel + "/" + m + "-up":      "through a .. link\n",
			"dest/" + vrel + "/" + m + "-symlink": "through a symlink\n",
			"dest/" + vrel + "/hello":             "overwrite attempt\n",
			"dest/esc":                            "replaces the symlink\n",
		} {
			if f, ok := files[name]; !ok || f.body != body {
				t.Errorf("%s: %s inside the container: %+v (present %v), want %q", ctr, name, f.body, ok, body)
			}
		}
	}
	v.checkUnchanged(t)
	hostMarkers(t, d, m)
}

// TestCpKernelFiles_NotReadNorWritten guards cp against the kernel's
// filesystems of a running container, which cp reaches through
// /proc/PID/root with the daemon's privileges: in a --privileged
// container nothing masks /proc/kcore (the host's memory) or makes /sys
// read-only. Reading a file of /proc or /sys must fail rather than read
// it as root, a directory of them must come out empty, and extracting a
// tar into /proc/sys or /sys must fail. The host's core_pattern is
// checked to be unchanged.
func TestCpKernelFiles_NotReadNorWritten(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	corePattern, err := os.ReadFile("/proc/sys/kernel/core_pattern")
	if err != nil {
		t.Fatal(err)
	}
	d.OK(t, "run", "-d", "--name", "priv", "--privileged", "--network", "none", img, "sleep", "1000")
	for _, p := range []string{"/proc/kcore", "/proc/1/environ", "/sys/kernel/notes", "/proc/sys/kernel/core_pattern"} {
		r := d.Run(t, "cp", "priv:"+p, "-")
		if r.Code == 0 {
			t.Errorf("cp priv:%s read a kernel file (%d bytes)", p, len(r.Stdout))
		}
	}
	r := d.Run(t, "cp", "priv:/proc", "-")
	if files := readTar(t, []byte(r.Stdout)); r.Code != 0 || len(files) != 1 {
		t.Errorf("cp priv:/proc -: exit %d, %d entries, want the directory alone: %s", r.Code, len(files), r.Stderr)
	}
	evil := layerTar(t, fileEntry("core_pattern", "|/tmp/evil\n", 0o644))
	for _, dir := range []string{"/proc/sys/kernel", "/sys/kernel", "/proc"} {
		if r := d.Exec(daemon.CmdTimeout, bytes.NewReader(evil), "cp", "-", "priv:"+dir); r.Code == 0 {
			t.Errorf("cp - priv:%s was accepted", dir)
		}
	}
	if now, _ := os.ReadFile("/proc/sys/kernel/core_pattern"); !bytes.Equal(now, corePattern) {
		t.Errorf("HOST core_pattern CHANGED: %q, was %q", now, corePattern)
		os.WriteFile("/proc/sys/kernel/core_pattern", corePattern, 0o644)
	}
}
