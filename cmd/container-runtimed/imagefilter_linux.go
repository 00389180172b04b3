package main

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// imageFilter is a parsed set of images filters; each set field must hold.
type imageFilter struct {
	dangling   *bool
	references []string
	labels     []string
	created    api.CreatedRange
}

// ListFiltered implements daemon.ImageService: the images that the
// filters select, newest first. With reference filters an image lists
// only its names that match, as Docker's images does.
func (s *imageService) ListFiltered(ctx context.Context, opts api.ImageListOptions) ([]api.ImageSummary, error) {
	f, err := s.parseImageFilter(ctx, opts.Filters)
	if err != nil {
		return nil, err
	}
	imgs, err := s.Store.Images(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]api.ImageSummary, 0, len(imgs))
	for _, img := range imgs {
		if img, ok := f.apply(img); ok {
			out = append(out, imageSummary(img))
		}
	}
	return out, nil
}

// parseImageFilter validates the filters as Docker's daemon does.
func (s *imageService) parseImageFilter(ctx context.Context, filters map[string][]string) (*imageFilter, error) {
	f := &imageFilter{}
	for key, values := range filters {
		for _, v := range values {
			switch key {
			case "dangling":
				var d bool
				switch strings.ToLower(v) {
				case "true", "1":
					d = true
				case "false", "0":
				default:
					return nil, fmt.Errorf("invalid filter 'dangling=%s' (want true or false): %w", v, errdefs.ErrInvalidArgument)
				}
				if f.dangling != nil && *f.dangling != d {
					return nil, fmt.Errorf("invalid filter: dangling=true and dangling=false exclude each other: %w", errdefs.ErrInvalidArgument)
				}
				f.dangling = &d
			case "reference":
				if _, err := path.Match(v, ""); err != nil {
					return nil, fmt.Errorf("invalid filter 'reference=%s': %v: %w", v, err, errdefs.ErrInvalidArgument)
				}
				f.references = append(f.references, v)
			case "label":
				f.labels = append(f.labels, v)
			case "before", "since":
				img, err := s.Store.Image(ctx, v)
				if err != nil {
					return nil, fmt.Errorf("filter %s=%s: %w", key, v, err)
				}
				t := img.Created
				f.created.Bound(key, t)
			default:
				return nil, fmt.Errorf("invalid filter '%s': %w", key, errdefs.ErrInvalidArgument)
			}
		}
	}
	return f, nil
}

// apply tells whether img passes the filters, and returns it with only
// the names that the reference filters match.
func (f *imageFilter) apply(img image.Image) (image.Image, bool) {
	if f.dangling != nil && *f.dangling != (len(img.Names) == 0) {
		return img, false
	}
	for _, l := range f.labels {
		k, v, hasValue := strings.Cut(l, "=")
		got, ok := img.Config.Config.Labels[k]
		if !ok || hasValue && got != v {
			return img, false
		}
	}
	if !f.created.Holds(img.Created) {
		return img, false
	}
	if len(f.references) > 0 {
		var kept []string
		for _, n := range img.Names {
			if referenceMatch(f.references, n) {
				kept = append(kept, n)
			}
		}
		if len(kept) == 0 {
			return img, false
		}
		img.Names = kept
	}
	return img, true
}

// referenceMatch is Docker's reference filter: a glob (path.Match) on
// "name:tag" or on the name alone, so "busybox" and "busy*:1.*" both
// match busybox:1.36.
func referenceMatch(patterns []string, nameTag string) bool {
	name := nameTag
	if i := strings.LastIndexByte(nameTag, ':'); i > strings.LastIndexByte(nameTag, '/') {
		name = nameTag[:i]
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, nameTag); ok {
			return true
		}
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}
