package builder

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/snapshot"
	digest "github.com/opencontainers/go-digest"
)

// withNewLayer lets fill write into a new layer directory and puts the
// layer on the image. A layer fill left empty is dropped rather than
// committed (the rule for every step: no empty layers); created says
// whether a layer was added. On error the layer is aborted.
func (s *stageRun) withNewLayer(ctx context.Context, fill func(upper, work string) error) (created bool, err error) {
	w, err := s.r.b.Store.NewLayer(ctx)
	if err != nil {
		return false, fmt.Errorf("creating a layer: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			if aerr := w.Abort(); aerr != nil && err == nil {
				err = fmt.Errorf("discarding a layer: %w", aerr)
			}
		}
	}()
	if err := fill(w.Dir(), w.WorkDir()); err != nil {
		return false, err
	}
	entries, err := os.ReadDir(w.Dir())
	if err != nil {
		return false, fmt.Errorf("reading new layer: %w", err)
	}
	if len(entries) == 0 {
		return false, nil
	}
	layer, err := w.Commit(ctx)
	if err != nil {
		return false, fmt.Errorf("committing a layer: %w", err)
	}
	committed = true
	s.state.addLayer(layer.DiffID)
	return true, nil
}

// withMountedLayers mounts layers (bottom first) read-only on a temporary
// directory for fn.
func (s *stageRun) withMountedLayers(ctx context.Context, layers []digest.Digest, fn func(root string) error) error {
	lowers := s.r.b.Store.LowerDirs(layers)
	if len(lowers) == 0 {
		// An image without layers (FROM scratch): an empty tree.
		empty, err := s.r.b.mountPoint("empty-", "an empty root")
		if err != nil {
			return err
		}
		defer os.Remove(empty)
		return fn(empty)
	}
	return s.mountOverlay(ctx, lowers, "", "", fn)
}

// mountOverlay mounts lowers (top first) with upper and work (both empty:
// read-only) on a new directory under the builder's mount directory, calls
// fn with it, and unmounts it.
func (s *stageRun) mountOverlay(ctx context.Context, lowers []string, upper, work string, fn func(root string) error) (err error) {
	target, err := s.r.b.mountPoint("rootfs-", "a mount point")
	if err != nil {
		return err
	}
	defer os.Remove(target)
	if err := snapshot.Mount(ctx, target, lowers, upper, work); err != nil {
		if os.Geteuid() != 0 {
			err = withKind(err, errdefs.ErrUnavailable)
		}
		return fmt.Errorf("mounting the image on %s: %w", target, err)
	}
	defer func() {
		if uerr := snapshot.Unmount(target); uerr != nil && err == nil {
			err = fmt.Errorf("unmounting %s: %w", target, uerr)
		}
	}()
	return fn(target)
}

// ensureDir makes the in-image directory p exist (WORKDIR), adding a layer
// when the image does not have it. created says whether it did.
func (s *stageRun) ensureDir(ctx context.Context, p string) (bool, error) {
	view := layerView{dirs: s.lowerDirs()}
	if _, fi, err := view.stat(p); err == nil {
		if !fi.IsDir() {
			return false, fmt.Errorf("WORKDIR %s: not a directory in the image: %w", p, errdefs.ErrInvalidArgument)
		}
		return false, nil
	}
	return s.withNewLayer(ctx, func(upper, _ string) error {
		_, err := newLayerWriter(upper, s.lowerDirs()).dir(p, 0o755, owner{})
		return err
	})
}

// execRun runs rs.argv in a container on the image so far (through the
// Runner) with the new layer as the upper directory of its root
// filesystem, and puts the layer on the image. A failing command fails
// the step with its exit code and the tail of its output; its layer is
// discarded. The step's mounts are staged before and released after it,
// and the mount points the runtime had to create for them are removed
// from the layer: nothing of a mount is part of the image.
func (s *stageRun) execRun(ctx context.Context, rs runSpec) error {
	r := s.r
	argv := rs.argv
	if r.b.Runner == nil {
		return fmt.Errorf("RUN: the builder has no runner: %w", errdefs.ErrUnavailable)
	}
	cwd := s.state.Config.Config.WorkingDir
	if cwd == "" {
		cwd = "/"
	}
	tail := newTailBuffer(64 << 10)
	out := &syncWriter{w: multiWriter{r.out, tail}}
	created, err := s.withNewLayer(ctx, func(upper, work string) (err error) {
		// As Docker does, a working directory the image lacks is made
		// (in the step's layer) rather than failing the step.
		if _, _, err := (layerView{dirs: s.lowerDirs()}).stat(cwd); err != nil {
			if _, err := newLayerWriter(upper, s.lowerDirs()).dir(cwd, 0o755, owner{}); err != nil {
				return fmt.Errorf("RUN: creating working directory %s: %w", cwd, err)
			}
		}
		staged, err := s.stageMounts(ctx, rs.mounts, rs.script)
		if err != nil {
			return err
		}
		defer func() {
			if rerr := staged.release(); rerr != nil && err == nil {
				err = rerr
			}
		}()
		stubs := mountStubs(staged.specs, upper, s.lowerDirs())
		err = s.mountOverlay(ctx, s.lowerDirs(), upper, work, func(root string) error {
			code, err := r.b.Runner.Run(ctx, RunRequest{
				Rootfs:   root,
				Args:     argv,
				Env:      rs.env,
				Cwd:      cwd,
				User:     s.state.Config.Config.User,
				Network:  rs.network,
				Hostname: "build",
				Mounts:   staged.specs,
				Stdout:   out,
				Stderr:   out,
			})
			if err != nil {
				return fmt.Errorf("RUN: running %s: %w", jsonString(argv), err)
			}
			if code != 0 {
				return &runError{argv: argv, code: code, tail: tail.lines(tailLines)}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := removeMountStubs(upper, stubs); err != nil {
			return err
		}
		return pruneMountPoints(upper, s.lowerDirs())
	})
	if err != nil {
		return err
	}
	s.state.addHistory("RUN "+jsonString(argv), !created, time.Now())
	return nil
}

// runtimeMountPoints are the directories a container runtime creates in a
// root filesystem that lacks them, to mount /proc, /sys and /dev on.
func runtimeMountPoints() []string { return []string{"dev", "proc", "sys"} }

// pruneMountPoints removes from a RUN step's layer the empty mount-point
// directories the runtime created because the image lacked them (an image
// built on busybox or scratch): they belong to the container, not to the
// image, as Docker keeps them in its uncommitted init layer.
func pruneMountPoints(upper string, lowers []string) error {
	view := layerView{dirs: lowers}
	for _, name := range runtimeMountPoints() {
		if _, _, err := view.lstat("/" + name); err == nil {
			continue
		}
		p := filepath.Join(upper, name)
		fi, err := os.Lstat(p)
		if err != nil || !fi.IsDir() {
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil || len(entries) > 0 {
			continue
		}
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("removing mount point %s from the layer: %w", p, err)
		}
	}
	return nil
}

// runError is a RUN whose command exited non-zero.
type runError struct {
	argv []string
	code int
	tail string
}

func (e *runError) Error() string {
	msg := fmt.Sprintf("RUN %s failed with exit code %d", jsonString(e.argv), e.code)
	if e.tail != "" {
		msg += "; last lines of its output:\n" + e.tail
	}
	return msg
}

// Unwrap tags the failure as the Dockerfile's.
func (e *runError) Unwrap() error { return errdefs.ErrInvalidArgument }

// ExitCode returns the exit code of the failed command.
func (e *runError) ExitCode() int { return e.code }

// multiWriter writes to every writer, ignoring their errors: progress
// output must not fail the step.
type multiWriter []io.Writer

func (m multiWriter) Write(p []byte) (int, error) {
	for _, w := range m {
		_, _ = w.Write(p)
	}
	return len(p), nil
}
