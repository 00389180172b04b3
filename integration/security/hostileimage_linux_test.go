package security

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// The tests of this file run containers of images whose files the
// engine itself mounts over or reads (/etc/hosts, /etc/resolv.conf,
// /etc/hostname, /etc/passwd) are symlinks out of the image: to a host
// file by absolute path, by a ".." chain, through a chain of links, or
// with /etc itself a symlink to a host directory. A runtime that resolves
// such a mount destination (or a read) on the host instead of inside the
// container's root mounts over, writes, or discloses the host file.

// etcTarget is where a hostile image points one of its /etc files.
type etcTarget struct {
	name string
	// entries makes the image's hostile layer, aimed at the victim.
	entries func(v *victim) []entry
}

// etcTargets are the shapes of hostile /etc: each of the three files
// the engine binds into a container (symlinks out, or FIFOs, directories
// and device nodes in place of files), and /etc as a whole.
func etcTargets() []etcTarget {
	files := []string{"hosts", "resolv.conf", "hostname"}
	each := func(target func(v *victim, f string) string) func(v *victim) []entry {
		return func(v *victim) []entry {
			es := []entry{dirEntry("etc", 0o755)}
			for _, f := range files {
				es = append(es, symlinkEntry("etc/"+f, target(v, f)))
			}
			return es
		}
	}
	return []etcTarget{
		{"FilesAbsolute", each(func(v *victim, f string) string { return v.path(f) })},
		{"FilesDotDot", each(func(v *victim, f string) string { return v.dotdot(f) })},
		{"FilesChain", func(v *victim) []entry {
			es := []entry{dirEntry("etc", 0o755), dirEntry("x", 0o755), symlinkEntry("x/up", "../../../../../../..")}
			for _, f := range files {
				es = append(es, symlinkEntry("etc/"+f, "../x/"+f), symlinkEntry("x/"+f, "up/"+v.inRoot(f)))
			}
			return es
		}},
		{"FilesAreFifos", func(v *victim) []entry {
			return []entry{dirEntry("etc", 0o755), fifoEntry("etc/hosts"), fifoEntry("etc/resolv.conf"), fifoEntry("etc/hostname")}
		}},
		{"FilesAreDirectories", func(v *victim) []entry {
			return []entry{dirEntry("etc", 0o755), dirEntry("etc/hosts", 0o755), dirEntry("etc/resolv.conf", 0o755), dirEntry("etc/hostname", 0o755)}
		}},
		{"FilesAreDevices", func(v *victim) []entry {
			return []entry{dirEntry("etc", 0o755), charDevEntry("etc/hosts", 1, 1), charDevEntry("etc/resolv.conf", 1, 1), blockDevEntry("etc/hostname", 7, 0)}
		}},
		{"EtcIsAFile", func(v *victim) []entry { return []entry{fileEntry("etc", "not a directory\n", 0o644)} }},
		{"EtcAbsolute", func(v *victim) []entry { return []entry{symlinkEntry("etc", v.dir)} }},
		{"EtcDotDot", func(v *victim) []entry { return []entry{symlinkEntry("etc", v.dotdot(""))} }},
	}
}

// TestCVE_2021_30465_EtcFileSymlinks guards the mount-destination class
// of runc's CVE-2021-30465 (and Docker's earlier /etc/hosts symlink
// bugs) in its static form: the image makes /etc/hosts,
// /etc/resolv.conf and /etc/hostname (or /etc itself) symlinks to host
// files. The engine binds its own copies over those paths at start;
// resolved on the host, the bind would land on (and the container's
// writes go to) the host's files. A container of each image, on no
// network, on the default bridge and on the host's network (whose
// /etc files are copies of the host's own), prints the three files and appends
// to them; the host files must keep their content, mode and times, no
// mount may appear on them, and the container must not see them.
func TestCVE_2021_30465_EtcFileSymlinks(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	base := busyboxLayer(t)
	for i, tg := range etcTargets() {
		for _, network := range []string{"none", "bridge", "host"} {
			t.Run(tg.name+"/"+network, func(t *testing.T) {
				v := newVictim(t)
				name := fmt.Sprintf("hostile/etc%d:%s", i, network)
				img := testImage{layers: [][]byte{base, layerTar(t, tg.entries(v)...)}}
				d.OK(t, "load", "-i", writeTemp(t, "etc.tar", dockerArchive(t, name, img)))

				script := "cat /etc/hosts /etc/resolv.conf /etc/hostname; " +
					"echo " + v.marker + " >> /etc/hosts; echo " + v.marker + " >> /etc/resolv.conf; echo " + v.marker + " >> /etc/hostname; true"
				hostEtc := hostEtcState(t)
				r := d.Exec(time.Minute, nil, "run", "--rm", "--network", network, name, "sh", "-c", script)
				if r.TimedOut {
					t.Fatalf("the container did not end within a minute (the engine blocked on the image's /etc): %v", r)
				}
				v.checkUnchanged(t)
				if now := hostEtcState(t); now != hostEtc {
					t.Errorf("HOST /etc CHANGED by the container:\nbefore %s\nafter  %s", hostEtc, now)
				}
				checkNoMountOn(t, v.dir)
				if r.Code != 0 {
					// Refusing the image is safe; it must say why.
					if strings.TrimSpace(r.Stderr) == "" {
						t.Errorf("the container failed without saying why: %v", r)
					}
					t.Logf("refused: %s", strings.TrimSpace(r.Stderr))
					return
				}
				t.Logf("the container saw:\n%s", r.Stdout)
				if !strings.Contains(r.Stdout, "localhost") {
					t.Errorf("the container's /etc/hosts is not the engine's (no localhost line):\n%s", r.Stdout)
				}
				for _, leak := range []string{"host-sentinel", "10.66.66.66"} {
					if strings.Contains(r.Stdout, leak) {
						t.Errorf("the container read the host's sentinel files through its /etc symlinks:\n%s", r.Stdout)
						break
					}
				}
			})
		}
	}
}

// hostEtcState describes the host's own /etc/hosts, /etc/resolv.conf
// and /etc/hostname (content and mtime), which a container on the host's
// network gets copies of, never the files themselves.
func hostEtcState(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/etc/hosts", "/etc/resolv.conf", "/etc/hostname"} {
		fi, err := os.Stat(p)
		if err != nil {
			fmt.Fprintf(&b, "%s: %v\n", p, err)
			continue
		}
		content, _ := os.ReadFile(p)
		fmt.Fprintf(&b, "%s: mtime=%d %q\n", p, fi.ModTime().UnixNano(), content)
	}
	return b.String()
}

// checkNoMountOn fails the test if anything is mounted at or under dir
// in the host's mount namespace.
func checkNoMountOn(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			t.Errorf("HOST MOUNT on the victim: %s", sc.Text())
		}
	}
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c byte
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &c); err == nil {
				b.WriteByte(c)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestImageSymlink_EtcPasswdToHost guards the read side of the same
// class: the daemon reads the image's /etc/passwd and /etc/group to
// resolve `-u NAME`. An image whose /etc/passwd (or /etc/group) is a
// symlink to a host file would, read on the host, let the image resolve
// users from (and so probe) the host's files. The user "hostonly"
// exists only in the host's victim passwd: `run -u hostonly` must fail,
// and must not run as its uid 4242.
func TestImageSymlink_EtcPasswdToHost(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	base := busyboxLayer(t)
	shapes := []struct {
		name    string
		entries func(v *victim) []entry
	}{
		{"Absolute", func(v *victim) []entry {
			return []entry{symlinkEntry("etc/passwd", v.path("passwd")), symlinkEntry("etc/group", v.path("passwd"))}
		}},
		{"DotDot", func(v *victim) []entry {
			return []entry{symlinkEntry("etc/passwd", v.dotdot("passwd")), symlinkEntry("etc/group", v.dotdot("passwd"))}
		}},
	}
	for i, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			v := newVictim(t)
			name := fmt.Sprintf("hostile/passwd%d:1", i)
			img := testImage{layers: [][]byte{base, layerTar(t, s.entries(v)...)}}
			d.OK(t, "load", "-i", writeTemp(t, "passwd.tar", dockerArchive(t, name, img)))
			r := d.Run(t, "run", "--rm", "--network", "none", "-u", "hostonly", name, "id", "-u")
			v.checkUnchanged(t)
			t.Logf("run -u hostonly: %s", lastLine(r.Stderr))
			if r.Code == 0 || strings.TrimSpace(r.Stdout) == "4242" {
				t.Errorf("the image resolved a user from the host's file through its /etc/passwd symlink: %v", r)
			}
			if strings.Contains(r.Stderr, "4242") || strings.Contains(r.Stderr, "hostonly:x") {
				t.Errorf("the error discloses the host file: %v", r)
			}
		})
	}
}

// TestImageSymlink_RootfsEntriesUntouched checks the host side after
// containers of every hostile /etc shape ran: the layer directories hold
// the image's symlinks as they were (a runtime that "fixed" a mount
// destination by replacing the link in the lower layer would modify the
// image shared by every container), and nothing of the containers is
// left mounted under the victim.
func TestImageSymlink_RootfsEntriesUntouched(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	v := newVictim(t)
	base := busyboxLayer(t)
	name := "hostile/etcabs:1"
	img := testImage{layers: [][]byte{base, layerTar(t, etcTargets()[0].entries(v)...)}}
	d.OK(t, "load", "-i", writeTemp(t, "etc.tar", dockerArchive(t, name, img)))
	for range 2 {
		d.Run(t, "run", "--rm", "--network", "none", name, "true")
	}
	v.checkUnchanged(t)
	checkNoMountOn(t, v.dir)
	links := 0
	filepath.WalkDir(filepath.Join(d.Root, "layers"), func(p string, de os.DirEntry, err error) error {
		if err != nil || filepath.Base(filepath.Dir(p)) != "etc" || de.Name() != "hosts" {
			return nil
		}
		if target, err := os.Readlink(p); err == nil && target == v.path("hosts") {
			links++
		}
		return nil
	})
	if links != 1 {
		t.Errorf("found %d layer copies of the image's /etc/hosts symlink to %s, want 1 (unchanged by the containers)", links, v.path("hosts"))
	}
}

// TestCVE_2021_30465_MountAndWorkdirSymlinks guards the same class for
// the paths a user names: the image makes /data a symlink to the host's
// victim directory (absolute), /rel one by a ".." chain, and /newd one to
// a directory that does not exist on the host. Bind mounts (-v), tmpfs
// mounts (--tmpfs), the working directory (-w and the image's WORKDIR)
// below them make the runtime resolve, and create when missing, the
// path: resolved on the host, it would create directories in the victim
// or mount over it. The victim must be unchanged and carry no mount,
// whatever the run did.
func TestCVE_2021_30465_MountAndWorkdirSymlinks(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	base := busyboxLayer(t)
	cases := []struct {
		name    string
		args    func(v *victim, src string) []string
		workdir func(v *victim) string // the image's WORKDIR
	}{
		{"VolumeAbsolute", func(v *victim, src string) []string { return []string{"-v", src + ":/data/" + v.marker} }, nil},
		{"VolumeOverHostFile", func(v *victim, src string) []string { return []string{"-v", src + ":/data/sub"} }, nil},
		{"VolumeDotDot", func(v *victim, src string) []string { return []string{"-v", src + ":/rel/" + v.marker + "/deeper"} }, nil},
		{"VolumeMissingTarget", func(v *victim, src string) []string { return []string{"-v", src + ":/newd/x"} }, nil},
		{"MountBind", func(v *victim, src string) []string {
			return []string{"--mount", "type=bind,source=" + src + ",target=/data/" + v.marker}
		}, nil},
		{"Tmpfs", func(v *victim, _ string) []string { return []string{"--tmpfs", "/data/" + v.marker} }, nil},
		{"TmpfsOverVictim", func(v *victim, _ string) []string { return []string{"--tmpfs", "/data"} }, nil},
		{"WorkdirFlag", func(v *victim, _ string) []string { return []string{"-w", "/data/" + v.marker} }, nil},
		{"WorkdirFlagDotDot", func(v *victim, _ string) []string { return []string{"-w", "/rel/" + v.marker} }, nil},
		{"WorkdirImage", nil, func(v *victim) string { return "/newd/" + v.marker }},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := newVictim(t)
			name := fmt.Sprintf("hostile/mounts%d:1", i)
			img := testImage{layers: [][]byte{base, layerTar(t,
				symlinkEntry("data", v.dir),
				symlinkEntry("rel", v.dotdot("")),
				symlinkEntry("newd", v.path(v.marker+"-new/deeper")),
			)}}
			if c.workdir != nil {
				img.workdir = c.workdir(v)
			}
			d.OK(t, "load", "-i", writeTemp(t, "mounts.tar", dockerArchive(t, name, img)))
			src := t.TempDir()
			args := []string{"run", "--rm", "--network", "none"}
			if c.args != nil {
				args = append(args, c.args(v, src)...)
			}
			script := "pwd; ls /data /rel /newd 2>&1; touch " + v.marker + "-cwd; echo pwned > /data/hello; true"
			r := d.Run(t, append(args, name, "sh", "-c", script)...)
			v.checkUnchanged(t)
			checkNoMountOn(t, v.dir)
			if r.Code != 0 {
				if strings.TrimSpace(r.Stderr) == "" {
					t.Errorf("the container failed without saying why: %v", r)
				}
				t.Logf("refused: %s", lastLine(r.Stderr))
				return
			}
			t.Logf("ran:\n%s", r.Stdout)
			for _, leak := range []string{"perm400", "resolv.conf"} {
				if strings.Contains(r.Stdout, leak) {
					t.Errorf("the container listed the host's victim directory:\n%s", r.Stdout)
					break
				}
			}
		})
	}
}

// TestBuildCopy_HostileImageSymlinks guards the builder against the
// static form of the symlink-following copy class (Docker's
// CVE-2018-15664 for `docker cp`, CVE-2014-9356 for paths in an image):
// a base image makes /data a symlink to the host's victim directory,
// /rel one by a ".." chain, and /hello-link one to a host file. A
// Dockerfile FROM it COPYs and ADDs (a tar, which ADD extracts) into
// those paths, makes a WORKDIR below them, and COPY --from the image
// reads through them. Resolved on the host, the builder would write the
// host's files or copy them into the new image. The victim must be
// unchanged, and the built image (when the build succeeds) must not hold
// the host files' content.
func TestBuildCopy_HostileImageSymlinks(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	base := busyboxLayer(t)
	cases := []struct {
		name       string
		dockerfile func(v *victim) string
		tar        func(v *victim) []entry // evil.tar in the context, for ADD
	}{
		{"CopyIntoSymlinkedDir", func(v *victim) string { return "COPY f /data/" + v.marker + "\nCOPY f /data/hello\n" }, nil},
		{"CopyIntoDotDotSymlink", func(v *victim) string { return "COPY f /rel/sub/\nCOPY f /rel/" + v.marker + "\n" }, nil},
		{"CopyOverSymlinkToHostFile", func(v *victim) string { return "COPY f /hello-link\n" }, nil},
		{"CopyChmodOverSymlink", func(v *victim) string { return "COPY --chmod=777 --chown=4242:4242 f /hello-link\n" }, nil},
		{"WorkdirBelowSymlink", func(v *victim) string { return "WORKDIR /data/" + v.marker + "\nCOPY f .\n" }, nil},
		{"CopyFromImageThroughSymlink", func(v *victim) string {
			return "COPY --from=hostile/buildbase:1 /data/hello /stolen1\nCOPY --from=hostile/buildbase:1 /hello-link /stolen2\nCOPY --from=hostile/buildbase:1 /rel/passwd /stolen3\n"
		}, nil},
		{"CopyFromImageSymlinkedDir", func(v *victim) string {
			return "COPY --from=hostile/buildbase:1 /data/ /stolen/\nCOPY --from=hostile/buildbase:1 /rel /stolen-rel\n"
		}, nil},
		{"AddTarIntoSymlinkedDir", func(v *victim) string { return "ADD evil.tar /data/\nADD evil.tar /\n" }, func(v *victim) []entry {
			return []entry{
				fileEntry(v.marker, "pwned", 0o644),
				fileEntry("hello", "pwned", 0o777),
				fileEntry("data/"+v.marker+"-2", "pwned", 0o644),
				fileEntry("rel/"+v.inRoot(v.marker+"-3"), "pwned", 0o644),
			}
		}},
		{"AddTarDotDot", func(v *victim) string { return "ADD evil.tar /data/\n" }, func(v *victim) []entry {
			return []entry{fileEntry(v.dotdot(v.marker), "pwned", 0o644)}
		}},
		{"AddTarAbsolute", func(v *victim) string { return "ADD evil.tar /\n" }, func(v *victim) []entry {
			return []entry{fileEntry(v.path(v.marker), "pwned", 0o644)}
		}},
		{"AddTarSymlinkThenWrite", func(v *victim) string { return "ADD evil.tar /\n" }, func(v *victim) []entry {
			return []entry{symlinkEntry("esc", v.dir), fileEntry("esc/"+v.marker, "pwned", 0o644), fileEntry("esc/hello", "pwned", 0o644)}
		}},
		{"AddTarHardlinkOut", func(v *victim) string { return "ADD evil.tar /\n" }, func(v *victim) []entry {
			return []entry{hardlinkEntry("stolen", v.path("hello")), hardlinkEntry("stolen2", "data/hello")}
		}},
		{"AddTarChmodThroughSymlink", func(v *victim) string { return "ADD evil.tar /\n" }, func(v *victim) []entry {
			return []entry{symlinkEntry("s", v.path("perm400")), hardlinkEntry("h", "s").withMode(0o777)}
		}},
		{"AddTarOverSymlinkToHostFile", func(v *victim) string { return "ADD evil.tar /\n" }, func(v *victim) []entry {
			return []entry{fileEntry("hello-link", "pwned", 0o4777).withOwner(4242, 4242)}
		}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := newVictim(t)
			img := testImage{layers: [][]byte{base, layerTar(t,
				symlinkEntry("data", v.dir),
				symlinkEntry("rel", v.dotdot("")),
				symlinkEntry("hello-link", v.path("hello")),
			)}}
			d.OK(t, "load", "-i", writeTemp(t, "buildbase.tar", dockerArchive(t, "hostile/buildbase:1", img)))
			ctxDir := t.TempDir()
			files := map[string][]byte{
				"Dockerfile": []byte("FROM hostile/buildbase:1\n" + c.dockerfile(v)),
				"f":          []byte("from the build context\n"),
			}
			if c.tar != nil {
				files["evil.tar"] = layerTar(t, c.tar(v)...)
			}
			for n, b := range files {
				if err := os.WriteFile(filepath.Join(ctxDir, n), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			name := fmt.Sprintf("hostile/built%d:1", i)
			r := d.Run(t, "build", "-t", name, ctxDir)
			v.checkUnchanged(t)
			v.checkNoStray(t, d.Root, d.Dir)
			checkNoMountOn(t, v.dir)
			if r.Code != 0 {
				if strings.TrimSpace(r.Stderr) == "" {
					t.Errorf("the build failed without saying why: %v", r)
				}
				t.Logf("refused: %s", lastLine(r.Stderr))
				if strings.Contains(r.Stdout+r.Stderr, "hello from the host") || strings.Contains(r.Stdout+r.Stderr, "hostonly") {
					t.Errorf("the build's output quotes a host file: %v", r)
				}
				return
			}
			t.Logf("built %s", name)
			for n, f := range exportImage(t, d, name) {
				for _, vf := range victimFiles {
					if f.body == vf.body && vf.body != "" {
						t.Errorf("HOST FILE COPIED INTO THE IMAGE: /%s holds the content of the host's %s", n, v.path(vf.name))
					}
				}
			}
		})
	}
}

// TestCVE_2021_30465_SymlinksMadeByTheContainer guards the dynamic half
// of the mount-destination class: a container (not its image) replaces
// /etc and a bind mount's parent with symlinks to the host's victim
// directory, by absolute path and by a ".." chain, and is then stopped
// and started again, so the runtime binds /etc/hosts, /etc/resolv.conf,
// /etc/hostname and the volume over paths the container chose. The
// victim must be unchanged and carry no mount; the restarted container
// either runs with the engine's files or fails to start with an error.
func TestCVE_2021_30465_SymlinksMadeByTheContainer(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	// Without /etc in the image, the /etc the runtime makes for its
	// mounts lives in the container's own layer, where it can be renamed
	// (overlayfs refuses to rename a lower layer's directory).
	base := filterTar(t, busyboxLayer(t), func(name string) bool { return name != "etc" && !strings.HasPrefix(name, "etc/") })
	d.OK(t, "load", "-i", writeTemp(t, "bb.tar", dockerArchive(t, "hostile/bb:1", testImage{layers: [][]byte{base}})))
	for _, shape := range []string{"absolute", "dotdot"} {
		t.Run(shape, func(t *testing.T) {
			v := newVictim(t)
			target := v.dir
			if shape == "dotdot" {
				target = strings.TrimSuffix(v.dotdot(""), "/")
			}
			src := t.TempDir()
			name := "symlinker-" + shape
			// The first start turns /etc and /data into symlinks; every
			// later start just prints what it sees.
			// (/etc and /data hold mount points, so they cannot be
			// removed, but they can be renamed.)
			script := "if [ ! -L /etc ]; then mv /etc /etc.orig && ln -s " + target + " /etc && mv /data /data.orig && ln -s " + target + " /data && echo made; fi; " +
				"ls -l /etc /data; cat /etc/hosts /etc/resolv.conf /etc/hostname 2>&1; echo " + v.marker + " >> /etc/hosts; ls /data/ 2>&1; true"
			first := d.OK(t, "run", "--name", name, "--network", "none", "-v", src+":/data/vol", "hostile/bb:1", "sh", "-c", script)
			if !strings.Contains(first, "made") {
				t.Fatalf("the container did not replace /etc with a symlink: %q", first)
			}
			v.checkUnchanged(t)
			// A foreground run may return before the daemon has recorded
			// the exit (a known bug); a start then would find the
			// container still running and do nothing.
			d.OK(t, "wait", name)
			for i := range 2 {
				r := d.Exec(time.Minute, nil, "start", name)
				if r.Code == 0 {
					r = d.Exec(time.Minute, nil, "wait", name)
				}
				v.checkUnchanged(t)
				checkNoMountOn(t, v.dir)
				if r.TimedOut {
					t.Fatalf("start %d did not end within a minute: %v", i+1, r)
				}
				if r.Code != 0 {
					if strings.TrimSpace(r.Stderr) == "" {
						t.Errorf("start %d failed without saying why: %v", i+1, r)
					}
					t.Logf("start %d refused: %s", i+1, lastLine(r.Stderr))
				}
			}
			logs := d.OK(t, "logs", name)
			t.Logf("the container's output over its runs:\n%s", logs)
			if n := strings.Count(logs, "/etc -> "); n != 3 {
				t.Errorf("/etc was a symlink in %d runs, want 3 (the first and two restarts); the attack did not happen:\n%s", n, logs)
			}
			for _, leak := range []string{"host-sentinel", "10.66.66.66", "perm400"} {
				if strings.Contains(logs, leak) {
					t.Errorf("the restarted container reads the host's victim through its own symlinks:\n%s", logs)
					break
				}
			}
			d.OK(t, "rm", "-f", name)
			v.checkUnchanged(t)
		})
	}
}
