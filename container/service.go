package container

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/events"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/privdir"
	"github.com/container-runtime/container-runtime/network"
	"github.com/container-runtime/container-runtime/runtime"
	"github.com/container-runtime/container-runtime/volume"
)

// Config wires a Service.
type Config struct {
	// Root is INSTALL_PATH: containers.db and containers/<id>/ live here.
	Root string
	// ExecRoot is the daemon's run directory (/run/container-runtime):
	// the monitors' directories live in containers/<id>/ under it.
	ExecRoot string
	// Images resolves the image of a container.
	Images *image.Store
	// Runtime creates and manages the containers' processes.
	Runtime *runtime.Runtime
	// Events receives the container events; nil discards them.
	Events *events.Bus
	// Networks adds network modes besides "host" and "none", by name.
	Networks map[string]Network
	// NetworkManager, when set, connects containers to the default
	// bridge (then the default network) and to user-defined networks;
	// New reconciles it with the containers that still run.
	NetworkManager *network.Manager
	// Userns is the pool of host id ranges for containers with a private
	// user namespace; the zero value is 1000 ranges from host id 100000.
	Userns UsernsPool
	// Volumes keeps the named and anonymous volumes containers mount;
	// nil refuses every volume.
	Volumes *volume.Store
}

// Service manages containers. Its methods are safe for concurrent use;
// operations on one container are serialized, operations on different
// containers run in parallel.
type Service struct {
	root, execRoot string
	images         *image.Store
	rt             *runtime.Runtime
	events         *events.Bus
	networks       map[string]Network
	netmgr         *network.Manager
	db             *db
	volumes        *volume.Store

	// bg is the context of the background work (exit watchers, restart
	// timers); Close cancels it and waits for wg.
	bg     context.Context
	stopBg context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	containers map[string]*entry // by id
	creating   map[string]bool   // names taken by creates in progress (reserveName)
	execs      map[string]*execSession

	userns UsernsPool
	// usernsMu serializes allocUserns; usernsReserved are the ranges of
	// creates in progress.
	usernsMu       sync.Mutex
	usernsReserved map[uint32]bool

	// cpu keeps CPU readings of the running containers for stats.
	cpu *cpuMarks

	// monitorKeep bounds the wait of a monitor started ahead of a start
	// (keepMonitor): defaultMonitorKeep, changed only by tests.
	monitorKeep time.Duration
}

// New opens the container database under cfg.Root and re-adopts the
// containers it records: a container whose monitor still runs is watched
// again; one whose monitor ended while no daemon was watching gets its
// exit recorded (and its restart policy applied); leftovers of removed
// or half-created containers are cleaned. The logger rides in ctx, which
// also bounds recovery (not the Service's life: see Close).
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Root == "" || cfg.ExecRoot == "" || cfg.Images == nil || cfg.Runtime == nil {
		return nil, fmt.Errorf("container service: Root, ExecRoot, Images and Runtime are required: %w", errdefs.ErrInvalidArgument)
	}
	for _, d := range []string{cfg.Root, filepath.Join(cfg.Root, "containers"), filepath.Join(cfg.ExecRoot, "containers")} {
		if err := privdir.MkdirAll(d); err != nil {
			return nil, fmt.Errorf("container service: %w", err)
		}
	}
	pool, err := cfg.Userns.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("container service: %w", err)
	}
	d, err := openDB(cfg.Root)
	if err != nil {
		return nil, err
	}
	bg, stop := context.WithCancel(logctx.With(context.Background(), logctx.From(ctx)))
	s := &Service{
		root: cfg.Root, execRoot: cfg.ExecRoot,
		images: cfg.Images, rt: cfg.Runtime, events: cfg.Events, networks: cfg.Networks,
		netmgr: cfg.NetworkManager, db: d, bg: bg, stopBg: stop,
		containers: map[string]*entry{},
		execs:      map[string]*execSession{},
		userns:     pool, usernsReserved: map[uint32]bool{},
		cpu:         newCPUMarks(),
		volumes:     cfg.Volumes,
		monitorKeep: defaultMonitorKeep,
	}
	if err := s.recover(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.goBg(s.markCPU)
	return s, nil
}

// Close stops watching the containers (they keep running, watched by
// their monitors) and closes the database. A later New on the same roots
// re-adopts them.
func (s *Service) Close() error {
	s.stopBg()
	s.wg.Wait()
	return s.db.close()
}

// go runs f in the background, tracked for Close.
func (s *Service) goBg(f func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f(s.bg)
	}()
}

// containerDir is Root/containers/<id>: config, overlay dirs, logs.
func (s *Service) containerDir(id string) string { return filepath.Join(s.root, "containers", id) }

// monitorDir is ExecRoot/containers/<id>: the monitor's sockets and
// exit.json.
func (s *Service) monitorDir(id string) string { return filepath.Join(s.execRoot, "containers", id) }

func (s *Service) rootfsDir(id string) string { return filepath.Join(s.containerDir(id), "rootfs") }
func (s *Service) logPath(id string) string {
	return filepath.Join(s.containerDir(id), "container.log")
}
func (s *Service) specPath(id string) string { return filepath.Join(s.containerDir(id), "config.json") }

// lookup finds a container by full id, name, or unique id prefix.
func (s *Service) lookup(ref string) (*entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ref == "" {
		return nil, fmt.Errorf("no container named: %w", errdefs.ErrInvalidArgument)
	}
	if e, ok := s.containers[ref]; ok {
		return e, nil
	}
	ref = strings.TrimPrefix(ref, "/")
	var byPrefix []*entry
	for _, e := range s.containers {
		if e.name == ref {
			return e, nil
		}
		if strings.HasPrefix(e.id, ref) {
			byPrefix = append(byPrefix, e)
		}
	}
	switch len(byPrefix) {
	case 1:
		return byPrefix[0], nil
	case 0:
		return nil, fmt.Errorf("no such container: %s: %w", ref, errdefs.ErrNotFound)
	}
	return nil, fmt.Errorf("multiple IDs found with provided prefix: %s (%d containers): %w", ref, len(byPrefix), errdefs.ErrInvalidArgument)
}

// entries returns the containers sorted newest first.
func (s *Service) entries() []*entry {
	s.mu.Lock()
	out := make([]*entry, 0, len(s.containers))
	for _, e := range s.containers {
		out = append(out, e)
	}
	s.mu.Unlock()
	created := make(map[*entry]time.Time, len(out))
	for _, e := range out {
		created[e] = e.snapshot().Created
	}
	sort.Slice(out, func(i, j int) bool {
		ci, cj := created[out[i]], created[out[j]]
		if ci.Equal(cj) {
			return out[i].id < out[j].id
		}
		return ci.After(cj)
	})
	return out
}

// publish sends a container event.
func (s *Service) publish(r *record, action string, set func(*api.Event)) {
	if s.events == nil {
		return
	}
	e := api.Event{Type: "container", Action: action, ID: r.ID, Name: r.Name, Image: r.Config.Image}
	if set != nil {
		set(&e)
	}
	withLabels(&e, r.Config.Labels)
	s.events.Publish(e)
}

// save persists e's record (the caller holds e.op).
func (s *Service) save(e *entry) error {
	return s.db.put(e.snapshot())
}

// errNotRunning is the error of operations that need a running container.
func errNotRunning(r *record) error {
	return fmt.Errorf("container %s is not running (%s): %w", r.Name, r.State.Status, errdefs.ErrConflict)
}
