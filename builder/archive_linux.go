package builder

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
	"golang.org/x/sys/unix"
)

// openArchive opens the file at host as a tar archive, plain or
// compressed with gzip or bzip2. ok is false when the file is not a tar
// archive: ADD then copies it as it is, as Docker does.
func openArchive(host string) (tr *tar.Reader, closer io.Closer, ok bool, err error) {
	f, err := os.Open(host)
	if err != nil {
		return nil, nil, false, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	magic, _ := br.Peek(6)
	var r io.Reader = br
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, false, nil
		}
		r = gz
	case bytes.HasPrefix(magic, []byte("BZh")):
		r = bzip2.NewReader(br)
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}),
		bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		f.Close()
		return nil, nil, false, fmt.Errorf("xz and zstd archives are not supported (decompress it first, or use RUN): %w", errdefs.ErrInvalidArgument)
	}
	// A tar archive has "ustar" at offset 257 of its first header.
	pr := bufio.NewReaderSize(r, 64<<10)
	head, _ := pr.Peek(512)
	if len(head) < 512 || !bytes.Equal(head[257:262], []byte("ustar")) {
		f.Close()
		return nil, nil, false, nil
	}
	return tar.NewReader(pr), f, true, nil
}

// extractArchive extracts tr into the in-image directory dest. Entries
// stay inside dest: a name or hard link with ".." that leaves it is an
// error, an absolute name is taken relative to dest, and names and link
// targets are resolved by the layer writer with the image's root as "/",
// so no entry (nor a symlink an earlier entry made) can reach the host.
// Whiteout files and devices are refused: in a layer they would delete
// paths of the image. own, when not nil, replaces the entries' owners.
func extractArchive(w *layerWriter, dest string, tr *tar.Reader, own *owner) error {
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading archive: %w", err)
		}
		name, err := archivePath(hdr.Name)
		if err != nil {
			return err
		}
		if strings.HasPrefix(path.Base(name), ".wh.") {
			return fmt.Errorf("archive entry %q is a whiteout: %w", hdr.Name, errdefs.ErrInvalidArgument)
		}
		target := path.Join(dest, name)
		o := owner{uid: hdr.Uid, gid: hdr.Gid}
		if own != nil {
			o = *own
		}
		mode := hdr.FileInfo().Mode()
		switch hdr.Typeflag {
		case tar.TypeDir:
			err = w.writeDir(target, mode, o, hdr.ModTime)
		case tar.TypeReg, tar.TypeRegA:
			err = w.writeFile(target, tr, mode, o, hdr.ModTime)
		case tar.TypeSymlink:
			err = w.writeSymlink(target, hdr.Linkname, o, hdr.ModTime)
		case tar.TypeLink:
			var old string
			if old, err = archivePath(hdr.Linkname); err == nil {
				err = w.link(target, path.Join(dest, old))
			}
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
			err = w.writeNode(target, mode, dev, o, hdr.ModTime)
		case tar.TypeXGlobalHeader:
		default:
			err = fmt.Errorf("archive entry %q: unsupported type %q: %w", hdr.Name, hdr.Typeflag, errdefs.ErrInvalidArgument)
		}
		if err != nil {
			return fmt.Errorf("extracting %s: %w", hdr.Name, err)
		}
	}
}

// archivePath cleans an archive entry name to a path relative to the
// extraction directory, refusing names that leave it.
func archivePath(name string) (string, error) {
	c := strings.TrimPrefix(path.Clean("/"+strings.TrimLeft(name, "/")), "/")
	raw := path.Clean(strings.TrimLeft(name, "/"))
	if raw == ".." || strings.HasPrefix(raw, "../") {
		return "", fmt.Errorf("archive entry %q leaves the destination: %w", name, errdefs.ErrInvalidArgument)
	}
	if c == "" {
		c = "."
	}
	return c, nil
}
