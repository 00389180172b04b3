package main

import (
	"context"

	"github.com/container-runtime/container-runtime/container"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/events"
	"github.com/container-runtime/container-runtime/network"
	"github.com/container-runtime/container-runtime/runtime"
	"github.com/container-runtime/container-runtime/volume"
)

// containerDeps is what the container service is built from.
type containerDeps struct {
	root, execRoot string
	store          *image.Store
	runtime        *runtime.Runtime
	bus            *events.Bus
	networks       *network.Manager
	volumes        *volume.Store
}

// The container service is what the daemon's container routes call.
var _ daemon.ContainerService = (*container.Service)(nil)

// newContainerService opens the container service, which re-adopts the
// containers that kept running while no daemon was up.
func newContainerService(ctx context.Context, deps containerDeps) (*container.Service, func() error, error) {
	svc, err := container.New(ctx, container.Config{
		Root:     deps.root,
		ExecRoot: deps.execRoot,
		Images:   deps.store,
		Runtime:  deps.runtime,
		Events:   deps.bus,
		// The service reconciles the manager with the containers that
		// still run before it starts any.
		NetworkManager: deps.networks,
		Volumes:        deps.volumes,
	})
	if err != nil {
		return nil, nil, err
	}
	return svc, svc.Close, nil
}
