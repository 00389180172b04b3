package distribution

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// dockerHub is how go-containerregistry names Docker Hub's registry, and
// dockerHubDomains how users and other tools write it.
const dockerHub = name.DefaultRegistry

var dockerHubDomains = [...]string{"docker.io", "index.docker.io", "registry-1.docker.io"}

// maxRepositoryLength bounds a repository path ("library/debian"), as
// go-containerregistry and registries do.
const maxRepositoryLength = 255

func isDockerHub(host string) bool {
	for _, d := range dockerHubDomains {
		if host == d {
			return true
		}
	}
	return false
}

// remoteRef is a reference to an image in a registry.
type remoteRef struct {
	ref name.Reference
	// local is the name the image gets in the store (Docker's familiar
	// form: "debian:latest", "localhost:5000/app:1"); empty for a
	// reference by digest, which Docker does not tag either.
	local string
	// insecure: plain HTTP is allowed to this registry.
	insecure bool
}

func (r remoteRef) registry() name.Registry { return r.ref.Context().Registry }

// host is the registry's host[:port] as requests name it.
func (r remoteRef) host() string { return r.ref.Context().RegistryStr() }

func (r remoteRef) String() string { return r.ref.Name() }

// parseRemote parses a reference the way Docker does: a name without a
// registry is on Docker Hub, a one-component Docker Hub name is in
// library/, a missing tag is "latest"; "name:tag@digest" means the digest.
// insecure (plain HTTP) is accepted only when the reference names its
// registry: it must never apply to a registry chosen by default.
func parseRemote(ref string, insecure bool) (remoteRef, error) {
	if ref == "" {
		return remoteRef{}, fmt.Errorf("image reference: %w: empty", errdefs.ErrInvalidArgument)
	}
	s := ref
	if at := strings.IndexByte(s, '@'); at >= 0 {
		// Docker accepts a tag next to a digest and ignores it.
		repo := s[:at]
		if c := strings.LastIndexByte(repo, ':'); c > strings.LastIndexByte(repo, '/') {
			repo = repo[:c]
		}
		s = repo + s[at:]
	}
	var opts []name.Option
	if insecure {
		if !namesRegistry(s) {
			return remoteRef{}, fmt.Errorf("image reference %q: %w: insecure (plain HTTP) access needs the registry named in the reference", ref, errdefs.ErrInvalidArgument)
		}
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(s, opts...)
	if err != nil {
		return remoteRef{}, fmt.Errorf("image reference %q: %w: %w", ref, errdefs.ErrInvalidArgument, err)
	}
	// go-containerregistry checks only which characters a repository and
	// a tag use, so it accepts ".", "a..b", "-a", "a//b" and the tag ".";
	// Docker's grammar, which the store enforces on the name a pull
	// records, refuses them.
	familiar := familiarRepo(r.Context())
	if t, ok := r.(name.Tag); ok {
		familiar += ":" + t.TagStr()
	}
	if _, err := image.NormalizeName(familiar); err != nil {
		return remoteRef{}, fmt.Errorf("image reference %q: %w", ref, err)
	}
	// It also checks the length of a Docker Hub name before adding
	// "library/", and would then refuse the full name it prints.
	if n := len(r.Context().RepositoryStr()); n > maxRepositoryLength {
		return remoteRef{}, fmt.Errorf("image reference %q: %w: the repository path has %d characters; at most %d are allowed",
			ref, errdefs.ErrInvalidArgument, n, maxRepositoryLength)
	}
	out := remoteRef{ref: r, insecure: insecure}
	if _, ok := r.(name.Tag); ok {
		out.local = familiar
	}
	return out, nil
}

// namesRegistry reports whether a reference starts with a registry host, by
// Docker's rule: a first component with a dot or a colon, or "localhost".
func namesRegistry(ref string) bool {
	first, _, ok := strings.Cut(ref, "/")
	return ok && (strings.ContainsAny(first, ".:") || first == "localhost")
}

// familiarRepo is a repository's short form: Docker Hub's registry and,
// for an official image ("library/debian"), "library/" left out, as Docker
// does. A nested path below library/ keeps it ("library/a/b" is not the
// user a's image b), and a Docker Hub path whose first component reads as
// a registry host ("localhost/app", "0.0/x") keeps "docker.io/": without
// it the name would designate another registry.
func familiarRepo(repo name.Repository) string {
	path := repo.RepositoryStr()
	if repo.RegistryStr() != dockerHub {
		return repo.RegistryStr() + "/" + path
	}
	if rest, ok := strings.CutPrefix(path, "library/"); ok && !strings.Contains(rest, "/") {
		path = rest
	}
	if namesRegistry(path) {
		return "docker.io/" + path
	}
	return path
}

// familiarName turns an image name from an archive or the command line
// ("docker.io/library/busybox:latest", "localhost/app") into the form the
// store keeps ("busybox:latest", "localhost/app:latest").
func familiarName(s string) (string, error) {
	t, err := name.NewTag(s)
	if err != nil {
		return "", fmt.Errorf("image name %q: %w: %w", s, errdefs.ErrInvalidArgument, err)
	}
	return familiarRepo(t.Context()) + ":" + t.TagStr(), nil
}

// canonicalName is the fully qualified form of a store name
// ("docker.io/library/busybox:latest"), which containerd and podman
// expect in OCI layout annotations.
func canonicalName(s string) (string, error) {
	t, err := name.NewTag(s)
	if err != nil {
		return "", fmt.Errorf("image name %q: %w: %w", s, errdefs.ErrInvalidArgument, err)
	}
	reg := t.RegistryStr()
	if reg == dockerHub {
		reg = "docker.io"
	}
	return reg + "/" + t.RepositoryStr() + ":" + t.TagStr(), nil
}
