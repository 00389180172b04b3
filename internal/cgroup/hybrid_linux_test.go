package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/cgroups"

	"github.com/container-runtime/container-runtime/errdefs"
)

// fakeTree creates files (path relative to root -> content) under a temp
// dir and returns it.
func fakeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// hybridFiles is a cgroup2 tree of a hybrid host with only hugetlb, and the
// container's cgroup at ct/c1, as the kernel shows it once hugetlb is
// enabled on the way down. Files the code writes start empty: a regular
// file, unlike a cgroup file, keeps whatever a shorter write leaves behind.
func hybridFiles() map[string]string {
	return map[string]string{
		"cgroup.controllers":           "hugetlb\n",
		"cgroup.subtree_control":       "",
		"ct/cgroup.subtree_control":    "",
		"ct/c1/cgroup.subtree_control": "",
		"ct/c1/cgroup.max.descendants": "",
		"ct/c1/hugetlb.2MB.max":        "",
		"ct/c1/hugetlb.2MB.rsvd.max":   "",
	}
}

func TestSetV2FilesHugetlb(t *testing.T) {
	root := fakeTree(t, hybridFiles())
	dir := filepath.Join(root, "ct/c1")
	limits := []*cgroups.HugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}
	if err := setV2Files(root, dir, limits, nil); err != nil {
		t.Fatalf("setV2Files: %v", err)
	}
	for name, want := range map[string]string{
		"cgroup.subtree_control":       "+hugetlb",
		"ct/cgroup.subtree_control":    "+hugetlb",
		"ct/c1/cgroup.subtree_control": "", // the leaf's own children: untouched
		"ct/c1/hugetlb.2MB.max":        "4194304",
		"ct/c1/hugetlb.2MB.rsvd.max":   "4194304",
	} {
		if got := strings.TrimSpace(readFile(t, filepath.Join(root, name))); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// Controllers already enabled are not written again, and a kernel without
// the reservation file is fine.
func TestSetV2FilesAlreadyEnabled(t *testing.T) {
	files := hybridFiles()
	files["cgroup.subtree_control"] = "hugetlb\n"
	files["ct/cgroup.subtree_control"] = "hugetlb\n"
	delete(files, "ct/c1/hugetlb.2MB.rsvd.max")
	root := fakeTree(t, files)
	limits := []*cgroups.HugepageLimit{{Pagesize: "2MB", Limit: 2 << 20}}
	if err := setV2Files(root, filepath.Join(root, "ct/c1"), limits, nil); err != nil {
		t.Fatalf("setV2Files: %v", err)
	}
	if got := readFile(t, filepath.Join(root, "ct/cgroup.subtree_control")); got != "hugetlb\n" {
		t.Errorf("subtree_control rewritten: %q", got)
	}
	if got := readFile(t, filepath.Join(root, "ct/c1/hugetlb.2MB.max")); got != "2097152" {
		t.Errorf("hugetlb.2MB.max = %q", got)
	}
}

func TestSetV2FilesUnified(t *testing.T) {
	root := fakeTree(t, hybridFiles())
	dir := filepath.Join(root, "ct/c1")
	unified := map[string]string{
		"cgroup.max.descendants": "10",
		// A multi-line value goes out one line per write, without the
		// newlines; on a regular file the writes simply follow each other.
		"hugetlb.2MB.max": "1024\n2048\n",
	}
	if err := setV2Files(root, dir, nil, unified); err != nil {
		t.Fatalf("setV2Files: %v", err)
	}
	if got := readFile(t, filepath.Join(dir, "cgroup.max.descendants")); got != "10" {
		t.Errorf("cgroup.max.descendants = %q", got)
	}
	if got := readFile(t, filepath.Join(dir, "hugetlb.2MB.max")); got != "10242048" {
		t.Errorf("hugetlb.2MB.max = %q, want the two lines written separately", got)
	}
	if got := readFile(t, filepath.Join(root, "cgroup.subtree_control")); got != "+hugetlb" {
		t.Errorf("hugetlb not enabled for a hugetlb.* key: subtree_control = %q", got)
	}
}

func TestSetV2FilesRejects(t *testing.T) {
	tests := []struct {
		name    string
		dir     string
		hugetlb []*cgroups.HugepageLimit
		unified map[string]string
		kind    error
		want    string
	}{
		{"controller absent", "ct/c1", nil, map[string]string{"memory.high": "1"}, errdefs.ErrUnavailable,
			`linux.resources.unified["memory.high"]: controller "memory" is not available`},
		{"dir outside root", "../elsewhere", []*cgroups.HugepageLimit{{Pagesize: "2MB"}}, nil, errdefs.ErrInvalidArgument,
			"is not below the cgroup2 root"},
		{"unknown page size", "ct/c1", []*cgroups.HugepageLimit{{Pagesize: "1GB"}}, nil, errdefs.ErrUnavailable,
			"hugepageLimits 1GB: this host has no such huge page size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeTree(t, hybridFiles())
			err := setV2Files(root, filepath.Join(root, tt.dir), tt.hugetlb, tt.unified)
			if !errors.Is(err, tt.kind) || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("setV2Files: %v; want %v containing %q", err, tt.kind, tt.want)
			}
		})
	}
}

func TestSetV2FilesNoHugetlbAnywhere(t *testing.T) {
	files := hybridFiles()
	files["cgroup.controllers"] = ""
	root := fakeTree(t, files)
	err := setV2Files(root, filepath.Join(root, "ct/c1"), []*cgroups.HugepageLimit{{Pagesize: "2MB"}}, nil)
	if !errors.Is(err, errdefs.ErrUnavailable) {
		t.Errorf("setV2Files: %v; want ErrUnavailable", err)
	}
}
