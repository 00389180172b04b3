package docker

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/moby/moby/api/types/network"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
)

// networkOf is one of our networks in Docker's shape.
func networkOf(n api.Network) network.Network {
	out := network.Network{
		Name: n.Name, ID: n.ID, Created: n.Created, Scope: "local", Driver: n.Driver, EnableIPv4: n.Driver == "bridge",
		IPAM:    network.IPAM{Driver: "default", Options: map[string]string{}, Config: []network.IPAMConfig{}},
		Options: map[string]string{}, Labels: n.Labels,
	}
	if out.Labels == nil {
		out.Labels = map[string]string{}
	}
	if p, err := netip.ParsePrefix(n.Subnet); err == nil {
		c := network.IPAMConfig{Subnet: p}
		c.Gateway, _ = netip.ParseAddr(n.Gateway)
		out.IPAM.Config = append(out.IPAM.Config, c)
	}
	return out
}

func (h *Handler) networks(w http.ResponseWriter) (daemon.NetworkService, error) {
	if h.cfg.Networks == nil {
		return nil, errdefs.Kindf(errdefs.ErrUnavailable, "this daemon has no network service")
	}
	return h.cfg.Networks, nil
}

func (h *Handler) networkList(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.networks(w)
	if err != nil {
		return err
	}
	q := newQuery(r)
	filters := q.filters()
	if q.err != nil {
		return q.err
	}
	list, err := svc.List(r.Context())
	if err != nil {
		return err
	}
	out := []network.Summary{}
	for _, n := range list {
		if !networkMatches(n, filters) {
			continue
		}
		out = append(out, network.Summary{Network: networkOf(n)})
	}
	return writeJSON(w, http.StatusOK, out)
}

// networkMatches applies docker network ls's filters name, id, driver and
// label (key or key=value); the values of one key are alternatives, except
// label's, which must all hold (as Docker's: Compose lists a project's
// networks with the project's label and one more).
func networkMatches(n api.Network, filters map[string][]string) bool {
	for k, vals := range filters {
		if k == "label" {
			if !hasLabels(n.Labels, vals) {
				return false
			}
			continue
		}
		ok := false
		for _, v := range vals {
			switch k {
			case "name":
				ok = ok || strings.Contains(n.Name, v)
			case "id":
				ok = ok || len(v) <= len(n.ID) && n.ID[:len(v)] == v
			case "driver":
				ok = ok || n.Driver == v
			case "type":
				builtin := n.Name == "bridge" || n.Name == "host" || n.Name == "none"
				ok = ok || (v == "builtin") == builtin
			default:
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (h *Handler) networkInspect(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.networks(w)
	if err != nil {
		return err
	}
	n, err := svc.Inspect(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := network.Inspect{Network: networkOf(n), Containers: map[string]network.EndpointResource{}}
	for _, c := range n.Containers {
		ep := network.EndpointResource{Name: c.Name}
		if a, err := netip.ParseAddr(c.IPAddress); err == nil {
			bits := 32
			if p, err := netip.ParsePrefix(n.Subnet); err == nil {
				bits = p.Bits()
			}
			ep.IPv4Address = netip.PrefixFrom(a, bits)
		}
		if mac, err := net.ParseMAC(c.MacAddress); err == nil {
			ep.MacAddress = network.HardwareAddr(mac)
		}
		out.Containers[c.ContainerID] = ep
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) networkCreate(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.networks(w)
	if err != nil {
		return err
	}
	var req network.CreateRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	if req.Name == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "Name: a network name is required")
	}
	switch {
	case req.Driver != "" && req.Driver != "bridge":
		return unsupported("Driver", fmt.Sprintf("network driver %q", req.Driver))
	case req.EnableIPv6 != nil && *req.EnableIPv6:
		return unsupported("EnableIPv6", "an IPv6 network")
	case req.Internal:
		return unsupported("Internal", "an internal network")
	case req.Ingress || req.ConfigOnly || req.ConfigFrom != nil || (req.Scope != "" && req.Scope != "local"):
		return unsupported("Scope", "a swarm network")
	case len(req.Options) > 0:
		return unsupported("Options", "a driver option")
	}
	create := api.NetworkCreate{Name: req.Name, Labels: req.Labels}
	if req.IPAM != nil {
		if len(req.IPAM.Config) > 1 {
			return unsupported("IPAM.Config", "several subnets")
		}
		if len(req.IPAM.Config) == 1 {
			c := req.IPAM.Config[0]
			if c.IPRange.IsValid() || c.Gateway.IsValid() || len(c.AuxAddress) > 0 {
				return unsupported("IPAM.Config", "an IP range, gateway or auxiliary address")
			}
			if c.Subnet.IsValid() {
				create.Subnet = c.Subnet.String()
			}
		}
	}
	n, err := svc.Create(r.Context(), create)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, network.CreateResponse{ID: n.ID})
}

func (h *Handler) networkRemove(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.networks(w)
	if err != nil {
		return err
	}
	return noContent(w, svc.Remove(r.Context(), r.PathValue("id")))
}
