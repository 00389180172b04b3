package builder

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
)

// A COPY or ADD from the context depends on every file it reads. A build
// context may hold hundreds of thousands of files, so they are never held
// as a list of records in memory: each file is hashed as the sources are
// walked and goes, as it comes, into two things.
//
//   - A digest over every file's path and full hash: the step's cache key
//     uses it (stepInputs.FilesDigest).
//   - A compressed list of the files' paths and hash prefixes, stored with
//     the cache entry (stepInputs.FileList), so that a later build whose
//     files differ can name the first file that changed. Records are
//     "path NUL 8-byte-hash-prefix", flate-compressed: about 10 bytes a file
//     for typical paths. A list that would pass maxFileListBytes is dropped;
//     the explanation then does without file names.
//
// Records come in walk order: the sources sorted by comparePaths and each
// directory walked depth first with its entries in name order, which is
// comparePaths order too. Two lists in that order are compared in one
// pass (diffFileLists).

// maxFileListBytes bounds the compressed file list of one step (about 1.5
// million files of typical path length).
const maxFileListBytes = 16 << 20

// fileHashPrefix is how much of each file's hash the list keeps: enough to
// tell a changed file, not a security boundary (the key uses full hashes).
const fileHashPrefix = 8

// fileList builds the digest and the compressed list of a step's files.
type fileList struct {
	digest  hash.Hash
	buf     bytes.Buffer
	zw      *flate.Writer
	n       int
	dropped bool
}

// newFileList returns an empty file list.
func newFileList() *fileList {
	l := &fileList{digest: sha256.New()}
	// The level only fails when out of range.
	l.zw, _ = flate.NewWriter(&l.buf, flate.DefaultCompression)
	return l
}

// add records the file at path p (in the context) with hash h.
func (l *fileList) add(p string, h fileSum) error {
	l.n++
	fmt.Fprintf(l.digest, "%d:%s", len(p), p)
	l.digest.Write(h[:])
	if l.dropped {
		return nil
	}
	if l.buf.Len() > maxFileListBytes {
		l.dropped = true
		l.buf = bytes.Buffer{}
		return nil
	}
	if _, err := io.WriteString(l.zw, p); err != nil {
		return err
	}
	var rec [1 + fileHashPrefix]byte
	copy(rec[1:], h[:])
	_, err := l.zw.Write(rec[:])
	return err
}

// finish returns the digest of the files ("" for none) and their
// compressed list (nil when there are none or it was dropped).
func (l *fileList) finish() (digest string, list []byte, err error) {
	if l.n == 0 {
		return "", nil, nil
	}
	if err := l.zw.Close(); err != nil {
		return "", nil, fmt.Errorf("compressing the file list: %w", err)
	}
	digest = fmt.Sprintf("%d:%s", l.n, hex.EncodeToString(l.digest.Sum(nil)))
	if l.dropped {
		return digest, nil, nil
	}
	return digest, bytes.Clone(l.buf.Bytes()), nil
}

// fileListReader reads the records of a compressed file list.
type fileListReader struct {
	r *bufio.Reader // nil for an empty list
}

// newFileListReader reads list (nil reads as empty).
func newFileListReader(list []byte) *fileListReader {
	if len(list) == 0 {
		return &fileListReader{}
	}
	return &fileListReader{r: bufio.NewReader(flate.NewReader(bytes.NewReader(list)))}
}

// next returns the next record; ok is false at the end.
func (lr *fileListReader) next() (p string, h [fileHashPrefix]byte, ok bool, err error) {
	if lr.r == nil {
		return "", h, false, nil
	}
	p, err = lr.r.ReadString(0)
	if errors.Is(err, io.EOF) && p == "" {
		return "", h, false, nil
	}
	if err != nil {
		return "", h, false, fmt.Errorf("reading the file list: %w", err)
	}
	if _, err := io.ReadFull(lr.r, h[:]); err != nil {
		return "", h, false, fmt.Errorf("reading the file list: %w", err)
	}
	return strings.TrimSuffix(p, "\x00"), h, true, nil
}

// fileDiff counts the differences between two file lists and keeps the
// first of each kind.
type fileDiff struct {
	changed, added, removed string // the first of each kind, or ""
	n                       int
}

// note records one difference of a kind.
func (d *fileDiff) note(kind *string, p string) {
	d.n++
	if *kind == "" {
		*kind = p
	}
}

// diffFileLists compares two compressed file lists in walk order and
// names the first changed, added or removed file, or returns "" when they
// hold the same files. Memory does not grow with the lists.
func diffFileLists(was, now []byte) (string, error) {
	a, b := newFileListReader(was), newFileListReader(now)
	var d fileDiff
	pa, ha, okA, err := a.next()
	if err != nil {
		return "", err
	}
	pb, hb, okB, err := b.next()
	if err != nil {
		return "", err
	}
	for okA || okB {
		c := 0
		switch {
		case !okA:
			c = 1
		case !okB:
			c = -1
		default:
			c = comparePaths(pa, pb)
		}
		switch {
		case c < 0:
			d.note(&d.removed, pa)
		case c > 0:
			d.note(&d.added, pb)
		case ha != hb:
			d.note(&d.changed, pb)
		}
		if c <= 0 {
			if pa, ha, okA, err = a.next(); err != nil {
				return "", err
			}
		}
		if c >= 0 {
			if pb, hb, okB, err = b.next(); err != nil {
				return "", err
			}
		}
	}
	return d.String(), nil
}

// String names the first changed, added or removed file and how many more
// differ, or "" when nothing does.
func (d fileDiff) String() string {
	var s string
	switch {
	case d.n == 0:
		return ""
	case d.changed != "":
		s = fmt.Sprintf("file %s changed", d.changed)
	case d.added != "":
		s = fmt.Sprintf("file %s added", d.added)
	default:
		s = fmt.Sprintf("file %s removed", d.removed)
	}
	if d.n > 1 {
		s += fmt.Sprintf(" (and %d more)", d.n-1)
	}
	return s
}

// comparePaths orders slash-separated relative paths as a depth-first walk
// with entries in name order visits them: component by component, a
// directory before its contents, "." (the walk's root) first.
func comparePaths(a, b string) int {
	if a == "." || b == "." {
		switch {
		case a == b:
			return 0
		case a == ".":
			return -1
		}
		return 1
	}
	n := min(len(a), len(b))
	for i := range n {
		if a[i] == b[i] {
			continue
		}
		// The end of a component sorts before any byte of a name.
		switch {
		case a[i] == '/':
			return -1
		case b[i] == '/':
			return 1
		case a[i] < b[i]:
			return -1
		}
		return 1
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}
