package container

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/network"
)

// extraNetwork is a network that `network connect` gave a container
// besides its first one (record.Network): kept in the record, it is
// connected again at every start.
type extraNetwork struct {
	Network string   `json:"network"`
	Aliases []string `json:"aliases,omitempty"`
	// IPAddress is the address asked for ("" for any).
	IPAddress string `json:"ipAddress,omitempty"`
}

// ConnectOptions are the options of ConnectNetwork (Docker's network
// connect --alias and --ip).
type ConnectOptions struct {
	Aliases   []string
	IPAddress string
}

// ConnectNetwork connects container ref to one more network, as
// Docker's network connect: a running container gets the interface at
// once (eth1, eth2...), and every later start connects it again. The
// networks host and none, and a container on host or none, are refused
// (ErrInvalidArgument), as is a network the container is on already
// (ErrAlreadyExists) or an address in use (ErrConflict).
func (s *Service) ConnectNetwork(ctx context.Context, ref, name string, opts ConnectOptions) error {
	if s.netmgr == nil {
		return fmt.Errorf("this daemon manages no networks: %w", errdefs.ErrUnavailable)
	}
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	if name == network.Host || name == network.None {
		return fmt.Errorf("container cannot be connected to network %s: it can only be a container's only network: %w", name, errdefs.ErrInvalidArgument)
	}
	nw, err := s.netmgr.InspectNetwork(ctx, name)
	if err != nil {
		return err
	}
	name = nw.Name
	var ip netip.Addr
	if opts.IPAddress != "" {
		if ip, err = netip.ParseAddr(opts.IPAddress); err != nil || !ip.Unmap().Is4() {
			return fmt.Errorf("invalid IPv4 address: %q: %w", opts.IPAddress, errdefs.ErrInvalidArgument)
		}
		if name == network.Bridge {
			return fmt.Errorf("user specified IP address is supported on user defined networks only: %w", errdefs.ErrInvalidArgument)
		}
		if !nw.Subnet.Contains(ip.Unmap()) {
			return fmt.Errorf("address %s is not in network %s's subnet %s: %w", ip, name, nw.Subnet, errdefs.ErrInvalidArgument)
		}
	}
	if err := checkAliases(opts.Aliases); err != nil {
		return err
	}
	e.op.Lock()
	defer e.op.Unlock()
	r := e.snapshot()
	switch {
	case r.Network == network.Host:
		return fmt.Errorf("container %s is on network host, which cannot be combined with other networks: %w", r.Name, errdefs.ErrInvalidArgument)
	case r.Network == network.None:
		return fmt.Errorf("container %s is on network none, which cannot be combined with other networks: %w", r.Name, errdefs.ErrInvalidArgument)
	case r.Network == name || slices.ContainsFunc(r.ExtraNetworks, func(x extraNetwork) bool { return x.Network == name }):
		return fmt.Errorf("endpoint with name %s already exists in network %s: %w", r.Name, name, errdefs.ErrAlreadyExists)
	}
	x := extraNetwork{Network: name, Aliases: slices.Clone(opts.Aliases), IPAddress: opts.IPAddress}
	var st *NetworkStatus
	if r.State.Status == StateRunning || r.State.Status == StatePaused {
		att, err := s.netmgr.Connect(ctx, network.ConnectRequest{ContainerID: r.ID, Network: name, Aliases: x.Aliases, IP: ip})
		if err != nil {
			return err
		}
		got := statusOf(att)
		st = &got
	}
	e.update(func(rec *record) {
		rec.ExtraNetworks = append(rec.ExtraNetworks, x)
		if st != nil {
			if rec.State.ExtraNets == nil {
				rec.State.ExtraNets = map[string]NetworkStatus{}
			}
			rec.State.ExtraNets[name] = *st
		}
	})
	if err := s.save(e); err != nil {
		e.update(func(rec *record) {
			rec.ExtraNetworks = r.ExtraNetworks
			rec.State.ExtraNets = r.State.ExtraNets
		})
		if st != nil {
			err = errors.Join(err, s.netmgr.Disconnect(ctx, r.ID, name))
		}
		return err
	}
	return nil
}

// DisconnectNetwork removes a network that ConnectNetwork gave container
// ref, at once if it runs. A network the container is not connected to
// gets ErrNotFound (force only removes what is left of an attachment,
// as Docker's -f); the container's first network (--network) cannot be
// disconnected (ErrInvalidArgument).
func (s *Service) DisconnectNetwork(ctx context.Context, ref, name string, force bool) error {
	if s.netmgr == nil {
		return fmt.Errorf("this daemon manages no networks: %w", errdefs.ErrUnavailable)
	}
	e, err := s.lookup(ref)
	if err != nil {
		return err
	}
	if nw, err := s.netmgr.InspectNetwork(ctx, name); err == nil {
		name = nw.Name
	} else if !force {
		return err
	}
	e.op.Lock()
	defer e.op.Unlock()
	r := e.snapshot()
	if r.Network == name {
		if name == network.Host {
			return fmt.Errorf("container cannot be disconnected from host network or connected to host network: %w", errdefs.ErrInvalidArgument)
		}
		return fmt.Errorf("network %s is container %s's first network (its --network), which stays as long as the container: %w", name, r.Name, errdefs.ErrInvalidArgument)
	}
	i := slices.IndexFunc(r.ExtraNetworks, func(x extraNetwork) bool { return x.Network == name })
	if i < 0 && !force {
		return fmt.Errorf("container %s is not connected to network %s: %w", r.Name, name, errdefs.ErrNotFound)
	}
	if err := s.netmgr.Disconnect(ctx, r.ID, name); err != nil && !(errors.Is(err, errdefs.ErrNotFound) && (force || !r.active())) {
		return err
	}
	if i < 0 {
		return nil
	}
	e.update(func(rec *record) {
		rec.ExtraNetworks = slices.DeleteFunc(rec.ExtraNetworks, func(x extraNetwork) bool { return x.Network == name })
		delete(rec.State.ExtraNets, name)
	})
	if err := s.save(e); err != nil {
		return err
	}
	return nil
}

// NetworksInUse are the networks some container is on or connected to,
// running or not (network prune keeps them, as Docker's).
func (s *Service) NetworksInUse() map[string]bool {
	used := map[string]bool{}
	for _, e := range s.entries() {
		r := e.snapshot()
		used[r.Network] = true
		for _, x := range r.ExtraNetworks {
			used[x.Network] = true
		}
	}
	return used
}

// connectExtras connects a starting container to its further networks
// (after its first network's Attach) and returns what each got. On an
// error the caller's Detach removes the ones connected.
func (s *Service) connectExtras(ctx context.Context, r *record) (map[string]NetworkStatus, error) {
	if len(r.ExtraNetworks) == 0 || s.netmgr == nil {
		return nil, nil
	}
	out := map[string]NetworkStatus{}
	for _, x := range r.ExtraNetworks {
		var ip netip.Addr
		if x.IPAddress != "" {
			ip, _ = netip.ParseAddr(x.IPAddress) // checked by ConnectNetwork
		}
		att, err := s.netmgr.Connect(ctx, network.ConnectRequest{ContainerID: r.ID, Network: x.Network, Aliases: x.Aliases, IP: ip})
		if err != nil {
			return nil, fmt.Errorf("connecting container %s to network %s: %w", r.Name, x.Network, err)
		}
		out[x.Network] = statusOf(att)
	}
	return out, nil
}

// checkAliases validates network aliases: DNS names of letters,
// digits, '-', '_' and '.'.
func checkAliases(aliases []string) error {
	for _, a := range aliases {
		ok := a != "" && len(a) <= 253
		for _, c := range a {
			ok = ok && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')
		}
		if !ok {
			return fmt.Errorf("invalid network alias %q: use letters, digits, '-', '_' and '.': %w", a, errdefs.ErrInvalidArgument)
		}
	}
	return nil
}

// containerNetworks are inspect's networks of r: its first and those
// connected, with what the current run got on each.
func (s *Service) containerNetworks(ctx context.Context, r *record) map[string]api.ContainerNetwork {
	out := map[string]api.ContainerNetwork{}
	add := func(name string, aliases []string, st *NetworkStatus) {
		cn := api.ContainerNetwork{Aliases: slices.Clone(aliases)}
		if s.netmgr != nil {
			if nw, err := s.netmgr.InspectNetwork(ctx, name); err == nil {
				cn.NetworkID = nw.ID
			}
		}
		if st != nil && r.active() {
			cn.IPAddress, cn.IPPrefixLen, cn.Gateway, cn.MacAddress = st.IPAddress, st.PrefixLen, st.Gateway, st.MAC
		}
		out[name] = cn
	}
	add(r.Network, r.Config.NetworkAliases, r.State.Net)
	for _, x := range r.ExtraNetworks {
		var st *NetworkStatus
		if got, ok := r.State.ExtraNets[x.Network]; ok {
			st = &got
		}
		add(x.Network, x.Aliases, st)
	}
	return out
}
