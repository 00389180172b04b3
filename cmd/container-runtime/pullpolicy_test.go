package main

import (
	"slices"
	"testing"
)

// TestCreatePullPolicy checks the calls and messages of create --pull
// against a daemon whose store lacks the image: never gives Docker's
// "No such image" without pulling, a bad value is refused before any
// call, and missing (the default) announces the pull on stderr.
func TestCreatePullPolicy(t *testing.T) {
	const noImage = `{"kind":"not_found","message":"no such image: base"}`
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
		calls  []string
	}{
		{"never", []string{"create", "--pull", "never", "base"}, 125,
			"container-runtime: No such image: base:latest\n",
			[]string{"POST /v1/containers", "GET /v1/images/base"}},
		{"bad value", []string{"create", "--pull", "sometimes", "base"}, 125,
			"container-runtime: invalid pull option: \"sometimes\": must be one of \"missing\", \"always\" or \"never\"\n", nil},
		{"missing", []string{"create", "base"}, 125,
			"Unable to find image 'base:latest' locally\ncontainer-runtime: pulling base: registry unreachable\n",
			[]string{"POST /v1/containers", "GET /v1/images/base", "POST /v1/images/pull"}},
		{"always", []string{"create", "--pull", "always", "base:1"}, 125,
			"container-runtime: pulling base:1: registry unreachable\n",
			[]string{"POST /v1/images/pull"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.answer("POST /v1/containers", 404, noImage)
			d.answer("GET /v1/images/base", 404, noImage)
			d.answer("POST /v1/images/pull", 502, `{"kind":"unavailable","message":"registry unreachable"}`)
			r := d.run("", tc.args...)
			if r.code != tc.code || r.stderr != tc.stderr {
				t.Errorf("code %d, stderr %q; want %d, %q", r.code, r.stderr, tc.code, tc.stderr)
			}
			if got := d.called(); !slices.Equal(got, tc.calls) {
				t.Errorf("calls %q, want %q", got, tc.calls)
			}
		})
	}
}

func TestWithTag(t *testing.T) {
	for in, want := range map[string]string{
		"busybox": "busybox:latest", "busybox:1": "busybox:1", "localhost:5000/app": "localhost:5000/app:latest",
		"localhost:5000/app:v2": "localhost:5000/app:v2", "app@sha256:00": "app@sha256:00",
	} {
		if got := withTag(in); got != want {
			t.Errorf("withTag(%q) = %q, want %q", in, got, want)
		}
	}
}
