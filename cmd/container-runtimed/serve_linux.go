package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/builder"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/atomicfile"
	"github.com/container-runtime/container-runtime/internal/cgroup"
	"github.com/container-runtime/container-runtime/internal/events"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/version"
	"github.com/container-runtime/container-runtime/network"
	"github.com/container-runtime/container-runtime/runtime"
	"github.com/container-runtime/container-runtime/volume"
)

// serve runs the daemon until SIGTERM or SIGINT.
func serve(ctx context.Context, cfg config, stderr io.Writer) (retErr error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.level}))
	ctx = logctx.With(ctx, log)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// The exec root holds sockets other users must reach through (0711),
	// never list. What it holds besides is private (makePrivate).
	if err := os.MkdirAll(cfg.execRoot, 0o711); err != nil {
		return fmt.Errorf("creating %s: %w", cfg.execRoot, err)
	}
	if err := os.Chmod(cfg.execRoot, 0o711); err != nil {
		return fmt.Errorf("setting the mode of %s: %w", cfg.execRoot, err)
	}

	// The socket first: a second daemon must stop here, before it
	// touches the stores the first one has open.
	unixL, err := daemon.ListenUnix(cfg.socket)
	if err != nil {
		return err
	}
	listeners := []net.Listener{unixL}
	defer func() {
		for _, l := range listeners {
			l.Close() // after Shutdown: already closed, harmless
		}
	}()
	// Before the stores open: no host user may reach what they hold.
	if err := makePrivate(ctx, cfg); err != nil {
		return err
	}
	if cfg.tlsListen != "" {
		tl, err := daemon.ListenTLS(cfg.tlsListen, daemon.TLSFiles{Cert: cfg.tlsCert, Key: cfg.tlsKey, CA: cfg.tlsCA})
		if err != nil {
			return err
		}
		listeners = append(listeners, tl)
	}

	eng, err := openEngine(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := eng.close(); err != nil && retErr == nil {
			retErr = err
		}
	}()

	if cfg.pidfile != "" {
		if err := writePidfile(cfg.pidfile); err != nil {
			return err
		}
		defer os.Remove(cfg.pidfile)
	}

	// The Docker Engine API on the same socket (dockerapi_linux.go). Its
	// events are the server's history, read once requests come.
	var srv *daemon.Server
	dockerAPI, err := newDockerAPI(cfg, eng, func(ctx context.Context) ([]api.Event, <-chan api.Event) {
		return srv.SubscribeHistory(ctx)
	})
	if err != nil {
		return err
	}
	if cfg.dockerSocket != "" {
		dl, err := daemon.ListenUnix(cfg.dockerSocket)
		if err != nil {
			return err
		}
		listeners = append(listeners, dl)
	}

	srv = daemon.New(daemon.Config{
		Docker:     dockerAPI,
		Containers: eng.containers,
		Images:     eng.images,
		Networks:   eng.networks,
		Volumes:    eng.volumes,
		Events:     eng.bus,
		Root:       cfg.root,
		Logger:     log,
		// The HTTP layer imports no engine package: it is told.
		CgroupLayout: cgroup.Mode().String(),

		// Pull, push, save, load, login (distconfig.go).
		Distribution: eng.dist,
	})
	failed := make(chan error, len(listeners))
	for _, l := range listeners {
		go func() { failed <- srv.Serve(l) }()
	}
	log.Info("container-runtimed started", "version", version.Version, "pid", os.Getpid(),
		"root", cfg.root, "exec-root", cfg.execRoot, "socket", cfg.socket, "tls", cfg.tlsListen)

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "timeout", cfg.shutdownTimeout)
	case serveErr = <-failed:
		log.Error("serving failed; shutting down", "err", serveErr)
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	// The Docker API's streams and sessions end with ours.
	dockerAPI.Close()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("requests cut at shutdown", "err", err)
	}
	log.Info("stopped")
	if serveErr != nil {
		return fmt.Errorf("serving: %w", serveErr)
	}
	return nil
}

// engine holds the services the daemon serves and what closes them.
type engine struct {
	store      *image.Store
	bus        *events.Bus
	containers daemon.ContainerService
	images     *imageService
	networks   *networkService
	volumes    *volumeService
	dist       *distributionService
	closers    []func() error
}

// openEngine wires the services: low-level runtime (and the cleaning of
// what builds left), image store, network manager, event bus, container
// service, builder.
func openEngine(ctx context.Context, cfg config) (_ *engine, retErr error) {
	eng := &engine{bus: events.New()}
	defer func() {
		if retErr != nil {
			eng.close()
		}
	}()
	rt, err := runtime.New(filepath.Join(cfg.execRoot, "runtime"))
	if err != nil {
		return nil, err
	}
	useStageBinary(ctx, rt)
	// Before the store: a build step the previous daemon left running
	// still writes into the layer the store's recovery removes.
	if err := builder.CleanLeftovers(ctx, rt, cfg.root); err != nil {
		return nil, err
	}
	store, err := image.Open(ctx, cfg.root)
	if err != nil {
		return nil, err
	}
	eng.store = store
	eng.closers = append(eng.closers, store.Close)

	// The manager restores the networks from its records (bridges, rules,
	// name responders); Close leaves them to the next daemon, so that
	// containers keep their network while no daemon runs.
	netCfg, err := cfg.net.manager(cfg.root)
	if err != nil {
		return nil, err
	}
	nets, err := network.New(ctx, netCfg)
	if err != nil {
		return nil, fmt.Errorf("starting the network manager: %w", err)
	}
	eng.closers = append([]func() error{nets.Close}, eng.closers...)
	eng.networks = &networkService{Manager: nets, Events: eng.bus}

	// Before the container service, which counts its containers as the
	// volumes' users.
	vols, err := volume.Open(ctx, filepath.Join(cfg.root, "volumes"))
	if err != nil {
		return nil, err
	}
	eng.volumes = &volumeService{Store: vols, Events: eng.bus}

	containers, closeContainers, err := newContainerService(ctx, containerDeps{
		root: cfg.root, execRoot: cfg.execRoot, store: store, runtime: rt, bus: eng.bus, networks: nets,
		volumes: vols,
	})
	if err != nil {
		return nil, fmt.Errorf("starting the container service: %w", err)
	}
	// The container service closes before the manager and the store it
	// uses.
	eng.closers = append([]func() error{closeContainers}, eng.closers...)
	eng.containers = containers
	eng.networks.Containers = containers
	// Set before the store is shared: image removal asks it.
	store.InUse = containers.ImageInUse

	eng.dist = &distributionService{
		Dist: newDistribution(cfg, store), Store: store, Insecure: cfg.dist.insecure, Events: eng.bus,
	}
	// A FROM of an image the store lacks pulls it.
	eng.images = &imageService{
		Store:   store,
		Builder: &builder.Builder{Store: store, Runner: builder.RuntimeRunner{Runtime: rt}, Pull: eng.dist.PullFunc()},
		Events:  eng.bus,
	}
	return eng, nil
}

// close closes the services, the container service first.
func (e *engine) close() error {
	var errs []error
	for _, c := range e.closers {
		errs = append(errs, c())
	}
	e.closers = nil
	return errors.Join(errs...)
}

// writePidfile writes the PID atomically.
func writePidfile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing the pidfile: %w", err)
	}
	if err := atomicfile.Write(path, fmt.Appendf(nil, "%d\n", os.Getpid()), 0o644); err != nil {
		return fmt.Errorf("writing the pidfile: %w", err)
	}
	return nil
}

// useStageBinary starts container processes from container-runtime-init
// next to our binary when it is there and trusted, else from our own
// binary (which holds the same stages at a higher start-up cost), saying
// why in the log.
func useStageBinary(ctx context.Context, rt *runtime.Runtime) {
	log := logctx.From(ctx)
	switch path, err := rt.UseInstalledStageBinary(); {
	case err != nil:
		log.Warn("container processes start from the daemon's binary", "error", err)
	case path == "":
		log.Info("container processes start from the daemon's binary", "missing", runtime.StageBinaryName)
	default:
		log.Debug("container processes start from " + path)
	}
}
