package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// pushBenchImage pushes to ref an image of layers layers of layerMiB
// files of 1 MiB, each half random, half text (so layers compress about
// 2:1, as real ones do), and returns its uncompressed and compressed
// sizes.
func pushBenchImage(ref string, layers, layerMiB int) (size, compressed int64, err error) {
	rng := rand.NewChaCha8([32]byte{1})
	text := []byte("the quick brown fox jumps over the lazy dog 0123456789\n")
	img := empty.Image
	for l := range layers {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		dir := fmt.Sprintf("layer%d/", l)
		mtime := time.Unix(1700000000, 0)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: mtime}); err != nil {
			return 0, 0, err
		}
		file := make([]byte, 1<<20)
		for f := range layerMiB {
			rng.Read(file[:len(file)/2])
			for i := len(file) / 2; i < len(file); i += len(text) {
				copy(file[i:], text)
			}
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("%sf%03d", dir, f), Mode: 0o644,
				Size: int64(len(file)), ModTime: mtime}); err != nil {
				return 0, 0, err
			}
			if _, err := tw.Write(file); err != nil {
				return 0, 0, err
			}
		}
		if err := tw.Close(); err != nil {
			return 0, 0, err
		}
		raw := buf.Bytes()
		layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil })
		if err != nil {
			return 0, 0, err
		}
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			return 0, 0, err
		}
		n, err := layer.Size()
		if err != nil {
			return 0, 0, err
		}
		size += int64(len(raw))
		compressed += n
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return 0, 0, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", hostArch()
	cf.Config = v1.Config{Cmd: []string{"/bin/sh"}}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return 0, 0, err
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return 0, 0, err
	}
	return size, compressed, remote.Write(r, img)
}
