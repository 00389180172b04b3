package builder

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	digest "github.com/opencontainers/go-digest"
)

// copyRequest is a COPY or ADD after variable expansion.
type copyRequest struct {
	kind  string // "COPY" or "ADD"
	srcs  []string
	dest  string
	from  string
	chown string
	chmod string
	// docs are the heredoc sources (COPY <<EOF /dest), written as files
	// named after their delimiters.
	docs heredocContents
}

// instruction renders the request for its cache key and messages.
func (c copyRequest) instruction(dest string) string {
	var b strings.Builder
	b.WriteString(c.kind)
	for _, f := range [][2]string{{"from", c.from}, {"chown", c.chown}, {"chmod", c.chmod}} {
		if f[1] != "" {
			fmt.Fprintf(&b, " --%s=%s", f[0], f[1])
		}
	}
	for _, s := range c.srcs {
		b.WriteString(" " + s)
	}
	for _, d := range c.docs {
		b.WriteString(" <<" + d.Path)
	}
	b.WriteString(" " + dest)
	return b.String()
}

// copyStep copies files from the context (or from a stage or image with
// --from) into a new layer.
func (s *stageRun) copyStep(ctx context.Context, text string, req copyRequest) error {
	r := s.r
	for _, src := range req.srcs {
		if isURL(src) {
			if req.kind == "ADD" {
				return fmt.Errorf("ADD from a URL is not supported: use RUN curl (or wget): %s: %w", src, errdefs.ErrInvalidArgument)
			}
			return fmt.Errorf("COPY source %s is a URL: %w", src, errdefs.ErrInvalidArgument)
		}
	}
	var chmod *fs.FileMode
	if req.chmod != "" {
		n, err := strconv.ParseUint(req.chmod, 8, 32)
		if err != nil || n > 0o7777 {
			return fmt.Errorf("%s --chmod=%s: not an octal mode: %w", req.kind, req.chmod, errdefs.ErrInvalidArgument)
		}
		m := fileModeOf(uint32(n))
		chmod = &m
	}
	dest, destIsDir := s.destPath(req.dest)
	shown := dest
	if destIsDir && dest != "/" {
		// "COPY a /x/" and "COPY a /x" differ: keep the slash in the key.
		shown += "/"
	}
	in := stepInputs{Instruction: req.instruction(shown), Detail: req.docs.digest()}
	if req.from != "" && len(req.docs) > 0 {
		return fmt.Errorf("%s --from with a heredoc: a heredoc is not read from a stage or image: %w", req.kind, errdefs.ErrInvalidArgument)
	}

	var fromLayers []digest.Digest
	var ctxSources []source
	var files int
	ctxTree := &sourceTree{root: r.ctxDir, context: true, ignore: r.ignore}
	if req.from == "" && len(req.srcs) > 0 {
		var err error
		if ctxSources, err = ctxTree.collect(req.kind, req.srcs); err != nil {
			return err
		}
		if in.FilesDigest, in.FileList, files, err = s.hashSources(ctxTree, ctxSources); err != nil {
			return err
		}
	} else if req.from != "" {
		var err error
		if fromLayers, err = s.copyFrom(ctx, req.from, &in); err != nil {
			return err
		}
	}

	if files >= bigCopy {
		// The walk's garbage would otherwise stay resident until the
		// runtime's next collection and return to the OS only slowly.
		defer debug.FreeOSMemory()
	}
	return s.runStep(ctx, step{text: text, in: in, exec: func(ctx context.Context) error {
		c := copier{s: s, req: req, dest: dest, destIsDir: destIsDir, chmod: chmod}
		if req.from == "" {
			return c.run(ctx, ctxTree, ctxSources, true)
		}
		return s.withMountedLayers(ctx, fromLayers, func(root string) error {
			tree := &sourceTree{root: root}
			sources, err := tree.collect(req.kind, req.srcs)
			if err != nil {
				return err
			}
			return c.run(ctx, tree, sources, false)
		})
	}})
}

// destPath makes a COPY destination absolute (relative to WORKDIR) and
// says whether it names a directory (a trailing slash, "." or "..").
func (s *stageRun) destPath(dest string) (string, bool) {
	isDir := strings.HasSuffix(dest, "/") || dest == "." || dest == ".." ||
		strings.HasSuffix(dest, "/.") || strings.HasSuffix(dest, "/..")
	if !path.IsAbs(dest) {
		wd := s.state.Config.Config.WorkingDir
		if wd == "" {
			wd = "/"
		}
		dest = path.Join(wd, dest)
	}
	return path.Clean(dest), isDir
}

// copyFrom resolves --from to a stage (built first if needed) or an image
// of the store, records it in the step's inputs and returns its layers.
func (s *stageRun) copyFrom(ctx context.Context, from string, in *stepInputs) ([]digest.Digest, error) {
	r := s.r
	if j, ok := r.stageRef(from, s.index); ok {
		res, err := r.stageResult(ctx, j)
		if err != nil {
			return nil, err
		}
		in.Source, in.SourceName = res.key, r.stageName(j)
		return res.state.Layers, nil
	}
	if r.df.stageIndex(from, len(r.df.stages)) >= 0 {
		return nil, fmt.Errorf("COPY --from=%s: the stage is defined later in the Dockerfile: %w", from, errdefs.ErrInvalidArgument)
	}
	img, err := r.b.Store.Image(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("COPY --from=%s: no such stage or image: %w", from, err)
	}
	in.Source, in.SourceName = img.ID.String(), "image "+from
	r.b.Store.Lease(ctx, img.Layers...)
	return img.Layers, nil
}

// hashSources hashes every file of the sources of tree, each under its
// path in the context, and returns the digest and compressed list of them
// (filelist.go) and their number. The files are hashed one at a time as
// the sources are walked: nothing is kept per file but the list's few
// compressed bytes.
func (s *stageRun) hashSources(tree *sourceTree, sources []source) (digest string, list []byte, n int, err error) {
	// Sorted, so that the records come in comparePaths order.
	sorted := slices.Clone(sources)
	slices.SortStableFunc(sorted, func(a, b source) int { return comparePaths(a.top.rel, b.top.rel) })
	files := newFileList()
	add := func(rel string, f sourceFile) error {
		h, err := s.r.b.fileHash(f.host, f.info)
		if err != nil {
			return err
		}
		return files.add(rel, h)
	}
	for _, src := range sorted {
		if err := add(src.top.rel, src.top); err != nil {
			return "", nil, 0, err
		}
		err := tree.walk(src, func(f sourceFile) error {
			return add(path.Join(src.top.rel, f.rel), f)
		})
		if err != nil {
			return "", nil, 0, err
		}
	}
	digest, list, err = files.finish()
	return digest, list, files.n, err
}

// bigCopy is the number of context files from which a COPY or ADD gives
// its freed memory back to the OS when it ends.
const bigCopy = 10_000

// copier writes the sources of one COPY or ADD into a new layer.
type copier struct {
	s         *stageRun
	req       copyRequest
	dest      string
	destIsDir bool
	chmod     *fs.FileMode
}

// run copies sources into a new layer and puts it on the image. From the
// context files belong to root (or --chown); from an image they keep
// their owners unless --chown is given.
func (c copier) run(ctx context.Context, tree *sourceTree, sources []source, fromContext bool) error {
	s := c.s
	many := len(sources)+len(c.req.docs) > 1
	if many && !c.destIsDir {
		return fmt.Errorf("%s with more than one source: the destination %s must be a directory and end with a /: %w",
			c.req.kind, c.req.dest, errdefs.ErrInvalidArgument)
	}
	created, err := s.withNewLayer(ctx, func(upper, _ string) error {
		w := newLayerWriter(upper, s.lowerDirs())
		var own *owner
		if c.req.chown != "" {
			o, err := resolveOwner(c.req.chown, w.view)
			if err != nil {
				return err
			}
			own = &o
		} else if fromContext {
			own = &owner{}
		}
		for _, src := range sources {
			if err := c.copySource(w, tree, src, own, many); err != nil {
				return err
			}
		}
		return c.writeDocs(w, own, many)
	})
	if err != nil {
		return err
	}
	s.state.addHistory(c.req.instruction(c.dest), !created, time.Now())
	return nil
}

// copySource copies one source: a directory's contents into the
// destination, an archive (ADD) extracted into it, a file to it or into
// it.
func (c copier) copySource(w *layerWriter, tree *sourceTree, src source, own *owner, many bool) error {
	top := src.top
	if top.info.IsDir() {
		if _, err := w.dir(c.dest, c.mode(top.info), c.owner(top.info, own)); err != nil {
			return err
		}
		return tree.walk(src, func(f sourceFile) error {
			return c.copyFile(w, f, path.Join(c.dest, f.rel), own)
		})
	}
	if c.req.kind == "ADD" && top.info.Mode().IsRegular() {
		tr, closer, ok, err := openArchive(top.host)
		if err != nil {
			return fmt.Errorf("ADD %s: %w", src.name, err)
		}
		if ok {
			defer closer.Close()
			if _, err := w.dir(c.dest, 0o755, owner{}); err != nil {
				return err
			}
			var o *owner
			if c.req.chown != "" {
				o = own
			}
			return extractArchive(w, c.dest, tr, o)
		}
	}
	target := c.dest
	if c.destIsDir || many {
		target = path.Join(c.dest, src.name)
	} else if _, fi, err := w.view.stat(c.dest); err == nil && fi.IsDir() {
		target = path.Join(c.dest, src.name)
	}
	return c.copyFile(w, top, target, own)
}

// copyFile copies one file, directory entry, symlink or node to the
// in-image path target.
func (c copier) copyFile(w *layerWriter, f sourceFile, target string, own *owner) error {
	o := c.owner(f.info, own)
	mode := c.mode(f.info)
	mtime := f.info.ModTime()
	switch t := f.info.Mode(); {
	case t.IsDir():
		return w.writeDir(target, mode, o, time.Time{})
	case t.IsRegular():
		r, err := os.Open(f.host)
		if err != nil {
			return fmt.Errorf("reading %s: %w", f.rel, err)
		}
		defer r.Close()
		return w.writeFile(target, r, mode, o, mtime)
	case t&fs.ModeSymlink != 0:
		link, err := os.Readlink(f.host)
		if err != nil {
			return fmt.Errorf("reading symlink %s: %w", f.rel, err)
		}
		return w.writeSymlink(target, link, o, mtime)
	default:
		var dev uint64
		if st, ok := f.info.Sys().(*syscall.Stat_t); ok {
			dev = st.Rdev
		}
		return w.writeNode(target, mode|t.Type(), dev, o, mtime)
	}
}

// mode returns the mode a copied file gets: --chmod or its own.
func (c copier) mode(fi fs.FileInfo) fs.FileMode {
	if c.chmod != nil {
		return *c.chmod
	}
	return fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}

// owner returns the owner a copied file gets: own, or its own.
func (c copier) owner(fi fs.FileInfo, own *owner) owner {
	if own != nil {
		return *own
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return owner{uid: int(st.Uid), gid: int(st.Gid)}
	}
	return owner{}
}

// fileModeOf converts Unix permission and special bits to an fs.FileMode.
func fileModeOf(u uint32) fs.FileMode {
	m := fs.FileMode(u & 0o777)
	if u&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if u&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if u&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}
