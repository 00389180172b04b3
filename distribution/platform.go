package distribution

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Platform is an OS, an architecture and an optional variant, as written
// in image indexes ("linux/arm64", "linux/arm/v7").
type Platform struct {
	OS, Architecture, Variant string
}

func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// HostPlatform is the platform of this machine.
func HostPlatform() Platform {
	p := Platform{OS: "linux", Architecture: runtime.GOARCH}
	if p.Architecture == "arm" {
		p.Variant = "v7"
	}
	return p
}

// ParsePlatform parses "os/arch[/variant]" or just "arch" (then the OS is
// linux); "" is HostPlatform.
func ParsePlatform(s string) (Platform, error) {
	if s == "" {
		return HostPlatform(), nil
	}
	parts := strings.Split(strings.ToLower(s), "/")
	if len(parts) == 1 {
		parts = append([]string{"linux"}, parts...)
	}
	if len(parts) > 3 || slices.Contains(parts, "") {
		return Platform{}, fmt.Errorf("platform %q: %w: want os/arch[/variant]", s, errdefs.ErrInvalidArgument)
	}
	p := Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	// Go's and the spec's names for the same thing.
	if p.Architecture == "aarch64" {
		p.Architecture = "arm64"
	}
	if p.Architecture == "x86_64" || p.Architecture == "x86-64" {
		p.Architecture = "amd64"
	}
	return p, nil
}

// matches reports whether an index entry's platform is p. An entry
// without a variant matches any wanted variant of arm64 (where v8 is the
// only one in use); otherwise a wanted variant must be there.
func (p Platform) matches(q *ocispec.Platform) bool {
	if q == nil || q.OS != p.OS || q.Architecture != p.Architecture {
		return false
	}
	if p.Variant == "" || p.Variant == q.Variant {
		return true
	}
	return q.Variant == "" && p.Architecture == "arm64"
}

// selectManifest picks from an index the manifest for p. Entries for
// "unknown/unknown" (BuildKit's attestations) are not images.
func selectManifest(idx ocispec.Index, p Platform) (ocispec.Descriptor, error) {
	var seen []string
	for _, d := range idx.Manifests {
		if d.Platform == nil || d.Platform.OS == "unknown" {
			continue
		}
		if p.matches(d.Platform) {
			return d, nil
		}
		q := Platform{OS: d.Platform.OS, Architecture: d.Platform.Architecture, Variant: d.Platform.Variant}
		seen = append(seen, q.String())
	}
	if len(seen) == 0 {
		return ocispec.Descriptor{}, fmt.Errorf("%w: no manifest for %s in the image index (it lists no platform)", errdefs.ErrNotFound, p)
	}
	return ocispec.Descriptor{}, fmt.Errorf("%w: no manifest for %s in the image index; it has %s", errdefs.ErrNotFound, p, strings.Join(seen, ", "))
}
