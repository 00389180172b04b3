package container

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// psStates are the values of the status filter Docker accepts
// ("removing" never matches here: a removal holds the container's lock
// until the record is gone).
var psStates = []string{"created", "restarting", "running", "removing", "paused", "exited", "dead"}

// listFilter is a parsed set of ps filters: each non-nil field must hold.
type listFilter struct {
	names    []*regexp.Regexp
	labels   []string // "key" or "key=value"; all must hold
	statuses []string
	ancestor []ancestorRef
	ids      []string
	networks []string
	exited   []int
	created  api.CreatedRange
	// volumes are volume names, bind sources or mount destinations.
	volumes []string
	health  []string
}

// ancestorRef is an ancestor filter's value and the image id it names
// (empty when no image has that name: only containers created from the
// reference as written then match).
type ancestorRef struct {
	ref string
	id  digest.Digest
}

// parseListFilter validates the filters as Docker's daemon does: an
// unknown key is "invalid filter 'KEY'", a bad value "invalid filter
// 'KEY=VALUE'"; before and since name a container that must exist.
func (s *Service) parseListFilter(ctx context.Context, filters map[string][]string) (*listFilter, error) {
	f := &listFilter{}
	for key, values := range filters {
		for _, v := range values {
			bad := fmt.Errorf("invalid filter '%s=%s': %w", key, v, errdefs.ErrInvalidArgument)
			switch key {
			case "name":
				re, err := regexp.Compile(v)
				if err != nil {
					return nil, bad
				}
				f.names = append(f.names, re)
			case "label":
				f.labels = append(f.labels, v)
			case "status":
				if !slices.Contains(psStates, v) {
					return nil, fmt.Errorf("invalid filter 'status=%s' (want one of %s): %w", v, strings.Join(psStates, ", "), errdefs.ErrInvalidArgument)
				}
				f.statuses = append(f.statuses, v)
			case "ancestor":
				a := ancestorRef{ref: v}
				if img, err := s.images.Image(ctx, v); err == nil {
					a.id = img.ID
				}
				f.ancestor = append(f.ancestor, a)
			case "id":
				f.ids = append(f.ids, v)
			case "network":
				f.networks = append(f.networks, v)
			case "volume":
				f.volumes = append(f.volumes, v)
			case "exited":
				code, err := strconv.Atoi(v)
				if err != nil {
					return nil, bad
				}
				f.exited = append(f.exited, code)
			case "health":
				if !slices.Contains(healthFilterValues, v) {
					return nil, fmt.Errorf("invalid filter 'health=%s' (want one of %s): %w", v, strings.Join(healthFilterValues, ", "), errdefs.ErrInvalidArgument)
				}
				f.health = append(f.health, v)
			case "before", "since":
				e, err := s.lookup(v)
				if err != nil {
					return nil, fmt.Errorf("filter %s=%s: %w", key, v, err)
				}
				t := e.snapshot().Created
				f.created.Bound(key, t)
			default:
				return nil, fmt.Errorf("invalid filter '%s': %w", key, errdefs.ErrInvalidArgument)
			}
		}
	}
	return f, nil
}

// impliesAll tells whether the filters reach stopped containers, which
// Docker then lists without -a: a status or exited filter.
func (f *listFilter) impliesAll() bool {
	return len(f.statuses) > 0 || len(f.exited) > 0
}

// match tells whether r passes every filter.
func (f *listFilter) match(r *record) bool {
	if len(f.names) > 0 && !slices.ContainsFunc(f.names, func(re *regexp.Regexp) bool {
		// Docker's names start with '/'; accept patterns written either way.
		return re.MatchString(r.Name) || re.MatchString("/"+r.Name)
	}) {
		return false
	}
	for _, l := range f.labels {
		k, v, hasValue := strings.Cut(l, "=")
		got, ok := r.Config.Labels[k]
		if !ok || hasValue && got != v {
			return false
		}
	}
	if len(f.statuses) > 0 && !slices.Contains(f.statuses, r.State.Status) {
		return false
	}
	if len(f.ancestor) > 0 && !slices.ContainsFunc(f.ancestor, func(a ancestorRef) bool {
		return a.id != "" && a.id == r.ImageID || a.ref == r.Config.Image
	}) {
		return false
	}
	if len(f.ids) > 0 && !slices.ContainsFunc(f.ids, func(p string) bool { return strings.HasPrefix(r.ID, p) }) {
		return false
	}
	if len(f.networks) > 0 && !slices.Contains(f.networks, r.Network) {
		return false
	}
	if len(f.exited) > 0 && (r.State.Status != StateExited || !slices.Contains(f.exited, r.State.ExitCode)) {
		return false
	}
	if !f.created.Holds(r.Created) {
		return false
	}
	if len(f.volumes) > 0 && !slices.ContainsFunc(recordMounts(r), func(m api.Mount) bool {
		return slices.ContainsFunc(f.volumes, func(v string) bool {
			return v == m.Destination || m.Type == "volume" && v == m.Name || m.Type == "bind" && v == m.Source
		})
	}) {
		return false
	}
	if len(f.health) > 0 && !slices.Contains(f.health, healthStatus(r)) {
		return false
	}
	return true
}

// ListFiltered describes the containers that opts selects, newest
// first: the running ones unless All, a status or exited filter, or a
// Limit; at most Limit of them; with their sizes when Size is set.
func (s *Service) ListFiltered(ctx context.Context, opts api.ContainerListOptions) ([]api.ContainerSummary, error) {
	f, err := s.parseListFilter(ctx, opts.Filters)
	if err != nil {
		return nil, err
	}
	if opts.Limit < 0 {
		return nil, fmt.Errorf("invalid limit %d: %w", opts.Limit, errdefs.ErrInvalidArgument)
	}
	all := opts.All || opts.Limit > 0 || f.impliesAll()
	now := time.Now()
	imageSizes := map[digest.Digest]int64{}
	out := []api.ContainerSummary{}
	for _, e := range s.entries() {
		if opts.Limit > 0 && len(out) == opts.Limit {
			break
		}
		r := e.snapshot()
		if !all && !r.active() || !f.match(r) {
			continue
		}
		sum := summary(r, now)
		if opts.Size {
			sum.SizeRw, sum.SizeRootFs = s.sizes(ctx, r, imageSizes)
		}
		out = append(out, sum)
	}
	return out, nil
}
