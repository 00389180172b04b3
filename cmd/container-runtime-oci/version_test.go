package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// The Makefile's -ldflags reach --version, in runc's three lines.
func TestVersionLinkTime(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	bin := filepath.Join(t.TempDir(), progName)
	pkg := "github.com/container-runtime/container-runtime/internal/version"
	out, err := exec.Command("go", "build", "-o", bin,
		"-ldflags", "-X "+pkg+".Version=v1.2.3-4-gabcdef0-dirty -X "+pkg+".Commit="+commit, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	r := runBinary(t, bin, "", "--version")
	want := progName + " version v1.2.3-4-gabcdef0-dirty\ncommit: " + commit + "\nspec: " + specs.Version + "\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("--version: exit %d, %q; want %q", r.code, r.stdout, want)
	}
}

// Without -ldflags the commit is the toolchain's VCS stamp when there is
// one (a git checkout built without -buildvcs=false), else "unknown";
// never empty.
func TestVersionWithoutLdflags(t *testing.T) {
	r := runBinary(t, buildBinary(t), "", "--version")
	re := regexp.MustCompile(`^` + progName + ` version dev\ncommit: ([0-9a-f]{40}(-dirty)?|unknown)\nspec: ` +
		regexp.QuoteMeta(specs.Version) + `\n$`)
	if r.code != 0 || !re.MatchString(r.stdout) {
		t.Errorf("--version: exit %d, %q; want dev, a commit or unknown, and the spec version", r.code, r.stdout)
	}
}

func TestCheckpointRestoreUnsupported(t *testing.T) {
	for _, args := range [][]string{
		{"checkpoint", "--image-path", "/tmp/x", "--leave-running", "ctr"},
		{"restore", "--image-path", "/tmp/x", "--bundle", "/b", "ctr"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"--root", filepath.Join(t.TempDir(), "state")}, args...), &stdout, &stderr)
		msg := stderr.String()
		if code != 1 || !strings.Contains(msg, `"`+args[0]+`" is not supported`) ||
			!strings.Contains(msg, "checkpoint/restore needs CRIU support, which this runtime does not implement") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and a message that CRIU support is not implemented", args, code, msg)
		}
	}
}

func TestSystemdCgroupRefused(t *testing.T) {
	noSystemd := systemdCgroupError(false)
	if !errors.Is(noSystemd, errdefs.ErrUnavailable) ||
		!strings.Contains(noSystemd.Error(), "systemd is not running as PID 1; --systemd-cgroup needs it") {
		t.Errorf("without systemd: %v", noSystemd)
	}
	withSystemd := systemdCgroupError(true)
	if !errors.Is(withSystemd, errors.ErrUnsupported) ||
		!strings.Contains(withSystemd.Error(), "does not implement systemd's cgroup driver") {
		t.Errorf("with systemd: %v", withSystemd)
	}
	// Every command refuses it on this host, before touching anything.
	want := systemdCgroupError(systemdRunning()).Error()
	for _, args := range [][]string{{"list"}, {"create", "--bundle", t.TempDir(), "ctr"}, {"delete", "ctr"}} {
		var stdout, stderr bytes.Buffer
		root := filepath.Join(t.TempDir(), "state")
		code := run(context.Background(), append([]string{"--root", root, "--systemd-cgroup"}, args...), &stdout, &stderr)
		if code != 1 || stderr.String() != progName+": "+want+"\n" {
			t.Errorf("--systemd-cgroup %v: exit %d, stderr %q; want 1 and %q", args, code, stderr.String(), want)
		}
	}
}
