package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// readProgress reads one NDJSON progress line.
func readProgress(t testing.TB, br *bufio.Reader) api.Progress {
	t.Helper()
	line, err := br.ReadBytes('\n')
	if err != nil {
		t.Fatalf("reading a progress line: %v", err)
	}
	var p api.Progress
	if err := json.Unmarshal(line, &p); err != nil {
		t.Fatalf("progress line %q: %v", line, err)
	}
	return p
}

func TestBuildProgressStreams(t *testing.T) {
	// The build waits until the client has read its first lines: they
	// must reach the client while the build still runs.
	release := make(chan struct{})
	var got api.BuildRequest
	d := startDaemon(t, Config{Images: &fakeImages{
		build: func(ctx context.Context, req api.BuildRequest, p io.Writer) (string, error) {
			got = req
			fmt.Fprintf(p, "Step 1/2 : FROM base\n")
			fmt.Fprintf(p, " ---> CACHED\n")
			select {
			case <-release:
			case <-ctx.Done():
				return "", ctx.Err()
			}
			fmt.Fprintf(p, "Step 2/2 : RUN make\n")
			return "sha256:1234", nil
		},
	}})
	resp := d.do(t, "POST", "/v1/build", strings.NewReader(`{"tags":["app"],"dockerfile":"/src/Dockerfile","buildArgs":{"V":"1"}}`))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentNDJSON {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(resp.Body)
	if p := readProgress(t, br); p.Step != 1 || p.Steps != 2 || p.Stream != "Step 1/2 : FROM base\n" {
		t.Fatalf("first line %+v", p)
	}
	if p := readProgress(t, br); !p.Cached {
		t.Fatalf("second line %+v, want cached", p)
	}
	close(release)
	if p := readProgress(t, br); p.Step != 2 {
		t.Fatalf("third line %+v", p)
	}
	if p := readProgress(t, br); p.ID != "sha256:1234" || p.Error != nil {
		t.Fatalf("last line %+v, want the id", p)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("data after the last line: %v", err)
	}
	if got.Tags[0] != "app" || got.Dockerfile != "/src/Dockerfile" || got.BuildArgs["V"] != "1" {
		t.Fatalf("the service got %+v", got)
	}
}

func TestBuildFailures(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		build  func(context.Context, api.BuildRequest, io.Writer) (string, error)
		status int
		// lastErr is the error kind on the stream's last line (status 200).
		lastErr api.ErrorKind
	}{
		{
			name:   "relative path",
			body:   `{"dockerfile":"Dockerfile"}`,
			status: http.StatusBadRequest,
		},
		{
			name: "fails before any output",
			body: `{"dockerfile":"/src/Dockerfile"}`,
			build: func(context.Context, api.BuildRequest, io.Writer) (string, error) {
				return "", fmt.Errorf("/src/Dockerfile: %w", errdefs.ErrNotFound)
			},
			status: http.StatusNotFound,
		},
		{
			name: "fails midway",
			body: `{"dockerfile":"/src/Dockerfile"}`,
			build: func(_ context.Context, _ api.BuildRequest, p io.Writer) (string, error) {
				fmt.Fprintf(p, "Step 1/1 : RUN false\n")
				return "", fmt.Errorf("/src/Dockerfile:1: RUN false: exit code 1: %w", errdefs.ErrInvalidArgument)
			},
			status:  http.StatusOK,
			lastErr: api.KindInvalidArgument,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDaemon(t, Config{Images: &fakeImages{build: tt.build}})
			resp := d.do(t, "POST", "/v1/build", strings.NewReader(tt.body))
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status != http.StatusOK {
				apiError(t, resp)
				return
			}
			br := bufio.NewReader(resp.Body)
			readProgress(t, br)
			p := readProgress(t, br)
			if p.Error == nil || p.Error.Kind != tt.lastErr || !strings.Contains(p.Error.Message, "exit code 1") {
				t.Fatalf("last line %+v, want error kind %s", p, tt.lastErr)
			}
		})
	}
}

func TestImportStreamsBodyWhileAnswering(t *testing.T) {
	const size = 8 << 20 // far over the JSON limit: import bodies are unbounded
	d := startDaemon(t, Config{Images: &fakeImages{
		imp: func(_ context.Context, r io.Reader, name string, p io.Writer) (string, error) {
			fmt.Fprintf(p, "Importing\n") // before the body is read
			n, err := io.Copy(io.Discard, r)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s:%d", name, n), nil
		},
	}})
	resp := d.do(t, "POST", "/v1/images/import?name=rootfs", io.LimitReader(zeros{}, size))
	br := bufio.NewReader(resp.Body)
	readProgress(t, br)
	if p := readProgress(t, br); p.ID != fmt.Sprintf("rootfs:%d", size) {
		t.Fatalf("last line %+v", p)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestExportErrorsBeforeDataGetAStatus(t *testing.T) {
	d := startDaemon(t, Config{Images: &fakeImages{
		export: func(_ context.Context, ref string, w io.Writer) error {
			if ref != "base" {
				return fmt.Errorf("image %q: %w", ref, errdefs.ErrNotFound)
			}
			_, err := io.WriteString(w, "tar bytes")
			return err
		},
	}})
	resp := d.do(t, "GET", "/v1/images/nope/export", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing image: status %d", resp.StatusCode)
	}
	resp = d.do(t, "GET", "/v1/images/base/export", nil)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentTar || string(b) != "tar bytes" {
		t.Fatalf("export: status %d, type %q, body %q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}

func TestLogsFrames(t *testing.T) {
	var opts LogsOptions
	d := startDaemon(t, Config{Containers: &fakeContainers{
		logs: func(_ context.Context, _ string, o LogsOptions, w FrameWriter) error {
			opts = o
			if err := w.WriteFrame(api.Stdout, []byte("out\n")); err != nil {
				return err
			}
			// A payload over api.MaxFrame is split.
			return w.WriteFrame(api.Stderr, make([]byte, api.MaxFrame+1))
		},
	}})
	resp := d.do(t, "GET", "/v1/containers/c/logs?tail=5&timestamps=1&since=1700000000", nil)
	if resp.Header.Get("Content-Type") != contentFrames {
		t.Fatalf("Content-Type %q", resp.Header.Get("Content-Type"))
	}
	want := []struct {
		stream byte
		size   int
	}{{api.Stdout, 4}, {api.Stderr, api.MaxFrame}, {api.Stderr, 1}}
	for i, w := range want {
		s, p, err := api.ReadFrame(resp.Body, nil)
		if err != nil || s != w.stream || len(p) != w.size {
			t.Fatalf("frame %d: stream %d, %d bytes, %v; want stream %d, %d bytes", i, s, len(p), err, w.stream, w.size)
		}
	}
	if !opts.Stdout || !opts.Stderr || opts.Tail != 5 || !opts.Timestamps || opts.Follow || opts.Since.Unix() != 1700000000 {
		t.Fatalf("options %+v", opts)
	}
}
