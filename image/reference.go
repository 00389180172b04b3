package image

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/container-runtime/container-runtime/errdefs"
)

// DefaultTag is the tag a name without one gets.
const DefaultTag = "latest"

// The reference grammar of Docker's distribution/reference, without digests:
// an optional registry host[:port] (a domain name or a bracketed IPv6
// address), path components of lowercase alphanumerics joined by ".", "_",
// "__" or dashes, and a tag. Compiled at first use, not at package init:
// every process of the daemon's binary (each container's init and exec
// stage) runs the package inits, and these cost half a millisecond.
var (
	nameComponent = lazyRegexp(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	nameDomain    = lazyRegexp(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$`)
	nameTag       = lazyRegexp(`^[\w][\w.-]{0,127}$`)
	hexID         = lazyRegexp(`^[a-f0-9]{64}$`)
)

// lazyRegexp returns a function compiling expr once, when first called.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// NormalizeName validates an image name and returns it as "name:tag", adding
// DefaultTag when there is none. It fails with ErrInvalidArgument.
func NormalizeName(ref string) (string, error) {
	repo, tag := ref, DefaultTag
	if i := strings.LastIndexByte(ref, ':'); i >= 0 && !strings.Contains(ref[i+1:], "/") {
		repo, tag = ref[:i], ref[i+1:]
	}
	if err := validateName(repo, tag); err != nil {
		return "", fmt.Errorf("image name %q: %w: %s", ref, errdefs.ErrInvalidArgument, err)
	}
	return repo + ":" + tag, nil
}

func validateName(repo, tag string) error {
	if strings.Contains(repo, "@") {
		return fmt.Errorf("digest references are not supported")
	}
	if len(repo) == 0 || len(repo) > 255 {
		return fmt.Errorf("the name must have 1 to 255 characters")
	}
	if hexID().MatchString(repo) {
		return fmt.Errorf("a 64-character hexadecimal name would read as an image id")
	}
	if !nameTag().MatchString(tag) {
		return fmt.Errorf("invalid tag %q", tag)
	}
	parts := strings.Split(repo, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		if !nameDomain().MatchString(parts[0]) {
			return fmt.Errorf("invalid registry host %q", parts[0])
		}
		parts = parts[1:]
	}
	for _, p := range parts {
		if !nameComponent().MatchString(p) {
			return fmt.Errorf("invalid name component %q (lowercase letters, digits and separators . _ __ -)", p)
		}
	}
	return nil
}
