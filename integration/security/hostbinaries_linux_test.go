package security

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// plantScript replaces, in a container's root, every program a host-side
// helper might be tempted to run (shells, tar and the compressors,
// strace, nsenter, mount, ip, nft, getent, id, ldconfig, modprobe, the
// runtimes, init shims...) in every usual directory with a copy of the
// attacker, which leaves a marker when it runs under such a name. It runs
// under /bin/busybox, which it leaves alone, as is /bin/sleep.
const plantScript = `
for d in /bin /sbin /usr/bin /usr/sbin /usr/local/bin /usr/local/sbin; do
	/bin/busybox mkdir -p $d
	for n in sh bash dash ash true false tar gzip gunzip zcat xz unxz zstd pigz unpigz \
		strace nsenter mount umount ip iptables ip6tables nft getent id ldconfig modprobe \
		cat ls cp mv rm mkdir chown chmod env stat find du df tee \
		runc crun container-runtime container-runtimed container-runtime-oci \
		chroot unshare setpriv su sudo newuidmap newgidmap tini docker-init catatonit; do
		/bin/busybox rm -f $d/$n
		/bin/busybox cp /t/attacker $d/$n
	done
done
`

// TestCVE_2019_14271_HostRunsNoContainerBinary guards the class of
// Docker's CVE-2019-14271, where `docker cp` ran a helper that loaded
// libraries from the container's file system on the host, as root: code
// that the container controls must never run on the host.
//
// A container replaces its programs (plantScript) with a static binary
// that writes a marker into a host directory when it runs on the host,
// and into the same path of the container when it runs inside. Then every
// operation the daemon performs on a container from the host side runs on
// it: exec (root, -u, -w, -i), logs, inspect, ps, trace, pause and
// unpause, restart, kill, stop, start, rm; and on an image built with the
// planted programs: build (whose RUN uses the planted /bin/sh), image
// export, save, run and run --init. The planted programs must have run in
// the container (the exec of `true` left its marker there), and no
// marker may exist on the host.
func TestCVE_2019_14271_HostRunsNoContainerBinary(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	markers := filepath.Join(os.TempDir(), fmt.Sprintf("crt-sec-markers-%d-%d", os.Getpid(), time.Now().UnixNano()))
	t.Cleanup(func() { os.RemoveAll(markers) })
	dir := buildAttacker(t, markers)
	args := append([]string{"run", "-d", "--name", "planted"}, attackerMount(dir)...)
	d.OK(t, append(args, img, "sleep", "1000")...)
	d.OK(t, "exec", "planted", "/bin/busybox", "sh", "-c", plantScript)

	// The planted programs work: inside the container.
	d.OK(t, "exec", "planted", "true")
	if out := d.OK(t, "exec", "planted", "/bin/busybox", "ls", markers); !strings.Contains(out, "true-") {
		t.Fatalf("the planted true left no marker in the container (%q): the check cannot tell", out)
	}

	// Operations on the container.
	ops := [][]string{
		{"exec", "planted", "sh", "-c", "echo hi"},
		{"exec", "-u", "1000", "planted", "true"},
		{"exec", "-u", "nobody", "planted", "true"},
		{"exec", "-w", "/tmp", "planted", "id"},
		{"logs", "planted"},
		{"inspect", "planted"},
		{"ps", "-a"},
		{"pause", "planted"},
		{"unpause", "planted"},
		{"restart", "-t", "1", "planted"},
		{"kill", "-s", "USR1", "planted"},
		{"stop", "-t", "1", "planted"},
		{"start", "planted"},
	}
	for _, op := range ops {
		if r := d.Run(t, op...); r.TimedOut {
			t.Errorf("%v", r)
		}
	}
	if r := d.Exec(time.Minute, strings.NewReader("x\n"), "exec", "-i", "planted", "cat"); r.TimedOut {
		t.Errorf("%v", r)
	}
	if _, err := exec.LookPath("strace"); err == nil {
		tr := d.Background(t, "trace", "planted")
		time.Sleep(time.Second)
		d.Run(t, "exec", "planted", "true")
		tr.Interrupt()
		tr.Wait(30 * time.Second)
	} else {
		t.Log("no strace here: trace not exercised")
	}

	// An image made of planted programs.
	ctx := t.TempDir()
	b, err := os.ReadFile(filepath.Join(dir, "attacker"))
	if err != nil {
		t.Fatal(err)
	}
	dockerfile := "FROM " + img + "\nCOPY attacker plant.sh /t/\n" +
		`RUN ["/bin/busybox", "sh", "/t/plant.sh"]` + "\nRUN true\n"
	for name, content := range map[string]string{"attacker": string(b), "plant.sh": plantScript, "Dockerfile": dockerfile} {
		if err := os.WriteFile(filepath.Join(ctx, name), []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	d.OK(t, "build", "-t", "planted-image", ctx)
	d.OK(t, "image", "export", "-o", filepath.Join(t.TempDir(), "export.tar"), "planted-image")
	d.OK(t, "save", "-o", filepath.Join(t.TempDir(), "save.tar"), "planted-image")
	d.OK(t, "run", "--rm", "planted-image", "true")
	d.OK(t, "run", "--rm", "--init", "planted-image", "true")
	d.OK(t, "rm", "-f", "planted")

	if entries, err := os.ReadDir(markers); err == nil || !os.IsNotExist(err) {
		var names []string
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(markers, e.Name()))
			names = append(names, e.Name()+": "+strings.TrimSpace(string(b)))
		}
		t.Errorf("CVE-2019-14271 class: the host ran the container's programs (markers in %s, %v):\n%s",
			markers, err, strings.Join(names, "\n"))
	}
}
