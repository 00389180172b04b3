package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

func TestRecordedNetRoundTrip(t *testing.T) {
	cfg := benchNet("/x/root", 4242)
	got, err := recordNet(cfg).config()
	if err != nil {
		t.Fatal(err)
	}
	if got.StateDir != cfg.StateDir || got.BridgeName != cfg.BridgeName || got.Subnet != cfg.Subnet ||
		got.NFTable != cfg.NFTable || got.BridgePrefix != cfg.BridgePrefix ||
		len(got.AddressPools) != 1 || got.AddressPools[0] != cfg.AddressPools[0] {
		t.Errorf("round trip: %+v, want %+v", got, cfg)
	}
	if len(cfg.BridgeName) > 15 {
		t.Errorf("bridge name %q longer than IFNAMSIZ-1", cfg.BridgeName)
	}
	if cfg.BridgeName == "crt0" || cfg.NFTable == "container-runtime" {
		t.Errorf("the benchmark's daemon would share the installed daemon's network: %+v", cfg)
	}
}

// TestRemoveWorkKeepsLinkTargets guards the shared debootstrap cache: the
// work directory links to it, and removing the work directory must not
// remove what the link points to.
func TestRemoveWorkKeepsLinkTargets(t *testing.T) {
	shared := t.TempDir()
	keep := filepath.Join(shared, "rootfs.tar")
	if err := os.WriteFile(keep, []byte("cache"), 0o644); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(t.TempDir(), "work")
	link := filepath.Join(work, "ours", "root", "cache", "debootstrap")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(shared, link); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, recordName), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := host.RemoveDir(work, recordName); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(work); !os.IsNotExist(err) {
		t.Errorf("work directory left: %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("the link's target lost its file: %v", err)
	}
}

func TestNewPathsAndRemoveNew(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old")
	if err := os.Mkdir(old, 0o755); err != nil {
		t.Fatal(err)
	}
	fresh, freshFile := filepath.Join(dir, "fresh"), filepath.Join(dir, "fresh", "f")
	before := existed(old, fresh, freshFile)
	if err := os.MkdirAll(fresh, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(freshFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got := newPaths(before)
	if len(got) != 2 || got[0] != fresh || got[1] != freshFile {
		t.Fatalf("newPaths = %v, want [%s %s]", got, fresh, freshFile)
	}
	removeNew(got)
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("%s left: %v", fresh, err)
	}
	if _, err := os.Stat(old); err != nil {
		t.Errorf("%s removed: %v", old, err)
	}
}
