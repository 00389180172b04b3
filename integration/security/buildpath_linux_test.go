package security

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// hostSecret writes a root-only file with shadow-like content outside any
// build context and returns its path and the secret in it.
func hostSecret(t *testing.T) (path, secret string) {
	t.Helper()
	secret = "s3cr3t-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	path = filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(path, []byte("root:$y$j9T$"+secret+":19700:0:99999:7:::\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, secret
}

// TestBuildPathTraversal_DockerfileOutsideContext guards against path
// traversal (CWE-22) through the build API: the daemon reads the
// Dockerfile with its own (root) privileges, so a client naming a host
// file as its Dockerfile, by an absolute path, a relative path climbing
// out of the context, or a symlink in the context, had it parsed and the
// start of its first line quoted in the error. Every such build must be
// refused before the file is read, and no error may carry its content.
func TestBuildPathTraversal_DockerfileOutsideContext(t *testing.T) {
	d := daemon.New(t)
	secretFile, secret := hostSecret(t)
	ctxDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte("FROM busybox\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secretFile, filepath.Join(ctxDir, "Dockerfile.link")); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(ctxDir, secretFile)
	if err != nil {
		t.Fatal(err)
	}
	for name, req := range map[string]api.BuildRequest{
		"absolute":         {ContextDir: ctxDir, Dockerfile: secretFile},
		"relative climb":   {ContextDir: ctxDir, Dockerfile: rel},
		"symlink":          {ContextDir: ctxDir, Dockerfile: "Dockerfile.link"},
		"absolute symlink": {ContextDir: ctxDir, Dockerfile: filepath.Join(ctxDir, "Dockerfile.link")},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := d.Client.Build(ctx, req, func(api.Progress) {})
			if err == nil {
				t.Fatalf("the build of %+v succeeded", req)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(strings.ToUpper(err.Error()), strings.ToUpper(secret)) {
				t.Fatalf("the error quotes the host file: %v", err)
			}
			if !strings.Contains(err.Error(), "outside the build context") && !strings.Contains(err.Error(), "no such file") {
				t.Errorf("the error does not say why: %v", err)
			}
		})
	}
}

// TestBuildPathTraversal_HostFileNotQuoted guards against information
// exposure through error messages (CWE-209), the attack of the security
// issue: POST /v1/build with "dockerfile":"/etc/shadow" (its context then
// is /etc, so the path rule alone does not stop it) answered
// "unknown instruction ROOT:$Y$...", the start of the hash. A file that is
// not a Dockerfile is refused naming its line, quoting nothing of it.
func TestBuildPathTraversal_HostFileNotQuoted(t *testing.T) {
	d := daemon.New(t)
	secretFile, secret := hostSecret(t)
	files := map[string]string{secretFile: secret}
	if b, err := os.ReadFile("/etc/shadow"); err == nil {
		first, _, _ := strings.Cut(string(b), "\n")
		if first != "" {
			files["/etc/shadow"] = first
		}
	}
	for path, content := range files {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err := d.Client.Build(ctx, api.BuildRequest{Dockerfile: path}, func(api.Progress) {})
		cancel()
		if err == nil {
			t.Errorf("%s built", path)
			continue
		}
		// Any run of 8 characters of the line is a leak (the hash, or
		// most of the first word).
		up := strings.ToUpper(err.Error())
		for i := 0; i+8 <= len(content); i++ {
			if strings.Contains(up, strings.ToUpper(content[i:i+8])) && !strings.Contains(strings.ToUpper(path), strings.ToUpper(content[i:i+8])) {
				t.Errorf("the error for %s quotes its content (%q): %v", path, content[i:i+8], err)
				break
			}
		}
		if !strings.Contains(err.Error(), path+":1:") {
			t.Errorf("the error for %s does not name its line: %v", path, err)
		}
	}
}

// TestHTTPDesync_TruncatedBodyAnswered guards against a request desync
// (the class of HTTP request smuggling, CWE-444, on our own socket): a
// client that sends less than its Content-Length and half-closes got an
// empty 200, as if its request had succeeded. It must get a 400 saying
// the body was cut short, and nothing may be created from the partial
// request: no container, and (for a load cut after its first layer) no
// image and no layer.
func TestHTTPDesync_TruncatedBodyAnswered(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	for name, body := range map[string]string{
		"cut JSON":              `{"image":"` + img + `","name":"desync1"`,
		"whole JSON, too short": `{"image":"` + img + `","name":"desync2"}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, err := net.Dial("unix", d.Socket)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			head := "POST /v1/containers HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: " +
				strconv.Itoa(len(body)+100) + "\r\n\r\n"
			if _, err := io.WriteString(c, head+body); err != nil {
				t.Fatal(err)
			}
			c.(*net.UnixConn).CloseWrite()
			c.SetReadDeadline(time.Now().Add(time.Minute))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			defer resp.Body.Close()
			var e api.Error
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
				t.Fatalf("%d answer without an error body: %v", resp.StatusCode, err)
			}
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(e.Message, "request body ended after") {
				t.Errorf("got %d %q, want 400 saying the body ended early", resp.StatusCode, e.Message)
			}
		})
	}
	t.Run("load stream", func(t *testing.T) {
		layersBefore := layerDirs(t, d.Root)
		full := dockerArchive(t, "desync:1", testImage{layers: [][]byte{
			layerTar(t, fileEntry("first", strings.Repeat("1", 64<<10), 0o644)),
			layerTar(t, fileEntry("second", strings.Repeat("2", 64<<10), 0o644)),
		}})
		// Cut in the middle of the second layer: the first is applied
		// by then.
		cut := full[:len(full)*3/4]
		c, err := net.Dial("unix", d.Socket)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		head := "POST /v1/images/load HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-tar\r\nContent-Length: " +
			strconv.Itoa(len(full)) + "\r\n\r\n"
		if _, err := c.Write(append([]byte(head), cut...)); err != nil {
			t.Fatal(err)
		}
		c.(*net.UnixConn).CloseWrite()
		c.SetReadDeadline(time.Now().Add(time.Minute))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		// Before the stream begins the answer is a 400; once progress
		// lines have gone out, the last line carries the error.
		lines := strings.Split(strings.TrimSpace(string(body)), "\n")
		last := lines[len(lines)-1]
		var msg string
		switch resp.StatusCode {
		case http.StatusBadRequest:
			var e api.Error
			json.Unmarshal([]byte(last), &e)
			msg = e.Message
		case http.StatusOK:
			var p api.Progress
			json.Unmarshal([]byte(last), &p)
			if p.Error != nil && p.Error.Kind == api.KindInvalidArgument {
				msg = p.Error.Message
			}
		}
		if !strings.Contains(msg, "request body ended after") {
			t.Fatalf("got %d %q, want the body's truncation reported", resp.StatusCode, body)
		}
		if r := d.Run(t, "image", "inspect", "desync:1"); r.Code == 0 {
			t.Errorf("an image was registered from a truncated load")
		}
		// The layer the load applied before the cut is rolled back.
		testutil.WaitFor(t, 30*time.Second, "the truncated load's layers rolled back", func() bool {
			return strings.Join(layerDirs(t, d.Root), " ") == strings.Join(layersBefore, " ")
		})
	})
	if r := d.Run(t, "inspect", "desync1"); r.Code == 0 {
		t.Errorf("a container was created from a truncated request")
	}
	if r := d.Run(t, "inspect", "desync2"); r.Code == 0 {
		t.Errorf("a container was created from a truncated request")
	}
}

// layerDirs lists the layer directories of the daemon's image store.
func layerDirs(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "layers"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
