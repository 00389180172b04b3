package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// CacheMountDir is where a builder whose store is rooted at root keeps
// the directories of RUN --mount=type=cache: one per cache id, named by
// the id's SHA-256 (so that no id, "../x" or "/etc" included, is a path),
// 0700 above them. They outlive builds and daemons, and are never part of
// a layer.
func CacheMountDir(root string) string { return filepath.Join(root, "buildcache") }

// cacheSet tracks the caches in use by the running steps, for
// sharing=locked (one step at a time) and sharing=private (a step that
// finds the cache in use gets a fresh, throwaway one).
type cacheSet struct {
	mu sync.Mutex
	// users counts the steps that use a cache, by id hash.
	users map[string]int
	// locks holds a one-slot channel per locked cache.
	locks map[string]chan struct{}
}

// cacheDir returns the host directory of m's cache for a step staged in
// sm, waiting for it with sharing=locked; sm.release lets go of it. A
// private cache already in use is a new directory at name instead.
func (b *Builder) cacheDir(ctx context.Context, m runMount, sm *stagedMounts, name string) (string, error) {
	sum := sha256.Sum256([]byte(m.id))
	key := hex.EncodeToString(sum[:])
	base := CacheMountDir(b.Store.Root())
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("RUN --mount=type=cache: %w", err)
	}
	if err := os.Chmod(base, 0o700); err != nil {
		return "", fmt.Errorf("RUN --mount=type=cache: %w", err)
	}
	set := &b.caches
	set.mu.Lock()
	if set.users == nil {
		set.users, set.locks = map[string]int{}, map[string]chan struct{}{}
	}
	private := m.sharing == "private" && set.users[key] > 0
	lock := set.locks[key]
	if m.sharing == "locked" && lock == nil {
		lock = make(chan struct{}, 1)
		set.locks[key] = lock
	}
	if !private {
		set.users[key]++
	}
	set.mu.Unlock()
	if private {
		// Thrown away with the step's other mounts.
		if err := makeCacheDir(name, m); err != nil {
			return "", err
		}
		return name, nil
	}
	done := func() {
		set.mu.Lock()
		set.users[key]--
		if set.users[key] == 0 {
			delete(set.users, key)
		}
		set.mu.Unlock()
	}
	if m.sharing == "locked" {
		select {
		case lock <- struct{}{}:
		case <-ctx.Done():
			done()
			return "", ctx.Err()
		}
		inner := done
		done = func() { <-lock; inner() }
	}
	sm.unlock = append(sm.unlock, done)
	dir := filepath.Join(base, key)
	if _, err := os.Lstat(dir); os.IsNotExist(err) {
		if err := makeCacheDir(dir, m); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// makeCacheDir makes a cache directory with the mount's mode and owner.
// It is made under a temporary name and renamed, so that a crash never
// leaves a cache with the wrong owner.
func makeCacheDir(dir string, m runMount) error {
	tmp := dir + ".new"
	os.RemoveAll(tmp)
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("RUN --mount=type=cache: %w", err)
	}
	if err := os.Chown(tmp, int(m.uid), int(m.gid)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("RUN --mount=type=cache,uid=%d,gid=%d: %w", m.uid, m.gid, err)
	}
	if err := os.Chmod(tmp, fileModeOf(m.mode)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("RUN --mount=type=cache,mode=%o: %w", m.mode, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Remove(tmp)
		if _, serr := os.Lstat(dir); serr == nil {
			// Another step made it first.
			return nil
		}
		return fmt.Errorf("RUN --mount=type=cache: %w", err)
	}
	return nil
}
