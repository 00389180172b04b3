package distribution

import (
	"errors"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// FuzzParseRemote checks pull and push references (seed corpus in
// testdata/fuzz/FuzzParseRemote). A reference is refused as an invalid
// argument, or:
//   - plain HTTP was accepted only for a reference that names its registry;
//   - a tag reference has a store name, a digest reference none;
//   - the store name is one the image store accepts unchanged (else a pull
//     would download everything and then fail to name the image);
//   - the store name and the fully qualified name parse back to the same
//     image (round trip), and familiarName and canonicalName agree with them.
func FuzzParseRemote(f *testing.F) {
	const dg = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, s := range []string{"debian", "debian:12", "docker.io/library/debian", "index.docker.io/library/debian:12",
		"registry-1.docker.io/x/y", "bitnami/redis:7", "localhost:5000/app", "localhost/app", "[::1]:5000/a",
		"registry.example.com/a/b:v1", "debian@" + dg, "debian:12@" + dg, "Debian", "a@b@c", ":", "@", "a:",
		"example.com:65536/a", "UPPER.example.com/a", "a/" + strings.Repeat("b", 300)} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, ref string, insecure bool) {
		r, err := parseRemote(ref, insecure)
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("parseRemote(%q, %v): %v is not ErrInvalidArgument", ref, insecure, err)
			}
			return
		}
		if insecure && !namesRegistry(ref) {
			t.Fatalf("parseRemote(%q) allowed plain HTTP to a registry chosen by default (%s)", ref, r.host())
		}
		isDigest := strings.Contains(ref, "@")
		if isDigest != (r.local == "") {
			t.Fatalf("parseRemote(%q): store name %q for a reference by digest: %v", ref, r.local, isDigest)
		}
		full, err := parseRemote(r.String(), false)
		if err != nil {
			t.Fatalf("parseRemote(%q) = %s, which is refused: %v", ref, r, err)
		}
		if full.String() != r.String() || full.local != r.local {
			t.Fatalf("parseRemote(%q) = %s (store name %q), which parses to %s (%q)", ref, r, r.local, full, full.local)
		}
		if r.local == "" {
			return
		}
		if n, err := image.NormalizeName(r.local); err != nil || n != r.local {
			t.Fatalf("parseRemote(%q): the store refuses or changes the store name %q: %q, %v", ref, r.local, n, err)
		}
		back, err := parseRemote(r.local, false)
		if err != nil {
			t.Fatalf("parseRemote(%q): its store name %q is refused: %v", ref, r.local, err)
		}
		if back.String() != r.String() || back.local != r.local {
			t.Fatalf("parseRemote(%q) = %s, %q; its store name parses to %s, %q", ref, r, r.local, back, back.local)
		}
		if fam, err := familiarName(r.String()); err != nil || fam != r.local {
			t.Fatalf("familiarName(%q) = %q, %v; want %q", r.String(), fam, err, r.local)
		}
		canon, err := canonicalName(r.local)
		if err != nil {
			t.Fatalf("canonicalName(%q): %v", r.local, err)
		}
		if c, err := parseRemote(canon, false); err != nil || c.local != r.local {
			t.Fatalf("canonicalName(%q) = %q parses to store name %q, %v", r.local, canon, c.local, err)
		}
	})
}
