package docker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"slices"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// endpointConnect is what an EndpointSettings of a create or connect
// request asks for, in the network service's terms: aliases and an IPv4
// address. The other settings (links, IPv6, driver options, MAC address,
// gateway priority) are refused with the field named under field.
func endpointConnect(field string, ep *network.EndpointSettings) (api.NetworkConnect, error) {
	var out api.NetworkConnect
	if ep == nil {
		return out, nil
	}
	out.Aliases = ep.Aliases
	if c := ep.IPAMConfig; c != nil {
		if c.IPv6Address.IsValid() {
			return out, unsupported(field+".IPAMConfig.IPv6Address", "an IPv6 address")
		}
		if len(c.LinkLocalIPs) > 0 {
			return out, unsupported(field+".IPAMConfig.LinkLocalIPs", "a link-local address")
		}
		if c.IPv4Address.IsValid() {
			out.IPAddress = c.IPv4Address.String()
		}
	}
	switch {
	case len(ep.Links) > 0:
		return out, unsupported(field+".Links", "a legacy link")
	case len(ep.DriverOpts) > 0:
		return out, unsupported(field+".DriverOpts", "a driver option")
	case len(ep.MacAddress) > 0:
		return out, unsupported(field+".MacAddress", "a chosen MAC address")
	case ep.GwPriority != 0:
		return out, unsupported(field+".GwPriority", "a gateway priority")
	}
	return out, nil
}

// networkConnect is POST /networks/{id}/connect (docker network connect).
func (h *Handler) networkConnect(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.networks(w)
	if err != nil {
		return err
	}
	var req network.ConnectRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	if req.Container == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "Container: the container to connect is required")
	}
	conn, err := endpointConnect("EndpointConfig", req.EndpointConfig)
	if err != nil {
		return err
	}
	conn.Container = req.Container
	err = svc.Connect(r.Context(), r.PathValue("id"), conn)
	// Docker answers 403 for an endpoint that exists already; the CLI
	// only shows the message.
	if errors.Is(err, errdefs.ErrAlreadyExists) {
		return errdefs.Kindf(errdefs.ErrConflict, "%v", err)
	}
	return okEmpty(w, err)
}

// networkDisconnect is POST /networks/{id}/disconnect.
func (h *Handler) networkDisconnect(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.networks(w)
	if err != nil {
		return err
	}
	var req network.DisconnectRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	if req.Container == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "Container: the container to disconnect is required")
	}
	return okEmpty(w, svc.Disconnect(r.Context(), r.PathValue("id"), api.NetworkDisconnect{Container: req.Container, Force: req.Force}))
}

// networkPrune is POST /networks/prune?filters= (until, label, label!).
func (h *Handler) networkPrune(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.networks(w)
	if err != nil {
		return err
	}
	q := newQuery(r)
	filters := q.filters()
	if q.err != nil {
		return q.err
	}
	rep, err := svc.Prune(r.Context(), filters)
	if err != nil {
		return err
	}
	deleted := rep.NetworksDeleted
	if deleted == nil {
		deleted = []string{}
	}
	return writeJSON(w, http.StatusOK, network.PruneReport{NetworksDeleted: deleted})
}

// okEmpty answers 200 with no body unless err, as Docker's connect and
// disconnect.
func okEmpty(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// connectExtras connects a container made by create to the further
// networks its NetworkingConfig named (API 1.44+ clients send them all at
// create); on a failure the container is removed, so that a refused
// create leaves nothing.
func (h *Handler) connectExtras(ctx context.Context, id string, extras map[string]api.NetworkConnect) error {
	if len(extras) == 0 {
		return nil
	}
	svc, err := h.networks(nil)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(extras)) {
		conn := extras[name]
		conn.Container = id
		if err := svc.Connect(ctx, name, conn); err != nil {
			rmErr := h.cfg.Containers.Remove(context.WithoutCancel(ctx), id, true)
			return errors.Join(fmt.Errorf("NetworkingConfig.EndpointsConfig[%s]: %w", name, err), rmErr)
		}
	}
	return nil
}

// setNetworks fills inspect's NetworkSettings.Networks with every network
// of the container (its first and those connected). On a user-defined
// network Docker also names a container by its short id (our DNS answers
// it too). From API 1.44 DNSNames lists the name, aliases and short id.
// The short id is also among the Aliases whatever the version, where
// Docker stopped putting it at 1.45: Compose 1.29 negotiates the server's
// newest version and looks for it there to tell that a container it made
// is configured; without it, it disconnects the container from its first
// network to connect it again, which this engine refuses.
func setNetworks(out *container.InspectResponse, c api.ContainerInspect, version string) {
	if len(c.Networks) == 0 {
		return
	}
	out.NetworkSettings.Networks = endpointSettings(c, version)
}

// endpointSettings are c's networks in Docker's shape, by name, as
// inspect and the container list show them.
func endpointSettings(c api.ContainerInspect, version string) map[string]*network.EndpointSettings {
	short := c.ID[:min(12, len(c.ID))]
	nets := map[string]*network.EndpointSettings{}
	for name, n := range c.Networks {
		name = networkName(name)
		ep := &network.EndpointSettings{NetworkID: n.NetworkID, IPPrefixLen: n.IPPrefixLen, Aliases: slices.Clone(n.Aliases)}
		ep.IPAddress, _ = netip.ParseAddr(n.IPAddress)
		ep.Gateway, _ = netip.ParseAddr(n.Gateway)
		if mac, err := net.ParseMAC(n.MacAddress); err == nil {
			ep.MacAddress = network.HardwareAddr(mac)
		}
		if userDefined(name) {
			if !slices.Contains(ep.Aliases, short) {
				ep.Aliases = append(ep.Aliases, short)
			}
			if compareVersions(version, "1.44") >= 0 {
				ep.DNSNames = append(append([]string{c.Name}, n.Aliases...), short)
			}
		}
		nets[name] = ep
	}
	return nets
}

// userDefined reports whether a network is one a user made (the
// predefined bridge, host and none have no names).
func userDefined(name string) bool {
	return name != "bridge" && name != "host" && name != "none"
}
