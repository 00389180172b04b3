package distribution

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
)

// faultWriter passes a response through, except that it flips the byte
// at offset flip (if >= 0) and, when drop >= 0, stops after drop bytes and
// aborts the connection, as a network failure would.
type faultWriter struct {
	http.ResponseWriter
	off, flip, drop int
}

func (w *faultWriter) Write(p []byte) (int, error) {
	p = bytes.Clone(p)
	if w.flip >= w.off && w.flip < w.off+len(p) {
		p[w.flip-w.off] ^= 0xff
	}
	if w.drop >= 0 && w.off+len(p) > w.drop {
		w.ResponseWriter.Write(p[:w.drop-w.off])
		w.ResponseWriter.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	w.off += len(p)
	return w.ResponseWriter.Write(p)
}

// faultyBlobs applies a fault to the whole-blob GETs of blobs larger than
// 64 KiB (the busybox layer; not configs) while *times > 0, decrementing it;
// ranged GETs pass untouched unless noRange, which strips their Range
// header as a registry without range support would.
type faults struct {
	times   atomic.Int32
	flip    int
	drop    int
	noRange bool
	ranged  atomic.Int32
}

func (f *faults) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := isBlobGet(r); ok {
			if r.Header.Get("Range") != "" {
				f.ranged.Add(1)
				if f.noRange {
					r.Header.Del("Range")
				} else {
					next.ServeHTTP(w, r)
					return
				}
			}
			if f.times.Load() > 0 {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				if rec.Body.Len() > 64<<10 && f.times.Add(-1) >= 0 {
					for k, v := range rec.Header() {
						w.Header()[k] = v
					}
					w.WriteHeader(rec.Code)
					fw := &faultWriter{ResponseWriter: w, flip: f.flip, drop: f.drop}
					fw.Write(rec.Body.Bytes())
					return
				}
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				w.Write(rec.Body.Bytes())
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// pushedBusybox pushes busyboxImage to reg and removes it locally.
func pushedBusybox(tb testing.TB, d *Service, reg *testRegistry) string {
	tb.Helper()
	name := reg.host + "/test/busybox:1"
	busyboxImage(tb, d.store, name)
	if _, err := d.Push(context.Background(), name, PushOptions{}); err != nil {
		tb.Fatalf("Push: %v", err)
	}
	removeAll(tb, d.store)
	return name
}

// TestCorruptBlob serves a layer with one byte changed: the pull fails
// with a digest mismatch, registers nothing, and works once the registry
// is fixed.
func TestCorruptBlob(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	f := &faults{flip: 40000, drop: -1}
	reg := newRegistry(t, f.wrap)
	d := newService(t, s, Config{})
	name := pushedBusybox(t, d, reg)
	f.times.Store(1 << 20)
	_, err := d.Pull(ctx, name, PullOptions{})
	if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "digest mismatch") {
		t.Fatalf("Pull of a corrupt layer: %v, want a digest mismatch", err)
	}
	assertNothingLeft(t, s)
	f.times.Store(0)
	if _, err := d.Pull(ctx, name, PullOptions{}); err != nil {
		t.Fatalf("Pull after the registry was fixed: %v", err)
	}
}

// TestDroppedConnection breaks the connection in the middle of a layer.
func TestDroppedConnection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		times   int32 // how many downloads break
		noRange bool
		wantErr bool
	}{
		{name: "resumed with a range request", times: 1},
		{name: "registry without range support", times: 2, noRange: true},
		{name: "more breaks than resumes", times: 1 << 20, noRange: true, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			f := &faults{flip: -1, drop: 100000, noRange: tc.noRange}
			reg := newRegistry(t, f.wrap)
			d := newService(t, s, Config{})
			name := pushedBusybox(t, d, reg)
			f.times.Store(tc.times)
			var retries atomic.Int32
			img, err := d.Pull(ctx, name, PullOptions{Progress: func(p Progress) {
				if p.Status == StatusRetrying {
					retries.Add(1)
				}
			}})
			if tc.wantErr {
				if !errors.Is(err, errdefs.ErrUnavailable) || !strings.Contains(err.Error(), "connection lost") {
					t.Fatalf("Pull: %v, want ErrUnavailable (connection lost)", err)
				}
				assertNothingLeft(t, s)
				f.times.Store(0)
				if img, err = d.Pull(ctx, name, PullOptions{}); err != nil {
					t.Fatalf("Pull once the network is back: %v", err)
				}
				checkBusyboxFiles(t, s, img)
				return
			}
			if err != nil {
				t.Fatalf("Pull: %v", err)
			}
			checkBusyboxFiles(t, s, img)
			if retries.Load() == 0 || f.ranged.Load() == 0 {
				t.Errorf("%d retries reported, %d range requests; want some", retries.Load(), f.ranged.Load())
			}
		})
	}
}

// TestDecompressionBomb pulls a layer that inflates past the limit.
func TestDecompressionBomb(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	reg := newRegistry(t, nil)
	name := reg.host + "/test/bomb:1"
	// 64 MiB of zeros compress to about 64 KiB.
	l := commitDir(t, s, func(dir string) error {
		f, err := os.Create(filepath.Join(dir, "zeros"))
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Truncate(64 << 20)
	})
	if _, err := s.CreateImage(ctx, imageOf(l.DiffID), name); err != nil {
		t.Fatal(err)
	}
	if _, err := newService(t, s, Config{}).Push(ctx, name, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	removeAll(t, s)
	d := newService(t, s, Config{Limits: Limits{MinLayerLimit: 1 << 20, MaxLayerRatio: 10}})
	_, err := d.Pull(ctx, name, PullOptions{})
	if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "decompression bomb") {
		t.Fatalf("Pull: %v, want the decompression limit", err)
	}
	assertNothingLeft(t, s)
}

// TestWrongDiffID pulls an image whose config lists a wrong DiffID: the
// layer is refused before it is committed.
func TestWrongDiffID(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	reg := newRegistry(t, nil)
	img, err := random.Image(4096, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.RootFS.DiffIDs[0] = v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(reg.host + "/test/wrong:1")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	_, err = newService(t, s, Config{}).Pull(ctx, ref.String(), PullOptions{})
	if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "its config says") {
		t.Fatalf("Pull: %v, want a DiffID mismatch", err)
	}
	// Not even an unreferenced layer: the check ran before the commit.
	if layers, _ := s.Layers(ctx); len(layers) != 0 {
		t.Errorf("layers committed: %v", layers)
	}
	assertNothingLeft(t, s)
}

// TestAbsurdSizes serves a manifest larger than the limit (with and
// without Content-Length) and a manifest announcing a huge config.
func TestAbsurdSizes(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	big := append(bytes.Repeat([]byte(" "), 5<<20), "{}"...)
	hugeConfig, _ := json.Marshal(ocispec.Manifest{
		MediaType: ocispec.MediaTypeImageManifest,
		Config: ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Size: 100 << 20,
			Digest: digest.Digest("sha256:" + strings.Repeat("0", 64))},
	})
	reg := newRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/v2/test/big/manifests/1":
				w.Header().Set("Content-Length", "5242882")
				w.Write(big)
			case "/v2/test/chunked/manifests/1":
				for i := 0; i < len(big); i += 1 << 20 {
					w.Write(big[i:min(i+1<<20, len(big))])
					w.(http.Flusher).Flush()
				}
			case "/v2/test/hugeconfig/manifests/1":
				w.Header().Set("Content-Type", ocispec.MediaTypeImageManifest)
				w.Write(hugeConfig)
			default:
				next.ServeHTTP(w, r)
			}
		})
	})
	d := newService(t, s, Config{})
	for _, repo := range []string{"big", "chunked", "hugeconfig"} {
		t.Run(repo, func(t *testing.T) {
			_, err := d.Pull(ctx, reg.host+"/test/"+repo+":1", PullOptions{})
			if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "exceeds the limit") {
				t.Fatalf("Pull: %v, want a size limit error", err)
			}
		})
	}
	if n := reg.count("GET", "/blobs/"); n != 0 {
		t.Errorf("%d blob GETs; the huge config should not have been fetched", n)
	}
}

// TestUnreachable pulls from a registry that is not there.
func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	d := New(nil, Config{})
	_, err := d.Pull(context.Background(), host+"/test/x:1", PullOptions{})
	if !errors.Is(err, errdefs.ErrUnavailable) {
		t.Fatalf("Pull: %v, want ErrUnavailable", err)
	}
	_, err = d.Pull(context.Background(), host+"/test/x:1", PullOptions{})
	if !errors.Is(err, errdefs.ErrUnavailable) {
		t.Fatalf("second Pull: %v, want ErrUnavailable", err)
	}
}

// TestSchemePolicy: plain HTTP goes only to loopback and to the registry
// named insecure.
func TestSchemePolicy(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	inner := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		sent = append(sent, r.URL.String())
		mu.Unlock()
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})
	p := schemePolicy{inner: inner, insecure: "10.0.0.5:5000"}
	for _, tc := range []struct {
		url     string
		allowed bool
	}{
		{"http://127.0.0.1:5000/v2/", true},
		{"http://localhost/v2/", true},
		{"http://[::1]:80/v2/", true},
		{"http://10.0.0.5:5000/v2/", true},
		{"http://10.0.0.6:5000/v2/", false},
		{"http://192.168.1.1/v2/", false},
		{"http://registry.local/v2/", false},
		{"https://10.0.0.6:5000/v2/", true},
	} {
		t.Run(tc.url, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
			_, err := p.RoundTrip(req)
			if tc.allowed != (err == nil) {
				t.Errorf("RoundTrip(%s): %v, want allowed=%t", tc.url, err, tc.allowed)
			}
			if err != nil && !errors.Is(err, ErrPlainHTTP) {
				t.Errorf("error %v is not ErrPlainHTTP", err)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if slices.Contains(sent, "http://192.168.1.1/v2/") {
		t.Errorf("a refused request was sent: %v", sent)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
