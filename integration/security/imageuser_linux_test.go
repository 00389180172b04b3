package security

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// The tests of this file guard the identity a container's processes run
// with: the image's USER must be honoured (a container of an image that
// asks for an unprivileged user must not run as root with Docker's
// capabilities), by Docker's resolution rules, in run, exec and the
// seed's startup commands; and a user spec that is not a valid id or
// name must be refused before anything is created.

// dockerRootCaps is CapEff of root under Docker's default capabilities.
const dockerRootCaps = "00000000a80425fb"

// userImage builds the image tag from a Dockerfile (its context is an
// empty directory) with Docker's `build -t` form.
func userImage(t *testing.T, d *daemon.Daemon, tag, dockerfile string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := d.Exec(5*time.Minute, nil, "build", "-t", tag, dir); r.Code != 0 {
		t.Fatalf("building %s: %v\ndaemon log:\n%s", tag, r, d.Log())
	}
}

// idLine is what the containers of these tests print about themselves:
// uid, gid, groups, HOME and the capability sets.
const idLine = `echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) home=$HOME"; grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status | tr -s '\t\n' ' '`

// field returns the value of key=value in s ("" if absent).
func field(s, key string) string {
	for _, f := range strings.Fields(s) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return ""
}

// capField returns the hex of CapPrm:, CapEff: or CapBnd: in s.
func capField(s, name string) string {
	f := strings.Fields(s)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == name+":" {
			return f[i+1]
		}
	}
	return ""
}

// TestPrivilege_ImageUserHonoured guards the class "the image's USER is
// ignored" (issue 9, item 4; Docker has always honoured it): an image
// built with USER 1000 ran as uid 0 with Docker's 14 capabilities, so
// every process of a container its author meant to be unprivileged held
// root's powers. The attack succeeds if a container of the image, an
// exec into it or its startup command runs as root, or as a non-root
// user that still holds effective or permitted capabilities. -u must
// still override the image's USER, in run and exec, both ways.
func TestPrivilege_ImageUserHonoured(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	bb := d.Busybox(t)
	userImage(t, d, "user1000", "FROM "+bb+"\n"+
		"RUN echo 'app:x:1000:1000:app:/home/app:/bin/sh' >> /etc/passwd && "+
		"echo 'app:x:1000:' >> /etc/group && echo 'extra:x:2000:app' >> /etc/group\n"+
		"USER 1000\n")
	userImage(t, d, "usernobody", "FROM "+bb+"\nUSER nobody\n")
	userImage(t, d, "usergroup", "FROM "+bb+"\nUSER 4321:nogroup\n")

	tests := []struct {
		name string
		args []string
		uid  string
		gid  string
		home string
		root bool
	}{
		{"image USER 1000", []string{"user1000"}, "1000", "1000", "/home/app", false},
		{"image USER nobody", []string{"usernobody"}, "65534", "65534", "/nonexistent", false},
		{"image USER uid:group", []string{"usergroup"}, "4321", "65534", "/", false},
		{"-u 0 over USER 1000", []string{"-u", "0", "user1000"}, "0", "0", "/root", true},
		{"-u root over USER nobody", []string{"-u", "root", "usernobody"}, "0", "0", "/root", true},
		{"-u 1000 on busybox", []string{"-u", "1000", bb}, "1000", "0", "/", false},
		{"-u nobody:root", []string{"-u", "nobody:root", bb}, "65534", "0", "/nonexistent", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"run", "--rm", "--network", "none"}, tt.args...), "sh", "-c", idLine)
			out := d.OK(t, args...)
			checkIdentity(t, out, tt.uid, tt.gid, tt.home, tt.root)
		})
	}

	// The supplementary groups come from the image's /etc/group.
	if out := d.OK(t, "run", "--rm", "--network", "none", "user1000", "id", "-G"); strings.Fields(out)[len(strings.Fields(out))-1] != "2000" {
		t.Errorf("USER 1000 (member of extra, gid 2000): id -G = %q", out)
	}

	// exec runs as the container's user unless -u says otherwise.
	d.OK(t, "run", "-d", "--name", "u1000", "--network", "none", "user1000", "sleep", "600")
	checkIdentity(t, d.OK(t, "exec", "u1000", "sh", "-c", idLine), "1000", "1000", "/home/app", false)
	checkIdentity(t, d.OK(t, "exec", "-u", "root", "u1000", "sh", "-c", idLine), "0", "0", "/root", true)
	checkIdentity(t, d.OK(t, "exec", "-u", "nobody", "u1000", "sh", "-c", idLine), "65534", "65534", "/nonexistent", false)
	if out := d.OK(t, "exec", "u1000", "sh", "-c", "cat /proc/1/status"); capField(strings.Join(strings.Fields(out), " "), "CapEff") != "0000000000000000" {
		t.Errorf("the container's PID 1 holds capabilities as uid 1000:\n%s", out)
	}
	d.OK(t, "rm", "-f", "u1000")
}

// checkIdentity checks what idLine printed: the ids and HOME, and that a
// non-root user holds no effective or permitted capability while the
// bounding set is Docker's.
func checkIdentity(t *testing.T, out, uid, gid, home string, root bool) {
	t.Helper()
	line := strings.Join(strings.Fields(out), " ")
	if field(line, "uid") != uid || field(line, "gid") != gid || field(line, "home") != home {
		t.Errorf("want uid=%s gid=%s home=%s, the process says: %s", uid, gid, home, line)
	}
	eff, prm, bnd := capField(line, "CapEff"), capField(line, "CapPrm"), capField(line, "CapBnd")
	if bnd != dockerRootCaps {
		t.Errorf("CapBnd %s, want Docker's %s: %s", bnd, dockerRootCaps, line)
	}
	want := "0000000000000000"
	if root {
		want = dockerRootCaps
	}
	if eff != want || prm != want {
		t.Errorf("uid %s: CapEff %s CapPrm %s, want %s: %s", uid, eff, prm, want, line)
	}
}

// TestCVE_2016_3697_NumericUserIsAUid guards runc's CVE-2016-3697: a
// numeric user was looked up as a name first, so an image whose
// /etc/passwd has a user *named* "1000" with uid 0 turned `-u 1000` (or
// USER 1000) into root. A numeric user must always be a uid.
func TestCVE_2016_3697_NumericUserIsAUid(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	bb := d.Busybox(t)
	userImage(t, d, "numericname", "FROM "+bb+"\n"+
		"RUN echo '1000:x:0:0:trap:/root:/bin/sh' >> /etc/passwd && echo '1000:x:0:' >> /etc/group\n"+
		"USER 1000\n")
	for _, args := range [][]string{{"numericname"}, {"-u", "1000", "numericname"}, {"-u", "1000:1000", "numericname"}} {
		out := d.OK(t, append(append([]string{"run", "--rm", "--network", "none"}, args...), "sh", "-c", idLine)...)
		line := strings.Join(strings.Fields(out), " ")
		if field(line, "uid") != "1000" || capField(line, "CapEff") != "0000000000000000" {
			t.Errorf("%v: the numeric user was taken as the name of a uid-0 entry: %s", args, line)
		}
	}
}

// TestPrivilege_StartupCommandsRunAsImageUser guards the image USER
// class for the seed's startup commands (ENTRYPOINT lines run before
// the target at each start): they must run as the container's user too,
// not as root before the drop.
func TestPrivilege_StartupCommandsRunAsImageUser(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	bb := d.Busybox(t)
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	os.WriteFile(df, []byte("FROM "+bb+"\nUSER 1000\nENTRYPOINT sh -c 'id -u > /tmp/startup-uid; grep CapEff /proc/self/status >> /tmp/startup-uid'\n"), 0o644)
	// The seed's own form: ENTRYPOINT is a startup command.
	if r := d.Exec(5*time.Minute, nil, "build", "startupuser", df); r.Code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
	}
	out := d.OK(t, "run", "--rm", "--network", "none", "startupuser", "cat", "/tmp/startup-uid")
	f := strings.Fields(out)
	if len(f) != 3 || f[0] != "1000" || f[2] != "0000000000000000" {
		t.Errorf("the startup command ran as %q, want uid 1000 without capabilities", out)
	}
}

// TestUserSpec_HostileValuesRefused guards the class "user spec
// overflow": ids beyond runc's range (2^31, 2^32 that wraps to 0 in a
// uint32, 20-digit numbers), negative ids (-1 is "no change" to
// setresuid), empty parts and extra ':' fields must be refused at create
// with a clear error naming the value — never truncated or wrapped into
// another uid (root, say) — and leave no container behind. The same
// values as an image's USER are refused at create, and as exec -u.
func TestUserSpec_HostileValuesRefused(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	bb := d.Busybox(t)
	hostile := []string{"2147483648", "4294967296:0", "4294967295", "-1", "1000:-1", "12345678901234567890",
		":0", "0:", ":", "root:root:extra", "root::x", "nobody:nogroup:0:0"}
	d.OK(t, "run", "-d", "--name", "target", "--network", "none", bb, "sleep", "600")
	for _, v := range hostile {
		t.Run(v, func(t *testing.T) {
			for _, args := range [][]string{
				{"create", "-u", v, bb, "true"},
				{"run", "--rm", "-u", v, bb, "true"},
				{"exec", "-u", v, "target", "true"},
			} {
				r := d.Run(t, args...)
				if r.Code != 125 || !strings.Contains(r.Stderr, v) || !strings.Contains(r.Stderr, "invalid argument") {
					t.Errorf("%v: exit %d, stderr %q; want 125 and an error naming the value", args, r.Code, r.Stderr)
				}
			}
		})
	}
	for i, v := range []string{"2147483648", "-1", "1000:-1", "4294967296:0"} {
		tag := "hostileuser" + string(rune('a'+i))
		userImage(t, d, tag, "FROM "+bb+"\nUSER "+v+"\n")
		r := d.Run(t, "create", tag, "true")
		if r.Code != 125 || !strings.Contains(r.Stderr, "the image's USER") || !strings.Contains(r.Stderr, v) {
			t.Errorf("USER %s: exit %d, stderr %q; want 125 naming the image's USER", v, r.Code, r.Stderr)
		}
		// -u overrides even a broken USER.
		if out := d.OK(t, "run", "--rm", "--network", "none", "-u", "0", tag, "id", "-u"); strings.TrimSpace(out) != "0" {
			t.Errorf("-u 0 over USER %s: id -u = %q", v, out)
		}
	}
	d.OK(t, "rm", "-f", "target")
	if out := d.OK(t, "ps", "-a", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("refused creates left containers behind:\n%s", out)
	}
}

// TestPrivilege_ImageUserHonouredOnBase is TestPrivilege_ImageUserHonoured
// on the Debian base image, where the report found it: FROM base + USER
// 1000 ran as uid 0 with Docker's capabilities. Debian's own passwd and
// group resolve USER nobody.
func TestPrivilege_ImageUserHonouredOnBase(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	base := d.Base(t)
	userImage(t, d, "base1000", "FROM "+base+"\nUSER 1000\n")
	userImage(t, d, "basenobody", "FROM "+base+"\nUSER nobody\n")
	run := func(args ...string) string {
		return d.OK(t, append(append([]string{"run", "--rm", "--network", "none"}, args...), "sh", "-c", idLine)...)
	}
	checkIdentity(t, run("base1000"), "1000", "0", "/", false)
	checkIdentity(t, run("basenobody"), "65534", "65534", "/nonexistent", false)
	checkIdentity(t, run("-u", "0", "base1000"), "0", "0", "/root", true)
	d.OK(t, "run", "-d", "--name", "b1000", "--network", "none", "base1000", "sleep", "600")
	checkIdentity(t, d.OK(t, "exec", "b1000", "sh", "-c", idLine), "1000", "0", "/", false)
	checkIdentity(t, d.OK(t, "exec", "-u", "root", "b1000", "sh", "-c", idLine), "0", "0", "/root", true)
	d.OK(t, "rm", "-f", "b1000")
}
