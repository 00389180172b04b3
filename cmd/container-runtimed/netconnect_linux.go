package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/container"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/network"
)

// networkContainers is what network connect, disconnect and prune need
// of the container service (*container.Service): a container's
// networks live in its record, so that every start connects them again.
type networkContainers interface {
	ConnectNetwork(ctx context.Context, ref, name string, opts container.ConnectOptions) error
	DisconnectNetwork(ctx context.Context, ref, name string, force bool) error
	NetworksInUse() map[string]bool
}

// Connect gives a container one more network.
func (s *networkService) Connect(ctx context.Context, name string, req api.NetworkConnect) error {
	if err := s.Containers.ConnectNetwork(ctx, req.Container, name, container.ConnectOptions{Aliases: req.Aliases, IPAddress: req.IPAddress}); err != nil {
		return err
	}
	if n, err := s.Manager.InspectNetwork(ctx, name); err == nil {
		s.publishContainer("connect", n, req.Container)
	}
	return nil
}

// Disconnect takes a network away from a container.
func (s *networkService) Disconnect(ctx context.Context, name string, req api.NetworkDisconnect) error {
	if err := s.Containers.DisconnectNetwork(ctx, req.Container, name, req.Force); err != nil {
		return err
	}
	if n, err := s.Manager.InspectNetwork(ctx, name); err == nil {
		s.publishContainer("disconnect", n, req.Container)
	}
	return nil
}

// Prune removes the user-defined networks that no container is on or
// connected to, running or not, as Docker's network prune; the
// predefined ones always stay. Filters: until (a time or a duration
// before now: networks created before it), label and label! (KEY or
// KEY=VALUE).
func (s *networkService) Prune(ctx context.Context, filters map[string][]string) (api.NetworkPruneReport, error) {
	keep, err := parsePruneFilters(filters, time.Now())
	if err != nil {
		return api.NetworkPruneReport{}, err
	}
	list, err := s.Manager.ListNetworks(ctx)
	if err != nil {
		return api.NetworkPruneReport{}, err
	}
	used := s.Containers.NetworksInUse()
	rep := api.NetworkPruneReport{NetworksDeleted: []string{}}
	var errs []string
	for _, n := range list {
		if n.Name == network.Bridge || n.Name == network.Host || n.Name == network.None || used[n.Name] || keep(n) {
			continue
		}
		if err := s.Manager.RemoveNetwork(ctx, n.Name); err != nil {
			// Attached meanwhile (a container created since): it stays.
			if !errors.Is(err, errdefs.ErrConflict) {
				errs = append(errs, err.Error())
			}
			continue
		}
		s.publish("destroy", n)
		rep.NetworksDeleted = append(rep.NetworksDeleted, n.Name)
	}
	if len(errs) > 0 {
		return rep, fmt.Errorf("pruning networks: %s", strings.Join(errs, "; "))
	}
	return rep, nil
}

// parsePruneFilters returns the test of the networks a prune keeps.
func parsePruneFilters(filters map[string][]string, now time.Time) (func(network.Network) bool, error) {
	var until time.Time
	var labels, notLabels []string
	for key, values := range filters {
		for _, v := range values {
			switch key {
			case "until":
				t, err := parseUntil(v, now)
				if err != nil {
					return nil, err
				}
				until = t
			case "label":
				labels = append(labels, v)
			case "label!":
				notLabels = append(notLabels, v)
			default:
				return nil, fmt.Errorf("invalid filter '%s' (network prune takes until, label and label!): %w", key, errdefs.ErrInvalidArgument)
			}
		}
	}
	return func(n network.Network) bool {
		if !until.IsZero() && !n.Created.Before(until) {
			return true
		}
		for _, l := range labels {
			if !hasLabel(n.Labels, l) {
				return true
			}
		}
		for _, l := range notLabels {
			if hasLabel(n.Labels, l) {
				return true
			}
		}
		return false
	}, nil
}

// parseUntil reads Docker's until: a duration before now ("24h"), an
// RFC 3339 time or date, or Unix seconds.
func parseUntil(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	var sec int64
	if _, err := fmt.Sscanf(v, "%d", &sec); err == nil && fmt.Sprint(sec) == v {
		return time.Unix(sec, 0), nil
	}
	return time.Time{}, fmt.Errorf("invalid filter 'until=%s': want a duration (24h), a time (2006-01-02T15:04:05Z) or Unix seconds: %w", v, errdefs.ErrInvalidArgument)
}

// hasLabel tells whether labels has KEY, or KEY=VALUE.
func hasLabel(labels map[string]string, l string) bool {
	k, v, withValue := strings.Cut(l, "=")
	got, ok := labels[k]
	return ok && (!withValue || got == v)
}

func (s *networkService) publishContainer(action string, n network.Network, ctr string) {
	if s.Events != nil {
		s.Events.Publish(api.Event{Type: "network", Action: action, ID: n.ID, Name: n.Name, Attributes: map[string]string{"container": ctr}})
	}
}
