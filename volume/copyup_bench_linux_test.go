package volume

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkCopyUp copies an image directory of 1,000 files of 4 KiB in
// 10 subdirectories into a new volume.
func BenchmarkCopyUp(b *testing.B) {
	root := b.TempDir()
	data := make([]byte, 4096)
	for d := 0; d < 10; d++ {
		dir := filepath.Join(root, "app", fmt.Sprint("d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := 0; f < 100; f++ {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprint("f", f)), data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := filepath.Join(b.TempDir(), "_data")
		if err := os.Mkdir(dst, 0o755); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if copied, err := CopyUp(root, "/app", dst); err != nil || !copied {
			b.Fatal(copied, err)
		}
	}
}
