package image

import (
	"slices"
	"strings"
)

// dockerHubHosts are the names Docker gives its Hub's registry; the
// store keeps Hub images without them ("busybox:latest").
var dockerHubHosts = []string{"docker.io/", "index.docker.io/", "registry-1.docker.io/"}

// localPrefix is Podman's registry name for images that were built or
// loaded locally ("localhost/app:latest").
const localPrefix = "localhost/"

// nameCandidates returns the store names a normalized "repo:tag" may
// stand for, the name itself first, as Docker and Podman resolve a
// local image: Docker Hub's forms ("docker.io/library/busybox",
// "docker.io/busybox", "library/busybox") are the familiar "busybox",
// and Podman's "localhost/" prefix names a local image with or without
// it. The list is short and fixed, so a lookup costs a few reads.
func nameCandidates(name string) []string {
	i := strings.LastIndexByte(name, ':')
	repo, tag := name[:i], name[i:]
	out := []string{name}
	add := func(r string) {
		if r == "" || namesRegistry(r) && !strings.HasPrefix(r, localPrefix) {
			return
		}
		n := r + tag
		if valid, err := NormalizeName(n); err != nil || valid != n || slices.Contains(out, n) {
			return // too long, an id, or already listed
		}
		out = append(out, n)
	}
	add(familiarRepo(repo))
	if rest, ok := strings.CutPrefix(repo, localPrefix); ok {
		add(rest)
	} else if familiarRepo(repo) == repo && !namesRegistry(repo) {
		// A bare name ("app") is also Podman's local "localhost/app";
		// a Hub name spelt out ("library/app") is not.
		add(localPrefix + repo)
	}
	return out
}

// familiarRepo strips Docker Hub's host and, for an official image,
// "library/" from a repository; any other repository is returned as is.
// A Hub path whose first component reads as a registry host
// ("docker.io/localhost/app") keeps its host, as the store keeps it.
func familiarRepo(repo string) string {
	path := repo
	for _, h := range dockerHubHosts {
		if rest, ok := strings.CutPrefix(repo, h); ok {
			path = rest
			break
		}
	}
	if path == repo && namesRegistry(repo) {
		return repo
	}
	if rest, ok := strings.CutPrefix(path, "library/"); ok && rest != "" && !strings.Contains(rest, "/") {
		path = rest
	}
	if namesRegistry(path) {
		return repo
	}
	return path
}

// namesRegistry reports whether a repository starts with a registry
// host, by Docker's rule: a first component with a dot or a colon, or
// "localhost".
func namesRegistry(repo string) bool {
	first, _, ok := strings.Cut(repo, "/")
	return ok && (strings.ContainsAny(first, ".:") || first == "localhost")
}

// familiarName is a normalized "repo:tag" with its repository in the
// familiar form (familiarRepo).
func familiarName(name string) string {
	i := strings.LastIndexByte(name, ':')
	return familiarRepo(name[:i]) + name[i:]
}
