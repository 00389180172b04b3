package image

import (
	"errors"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

// FuzzNormalizeName checks the store's image names (seed corpus in
// testdata/fuzz/FuzzNormalizeName): a name is either refused as an invalid
// argument or normalised to "repo:tag", where the repository has 1 to 255
// characters and no digest; normalising the result again gives it back
// unchanged (so a name the store keeps is a name it accepts); a name
// without a tag gets DefaultTag; the result never reads as an image id;
// and every form the lookup tries for it (nameCandidates) is a valid
// name with the same tag.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"busybox", "busybox:1.36", "library/debian:12", "localhost:5000/app",
		"localhost:5000", "registry.example.com:443/a/b__c-d.e:v1.0_rc", "Debian", "a:b:c", "a@sha256:00",
		"/a", "a//b", "a/", ":tag", "name:", strings.Repeat("a", 64), strings.Repeat("a", 256),
		"a:" + strings.Repeat("t", 129), "host:99999999999999999999/x", "a--b", "a___b", "-a", "a.-b",
		"docker.io/library/busybox", "index.docker.io/library/a/b:1", "docker.io/localhost/app", "localhost/app:v1",
		"library/busybox:latest", "docker.io/library/localhost"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		got, err := NormalizeName(ref)
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("NormalizeName(%q): %v is not ErrInvalidArgument", ref, err)
			}
			return
		}
		i := strings.LastIndexByte(got, ':')
		if i < 0 || strings.Contains(got[i+1:], "/") {
			t.Fatalf("NormalizeName(%q) = %q has no tag", ref, got)
		}
		repo, tag := got[:i], got[i+1:]
		if repo == "" || len(repo) > 255 || tag == "" || len(tag) > 128 || strings.Contains(got, "@") {
			t.Fatalf("NormalizeName(%q) = %q: repository %q, tag %q", ref, got, repo, tag)
		}
		if hexID().MatchString(repo) {
			t.Fatalf("NormalizeName(%q) = %q reads as an image id", ref, got)
		}
		if got != ref && got != ref+":"+DefaultTag {
			t.Fatalf("NormalizeName(%q) = %q: neither the name nor the name with %q", ref, got, DefaultTag)
		}
		again, err := NormalizeName(got)
		if err != nil || again != got {
			t.Fatalf("NormalizeName(%q) = %q, but NormalizeName(%q) = %q, %v", ref, got, got, again, err)
		}
		// The lookup's other forms of the name are names the store
		// accepts, with the same tag, the name itself first.
		cands := nameCandidates(got)
		if len(cands) == 0 || cands[0] != got {
			t.Fatalf("nameCandidates(%q) = %q does not start with the name", got, cands)
		}
		for _, c := range cands {
			if n, err := NormalizeName(c); err != nil || n != c || !strings.HasSuffix(c, ":"+tag) {
				t.Fatalf("nameCandidates(%q) has %q: NormalizeName gives %q, %v", got, c, n, err)
			}
		}
		if fam := familiarName(got); familiarName(fam) != fam {
			t.Fatalf("familiarName(%q) = %q is not stable", got, fam)
		}
	})
}
