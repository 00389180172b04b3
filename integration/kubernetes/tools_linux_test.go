package kubernetes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// criToolsVersion is the pinned sigs.k8s.io/cri-tools release crictl and
// critest are built from (CRI v1; containerd 1.6 serves it).
const criToolsVersion = "v1.34.0"

// criToolsCache keeps the built tools between runs, keyed by version.
const criToolsCache = "/var/cache/container-runtime-test/bin/cri-tools-" + criToolsVersion

// buildTimeout bounds building one tool: the first build downloads
// cri-tools' dependencies from the module proxy (about five minutes here).
const buildTimeout = 15 * time.Minute

// criTool returns the path of crictl or critest at criToolsVersion,
// building it into criToolsCache when it is not there yet.
func criTool(t testing.TB, name string) string {
	t.Helper()
	bin := filepath.Join(criToolsCache, name)
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	goTool := testutil.RequireTool(t, "go")
	if err := os.MkdirAll(criToolsCache, 0o755); err != nil {
		t.Fatalf("creating %s: %v", criToolsCache, err)
	}
	tmp := fmt.Sprintf("%s.building-%d", bin, os.Getpid()) // another test process may build it too
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	var cmd *exec.Cmd
	switch name {
	case "crictl":
		tmpDir := t.TempDir()
		cmd = exec.CommandContext(ctx, goTool, "install", "sigs.k8s.io/cri-tools/cmd/crictl@"+criToolsVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+tmpDir)
		tmp = filepath.Join(tmpDir, "crictl")
	case "critest":
		// critest is a test binary: go test -c in the module's own
		// directory, so that its go.mod and go.sum pin every dependency.
		dir := moduleDir(t, ctx, goTool, "sigs.k8s.io/cri-tools@"+criToolsVersion)
		cmd = exec.CommandContext(ctx, goTool, "test", "-c", "-o", tmp, "./cmd/critest")
		cmd.Dir = dir
	default:
		t.Fatalf("criTool: unknown tool %q", name)
	}
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		testutil.Missing(t, "building %s %s from the Go module proxy: %v\n%s", name, criToolsVersion, err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		t.Fatalf("installing %s: %v", bin, err)
	}
	t.Logf("built %s %s in %v", name, criToolsVersion, time.Since(start).Round(time.Second))
	return bin
}

// moduleDir downloads module@version into the module cache and returns
// its directory there.
func moduleDir(t testing.TB, ctx context.Context, goTool, module string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, goTool, "mod", "download", "-json", module)
	cmd.Dir = os.TempDir() // outside this module: no go.mod to consult
	out, err := cmd.Output()
	if err != nil {
		testutil.Missing(t, "downloading %s from the Go module proxy: %v\n%s", module, err, out)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Fatalf("go mod download %s: %v %s\n%s", module, err, m.Error, out)
	}
	return m.Dir
}
