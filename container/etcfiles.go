package container

import (
	"fmt"
	"os"
	"path/filepath"
)

// etcNames are the files of /etc that each container gets its own copy
// of, bound over the image's.
var etcNames = [...]string{"hostname", "hosts", "resolv.conf"}

// etcPaths returns where the container whose directory is dir keeps its
// /etc files, by name.
func etcPaths(dir string) map[string]string {
	m := make(map[string]string, len(etcNames))
	for _, n := range etcNames {
		m[n] = filepath.Join(dir, n)
	}
	return m
}

// writeEtcFiles writes the container's /etc/hostname, /etc/hosts and
// /etc/resolv.conf under dir. They are bound into the container (not
// written into its root file system), so the image's files stay as they
// are.
func writeEtcFiles(dir, hostname string, nf NetworkFiles) error {
	files := map[string][]byte{
		"hostname":    []byte(hostname + "\n"),
		"hosts":       nf.Hosts,
		"resolv.conf": nf.ResolvConf,
	}
	for name, p := range etcPaths(dir) {
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return fmt.Errorf("writing the container's /etc/%s: %w", name, err)
		}
	}
	return nil
}
