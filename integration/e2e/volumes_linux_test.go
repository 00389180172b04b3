package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// volumeImage builds "withvol" on busybox: /app holds seed.txt, owned by
// 1000:1000, and is the image's VOLUME.
func volumeImage(t testing.TB, d *daemon.Daemon) string {
	t.Helper()
	base := d.Busybox(t)
	dir := filepath.Join(d.Dir, "ctx-withvol")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	df := "FROM " + base + "\nRUN mkdir -p /app/sub && echo seed > /app/seed.txt && echo deep > /app/sub/deep && chown -R 1000:1000 /app && chmod 0750 /app\nVOLUME /app\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := d.Exec(buildTimeout, nil, "build", "-t", "withvol", dir); r.Code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
	}
	return "withvol"
}

// volumeNames lists the daemon's volumes.
func volumeNames(t testing.TB, d *daemon.Daemon) []string {
	t.Helper()
	return strings.Fields(d.OK(t, "volume", "ls", "-q"))
}

// inspectedMount is one entry of Docker's .Mounts as inspect prints it.
type inspectedMount struct {
	Type, Name, Source, Destination, Driver, Mode string
	RW                                            bool
}

// mountsOf returns the .Mounts of container name as inspect prints them.
func mountsOf(t testing.TB, d *daemon.Daemon, name string) []inspectedMount {
	t.Helper()
	var ms []inspectedMount
	if err := json.Unmarshal([]byte(d.OK(t, "inspect", "--format", "{{json .Mounts}}", name)), &ms); err != nil {
		t.Fatal(err)
	}
	return ms
}

// failsWith runs args and fails the test unless they exit 125 with want
// in stderr.
func failsWith(t testing.TB, d *daemon.Daemon, want string, args ...string) {
	t.Helper()
	r := d.Run(t, args...)
	if r.Code != 125 || !strings.Contains(r.Stderr, want) {
		t.Errorf("%v\nwant exit 125 and %q", r, want)
	}
}

var anonymousName = regexp.MustCompile(`^[0-9a-f]{64}$`)

// TestVolumeVerbs checks volume create, ls (filters, formats), inspect
// (Docker's shape), rm (refused while any container uses the volume,
// even with -f) and prune (anonymous only, unless --all).
func TestVolumeVerbs(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)

	t.Run("create, ls and inspect", func(t *testing.T) {
		if out := d.OK(t, "volume", "create", "--label", "tier=db", "data1"); out != "data1\n" {
			t.Errorf("create printed %q, want the name", out)
		}
		if out := d.OK(t, "volume", "create", "--name", "data2"); out != "data2\n" {
			t.Errorf("create --name printed %q", out)
		}
		// Creating an existing volume returns it, as Docker does.
		d.OK(t, "volume", "create", "data1")
		if out := d.OK(t, "volume", "ls"); !regexp.MustCompile(`(?m)^DRIVER\s+VOLUME NAME\n(?:.*\n)*local\s+data1$`).MatchString(out) {
			t.Errorf("volume ls:\n%s", out)
		}
		if out := d.OK(t, "volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{.Label \"tier\"}}", "--filter", "label=tier=db"); out != "data1 local local tier=db db\n" {
			t.Errorf("volume ls --format --filter label= printed %q", out)
		}
		if out := d.OK(t, "volume", "ls", "-q", "--filter", "name=ta2"); out != "data2\n" {
			t.Errorf("volume ls --filter name=ta2 printed %q", out)
		}
		if out := d.OK(t, "volume", "ls", "--format", "table {{.Name}}\t{{.Mountpoint}}", "--filter", "name=data1"); !strings.HasPrefix(out, "VOLUME NAME") ||
			!strings.Contains(out, filepath.Join(d.Root, "volumes", "data1", "_data")) {
			t.Errorf("volume ls --format table:\n%s", out)
		}
		var views []map[string]any
		if err := json.Unmarshal([]byte(d.OK(t, "volume", "inspect", "data1")), &views); err != nil || len(views) != 1 {
			t.Fatalf("volume inspect: %v %v", views, err)
		}
		v := views[0]
		for _, k := range []string{"Name", "Driver", "Mountpoint", "CreatedAt", "Labels", "Scope", "Options"} {
			if _, ok := v[k]; !ok {
				t.Errorf("volume inspect lacks %s: %v", k, v)
			}
		}
		if v["Name"] != "data1" || v["Driver"] != "local" || v["Scope"] != "local" ||
			v["Mountpoint"] != filepath.Join(d.Root, "volumes", "data1", "_data") {
			t.Errorf("volume inspect: %v", v)
		}
		if out := d.OK(t, "volume", "inspect", "--format", "{{.Name}}:{{.Labels.tier}}", "data1"); out != "data1:db\n" {
			t.Errorf("volume inspect --format printed %q", out)
		}
		if fi, err := os.Stat(filepath.Join(d.Root, "volumes", "data1")); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("the volume's directory: %v %v, want 0700", fi, err)
		}
	})

	t.Run("bad requests are refused", func(t *testing.T) {
		failsWith(t, d, "only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed", "volume", "create", "a")
		failsWith(t, d, "only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed", "volume", "create", "..")
		failsWith(t, d, "only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed", "volume", "create", "x/../../etc")
		failsWith(t, d, `volume driver "nfs" is not supported`, "volume", "create", "-d", "nfs", "v3")
		failsWith(t, d, `volume driver option "type" is not supported`, "volume", "create", "-o", "type=tmpfs", "v3")
		failsWith(t, d, "only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed", "run", "--rm", "-v", "-x:/x", img, "true")
		if r := d.Run(t, "volume", "create", "--name", "x1", "x2"); r.Code != 1 || !strings.Contains(r.Stderr, "conflicting options") {
			t.Errorf("create with --name and an argument: %v", r)
		}
		failsWith(t, d, "invalid filter", "volume", "ls", "--filter", "driver=local")
		if names := volumeNames(t, d); slices.Contains(names, "v3") || slices.Contains(names, "x2") {
			t.Errorf("a refused create left a volume: %q", names)
		}
	})

	t.Run("in use, even by a stopped container", func(t *testing.T) {
		id := strings.TrimSpace(d.OK(t, "create", "--name", "holder", "-v", "data1:/data", img, "true"))
		failsWith(t, d, "volume is in use - ["+id+"]", "volume", "rm", "data1")
		failsWith(t, d, "volume is in use", "volume", "rm", "-f", "data1")
		if out := d.OK(t, "volume", "ls", "-q", "--filter", "dangling=false"); out != "data1\n" {
			t.Errorf("volume ls --filter dangling=false printed %q", out)
		}
		if out := d.OK(t, "volume", "ls", "-q", "--filter", "dangling=true"); strings.Contains(out, "data1") {
			t.Errorf("volume ls --filter dangling=true printed %q", out)
		}
		d.OK(t, "start", "-a", "holder")
		failsWith(t, d, "volume is in use", "volume", "rm", "data1")
		d.OK(t, "rm", "holder")
		if out := d.OK(t, "volume", "rm", "data1"); out != "data1\n" {
			t.Errorf("volume rm printed %q", out)
		}
		if _, err := os.Stat(filepath.Join(d.Root, "volumes", "data1")); !os.IsNotExist(err) {
			t.Errorf("the removed volume's directory: %v", err)
		}
		failsWith(t, d, "no such volume", "volume", "rm", "data1")
		d.OK(t, "volume", "rm", "-f", "data1") // missing: no error with -f
	})

	t.Run("prune", func(t *testing.T) {
		// A named volume made on first use is not anonymous.
		d.OK(t, "run", "--rm", "-v", "named1:/n", img, "true")
		// rm without -v leaves the container's anonymous volume.
		d.OK(t, "run", "--name", "anon", "-v", "/scratch", img, "true")
		ms := mountsOf(t, d, "anon")
		if len(ms) != 1 || !anonymousName.MatchString(ms[0].Name) {
			t.Fatalf("mounts of -v /scratch: %+v", ms)
		}
		anon := ms[0].Name
		d.OK(t, "rm", "anon")
		d.OK(t, "create", "--name", "user", "-v", "used1:/u", img, "true")
		// volume create without a name: a random name, not anonymous.
		random := strings.TrimSpace(d.OK(t, "volume", "create"))
		if !anonymousName.MatchString(random) {
			t.Errorf("volume create without a name printed %q", random)
		}

		out := d.OK(t, "volume", "prune", "-f")
		if !strings.HasPrefix(out, "Deleted Volumes:\n"+anon+"\n\nTotal reclaimed space:") {
			t.Errorf("volume prune printed %q, want only %s deleted", out, anon)
		}
		names := volumeNames(t, d)
		if slices.Contains(names, anon) || !slices.Contains(names, "named1") || !slices.Contains(names, "data2") ||
			!slices.Contains(names, "used1") || !slices.Contains(names, random) {
			t.Errorf("after prune: %q", names)
		}
		d.OK(t, "volume", "prune", "-f", "--all", "--filter", "label!=keep")
		if names := volumeNames(t, d); !slices.Equal(names, []string{"used1"}) {
			t.Errorf("after prune --all: %q, want only the volume in use", names)
		}
		d.OK(t, "rm", "user")
	})
}

// TestVolumeMounts checks what containers see: data that outlives them,
// read-only mounts, the image's files copied into a new volume (not with
// nocopy), the image's VOLUME, --volumes-from, rm -v and --rm, and the
// mounts in inspect and ps.
func TestVolumeMounts(t *testing.T) {
	d := daemon.New(t)
	bb := d.Busybox(t)
	img := volumeImage(t, d)

	t.Run("data outlives containers", func(t *testing.T) {
		d.OK(t, "run", "--rm", "-v", "keep:/data", bb, "sh", "-c", "echo hello > /data/f")
		if out := d.OK(t, "run", "--rm", "--mount", "type=volume,source=keep,target=/d,readonly", bb, "cat", "/d/f"); out != "hello\n" {
			t.Errorf("a second container read %q", out)
		}
		if r := d.Run(t, "run", "--rm", "-v", "keep:/data:ro", bb, "sh", "-c", "echo x > /data/g"); r.Code == 0 {
			t.Errorf("a write to a read-only volume succeeded: %v", r)
		}
		data, err := os.ReadFile(filepath.Join(d.Root, "volumes", "keep", "_data", "f"))
		if err != nil || string(data) != "hello\n" {
			t.Errorf("the volume's file on the host: %q %v", data, err)
		}
		if out := d.OK(t, "system", "df", "--format", "{{.VolumesSize}}"); out != "6\n" {
			t.Errorf("system df: the volumes take %q bytes, want 6", out)
		}
	})

	t.Run("a bind inside a volume", func(t *testing.T) {
		host := t.TempDir()
		if err := os.WriteFile(filepath.Join(host, "f"), []byte("from the host\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		// Given child first: the volume must still be mounted first.
		if out := d.OK(t, "run", "--rm", "-v", host+":/data/conf", "-v", "nest:/data", bb, "cat", "/data/conf/f"); out != "from the host\n" {
			t.Errorf("the bind below the volume shows %q", out)
		}
	})

	t.Run("copy-up", func(t *testing.T) {
		if out := d.OK(t, "run", "--rm", "-v", "cu:/app", img, "sh", "-c", "cat /app/seed.txt /app/sub/deep; stat -c '%u:%g %a' /app"); out != "seed\ndeep\n1000:1000 750\n" {
			t.Errorf("a new volume over /app holds %q, want the image's files, owner and mode", out)
		}
		// Not again into a volume that has content.
		d.OK(t, "run", "--rm", "-v", "cu:/app", img, "sh", "-c", "echo changed > /app/seed.txt")
		if out := d.OK(t, "run", "--rm", "-v", "cu:/app", img, "cat", "/app/seed.txt"); out != "changed\n" {
			t.Errorf("the volume's file after a second container: %q", out)
		}
		for _, args := range [][]string{{"-v", "nc1:/app:nocopy"}, {"--mount", "type=volume,src=nc2,dst=/app,volume-nocopy"}} {
			if out := d.OK(t, append(append([]string{"run", "--rm"}, args...), img, "ls", "-A", "/app")...); out != "" {
				t.Errorf("%q: /app holds %q, want nothing", args, out)
			}
		}
	})

	t.Run("image VOLUME and rm -v", func(t *testing.T) {
		d.OK(t, "run", "--name", "imgvol", "-v", "named2:/named", img, "cat", "/app/seed.txt")
		ms := mountsOf(t, d, "imgvol")
		var anon string
		for _, m := range ms {
			if m.Destination == "/app" {
				anon = m.Name
				if m.Type != "volume" || !anonymousName.MatchString(m.Name) || m.Driver != "local" || !m.RW ||
					m.Source != filepath.Join(d.Root, "volumes", m.Name, "_data") {
					t.Errorf("the image's VOLUME in inspect: %+v", m)
				}
			}
		}
		if anon == "" || len(ms) != 2 {
			t.Fatalf("inspect .Mounts: %+v", ms)
		}
		// As Docker, ps shows volumes by name, shortened to 15 characters.
		if out := d.OK(t, "ps", "-a", "--filter", "name=imgvol", "--format", "{{.Mounts}}|{{.LocalVolumes}}"); out != "named2,"+anon[:14]+"…|2\n" {
			t.Errorf("ps --format {{.Mounts}} printed %q", out)
		}
		if out := d.OK(t, "ps", "-a", "--filter", "name=imgvol", "--format", "{{.Mounts}}", "--no-trunc"); !strings.Contains(out, anon) {
			t.Errorf("ps --no-trunc --format {{.Mounts}} printed %q", out)
		}
		d.OK(t, "rm", "-v", "imgvol")
		names := volumeNames(t, d)
		if slices.Contains(names, anon) || !slices.Contains(names, "named2") {
			t.Errorf("after rm -v: %q, want the anonymous volume gone and named2 kept", names)
		}
		before := volumeNames(t, d)
		d.OK(t, "run", "--rm", "-v", "/scratch", img, "true")
		if after := volumeNames(t, d); !slices.Equal(before, after) {
			t.Errorf("--rm left anonymous volumes: %q, before %q", after, before)
		}
	})

	t.Run("volumes-from", func(t *testing.T) {
		host := t.TempDir()
		d.OK(t, "create", "--name", "src", "-v", "shared:/shared", "-v", host+":/hostdir", bb, "true")
		d.OK(t, "run", "--rm", "--volumes-from", "src", bb, "sh", "-c", "echo from > /shared/x && echo bound > /hostdir/y")
		if out := d.OK(t, "run", "--rm", "--volumes-from", "src:ro", bb, "cat", "/shared/x", "/hostdir/y"); out != "from\nbound\n" {
			t.Errorf("--volumes-from src:ro read %q", out)
		}
		if r := d.Run(t, "run", "--rm", "--volumes-from", "src:ro", bb, "sh", "-c", "echo z > /shared/z"); r.Code == 0 {
			t.Errorf("--volumes-from src:ro could write: %v", r)
		}
		// The volume is used by src, and by a container made from it.
		d.OK(t, "create", "--name", "child", "--volumes-from", "src", bb, "true")
		ms := mountsOf(t, d, "child")
		if len(ms) != 2 {
			t.Errorf("mounts of a --volumes-from container: %+v", ms)
		}
		if out := d.OK(t, "inspect", "--format", "{{json .HostConfig.VolumesFrom}}", "child"); out != "[\"src\"]\n" {
			t.Errorf("HostConfig.VolumesFrom: %q", out)
		}
		// ps --filter volume= takes a volume's name or a destination.
		for _, f := range []string{"volume=shared", "volume=/hostdir"} {
			if out := d.OK(t, "ps", "-a", "--filter", f, "--format", "{{.Names}}"); out != "child\nsrc\n" {
				t.Errorf("ps --filter %s printed %q", f, out)
			}
		}
		d.OK(t, "rm", "src")
		failsWith(t, d, "volume is in use", "volume", "rm", "shared")
		d.OK(t, "rm", "-v", "child") // shared is named: kept
		d.OK(t, "volume", "rm", "shared")
		failsWith(t, d, "no such container", "run", "--rm", "--volumes-from", "nosuch", bb, "true")
		failsWith(t, d, `mode "rx" is not valid`, "run", "--rm", "--volumes-from", "x:rx", bb, "true")
	})

	t.Run("refused with a private user namespace", func(t *testing.T) {
		failsWith(t, d, "not supported with --userns private", "run", "--rm", "--userns", "private", "-v", "u1:/u", bb, "true")
		if slices.Contains(volumeNames(t, d), "u1") {
			t.Error("a refused create left its volume")
		}
	})
}

// TestVolumesSurviveDaemonRestart checks that volumes, their content and
// the containers using them are known again after kill -9 and a start.
func TestVolumesSurviveDaemonRestart(t *testing.T) {
	d := daemon.New(t)
	bb := d.Busybox(t)
	d.OK(t, "run", "--rm", "-v", "persist:/p", bb, "sh", "-c", "echo kept > /p/f")
	d.OK(t, "create", "--name", "user", "-v", "persist:/p", bb, "true")
	d.OK(t, "run", "-d", "--name", "runner", "-v", "live:/l", bb, "sleep", "300")
	// A directory a crash left without a record is no volume.
	half := filepath.Join(d.Root, "volumes", "half")
	if err := os.MkdirAll(filepath.Join(half, "_data"), 0o700); err != nil {
		t.Fatal(err)
	}
	d.Kill9(t)
	d.Start(t)

	if names := volumeNames(t, d); !slices.Equal(names, []string{"live", "persist"}) {
		t.Errorf("volumes after the restart: %q", names)
	}
	if _, err := os.Stat(half); !os.IsNotExist(err) {
		t.Errorf("the half-made volume's directory: %v", err)
	}
	if out := d.OK(t, "run", "--rm", "-v", "persist:/p", bb, "cat", "/p/f"); out != "kept\n" {
		t.Errorf("the volume's file after the restart: %q", out)
	}
	failsWith(t, d, "volume is in use", "volume", "rm", "persist")
	failsWith(t, d, "volume is in use", "volume", "rm", "live")
	d.OK(t, "rm", "-f", "runner", "user")
	d.OK(t, "volume", "rm", "persist", "live")
}
