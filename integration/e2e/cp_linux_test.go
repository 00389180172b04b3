package e2e

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestCp drives cp in both directions through the real daemon and CLI, on
// a running and on a stopped container, with Docker's rules for files,
// directories, "dir/." and missing destinations, owners with and without
// -a, -L, tar streams on stdin and stdout, and a bind mount of the running
// container.
func TestCp(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	img := d.Busybox(t)
	vol := t.TempDir()
	d.OK(t, "run", "-d", "--name", "run", "--network", "none", "-v", vol+":/vol", img, "sh", "-c",
		"mkdir -p /data/sub && chmod 0750 /data/sub && echo one > /data/f && echo two > /data/sub/g && chown 1234:4321 /data/f && "+
			"ln -s /data/f /data/link && ln -s /data /dlink && touch /ready && exec sleep 1000")
	testutil.WaitFor(t, 30*time.Second, "the container's files", func() bool { return d.Run(t, "exec", "run", "test", "-e", "/ready").Code == 0 })
	// "stopped" makes its files and exits at its first run; later starts
	// keep it running, to look at what cp put in it.
	d.OK(t, "run", "--name", "stopped", "--network", "none", img, "sh", "-c",
		"if [ -e /data ]; then exec sleep 1000; fi; mkdir -p /data/sub && chmod 0750 /data/sub && echo one > /data/f && echo two > /data/sub/g")

	host := t.TempDir()
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	owner := func(p string) [2]uint32 {
		t.Helper()
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			t.Fatal(err)
		}
		return [2]uint32{st.Uid, st.Gid}
	}
	inside := func(ctr string, args ...string) string {
		t.Helper()
		return d.OK(t, append([]string{"exec", ctr}, args...)...)
	}

	for _, ctr := range []string{"run", "stopped"} {
		t.Run("out of "+ctr, func(t *testing.T) {
			dst := filepath.Join(host, ctr)
			if err := os.Mkdir(dst, 0o755); err != nil {
				t.Fatal(err)
			}
			// A file to a new name, and into an existing directory.
			d.OK(t, "cp", ctr+":/data/f", filepath.Join(dst, "renamed"))
			d.OK(t, "cp", ctr+":data/f", dst)
			if read(filepath.Join(dst, "renamed")) != "one\n" || read(filepath.Join(dst, "f")) != "one\n" {
				t.Errorf("file copies differ")
			}
			// A directory to a new name (its content), into an existing
			// directory (itself), and "dir/." (its content into it).
			d.OK(t, "cp", ctr+":/data", filepath.Join(dst, "newdir"))
			d.OK(t, "cp", ctr+":/data", dst)
			if err := os.Mkdir(filepath.Join(dst, "content"), 0o755); err != nil {
				t.Fatal(err)
			}
			d.OK(t, "cp", ctr+":/data/.", filepath.Join(dst, "content"))
			for _, p := range []string{"newdir/sub/g", "data/sub/g", "content/sub/g"} {
				if got := read(filepath.Join(dst, p)); got != "two\n" {
					t.Errorf("%s: %q", p, got)
				}
			}
			// A directory made by the copy has the source's mode.
			d.OK(t, "cp", ctr+":/data/sub", filepath.Join(dst, "newsub"))
			for _, p := range []string{"newsub", "newdir/sub", "data/sub"} {
				if fi, err := os.Stat(filepath.Join(dst, p)); err != nil || fi.Mode().Perm() != 0o750 {
					t.Errorf("%s: mode %v (%v), want 0750", p, fi.Mode(), err)
				}
			}
			// Docker's errors: a missing source, a directory onto a file, a
			// file into a missing directory; exit 1.
			for _, c := range []struct{ src, dst, want string }{
				{ctr + ":/nope", dst, "Could not find the file /nope in container " + ctr},
				{ctr + ":/data", filepath.Join(dst, "f"), "cannot copy a directory to a file"},
				{ctr + ":/data/f", filepath.Join(dst, "missing") + "/", "must exist"},
			} {
				if r := d.Run(t, "cp", c.src, c.dst); r.Code != 1 || !strings.Contains(r.Stderr, c.want) {
					t.Errorf("cp %s %s: want exit 1 and %q: %s", c.src, c.dst, c.want, r)
				}
			}
			// "-": a tar on stdout, its top entry named after the path.
			r := d.Run(t, "cp", ctr+":/data", "-")
			if r.Code != 0 {
				t.Fatal(r)
			}
			if names := tarNames(t, r.Stdout); !slices.Contains(names, "data/") || !slices.Contains(names, "data/sub/g") {
				t.Errorf("cp %s:/data -: %q", ctr, names)
			}
		})
	}

	t.Run("owners and links out", func(t *testing.T) {
		dst := filepath.Join(host, "owners")
		os.Mkdir(dst, 0o755)
		d.OK(t, "cp", "run:/data/f", filepath.Join(dst, "plain"))
		d.OK(t, "cp", "-a", "run:/data/f", filepath.Join(dst, "archive"))
		if got := owner(filepath.Join(dst, "plain")); got != [2]uint32{0, 0} {
			t.Errorf("without -a the copy belongs to %v, want the caller (root)", got)
		}
		if got := owner(filepath.Join(dst, "archive")); got != [2]uint32{1234, 4321} {
			t.Errorf("with -a the copy belongs to %v, want 1234:4321", got)
		}
		d.OK(t, "cp", "run:/data/link", filepath.Join(dst, "link"))
		if target, err := os.Readlink(filepath.Join(dst, "link")); err != nil || target != "/data/f" {
			t.Errorf("without -L the symlink is copied: %q %v", target, err)
		}
		d.OK(t, "cp", "-L", "run:/data/link", filepath.Join(dst, "followed"))
		if got := read(filepath.Join(dst, "followed")); got != "one\n" {
			t.Errorf("cp -L copied %q", got)
		}
		d.OK(t, "cp", "-L", "run:/dlink", filepath.Join(dst, "dfollowed"))
		if got := read(filepath.Join(dst, "dfollowed/sub/g")); got != "two\n" {
			t.Errorf("cp -L of a directory link copied %q", got)
		}
	})

	src := filepath.Join(host, "src")
	os.MkdirAll(filepath.Join(src, "tree", "deep"), 0o755)
	os.WriteFile(filepath.Join(src, "file"), []byte("hello\n"), 0o640)
	os.WriteFile(filepath.Join(src, "tree", "deep", "x"), []byte("x\n"), 0o644)
	os.Chown(filepath.Join(src, "file"), 1234, 4321)
	os.Symlink("file", filepath.Join(src, "hostlink"))

	for _, ctr := range []string{"run", "stopped"} {
		t.Run("into "+ctr, func(t *testing.T) {
			d.OK(t, "cp", filepath.Join(src, "file"), ctr+":/data/newname")
			d.OK(t, "cp", filepath.Join(src, "file"), ctr+":/data/")
			d.OK(t, "cp", "-a", filepath.Join(src, "file"), ctr+":/data/kept")
			d.OK(t, "cp", filepath.Join(src, "tree"), ctr+":/data")
			d.OK(t, "cp", filepath.Join(src, "tree"), ctr+":/data/newtree")
			d.OK(t, "cp", filepath.Join(src, "tree")+"/.", ctr+":/data/sub")
			d.OK(t, "cp", "-L", filepath.Join(src, "hostlink"), ctr+":/data/followed")
			d.OK(t, "cp", filepath.Join(src, "hostlink"), ctr+":/data/hostlink")
			// The stopped container is started to look: what it sees is
			// what the copy made.
			if ctr == "stopped" {
				d.OK(t, "start", ctr)
			}
			got := inside(ctr, "sh", "-c", "cat /data/newname /data/file /data/tree/deep/x /data/newtree/deep/x "+
				"/data/sub/deep/x /data/followed; readlink /data/hostlink; stat -c '%u:%g %a' /data/newname /data/kept")
			want := "hello\nhello\nx\nx\nx\nhello\nfile\n0:0 640\n1234:4321 640\n"
			if got != want {
				t.Errorf("in the container after cp:\n%s\nwant:\n%s", got, want)
			}
			// Errors: a missing destination directory, a directory onto a
			// file.
			for _, c := range []struct{ src, dst, want string }{
				{filepath.Join(src, "file"), ctr + ":/nodir/", "must exist"},
				{filepath.Join(src, "file"), ctr + ":/nodir/x", "Could not find the file /nodir in container " + ctr},
				{filepath.Join(src, "tree"), ctr + ":/data/newname", "cannot copy a directory to a file"},
				{filepath.Join(src, "missing"), ctr + ":/data", "no such file or directory"},
			} {
				if r := d.Run(t, "cp", c.src, c.dst); r.Code != 1 || !strings.Contains(r.Stderr, c.want) {
					t.Errorf("cp %s %s: want exit 1 and %q: %s", c.src, c.dst, c.want, r)
				}
			}
		})
	}

	t.Run("tar on stdin, symlinked destination, volume", func(t *testing.T) {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: "streamed", Mode: 0o600, Size: 3, Typeflag: tar.TypeReg, Uid: 7, Gid: 8})
		tw.Write([]byte("abc"))
		tw.Close()
		if r := d.Exec(daemon.CmdTimeout, bytes.NewReader(buf.Bytes()), "cp", "-", "run:/dlink/sub"); r.Code != 0 {
			t.Fatal(r)
		}
		if got := inside("run", "sh", "-c", "cat /data/sub/streamed; stat -c ' %u:%g' /data/sub/streamed"); got != "abc 0:0\n" {
			t.Errorf("tar from stdin through a symlinked directory: %q", got)
		}
		if r := d.Exec(daemon.CmdTimeout, bytes.NewReader(buf.Bytes()), "cp", "-a", "-", "run:/vol"); r.Code != 0 {
			t.Fatal(r)
		}
		if got := read(filepath.Join(vol, "streamed")); got != "abc" {
			t.Errorf("cp into the bind mount wrote %q on the host", got)
		}
		if got := owner(filepath.Join(vol, "streamed")); got != [2]uint32{7, 8} {
			t.Errorf("cp -a - kept owners %v, want 7:8", got)
		}
		if r := d.Exec(daemon.CmdTimeout, bytes.NewReader(buf.Bytes()), "cp", "-", "run:/data/f"); r.Code != 1 || !strings.Contains(r.Stderr, "must be a directory") {
			t.Errorf("a tar into a file: %s", r)
		}
		// A tar that reaches into the mount below the destination is
		// refused with a message that says so (extraction crosses no
		// mount point).
		var nested bytes.Buffer
		tw = tar.NewWriter(&nested)
		tw.WriteHeader(&tar.Header{Name: "vol/nested", Mode: 0o600, Size: 1, Typeflag: tar.TypeReg})
		tw.Write([]byte("n"))
		tw.Close()
		if r := d.Exec(daemon.CmdTimeout, bytes.NewReader(nested.Bytes()), "cp", "-", "run:/"); r.Code != 1 || !strings.Contains(r.Stderr, "reaches into another mount") {
			t.Errorf("a tar into a nested mount: %s", r)
		}
		if _, err := os.Stat(filepath.Join(vol, "nested")); err == nil {
			t.Errorf("the nested mount was written")
		}
		os.WriteFile(filepath.Join(vol, "fromhost"), []byte("vol\n"), 0o644)
		d.OK(t, "cp", "run:/vol/fromhost", filepath.Join(host, "fromvol"))
		if got := read(filepath.Join(host, "fromvol")); got != "vol\n" {
			t.Errorf("cp out of the bind mount: %q", got)
		}
	})

	t.Run("paused, read-only, user namespace", func(t *testing.T) {
		d.OK(t, "pause", "run")
		d.OK(t, "cp", filepath.Join(src, "file"), "run:/data/whilepaused")
		d.OK(t, "cp", "run:/data/whilepaused", filepath.Join(host, "whilepaused"))
		d.OK(t, "unpause", "run")
		if got := read(filepath.Join(host, "whilepaused")); got != "hello\n" {
			t.Errorf("cp while paused: %q", got)
		}

		// Docker refuses to write into a read-only root file system.
		d.OK(t, "run", "-d", "--name", "ro", "--read-only", "--network", "none", img, "sleep", "1000")
		if r := d.Run(t, "cp", filepath.Join(src, "file"), "ro:/"); r.Code != 1 || !strings.Contains(r.Stderr, "container rootfs is marked read-only") {
			t.Errorf("cp into a read-only container: %s", r)
		}

		// A private user namespace: the container's root is a host id
		// range; cp shows and takes the container's own ids. (Its root
		// must reach the data root: the test's directory is made
		// searchable, as an installed data root's parent is.)
		if err := os.Chmod(d.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		d.OK(t, "run", "-d", "--name", "userns", "--userns", "private", "--network", "none", img, "sh", "-c",
			"echo u > /owned && chown 5:6 /owned && touch /ready && exec sleep 1000")
		testutil.WaitFor(t, 30*time.Second, "the userns container's files", func() bool {
			return d.Run(t, "exec", "userns", "test", "-e", "/ready").Code == 0
		})
		d.OK(t, "cp", filepath.Join(src, "file"), "userns:/copied")
		d.OK(t, "cp", "-a", filepath.Join(src, "file"), "userns:/copiedkept")
		if got := inside("userns", "stat", "-c", "%u:%g", "/copied", "/copiedkept"); got != "0:0\n1234:4321\n" {
			t.Errorf("owners in the userns container: %q", got)
		}
		r := d.Run(t, "cp", "userns:/owned", "-")
		if files := tarHeaders(t, r.Stdout); len(files) != 1 || files[0].Uid != 5 || files[0].Gid != 6 {
			t.Errorf("cp out of the userns container: %+v (%s)", files, r.Stderr)
		}
		d.OK(t, "stop", "-t", "1", "userns")
		d.OK(t, "cp", filepath.Join(src, "file"), "userns:/copiedstopped")
		d.OK(t, "start", "userns")
		if got := inside("userns", "stat", "-c", "%u:%g", "/copiedstopped"); got != "0:0\n" {
			t.Errorf("owner of a copy into the stopped userns container: %q", got)
		}
	})

	t.Run("arguments", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"cp", "a:/x", "b:/y"}, "copying between containers is not supported"},
			{[]string{"cp", "./x", "/y"}, "must be CONTAINER:PATH"},
			{[]string{"cp", "nosuch:/x", host}, "no such container"},
		} {
			if r := d.Run(t, c.args...); r.Code != 1 || !strings.Contains(strings.ToLower(r.Stderr), strings.ToLower(c.want)) {
				t.Errorf("%q: want exit 1 and %q: %s", c.args, c.want, r)
			}
		}
	})
}

// tarNames lists the entry names of a tar.
func tarNames(t testing.TB, s string) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(strings.NewReader(s))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("reading tar: %v (after %q)", err, names)
		}
		names = append(names, h.Name)
	}
}

// tarHeaders lists the headers of a tar.
func tarHeaders(t testing.TB, s string) []*tar.Header {
	t.Helper()
	var out []*tar.Header
	tr := tar.NewReader(strings.NewReader(s))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		out = append(out, h)
	}
}
