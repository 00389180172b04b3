package builder

import (
	"path"
	"strings"
	"time"
)

// writeDocs writes the heredoc sources of a COPY or ADD into the layer:
// each a regular file named after its delimiter in the destination
// directory (or the destination itself for a single source to a path that
// is not a directory), mode 0644 unless --chmod, owned by root unless
// --chown. ADD does not extract them: they are text.
func (c copier) writeDocs(w *layerWriter, own *owner, many bool) error {
	o := owner{}
	if own != nil {
		o = *own
	}
	mode := fileModeOf(0o644)
	if c.chmod != nil {
		mode = *c.chmod
	}
	now := time.Now()
	for _, d := range c.req.docs {
		target := c.dest
		if c.destIsDir || many {
			target = path.Join(c.dest, d.Path)
		} else if _, fi, err := w.view.stat(c.dest); err == nil && fi.IsDir() {
			target = path.Join(c.dest, d.Path)
		}
		if err := w.writeFile(target, strings.NewReader(d.Data), mode, o, now); err != nil {
			return err
		}
	}
	return nil
}
