package network

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
	crt "github.com/container-runtime/container-runtime/runtime"
)

// childEnv makes the test binary run crashChild instead of the tests.
const childEnv = "_NETWORK_TEST_CRASH_CHILD"

var netprobeOnce struct {
	sync.Once
	dir string
	err error
}

func TestMain(m *testing.M) {
	if cfg := os.Getenv(childEnv); cfg != "" {
		crashChild(cfg)
		return
	}
	code := m.Run()
	if netprobeOnce.dir != "" {
		os.RemoveAll(netprobeOnce.dir)
	}
	os.Exit(code)
}

func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: creates network namespaces, bridges and nftables rules")
	}
}

func randHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// testConfig is a Config of names no one else uses: a bridge, a table,
// a /24 and a pool of the test's own, and host files with loopback and
// documentation-range name servers (text only: the tests never resolve
// through them).
func testConfig(t testing.TB) Config {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r := []byte(randHex(t, 3))
	return Config{
		StateDir:     filepath.Join(dir, "state"),
		BridgeName:   "crtt" + randHex(t, 4),
		NFTable:      "crt-test-" + randHex(t, 4),
		Subnet:       netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 200 + r[0]%40, r[1], 0}), 24),
		AddressPools: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 240 + r[2]%10, 0, 0}), 16)},
		BridgePrefix: "crtu",
		ResolvConf:   write("resolv.conf", "nameserver 127.0.0.53\noptions edns0\n"),
		ResolvedConf: write("resolved.conf", "nameserver 192.0.2.53\n"),
		HostsFile:    write("hosts", "127.0.0.1\tlocalhost\n192.0.2.9\thostonly\n"),
	}
}

// newManager opens a Manager on cfg, closed at the end of the test. The
// first call for a cfg also registers the removal of everything cfg's
// Managers made (it runs last).
func newManager(t testing.TB, cfg Config) *Manager {
	t.Helper()
	if _, err := os.Stat(cfg.StateDir); errors.Is(err, os.ErrNotExist) {
		t.Cleanup(func() { destroy(t, cfg) })
	}
	m, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// destroy removes what cfg's Managers made.
func destroy(t testing.TB, cfg Config) {
	t.Helper()
	m, err := New(context.Background(), cfg)
	if err != nil {
		t.Errorf("cleanup: New: %v", err)
		return
	}
	if err := m.Destroy(context.Background()); err != nil {
		t.Errorf("cleanup: %v", err)
	}
}

// setup is Setup that must work.
func setup(t testing.TB, m *Manager, req Request) *Attachment {
	t.Helper()
	att, err := m.Setup(context.Background(), req)
	if err != nil {
		t.Fatalf("Setup %s: %v", req.ContainerID, err)
	}
	return att
}

// netprobe builds testdata/netprobe statically, once per test binary.
func netprobe(t testing.TB) string {
	t.Helper()
	netprobeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "netprobe-")
		if err != nil {
			netprobeOnce.err = err
			return
		}
		netprobeOnce.dir = dir
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "netprobe"), "./testdata/netprobe")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			netprobeOnce.err = fmt.Errorf("%v: %s", err, out)
		}
	})
	if netprobeOnce.err != nil {
		t.Fatalf("building netprobe: %v", netprobeOnce.err)
	}
	return filepath.Join(netprobeOnce.dir, "netprobe")
}

// fixture runs containers on a busybox root file system holding
// netprobe, shared by the containers of a test.
type fixture struct {
	dir    string
	rootfs string
	rt     *crt.Runtime
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	if err := busyboxfs.Create(rootfs); err != nil {
		t.Fatal(err)
	}
	probe, err := os.ReadFile(netprobe(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin", "netprobe"), probe, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"hosts", "hostname", "resolv.conf"} {
		if err := os.WriteFile(filepath.Join(rootfs, "etc", f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rt, err := crt.New(filepath.Join(dir, "runtime"))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{dir: dir, rootfs: rootfs, rt: rt}
}

// spec is the container spec for att: its namespace (a new one when
// att has no path), its files bound over the image's, args as the
// process.
func (f *fixture) spec(t testing.TB, att *Attachment, args ...string) *specs.Spec {
	t.Helper()
	spec := crt.DefaultSpec()
	spec.Process.Terminal = false
	spec.Process.Args = args
	spec.Root.Path = f.rootfs
	spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
		return ns.Type == specs.NetworkNamespace
	})
	// A new namespace without a path; none for Host.
	if att.Network != Host {
		spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: att.NetnsPath})
	}
	if att.Files.Hostname != "" {
		b, err := os.ReadFile(att.Files.Hostname)
		if err != nil {
			t.Fatal(err)
		}
		spec.Hostname = strings.TrimSpace(string(b))
		for dst, src := range map[string]string{"/etc/hosts": att.Files.Hosts, "/etc/resolv.conf": att.Files.ResolvConf, "/etc/hostname": att.Files.Hostname} {
			spec.Mounts = append(spec.Mounts, specs.Mount{Destination: dst, Type: "bind", Source: src, Options: []string{"bind", "ro"}})
		}
	}
	return spec
}

// run runs args in a container on att to completion and returns its
// output and exit code.
func (f *fixture) run(t testing.TB, att *Attachment, args ...string) (string, int) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	out := collect(r)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id := "nt-" + randHex(t, 6)
	st, err := f.rt.Run(ctx, id, crt.CreateOptions{Bundle: f.dir, Spec: f.spec(t, att, args...), Stdio: crt.Stdio{Stdout: w, Stderr: w}})
	w.Close()
	text := out.all(t)
	if err != nil {
		t.Fatalf("running %v: %v (output %q)", args, err, text)
	}
	return text, st.Code
}

// started is a container running in the background.
type started struct {
	f   *fixture
	id  string
	out *output
}

// start starts args in a container on att; the test's end kills and
// deletes it.
func (f *fixture) start(t testing.TB, att *Attachment, args ...string) *started {
	t.Helper()
	c := f.create(t, att, args...)
	c.startCreated(t)
	return c
}

// startCreated starts a container made by create.
func (c *started) startCreated(t testing.TB) {
	t.Helper()
	if err := c.f.rt.Start(context.Background(), c.id); err != nil {
		t.Fatalf("starting container %s: %v", c.id, err)
	}
}

// create makes a container for args on att without starting it.
func (f *fixture) create(t testing.TB, att *Attachment, args ...string) *started {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := &started{f: f, id: "nt-" + randHex(t, 6), out: collect(r)}
	ctx := context.Background()
	p, err := f.rt.Create(ctx, c.id, crt.CreateOptions{Bundle: f.dir, Spec: f.spec(t, att, args...), Stdio: crt.Stdio{Stdout: w, Stderr: w}})
	if err != nil {
		t.Fatalf("creating a container for %v: %v", args, err)
	}
	t.Cleanup(func() {
		if err := f.rt.Delete(ctx, c.id, true); err != nil && !errors.Is(err, errdefs.ErrNotFound) {
			t.Errorf("deleting container %s: %v", c.id, err)
		}
		p.Wait()
	})
	return c
}

// output collects what a container writes to a pipe.
type output struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
}

func collect(r *os.File) *output {
	o := &output{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		defer r.Close()
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			o.mu.Lock()
			o.buf.Write(b[:n])
			o.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return o
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until the output contains s.
func (o *output) waitFor(t testing.TB, s string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !strings.Contains(o.String(), s) {
		select {
		case <-o.done:
			if !strings.Contains(o.String(), s) {
				t.Fatalf("output ended without %q: %q", s, o.String())
			}
			return
		case <-deadline:
			t.Fatalf("no %q in the output after 20s: %q", s, o.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// all waits until every writer closed the pipe and returns the output.
func (o *output) all(t testing.TB) string {
	t.Helper()
	select {
	case <-o.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("output still open after 30s: %q", o.String())
	}
	return strings.TrimSpace(o.String())
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
