package builder

import "strings"

// fromRegistry tells whether a FROM reference names its registry host
// ("127.0.0.1:5000/app", "registry.example/app:1", "localhost/app"), so
// that build --pull fetches it again. A bare name ("busybox") is looked
// up in the store first, as without --pull: this engine's own images
// (imported, built, bootstrapped) have such names and no registry.
func fromRegistry(ref string) bool {
	host, _, ok := strings.Cut(ref, "/")
	if !ok {
		return false
	}
	return host == "localhost" || strings.ContainsAny(host, ".:")
}
