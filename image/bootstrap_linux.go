package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/internal/atomicfile"
	"github.com/container-runtime/container-runtime/internal/mounttree"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/archive"
	"github.com/container-runtime/container-runtime/internal/privdir"
)

// BootstrapOptions configure Bootstrap. Zero fields take the defaults.
type BootstrapOptions struct {
	// Suite is the Debian release (default "bookworm").
	Suite string
	// Variant is the debootstrap variant (default "minbase").
	Variant string
	// Mirror is the Debian mirror (default: the first deb source of the
	// host's apt configuration serving Suite, else FallbackMirror).
	Mirror string
	// CacheDir keeps what makes the next bootstrap fast (default
	// <root>/cache/debootstrap): the downloaded packages (debootstrap
	// --cache-dir) and the root filesystem debootstrap produced, as a tar
	// named by suite, variant, architecture and mirror. Stores on one
	// machine can share it.
	CacheDir string
	// Name is the image name (default "base").
	Name string
	// Progress receives debootstrap's output as it runs, and what
	// Bootstrap does; nil discards it.
	Progress io.Writer
	// Refresh runs debootstrap even when CacheDir holds a root filesystem
	// from an earlier bootstrap (the package cache is still used), to pick
	// up package updates.
	Refresh bool
	// Debootstrap is the program to run (default "debootstrap" in PATH).
	Debootstrap string
}

func (o *BootstrapOptions) setDefaults(s *Store) {
	if o.Suite == "" {
		o.Suite = "bookworm"
	}
	if o.Variant == "" {
		o.Variant = "minbase"
	}
	if o.Mirror == "" {
		o.Mirror = hostMirror("/etc/apt", o.Suite)
	}
	if o.CacheDir == "" {
		o.CacheDir = filepath.Join(s.Root(), "cache", "debootstrap")
	}
	if o.Name == "" {
		o.Name = "base"
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.Debootstrap == "" {
		o.Debootstrap = "debootstrap"
	}
}

// Bootstrap makes the Debian base image with debootstrap, unless an image
// named opts.Name exists already, which is returned unchanged. The root
// filesystem becomes one layer; the config sets PATH, Cmd /bin/bash and this
// machine's platform. A root filesystem cached by an earlier bootstrap with
// the same suite, variant, mirror and architecture is reused (seconds
// instead of a minute) unless opts.Refresh. On failure nothing is
// registered, and the error ends with debootstrap's last output lines.
func Bootstrap(ctx context.Context, s *Store, opts BootstrapOptions) (Image, error) {
	opts.setDefaults(s)
	name, err := NormalizeName(opts.Name)
	if err != nil {
		return Image{}, fmt.Errorf("bootstrapping base image: %w", err)
	}
	if img, err := s.Image(ctx, name); err == nil {
		fmt.Fprintf(opts.Progress, "Image %s exists (%s); not bootstrapping again\n", name, img.ID.Encoded()[:12])
		return img, nil
	} else if !errors.Is(err, errdefs.ErrNotFound) {
		return Image{}, fmt.Errorf("bootstrapping base image: %w", err)
	}
	cacheDir, err := filepath.Abs(opts.CacheDir)
	if err != nil {
		return Image{}, fmt.Errorf("bootstrapping base image: %w", err)
	}
	if err := privdir.MkdirAll(cacheDir); err != nil {
		return Image{}, fmt.Errorf("bootstrapping base image: creating cache directory: %w", err)
	}
	// Bootstraps sharing a cache directory (two stores, two test
	// packages, two daemons) take turns: debootstrap's package cache is
	// not safe for concurrent use, and the second one then finds the
	// root filesystem the first one cached.
	unlock, err := lockDir(ctx, cacheDir)
	if err != nil {
		return Image{}, fmt.Errorf("bootstrapping base image: %w", err)
	}
	defer unlock()
	ctx, release := s.WithLease(ctx)
	defer release()

	rootfsCache := filepath.Join(cacheDir, rootfsCacheName(opts))
	var layer Layer
	if f, err := os.Open(rootfsCache); err == nil && !opts.Refresh {
		fmt.Fprintf(opts.Progress, "Using the root filesystem cached in %s\n", rootfsCache)
		layer, err = s.ApplyTar(ctx, f)
		f.Close()
		if err != nil {
			fmt.Fprintf(opts.Progress, "The cached root filesystem is unusable (%v); running debootstrap\n", err)
			os.Remove(rootfsCache)
		}
	}
	if layer.DiffID == "" {
		if layer, err = debootstrap(ctx, s, opts, cacheDir); err != nil {
			return Image{}, err
		}
		if err := cacheRootfs(ctx, s.LayerDir(layer.DiffID), rootfsCache); err != nil {
			// The image is fine; only the next bootstrap will be slow.
			fmt.Fprintf(opts.Progress, "Warning: not caching the root filesystem: %v\n", err)
		}
	}

	now := time.Now().UTC()
	img := Image{
		Layers:  []digest.Digest{layer.DiffID},
		Created: now,
		Config: ocispec.Image{
			Platform: ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH},
			Config: ocispec.ImageConfig{
				Env: []string{"PATH=" + DefaultPath},
				Cmd: []string{"/bin/bash"},
			},
			History: []ocispec.History{{
				Created:   &now,
				CreatedBy: fmt.Sprintf("debootstrap --variant=%s %s %s", opts.Variant, opts.Suite, opts.Mirror),
				Comment:   "container-runtime bootstrap",
			}},
		},
	}
	out, err := s.CreateImage(ctx, img, name)
	if err != nil {
		return Image{}, fmt.Errorf("bootstrapping base image: %w", err)
	}
	fmt.Fprintf(opts.Progress, "Bootstrapped %s: %s\n", name, out.ID)
	return out, nil
}

// debootstrap runs debootstrap into a new layer and commits it.
func debootstrap(ctx context.Context, s *Store, opts BootstrapOptions, cacheDir string) (Layer, error) {
	w, err := s.NewLayer(ctx)
	if err != nil {
		return Layer{}, fmt.Errorf("bootstrapping base image: %w", err)
	}
	layer, err := runDebootstrap(ctx, w, opts, cacheDir)
	if err != nil {
		w.Abort()
		return Layer{}, fmt.Errorf("bootstrapping base image: %w", err)
	}
	return layer, nil
}

func runDebootstrap(ctx context.Context, w *LayerWriter, opts BootstrapOptions, cacheDir string) (Layer, error) {
	if _, err := exec.LookPath(opts.Debootstrap); err != nil {
		return Layer{}, fmt.Errorf("%w: %w (install the debootstrap package)", errdefs.ErrUnavailable, err)
	}
	target := w.Dir()
	args := []string{"--variant=" + opts.Variant, "--cache-dir=" + cacheDir, opts.Suite, target, opts.Mirror}
	fmt.Fprintf(opts.Progress, "Running %s %s\n", opts.Debootstrap, strings.Join(args, " "))
	tail := &tailWriter{max: 20}
	out := io.MultiWriter(opts.Progress, tail)
	cmd := exec.CommandContext(ctx, opts.Debootstrap, args...)
	cmd.Stdout, cmd.Stderr = out, out
	// debootstrap runs dpkg in a chroot and mounts /proc and /sys there;
	// cancelling kills the whole process group, and the mounts it leaves
	// are undone before anything is removed (Abort, or Open after a crash).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	runErr := cmd.Run()
	if err := mounttree.Unmount(target); err != nil {
		return Layer{}, err
	}
	if runErr != nil {
		if ctx.Err() != nil {
			return Layer{}, ctx.Err()
		}
		return Layer{}, fmt.Errorf("debootstrap %s %s from %s: %w; last output:\n%s", opts.Variant, opts.Suite, opts.Mirror, runErr, tail.String())
	}
	fmt.Fprintf(opts.Progress, "debootstrap finished in %s\n", time.Since(start).Round(time.Second))
	// The packages are in CacheDir; like Debian's own container images,
	// the base image does not carry them a second time.
	debs, _ := filepath.Glob(filepath.Join(target, "var/cache/apt/archives/*.deb"))
	for _, d := range debs {
		if err := os.Remove(d); err != nil {
			return Layer{}, fmt.Errorf("cleaning the package cache of the image: %w", err)
		}
	}
	layer, err := w.Commit(ctx)
	if err != nil {
		return Layer{}, err
	}
	return layer, nil
}

// rootfsCacheName names the cached root filesystem for these options.
func rootfsCacheName(o BootstrapOptions) string {
	sum := sha256.Sum256([]byte(o.Mirror))
	return fmt.Sprintf("rootfs-%s-%s-%s-%s.tar", o.Suite, o.Variant, runtime.GOARCH, hex.EncodeToString(sum[:])[:12])
}

// cacheRootfs writes the layer to path as a tar (through a temporary name,
// so a crash never leaves a truncated cache).
func cacheRootfs(ctx context.Context, layerDir, path string) error {
	return atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		return archive.WriteDiff(ctx, w, layerDir)
	})
}

// tailWriter keeps the last max lines written to it.
type tailWriter struct {
	max     int
	lines   []string
	partial string
}

func (t *tailWriter) Write(p []byte) (int, error) {
	text := t.partial + string(p)
	parts := strings.Split(text, "\n")
	t.partial = parts[len(parts)-1]
	for _, l := range parts[:len(parts)-1] {
		t.lines = append(t.lines, l)
		if len(t.lines) > t.max {
			t.lines = t.lines[1:]
		}
	}
	return len(p), nil
}

func (t *tailWriter) String() string {
	lines := t.lines
	if t.partial != "" {
		lines = append(lines, t.partial)
	}
	return strings.Join(lines, "\n")
}

// lockDir takes an exclusive flock on dir/.lock, waiting until it is free
// or ctx ends, and returns how to release it.
func lockDir(ctx context.Context, dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", dir, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
