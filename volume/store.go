package volume

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/atomicfile"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/privdir"
)

// AnonymousLabel marks the volumes made for one container (-v /path, an
// image's VOLUME) rather than by name, as Docker 23 marks them: prune
// removes only those unless asked for all, and rm -v removes them with
// their container.
const AnonymousLabel = "com.docker.volume.anonymous"

// Driver is the only volume driver: directories on the host.
const Driver = "local"

const (
	recordName = "volume.json"
	dataName   = "_data"
)

// Volume is a volume's record.
type Volume struct {
	Name      string            `json:"name"`
	CreatedAt time.Time         `json:"createdAt"`
	Labels    map[string]string `json:"labels,omitempty"`
	// Mountpoint is <dir>/<name>/_data (not stored: the directory may
	// move with the data root).
	Mountpoint string `json:"-"`
}

// Anonymous reports whether v was made for one container.
func (v Volume) Anonymous() bool {
	_, ok := v.Labels[AnonymousLabel]
	return ok
}

// CreateOptions describe a new volume.
type CreateOptions struct {
	// Name is empty for an anonymous volume.
	Name string
	// Driver must be "" or "local".
	Driver string
	// DriverOpts must be empty: the local driver here has no options
	// (Docker's type, device and o mount other file systems).
	DriverOpts map[string]string
	Labels     map[string]string
}

// Store keeps the volumes under one directory. It is safe for concurrent
// use.
type Store struct {
	dir string

	mu   sync.Mutex
	vols map[string]*Volume
	// refs are the ids of the containers using each volume.
	refs map[string]map[string]bool
}

// Open opens (making it if needed) the volumes directory dir and loads
// its records; what a crash left half made or half removed is removed.
// The logger rides in ctx.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := privdir.MkdirAll(dir); err != nil {
		return nil, fmt.Errorf("opening the volumes directory: %w", err)
	}
	s := &Store{dir: dir, vols: map[string]*Volume{}, refs: map[string]map[string]bool{}}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("opening the volumes directory: %w", err)
	}
	for _, ent := range ents {
		name := ent.Name()
		p := filepath.Join(dir, name)
		if CheckName(name) != nil || !ent.IsDir() {
			logctx.From(ctx).Warn("removing a stray entry of the volumes directory", "path", p)
			if err := os.RemoveAll(p); err != nil {
				return nil, fmt.Errorf("removing %s: %w", p, err)
			}
			continue
		}
		v, err := s.load(name)
		if errors.Is(err, fs.ErrNotExist) {
			// Made or removed halfway by a crash: never a volume.
			logctx.From(ctx).Warn("removing a volume directory without a record", "path", p)
			if err := os.RemoveAll(p); err != nil {
				return nil, fmt.Errorf("removing %s: %w", p, err)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := atomicfile.RemoveTemps(p); err != nil {
			return nil, err
		}
		s.vols[name] = v
	}
	return s, nil
}

// load reads the record of the volume name.
func (s *Store) load(name string) (*Volume, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, name, recordName))
	if err != nil {
		return nil, err
	}
	var v Volume
	if err := json.Unmarshal(b, &v); err != nil || v.Name != name {
		return nil, fmt.Errorf("volume %s: damaged record %s: %w", name, filepath.Join(s.dir, name, recordName), errdefs.ErrUnavailable)
	}
	v.Mountpoint = s.mountpoint(name)
	return &v, nil
}

func (s *Store) mountpoint(name string) string { return filepath.Join(s.dir, name, dataName) }

// Create makes a volume. A name already taken returns that volume, as
// Docker's create does; an empty name makes a random one (named, not
// anonymous: volume create without a name, which prune keeps).
func (s *Store) Create(ctx context.Context, opts CreateOptions) (Volume, error) {
	if opts.Driver != "" && opts.Driver != Driver {
		return Volume{}, fmt.Errorf("volume driver %q is not supported: only %q: %w", opts.Driver, Driver, errdefs.ErrInvalidArgument)
	}
	if len(opts.DriverOpts) > 0 {
		keys := slices.Sorted(maps.Keys(opts.DriverOpts))
		return Volume{}, fmt.Errorf("volume driver option %q is not supported: the local driver here takes no options: %w",
			keys[0], errdefs.ErrInvalidArgument)
	}
	if opts.Name != "" {
		if err := CheckName(opts.Name); err != nil {
			return Volume{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, _, err := s.createLocked(ctx, opts.Name, opts.Labels, false)
	return v, err
}

// createLocked returns the volume name, made if missing (a new one with
// a random name when name is empty, labelled anonymous if anonymous is
// set), and whether it was made. The caller holds s.mu.
func (s *Store) createLocked(ctx context.Context, name string, labels map[string]string, anonymous bool) (Volume, bool, error) {
	if v, ok := s.vols[name]; ok {
		return *v, false, nil
	}
	if name == "" {
		var err error
		if name, err = randomName(); err != nil {
			return Volume{}, false, err
		}
		if anonymous {
			labels = maps.Clone(labels)
			if labels == nil {
				labels = map[string]string{}
			}
			labels[AnonymousLabel] = ""
		}
	}
	v := &Volume{Name: name, CreatedAt: time.Now().UTC().Truncate(time.Second), Labels: maps.Clone(labels), Mountpoint: s.mountpoint(name)}
	dir := filepath.Join(s.dir, name)
	if err := privdir.Mkdir(dir); err != nil {
		return Volume{}, false, fmt.Errorf("creating volume %s: %w", name, err)
	}
	fail := func(err error) (Volume, bool, error) {
		os.RemoveAll(dir)
		return Volume{}, false, fmt.Errorf("creating volume %s: %w", name, err)
	}
	// The content's own mode, as Docker's local driver makes it; the
	// private directory above keeps host users out.
	if err := os.Mkdir(v.Mountpoint, 0o755); err != nil {
		return fail(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fail(err)
	}
	// The record last: a crash before it leaves a directory Open removes.
	if err := atomicfile.Write(filepath.Join(dir, recordName), b, 0o600); err != nil {
		return fail(err)
	}
	s.vols[name] = v
	logctx.From(ctx).Info("volume created", "volume", name)
	return *v, true, nil
}

// Get returns the volume name.
func (s *Store) Get(name string) (Volume, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.vols[name]
	if !ok {
		return Volume{}, fmt.Errorf("no such volume: %s: %w", name, errdefs.ErrNotFound)
	}
	return *v, nil
}

// List returns the volumes by name.
func (s *Store) List() []Volume {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Volume, 0, len(s.vols))
	for _, v := range s.vols {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Acquire returns the volume name for the container ref, making it when
// it does not exist (an empty name makes an anonymous one), and counts
// ref as its user until Release. created tells whether it was made now.
func (s *Store) Acquire(ctx context.Context, name, ref string) (v Volume, created bool, err error) {
	if name != "" {
		if err := CheckName(name); err != nil {
			return Volume{}, false, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, created, err = s.createLocked(ctx, name, nil, name == ""); err != nil {
		return Volume{}, false, err
	}
	s.addRefLocked(v.Name, ref)
	return v, created, nil
}

// Use counts ref as a user of the existing volume name (a container
// re-adopted at start).
func (s *Store) Use(name, ref string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.vols[name]; !ok {
		return fmt.Errorf("no such volume: %s: %w", name, errdefs.ErrNotFound)
	}
	s.addRefLocked(name, ref)
	return nil
}

func (s *Store) addRefLocked(name, ref string) {
	if s.refs[name] == nil {
		s.refs[name] = map[string]bool{}
	}
	s.refs[name][ref] = true
}

// Release forgets ref as a user of name.
func (s *Store) Release(name, ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.refs[name], ref)
	if len(s.refs[name]) == 0 {
		delete(s.refs, name)
	}
}

// Users returns the ids of the containers using name, sorted.
func (s *Store) Users(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.refs[name]))
}

// Remove removes the volume name and its content. A volume some
// container uses (running or not) is not removed: ErrConflict naming
// the containers, as Docker refuses even with force.
func (s *Store) Remove(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.removeLocked(ctx, name)
}

func (s *Store) removeLocked(ctx context.Context, name string) error {
	if _, ok := s.vols[name]; !ok {
		return fmt.Errorf("no such volume: %s: %w", name, errdefs.ErrNotFound)
	}
	if users := s.refs[name]; len(users) > 0 {
		return fmt.Errorf("remove %s: volume is in use - %v: %w", name, slices.Sorted(maps.Keys(users)), errdefs.ErrConflict)
	}
	dir := filepath.Join(s.dir, name)
	// The record first: from then on it is no volume, and a crash leaves
	// a directory Open removes.
	if err := os.Remove(filepath.Join(dir, recordName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing volume %s: %w", name, err)
	}
	delete(s.vols, name)
	if err := os.RemoveAll(dir); err != nil {
		logctx.From(ctx).Warn("removing a volume's directory", "volume", name, "error", err)
	}
	logctx.From(ctx).Info("volume removed", "volume", name)
	return nil
}

// RemoveUnused removes name if no container uses it, and tells whether
// it did (rm -v: an anonymous volume shared with --volumes-from stays).
func (s *Store) RemoveUnused(ctx context.Context, name string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.vols[name]; !ok || len(s.refs[name]) > 0 {
		return false, nil
	}
	return true, s.removeLocked(ctx, name)
}

// Prune removes every volume no container uses for which match is true,
// and returns their names with the bytes their content took. match is
// called with the Store locked: it must not call the Store.
func (s *Store) Prune(ctx context.Context, match func(Volume) bool) ([]string, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	var reclaimed int64
	for _, name := range slices.Sorted(maps.Keys(s.vols)) {
		v := s.vols[name]
		if len(s.refs[name]) > 0 || !match(*v) {
			continue
		}
		// A volume that cannot be measured is still removed; it counts 0.
		size, _ := Size(ctx, v.Mountpoint)
		if err := s.removeLocked(ctx, name); err != nil {
			return names, reclaimed, err
		}
		names = append(names, name)
		reclaimed += size
	}
	return names, reclaimed, nil
}
