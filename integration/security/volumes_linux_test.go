package security

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// The tests of this file attack volumes: directories under the data root
// that the daemon fills from an image (copy-up), that containers write
// and that the daemon later removes. Each of those host-side walks goes
// through trees a container or an image controls, the class of
// CVE-2018-15664 (docker cp following a container's symlinks on the
// host).

// hostileVolumeImage builds an image on busybox whose VOLUMEs are aimed
// at the victim: /app holds symlinks to the victim's directory and files
// (absolute, and by a ".." chain) next to an ordinary file, and /data,
// /data2 and /data3 are themselves symlinks to the victim directory
// (absolute, "..", and through a chain of links).
func hostileVolumeImage(t *testing.T, d *daemon.Daemon, v *victim, name string) {
	t.Helper()
	base := d.Busybox(t)
	dir := t.TempDir()
	run := strings.Join([]string{
		"mkdir -p /app /chain",
		"echo image-file > /app/own",
		"ln -s " + v.dir + " /app/dirlink",
		"ln -s " + v.path("hello") + " /app/filelink",
		"ln -s " + v.dotdot("hello") + " /app/dotdot",
		"ln -s " + v.dir + " /data",
		"ln -s " + v.dotdot("") + " /data2",
		"ln -s ../../../../../../../.. /chain/up",
		"ln -s /chain/up/" + v.inRoot("") + " /data3",
	}, " && ")
	df := "FROM " + base + "\nRUN " + run + "\nVOLUME [\"/app\", \"/data\", \"/data2\", \"/data3\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := d.Exec(10*time.Minute, nil, "build", "-t", name, dir); r.Code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
	}
}

// checkVolumeHoldsNoHostFile fails when a file under the volume's
// directory on the host holds a victim file's content: copy-up followed
// a link out of the image.
func checkVolumeHoldsNoHostFile(t *testing.T, data string) {
	t.Helper()
	filepath.WalkDir(data, func(p string, de fs.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, f := range victimFiles {
			if strings.Contains(string(b), f.body) {
				t.Errorf("HOST FILE COPIED into the volume: %s holds %q", p, b)
			}
		}
		return nil
	})
}

// TestCVE_2018_15664_VolumeCopyUpSymlink guards the copy of an image's
// files into a new volume. The attack: an image whose VOLUME directories
// hold symlinks to host paths, or are such symlinks themselves. A copy
// that resolves those links on the host copies the host's files into
// the volume (where the container reads them) or, with the link as the
// copy's source root, the host's directory. The copy must resolve the
// VOLUME path inside the image's root and copy links as links; the
// container, writing through them, must reach only its own files.
func TestCVE_2018_15664_VolumeCopyUpSymlink(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	v := newVictim(t)
	hostileVolumeImage(t, d, v, "hostile/volumes")

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"image VOLUME (anonymous)", nil},
		{"named volume", []string{"-v", "named:/app", "-v", "named2:/data", "-v", "named3:/data2", "-v", "named4:/data3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script := "cat /app/own; cat /app/filelink /app/dotdot /data/hello /data2/hello /data3/hello 2>/dev/null; " +
				"echo " + v.marker + " > /app/dirlink/" + v.marker + "; echo " + v.marker + " > /data/" + v.marker + "; " +
				"echo " + v.marker + " > /data3/" + v.marker + "; echo " + v.marker + " >> /app/filelink; true"
			args := append(append([]string{"run", "--name", "victimised"}, tc.args...), "hostile/volumes", "sh", "-c", script)
			r := d.Exec(time.Minute, nil, args...)
			v.checkUnchanged(t)
			checkNoMountOn(t, v.dir)
			defer d.Run(t, "rm", "-f", "-v", "victimised")
			if r.Code != 0 {
				if strings.TrimSpace(r.Stderr) == "" {
					t.Fatalf("the container failed without saying why: %v", r)
				}
				t.Logf("refused: %s", strings.TrimSpace(r.Stderr))
				return
			}
			if !strings.HasPrefix(r.Stdout, "image-file\n") {
				t.Errorf("the image's own file was not copied into the volume: %q", r.Stdout)
			}
			for _, f := range victimFiles {
				if strings.Contains(r.Stdout, f.body) {
					t.Errorf("the container read a host file through a volume:\n%s", r.Stdout)
				}
			}
			ci := d.Inspect(t, "victimised")
			for _, m := range ci.Mounts {
				if m.Type != "volume" {
					continue
				}
				if !strings.HasPrefix(m.Source, filepath.Join(d.Root, "volumes")+"/") {
					t.Errorf("volume %s mounted from %s, outside the volumes directory", m.Name, m.Source)
				}
				checkVolumeHoldsNoHostFile(t, m.Source)
				if m.Destination != "/app" {
					continue
				}
				for _, l := range []string{"dirlink", "filelink", "dotdot"} {
					fi, err := os.Lstat(filepath.Join(m.Source, l))
					if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
						t.Errorf("/app/%s in the volume is not the image's symlink: %v %v", l, fi, err)
					}
				}
			}
		})
	}
	// Removing the volumes, whose links point at the victim, must not
	// follow them either.
	d.OK(t, "volume", "prune", "-f", "--all")
	v.checkUnchanged(t)
	v.checkNoStray(t, d.Root, d.Dir)
}

// TestCVE_2018_15664_VolumeRemoveFollowsNoSymlink guards the removal of
// a volume's content. The attack: a container writes into a volume
// symlinks to host directories and files (and a directory it then swaps
// for such a link); `volume rm`, `volume prune` and `rm -v` walk and
// delete the volume's tree on the host, and a walk that follows those
// links deletes the host's files. The victim must be untouched.
func TestCVE_2018_15664_VolumeRemoveFollowsNoSymlink(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	bb := d.Busybox(t)
	v := newVictim(t)
	plant := "ln -s " + v.dir + " /v/dir && ln -s " + v.path("hello") + " /v/file && ln -s " + v.dotdot("sub") + " /v/dotdot && " +
		"mkdir -p /v/deep/er && ln -s " + v.dir + " /v/deep/er/link && mkdir /v/swap && rmdir /v/swap && ln -s " + v.dir + " /v/swap"
	d.OK(t, "run", "--rm", "-v", "planted:/v", bb, "sh", "-c", plant)
	d.OK(t, "run", "--name", "anon", "-v", "/v", bb, "sh", "-c", plant)
	d.OK(t, "run", "--rm", "-v", "pruned:/v", bb, "sh", "-c", plant)

	d.OK(t, "volume", "rm", "planted")
	d.OK(t, "rm", "-v", "anon")
	d.OK(t, "volume", "prune", "-f", "--all")
	v.checkUnchanged(t)
	if names := strings.Fields(d.OK(t, "volume", "ls", "-q")); len(names) != 0 {
		t.Errorf("volumes left: %q", names)
	}
}

// TestCWE22_VolumeNamePathTraversal guards the volumes directory against
// names that are paths. The attack: a client names a volume "..",
// "../../victim", "a/../../b" or an absolute path, through the API (no
// CLI check in the way) and through run's -v and --mount; a store that
// joins such a name to its directory makes, fills, mounts into a
// container or removes a directory elsewhere on the host. Every such
// name must be refused (400) and nothing outside the data root change.
func TestCWE22_VolumeNamePathTraversal(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	bb := d.Busybox(t)
	v := newVictim(t)
	rel, err := filepath.Rel(filepath.Join(d.Root, "volumes"), v.dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	names := []string{"..", ".", "../x", rel, v.dir, "a/../../b", "x/y", ".hidden", "-dash", "a\x00b", "a b", strings.Repeat("a", 300)}
	for _, name := range names {
		_, err := d.Client.VolumeCreate(ctx, api.VolumeCreate{Name: name})
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("volume create %q: %v, want invalid argument", name, err)
		}
		_, err = d.Client.ContainerCreate(ctx, api.ContainerCreate{Image: bb, Cmd: []string{"true"},
			Mounts: []api.Mount{{Type: "volume", Source: name, Destination: "/v"}}})
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("create with volume %q: %v, want invalid argument", name, err)
		}
		// Looking up or removing such a name finds nothing.
		if _, err := d.Client.VolumeInspect(ctx, name); err == nil {
			t.Errorf("volume inspect %q found a volume", name)
		}
		if err := d.Client.VolumeRemove(ctx, name, true); err != nil && !errors.Is(err, errdefs.ErrNotFound) && !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("volume rm -f %q: %v", name, err)
		}
	}
	for _, args := range [][]string{
		{"--mount", "type=volume,source=" + rel + ",target=/v"},
		{"--mount", "type=volume,source=..,target=/v"},
		{"-v", "x/../..:/v"},
	} {
		r := d.Run(t, append(append([]string{"run", "--rm"}, args...), bb, "touch", "/v/"+v.marker)...)
		if r.Code != 125 || !strings.Contains(r.Stderr, "invalid characters") {
			t.Errorf("%v\nwant exit 125 and the name refused", r)
		}
	}
	v.checkUnchanged(t)
	v.checkNoStray(t, d.Root, d.Dir)
	if ents, err := os.ReadDir(filepath.Join(d.Root, "volumes")); err != nil || len(ents) != 0 {
		t.Errorf("the volumes directory holds %v (%v), want nothing", ents, err)
	}
}

// TestCVE_2018_15664_VolumeSizeFollowsNoSymlink guards system df's walk
// of a volume. The attack: a container writes into a volume symlinks to
// a host file and directory (absolute and by a ".." chain); system df
// (ours and Docker's GET /system/df) measures the volume's tree on the
// host, and a walk that follows those links reads the host's tree (and
// can be made to report or walk anything). The volume must measure only
// its own entries: the links' lengths, not the 1 GiB host file behind
// them.
func TestCVE_2018_15664_VolumeSizeFollowsNoSymlink(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	bb := d.Busybox(t)
	host := t.TempDir()
	big := filepath.Join(host, "big")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 1 GiB of apparent size, no blocks.
	if err := errors.Join(f.Truncate(1<<30), f.Close()); err != nil {
		t.Fatal(err)
	}
	dotdot := strings.Repeat("../", 40) + strings.TrimPrefix(big, "/")
	d.OK(t, "run", "--rm", "-v", "planted:/v", bb, "sh", "-c",
		"ln -s "+big+" /v/file && ln -s "+host+" /v/dir && ln -s "+dotdot+" /v/dotdot")

	var du api.DiskUsage
	if err := json.Unmarshal([]byte(d.OK(t, "system", "df", "--format", "json")), &du); err != nil {
		t.Fatal(err)
	}
	want := int64(len(big) + len(host) + len(dotdot))
	if len(du.Volumes) != 1 || du.Volumes[0].Size != want {
		t.Errorf("system df measured the planted volume as %+v, want %d bytes (its links alone)", du.Volumes, want)
	}
}
