package security

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestCVE_2014_6407_DockerBuildContextEscape guards the Docker Engine
// API's POST /build, whose body is a build context tar that the daemon
// unpacks as root. The CVE class: an archive whose symlinks, hard links
// or ".." names make the extraction write outside its directory (Docker
// before 1.3.2 let an image archive write anywhere on the host). The
// attack sends contexts that (1) plant a symlink to a host directory and
// then a file through it, (2) name a file with a ".." chain to the host
// directory, (3) hard-link a host file and then write into the link, and
// (4) name a Dockerfile that is a symlink to a host file. It fails if any
// host file is created or changed, or if the daemon leaves a context
// directory behind.
func TestCVE_2014_6407_DockerBuildContextEscape(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)
	victim := t.TempDir()
	target := filepath.Join(victim, "target")
	if err := os.WriteFile(target, []byte("host-secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dockerfile := tarEntry{name: "Dockerfile", body: "FROM busybox\nCOPY . /ctx\n"}
	cases := []struct {
		name    string
		query   string
		entries []tarEntry
	}{
		{"symlink then file through it", "", []tarEntry{dockerfile,
			{name: "link", link: victim, typ: tar.TypeSymlink},
			{name: "link/pwned", body: "pwned\n"}}},
		{"dot-dot name", "", []tarEntry{dockerfile,
			{name: strings.Repeat("../", 20) + strings.TrimPrefix(victim, "/") + "/pwned", body: "pwned\n"}}},
		{"hard link to a host file, then written", "", []tarEntry{dockerfile,
			{name: "hl", link: target, typ: tar.TypeLink},
			{name: "hl", body: "pwned\n"}}},
		{"Dockerfile symlink to a host file", "&dockerfile=df", []tarEntry{
			{name: "df", link: target, typ: tar.TypeSymlink}}},
	}
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", d.Socket)
	}}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := client.Post("http://docker/v1.41/build?t=attack"+tc.query, "application/x-tar", bytes.NewReader(tarOf(t, tc.entries)))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Logf("answer %d: %s", resp.StatusCode, body)
			if strings.Contains(string(body), "host-secret") {
				t.Errorf("the build read the host file: %s", body)
			}
			entries, _ := os.ReadDir(victim)
			if len(entries) != 1 {
				t.Errorf("the attack created files in the host directory: %v", entries)
			}
			if b, _ := os.ReadFile(target); string(b) != "host-secret\n" {
				t.Errorf("the host file was changed: %q", b)
			}
			left, _ := os.ReadDir(filepath.Join(d.Root, "build-contexts"))
			if len(left) != 0 {
				t.Errorf("build contexts left behind: %v", left)
			}
		})
	}
}

// tarEntry is one entry of a crafted build context.
type tarEntry struct {
	name, body, link string
	typ              byte
}

func tarOf(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: e.typ, Linkname: e.link}
		if e.typ == 0 {
			hdr.Typeflag = tar.TypeReg
		} else {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Size > 0 {
			io.WriteString(tw, e.body)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
