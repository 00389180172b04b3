package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// removeWork unmounts what is left under the work directory and removes
// it, its run record last: a failed removal is retried by the next run.
func removeWork(work string) error {
	if err := host.UnmountUnder(work); err != nil {
		return err
	}
	entries, err := os.ReadDir(work)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if e.Name() == "run.json" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(work, e.Name())); err != nil {
			return err
		}
	}
	return os.RemoveAll(work)
}
