package security

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// The tests of this file guard the files the daemon reads out of an
// image's or a container's root file system (/etc/passwd and /etc/group
// to resolve the user): the container controls them, so they are
// hostile input to a root process on the host. A FIFO in their place
// blocked a daemon thread forever (and the container, its image and the
// CLI with it); a 106 MB /etc/group took the daemon from 24 MB to 431 MB.

// rootFilesBound is how long any one refused command may take: the
// refusal is immediate, the bound only turns a hang into a failure.
const rootFilesBound = time.Minute

// TestDoS_FifoAtEtcPasswd guards the class "a FIFO where the daemon
// reads a file" (issue 9, item 5): an image whose /etc/passwd or
// /etc/group is a FIFO made the daemon's open block for ever, whatever
// the user (numeric ids too, since HOME and groups are looked up). The
// start must fail at once with an error naming the file, for run,
// create+start and exec -u; the daemon stays responsive, the container
// removable and the image removable.
func TestDoS_FifoAtEtcPasswd(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	bb := d.Busybox(t)
	for _, file := range []string{"passwd", "group"} {
		t.Run(file, func(t *testing.T) {
			tag := "fifo" + file
			userImage(t, d, tag, "FROM "+bb+"\nRUN rm /etc/"+file+" && mkfifo /etc/"+file+"\n")
			want := "/etc/" + file + " is a FIFO"
			for i, user := range []string{"", "0", "1000:1000", "root"} {
				args := []string{"run", "--rm", "--network", "none", tag, "true"}
				if user != "" {
					args = []string{"run", "--rm", "--network", "none", "-u", user, tag, "true"}
				}
				r := d.Exec(rootFilesBound, nil, args...)
				if r.TimedOut || r.Code == 0 || !strings.Contains(r.Stderr, want) {
					t.Errorf("%v: %v; want a quick failure saying %q", args, r, want)
				}
				name := fmt.Sprintf("fifo%s%d", file, i)
				d.OK(t, "create", "--name", name, "--network", "none", "-u", "0", tag, "true")
				r = d.Exec(rootFilesBound, nil, "start", name)
				if r.TimedOut || r.Code == 0 || !strings.Contains(r.Stderr, want) {
					t.Errorf("start %s: %v; want a quick failure saying %q", name, r, want)
				}
				d.OK(t, "rm", name)
			}
			// exec -u into a running container whose file became a FIFO.
			name := "live" + file
			d.OK(t, "run", "-d", "--name", name, "--network", "none", bb, "sleep", "600")
			d.OK(t, "exec", name, "sh", "-c", "rm /etc/"+file+" && mkfifo /etc/"+file)
			for _, args := range [][]string{{"exec", name, "true"}, {"exec", "-u", "0", name, "true"}, {"exec", "-u", "nobody", name, "true"}} {
				r := d.Exec(rootFilesBound, nil, args...)
				if r.TimedOut || r.Code == 0 || !strings.Contains(r.Stderr, want) {
					t.Errorf("%v: %v; want a quick failure saying %q", args, r, want)
				}
			}
			d.OK(t, "rm", "-f", name)
			d.OK(t, "ps", "-a")
			d.OK(t, "rmi", tag)
		})
	}
}

// TestDoS_HugeEtcGroup guards the class "unbounded read of a container
// file" (issue 9, item 5): a 100 MB /etc/group was read whole into the
// daemon (24 MB to 431 MB resident). The start must fail with an error
// naming the file, and the daemon's peak resident memory (VmHWM, reset
// just before) must grow by less than 50 MB — a memory bound, not a
// timing one.
func TestDoS_HugeEtcGroup(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	bb := d.Busybox(t)
	userImage(t, d, "hugegroup", "FROM "+bb+"\n"+
		"RUN yes 'grp:x:1:root,nobody,daemon,bin,sys,adm,users' | head -c 104857600 > /etc/group\n")

	status := fmt.Sprintf("/proc/%d/status", d.Pid())
	// The build itself may have raised the peak: start from the present.
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", d.Pid()), []byte("5"), 0); err != nil {
		t.Fatalf("resetting the daemon's peak RSS: %v", err)
	}
	before := vmKB(t, status, "VmHWM")
	for _, args := range [][]string{
		{"run", "--rm", "--network", "none", "hugegroup", "true"},
		{"run", "--rm", "--network", "none", "-u", "nobody", "hugegroup", "true"},
		{"run", "--rm", "--network", "none", "-u", "1000:1000", "hugegroup", "true"},
	} {
		r := d.Exec(rootFilesBound, nil, args...)
		if r.TimedOut || r.Code == 0 || !strings.Contains(r.Stderr, "/etc/group is larger than") {
			t.Errorf("%v: %v; want a failure saying /etc/group is too large", args, r)
		}
	}
	after := vmKB(t, status, "VmHWM")
	t.Logf("daemon VmHWM: %d kB before, %d kB after", before, after)
	if after-before > 50*1024 {
		t.Errorf("the daemon's peak RSS grew by %d kB reading a 100 MB /etc/group; want < 50 MB", after-before)
	}
	d.OK(t, "rmi", "hugegroup")
}

// vmKB reads a "Vm...: N kB" line of a /proc/<pid>/status file.
func vmKB(t *testing.T, status, key string) int {
	t.Helper()
	b, err := os.ReadFile(status)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatalf("%s: %q: %v", status, line, err)
			}
			return n
		}
	}
	t.Fatalf("%s has no %s", status, key)
	return 0
}

// TestCVE_2014_9356_PasswdSymlinkStaysInRoot guards the symlink class of
// Docker's CVE-2014-9356 (absolute symlinks in an image followed on the
// host) for the files the daemon reads: an image whose /etc/passwd is a
// symlink to a host file, by absolute path or by a ".." chain, made a
// root process on the host read the host's file (its users, or the
// first line of its error). The link must resolve inside the image: the
// host's users stay unknown, the image's file at the same path is used.
func TestCVE_2014_9356_PasswdSymlinkStaysInRoot(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	bb := d.Busybox(t)
	hostDir := t.TempDir()
	hostFile := filepath.Join(hostDir, "shadow")
	if err := os.WriteFile(hostFile, []byte("hostonly:x:4343:4343::/hostonly:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// At the host file's path inside the image: a file of its own.
	inside := "RUN mkdir -p " + hostDir + " && echo 'inroot:x:4242:4242::/inroot:/bin/sh' > " + hostFile +
		" && echo 'shadowuser:x:4444:4444::/sh:/bin/sh' > /etc/shadow\n"
	for _, tc := range []struct{ name, target string }{
		{"absolute", hostFile},
		{"dotdot", "../../../../../../../../.." + hostFile},
		{"etc-shadow", "/etc/shadow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tag := "passwdlink" + tc.name
			userImage(t, d, tag, "FROM "+bb+"\n"+inside+"RUN ln -sf "+tc.target+" /etc/passwd\n")
			r := d.Exec(rootFilesBound, nil, "run", "--rm", "--network", "none", "-u", "hostonly", tag, "id", "-u")
			if r.Code == 0 || !strings.Contains(r.Stderr, "unable to find user hostonly") {
				t.Errorf("-u hostonly (a user of the host's file only): %v; want it unknown", r)
			}
			user, uid := "inroot", "4242"
			if tc.name == "etc-shadow" {
				user, uid = "shadowuser", "4444"
			}
			if out := d.OK(t, "run", "--rm", "--network", "none", "-u", user, tag, "id", "-u"); strings.TrimSpace(out) != uid {
				t.Errorf("-u %s (in the image's file the link names): id -u = %q, want %s", user, out, uid)
			}
			d.OK(t, "rmi", tag)
		})
	}
}
