package archive

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// statInRoot stats name as seen from inside root (symlinks resolved inside
// it), the way a container would see it.
func statInRoot(tb testing.TB, root, name string) (unix.Stat_t, error) {
	tb.Helper()
	rfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer unix.Close(rfd)
	var st unix.Stat_t
	fd, err := openInRoot(rfd, cleanName(name), unix.O_PATH)
	if err != nil {
		return st, err
	}
	defer unix.Close(fd)
	err = unix.Fstat(fd, &st)
	return st, err
}

// hostEscapes lists what a broken extractor would have created at the host's
// "/" by following the cases' absolute names and symlinks. The containerd
// cases use "/etc"; here every such name carries the prefix "crtbo-", so a
// regression litters "/" with recognisable names instead of overwriting the
// host's /etc/passwd.
func hostEscapes(tb testing.TB) []string {
	tb.Helper()
	m, err := filepath.Glob("/crtbo-*")
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestBreakouts mirrors containerd's TestBreakouts (pkg/archive/tar_test.go)
// and adds cases aimed at a victim directory next to the extraction root.
// Every case also asserts that nothing outside the root changed.
func TestBreakouts(t *testing.T) {
	root0 := os.Geteuid() == 0
	if m := hostEscapes(t); len(m) > 0 {
		t.Fatalf("leftovers of an earlier broken run at /: %v (remove them)", m)
	}

	// The victim lives next to the root; cases address it with "..",
	// absolute paths and symlinks.
	type env struct{ root, victim string }

	readIn := func(t *testing.T, e env, name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(e.root, name))
		if err != nil {
			t.Fatalf("reading %s inside the root: %v", name, err)
		}
		return string(b)
	}
	unbroken := func(t *testing.T, e env) {
		t.Helper()
		if got := readIn(t, e, "crtbo-etc/unbroken"); got != "unbroken" {
			t.Errorf("crtbo-etc/unbroken = %q, want %q", got, "unbroken")
		}
	}
	sameFile := func(a, b string) func(*testing.T, env) {
		return func(t *testing.T, e env) {
			t.Helper()
			sa, err := statInRoot(t, e.root, a)
			if err != nil {
				t.Fatalf("stat %s: %v", a, err)
			}
			sb, err := statInRoot(t, e.root, b)
			if err != nil {
				t.Fatalf("stat %s: %v", b, err)
			}
			if sa.Ino != sb.Ino || sa.Dev != sb.Dev {
				t.Errorf("%s and %s are different files", a, b)
			}
		}
	}
	notExists := func(name string) func(*testing.T, env) {
		return func(t *testing.T, e env) {
			t.Helper()
			// ENOENT, or ENOTDIR when a parent became a whiteout.
			if _, err := os.Lstat(filepath.Join(e.root, name)); err == nil {
				t.Errorf("%s exists", name)
			}
		}
	}
	whiteoutAt := func(name string) func(*testing.T, env) {
		return func(t *testing.T, e env) {
			t.Helper()
			if !isWhiteoutAt(t, filepath.Join(e.root, name)) {
				t.Errorf("%s is not a whiteout", name)
			}
		}
	}
	fileIs := func(name, want string) func(*testing.T, env) {
		return func(t *testing.T, e env) {
			t.Helper()
			if got := readIn(t, e, name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
	}
	all := func(checks ...func(*testing.T, env)) func(*testing.T, env) {
		return func(t *testing.T, e env) {
			t.Helper()
			for _, c := range checks {
				c(t, e)
			}
		}
	}
	// pre builders create the state the tar is applied over.
	mk := func(t *testing.T, e env, ops ...func(root string) error) {
		t.Helper()
		for _, op := range ops {
			if err := op(e.root); err != nil {
				t.Fatal(err)
			}
		}
	}
	mkdir := func(n string) func(string) error {
		return func(r string) error { return os.MkdirAll(filepath.Join(r, n), 0o755) }
	}
	write := func(n, c string) func(string) error {
		return func(r string) error { return os.WriteFile(filepath.Join(r, n), []byte(c), 0o644) }
	}
	symlink := func(target, n string) func(string) error {
		return func(r string) error { return os.Symlink(target, filepath.Join(r, n)) }
	}
	hardlink := func(target, n string) func(string) error {
		return func(r string) error { return os.Link(filepath.Join(r, target), filepath.Join(r, n)) }
	}
	etcPasswd := func(t *testing.T, e env) { mk(t, e, mkdir("crtbo-etc"), write("crtbo-etc/passwd", "all users")) }

	type tc struct {
		name    string
		needs   bool // needs root (whiteouts, xattrs)
		pre     func(*testing.T, env)
		entries func(env) []tarEntry
		opts    ExtractOptions
		wantErr bool // must fail with ErrInvalidArgument
		mayFail bool // failing is as good as succeeding (nothing escapes either way)
		check   func(*testing.T, env)
	}
	fixed := func(es ...tarEntry) func(env) []tarEntry { return func(env) []tarEntry { return es } }
	cases := []tc{
		{name: "SymlinkAbsolute", entries: fixed(dirE("crtbo-etc", 0o755), symlinkE("/crtbo-etc", "crtbo-localetc"), fileE("/crtbo-localetc/unbroken", "unbroken", 0o644)), check: unbroken},
		{name: "SymlinkUpAndOut", entries: fixed(dirE("crtbo-etc", 0o755), dirE("crtbo-dummy", 0o755), symlinkE("/crtbo-dummy/../crtbo-etc", "crtbo-localetc"), fileE("/crtbo-localetc/unbroken", "unbroken", 0o644)), check: unbroken},
		{name: "SymlinkMultipleAbsolute", entries: fixed(dirE("crtbo-etc", 0o755), dirE("crtbo-dummy", 0o755), symlinkE("/crtbo-etc", "/crtbo-dummy/crtbo-etc"), symlinkE("/crtbo-dummy/crtbo-etc", "crtbo-localetc"), fileE("/crtbo-dummy/crtbo-etc/unbroken", "unbroken", 0o644)), check: unbroken},
		{name: "SymlinkMultipleRelative", entries: fixed(dirE("crtbo-etc", 0o755), dirE("crtbo-dummy", 0o755), symlinkE("/crtbo-etc", "/crtbo-dummy/crtbo-etc"), symlinkE("./crtbo-dummy/crtbo-etc", "crtbo-localetc"), fileE("/crtbo-dummy/crtbo-etc/unbroken", "unbroken", 0o644)), check: unbroken},
		{name: "SymlinkEmptyFile", entries: fixed(dirE("crtbo-etc", 0o755), fileE("crtbo-etc/emptied", "notempty", 0o644), symlinkE("/crtbo-etc", "crtbo-localetc"), fileE("/crtbo-localetc/emptied", "", 0o644)), check: fileIs("crtbo-etc/emptied", "")},
		{name: "HardlinkRelative", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), dirE("crtbo-breakouts", 0o755), symlinkE("../../crtbo-etc", "crtbo-breakouts/d1"), linkE("/crtbo-breakouts/d1/passwd", "crtbo-breakouts/mypasswd")), check: sameFile("/crtbo-breakouts/mypasswd", "/crtbo-etc/passwd")},
		{name: "HardlinkDownAndOut", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), dirE("crtbo-breakouts", 0o755), dirE("crtbo-downandout", 0o755), symlinkE("../crtbo-downandout/../../crtbo-etc", "crtbo-breakouts/d1"), linkE("/crtbo-breakouts/d1/passwd", "crtbo-breakouts/mypasswd")), check: sameFile("/crtbo-breakouts/mypasswd", "/crtbo-etc/passwd")},
		{name: "HardlinkAbsolute", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), symlinkE("/crtbo-etc", "crtbo-localetc"), linkE("/crtbo-localetc/passwd", "localpasswd")), check: sameFile("localpasswd", "/crtbo-etc/passwd")},
		{name: "HardlinkRelativeLong", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), symlinkE("../../../../../../../crtbo-etc", "crtbo-localetc"), linkE("/crtbo-localetc/passwd", "localpasswd")), check: sameFile("localpasswd", "/crtbo-etc/passwd")},
		// containerd resolves "upandout/.." lexically and accepts this; the
		// kernel (and so a container) cannot walk through the missing
		// "upandout", and neither does Extract: the target is not found.
		{name: "HardlinkRelativeUpAndOut", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), symlinkE("upandout/../../../crtbo-etc", "crtbo-localetc"), linkE("/crtbo-localetc/passwd", "localpasswd")), wantErr: true},
		{name: "HardlinkDirectRelative", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), linkE("../../../../../crtbo-etc/passwd", "localpasswd")), check: sameFile("localpasswd", "/crtbo-etc/passwd")},
		{name: "HardlinkDirectAbsolute", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), linkE("/crtbo-etc/passwd", "localpasswd")), check: sameFile("localpasswd", "/crtbo-etc/passwd")},
		{name: "SymlinkParentDirectory", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), symlinkE("/crtbo-etc/", ".."), linkE("/crtbo-etc/passwd", "localpasswd")), check: sameFile("/localpasswd", "/crtbo-etc/passwd")},
		{name: "SymlinkEmptyFilename", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), symlinkE("/crtbo-etc/", ""), linkE("/crtbo-etc/passwd", "localpasswd")), check: sameFile("/localpasswd", "/crtbo-etc/passwd")},
		{name: "SymlinkParentRelative", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), symlinkE("/crtbo-etc/", "crtbo-localetc/sub/.."), linkE("/crtbo-etc/passwd", "/crtbo-localetc/localpasswd")), check: sameFile("/crtbo-localetc/localpasswd", "/crtbo-etc/passwd")},
		{name: "SymlinkSlashEnded", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), dirE("crtbo-localetc/", 0o770), linkE("/crtbo-etc/passwd", "/crtbo-localetc/localpasswd")), check: sameFile("/crtbo-localetc/localpasswd", "/crtbo-etc/passwd")},
		{name: "SymlinkOverrideDirectory", pre: func(t *testing.T, e env) { etcPasswd(t, e); mk(t, e, mkdir("crtbo-localetc")) },
			entries: fixed(symlinkE("/crtbo-etc", "crtbo-localetc"), linkE("/crtbo-etc/passwd", "/crtbo-localetc/localpasswd")), check: sameFile("/crtbo-localetc/localpasswd", "/crtbo-etc/passwd")},
		{name: "SymlinkOverrideDirectoryRelative", pre: func(t *testing.T, e env) { etcPasswd(t, e); mk(t, e, mkdir("crtbo-localetc")) },
			entries: fixed(symlinkE("../../crtbo-etc", "crtbo-localetc"), linkE("/crtbo-etc/passwd", "/crtbo-localetc/localpasswd")), check: sameFile("/crtbo-localetc/localpasswd", "/crtbo-etc/passwd")},
		{name: "DirectoryOverrideSymlink", pre: func(t *testing.T, e env) { etcPasswd(t, e); mk(t, e, symlink("/crtbo-etc", "crtbo-localetc")) },
			entries: fixed(dirE("/crtbo-localetc/", 0o755), linkE("/crtbo-etc/passwd", "/crtbo-localetc/localpasswd")), check: sameFile("/crtbo-localetc/localpasswd", "/crtbo-etc/passwd")},
		{name: "DirectoryOverrideSymlinkAndHardlink", pre: func(t *testing.T, e env) {
			etcPasswd(t, e)
			mk(t, e, symlink("crtbo-etc", "crtbo-localetc"), hardlink("crtbo-etc/passwd", "crtbo-etc/localpasswd"))
		}, entries: fixed(dirE("/crtbo-localetc/", 0o755), fileE("/crtbo-localetc/localpasswd", "different", 0o644)),
			check: all(fileIs("crtbo-etc/passwd", "all users"), fileIs("crtbo-localetc/localpasswd", "different"))},
		{name: "WhiteoutRootParent", needs: true, pre: etcPasswd, entries: fixed(fileE(".wh...", "", 0o644)), wantErr: true},
		{name: "WhiteoutParent", needs: true, pre: etcPasswd, entries: fixed(fileE("crtbo-etc/.wh...", "", 0o644)), wantErr: true},
		{name: "WhiteoutRoot", needs: true, pre: etcPasswd, entries: fixed(fileE(".wh..", "", 0o644)), wantErr: true},
		{name: "WhiteoutCurrentDirectory", needs: true, pre: etcPasswd, entries: fixed(fileE("crtbo-etc/.wh..", "", 0o644)), wantErr: true},
		{name: "WhiteoutEmptyName", needs: true, pre: etcPasswd, entries: fixed(fileE("crtbo-etc/.wh.", "", 0o644)), wantErr: true},
		{name: "WhiteoutSymlink", needs: true, pre: func(t *testing.T, e env) { etcPasswd(t, e); mk(t, e, symlink("/crtbo-etc", "crtbo-localetc")) },
			entries: fixed(fileE(".wh.crtbo-localetc", "", 0o644)), check: all(fileIs("crtbo-etc/passwd", "all users"), whiteoutAt("crtbo-localetc"))},
		{name: "WhiteoutSymlinkPath", needs: true, pre: func(t *testing.T, e env) {
			etcPasswd(t, e)
			mk(t, e, write("crtbo-etc/whitedout", "ahhh"), symlink("/crtbo-etc", "crtbo-localetc"))
		}, entries: fixed(fileE("crtbo-localetc/.wh.whitedout", "", 0o644)), check: all(fileIs("crtbo-etc/passwd", "all users"), whiteoutAt("crtbo-etc/whitedout"))},
		{name: "WhiteoutDirectoryName", needs: true, pre: etcPasswd, entries: fixed(fileE(".wh.crtbo-etc/somefile", "non-empty", 0o644)),
			check: all(fileIs("crtbo-etc/passwd", "all users"), fileIs(".wh.crtbo-etc/somefile", "non-empty"))},
		{name: "WhiteoutDeadSymlinkParent", needs: true, pre: func(t *testing.T, e env) { etcPasswd(t, e); mk(t, e, symlink("/crtbo-dne", "crtbo-localetc")) },
			entries: fixed(fileE("crtbo-localetc/.wh.crtbo-etc", "", 0o644)), check: fileIs("crtbo-etc/passwd", "all users")},
		{name: "WhiteoutRelativePath", needs: true, pre: func(t *testing.T, e env) { etcPasswd(t, e); mk(t, e, symlink("/crtbo-dne", "crtbo-localetc")) },
			entries: fixed(fileE("crtbo-dne/../.wh.crtbo-etc", "", 0o644)), check: all(notExists("crtbo-etc/passwd"), whiteoutAt("crtbo-etc"))},
		{name: "HardlinkSymlinkBeforeCreateTarget", entries: fixed(dirE("crtbo-etc", 0o770), symlinkE("/crtbo-etc/passwd", "localpasswd"), linkE("localpasswd", "localpasswd-dup"), fileE("/crtbo-etc/passwd", "after", 0o644)),
			check: sameFile("localpasswd-dup", "/crtbo-etc/passwd")},
		{name: "HardlinkSymlinkRelative", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), symlinkE("../../../../../crtbo-etc/passwd", "passwdlink"), linkE("/passwdlink", "localpasswd")),
			check: sameFile("/localpasswd", "/crtbo-etc/passwd")},
		{name: "HardlinkSymlinkAbsolute", entries: fixed(dirE("crtbo-etc", 0o770), fileE("/crtbo-etc/passwd", "inside", 0o644), symlinkE("/crtbo-etc/passwd", "passwdlink"), linkE("/passwdlink", "localpasswd")),
			check: sameFile("/localpasswd", "/crtbo-etc/passwd")},
		{name: "HardlinkSymlinkChmod", entries: func(e env) []tarEntry {
			p, ep := filepath.Join(e.victim, "perm400"), filepath.Join(e.victim, "also-exists-outside-root")
			return []tarEntry{symlinkE(p, ep), linkE(ep, "sketchylink")}
		}},

		// Cases aimed at the victim directory itself.
		{name: "DotDotName", entries: fixed(fileE("../victim/hello", "pwned", 0o644)), check: fileIs("victim/hello", "pwned")},
		{name: "AbsoluteName", entries: func(e env) []tarEntry { return []tarEntry{fileE(filepath.Join(e.victim, "hello"), "pwned", 0o644)} },
			check: func(t *testing.T, e env) { fileIs(filepath.Join(e.victim, "hello"), "pwned")(t, e) }},
		{name: "SymlinkRelativeOut", entries: fixed(symlinkE("../victim", "esc"), fileE("esc/hello", "pwned", 0o644)), wantErr: true},
		{name: "SymlinkAbsoluteOut", entries: func(e env) []tarEntry {
			return []tarEntry{symlinkE(e.victim, "esc"), fileE("esc/hello", "pwned", 0o644)}
		}, wantErr: true},
		{name: "SymlinkThenDirOut", entries: func(e env) []tarEntry {
			return []tarEntry{symlinkE(e.victim, "esc"), dirE("esc/sub", 0o777)}
		}, wantErr: true},
		{name: "HardlinkRelativeOut", entries: fixed(linkE("../victim/hello", "stolen")), wantErr: true},
		{name: "HardlinkAbsoluteOut", entries: func(e env) []tarEntry { return []tarEntry{linkE(filepath.Join(e.victim, "hello"), "stolen")} }, wantErr: true},
		{name: "HardlinkViaSymlinkOut", entries: func(e env) []tarEntry {
			return []tarEntry{symlinkE(e.victim, "esc"), linkE("esc/hello", "stolen")}
		}, wantErr: true},
		{name: "HardlinkToDirectory", entries: fixed(dirE("d", 0o755), linkE("d", "dl")), mayFail: true},
		{name: "WhiteoutViaSymlinkOut", needs: true, entries: fixed(symlinkE("../victim", "esc"), fileE("esc/.wh.hello", "", 0o644))},
		{name: "OpaqueViaSymlinkOut", needs: true, entries: func(e env) []tarEntry {
			return []tarEntry{symlinkE(e.victim, "esc"), fileE("esc/.wh..wh..opq", "", 0o644)}
		}, mayFail: true},
		{name: "WhiteoutDotDot", needs: true, entries: fixed(fileE("../victim/.wh.hello", "", 0o644)), check: whiteoutAt("victim/hello")},
		{name: "SizeBound", opts: ExtractOptions{MaxBytes: 4}, entries: fixed(fileE("big", "0123456789", 0o644)), wantErr: true},
		{name: "ChmodThroughSymlink", entries: func(e env) []tarEntry {
			return []tarEntry{symlinkE(filepath.Join(e.victim, "hello"), "h"), fileE("h", "replaced", 0o600)}
		}, check: func(t *testing.T, e env) {
			var st unix.Stat_t
			if err := unix.Lstat(filepath.Join(e.root, "h"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
				t.Errorf("h should have replaced the symlink with a regular file")
			}
		}},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.needs && !root0 {
				testutil.Missing(t, "needs root: whiteouts and trusted.* xattrs")
			}
			base := t.TempDir()
			e := env{root: filepath.Join(base, "root"), victim: filepath.Join(base, "victim")}
			for _, d := range []string{e.root, e.victim} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(e.victim, "hello"), []byte("hello"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(e.victim, "perm400"), []byte("..."), 0o400); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(e.victim, "also-exists-outside-root"), []byte("..."), 0o640); err != nil {
				t.Fatal(err)
			}
			if c.pre != nil {
				c.pre(t, e)
			}
			outside := treeState(t, e.victim)

			opts := c.opts
			opts.OverlayWhiteouts = true
			opts.NoOwnership = !root0
			err := Extract(context.Background(), bytes.NewReader(makeTar(t, c.entries(e)...)), e.root, opts)
			switch {
			case c.wantErr && err == nil:
				t.Errorf("Extract succeeded, want an error")
			case c.wantErr && !errors.Is(err, errdefs.ErrInvalidArgument):
				t.Errorf("Extract error = %v, want ErrInvalidArgument", err)
			case !c.wantErr && !c.mayFail && err != nil:
				t.Errorf("Extract: %v", err)
			}
			if after := treeState(t, e.victim); !reflect.DeepEqual(outside, after) {
				t.Errorf("the victim directory outside the root changed:\nbefore %v\nafter  %v", outside, after)
			}
			if names := dirNames(t, base); !reflect.DeepEqual(names, []string{"root", "victim"}) {
				t.Errorf("entries appeared next to the root: %v", names)
			}
			if m := hostEscapes(t); len(m) > 0 {
				t.Errorf("the archive wrote at the host's root: %v", m)
				for _, p := range m {
					os.RemoveAll(p)
				}
			}
			if err == nil && c.check != nil {
				c.check(t, e)
			}
		})
	}
}

func dirNames(tb testing.TB, dir string) []string {
	tb.Helper()
	names, err := readDirNames(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return names
}
