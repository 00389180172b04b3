package image

import (
	"reflect"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// FuzzExtensionsOf feeds arbitrary image configs (untrusted: pulled or
// loaded) to ExtensionsOf: it must not panic, and what it reads must
// survive MarshalConfig and a second reading unchanged.
func FuzzExtensionsOf(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"config":{}}`, `{"config":{"Shell":["/bin/bash","-c"]}}`, `{"config":{"Shell":[]}}`,
		`{"config":{"Healthcheck":{"Test":["CMD","true"],"Interval":1000000},"Shell":["sh"]}}`,
		`{"config":{"Shell":"/bin/sh"}}`, `{"config":null}`, `[]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ext, err := ExtensionsOf(raw)
		if err != nil {
			return
		}
		out, err := MarshalConfig(ocispec.Image{}, ext)
		if err != nil {
			t.Fatalf("encoding %+v: %v", ext, err)
		}
		back, err := ExtensionsOf(out)
		if err != nil || !reflect.DeepEqual(back, ext) {
			t.Fatalf("%s read back as %+v, %v; want %+v", out, back, err, ext)
		}
	})
}
