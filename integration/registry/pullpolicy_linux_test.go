package registry

import (
	"strings"
	"testing"

	testregistry "github.com/container-runtime/container-runtime/internal/testutil/registry"
)

// TestRunPullPolicy runs an image that is only in the registry with
// Docker's --pull values: never refuses with "No such image", missing
// says "Unable to find image ... locally", pulls and runs, and then does
// not pull again; always pulls even though the image is there (and so
// gets the registry's newer image under the same name).
func TestRunPullPolicy(t *testing.T) {
	reg := testregistry.Start(t, testregistry.Credentials{})
	d := startDaemon(t)
	d.Busybox(t)
	ref := reg + "/pp/box"
	d.OK(t, "image", "tag", "busybox", ref)
	d.OK(t, "push", ref)
	d.OK(t, "rmi", ref)

	r := d.Run(t, "run", "--rm", "--pull", "never", ref, "echo", "ran")
	if r.Code != 125 || !strings.Contains(r.Stderr, "No such image: "+ref+":latest") || strings.Contains(r.Stdout, "ran") {
		t.Fatalf("run --pull never of a missing image: %v", r)
	}
	if r := d.Run(t, "create", "--pull", "sometimes", "busybox"); r.Code == 0 || !strings.Contains(r.Stderr, `invalid pull option: "sometimes"`) {
		t.Fatalf("create --pull sometimes: %v", r)
	}

	r = d.Run(t, "run", "--rm", ref, "echo", "ran") // --pull missing is the default
	if r.Code != 0 || r.Stdout != "ran\n" {
		t.Fatalf("run of a missing image: %v", r)
	}
	unable := "Unable to find image '" + ref + ":latest' locally"
	if !strings.HasPrefix(r.Stderr, unable+"\n") || !strings.Contains(r.Stderr, "Pull complete\nDigest: sha256:") {
		t.Fatalf("run of a missing image: stderr is not the notice then the pull:\n%s", r.Stderr)
	}
	r = d.Run(t, "run", "--rm", "--pull", "missing", ref, "echo", "again")
	if r.Code != 0 || r.Stdout != "again\n" || strings.Contains(r.Stderr, "Unable to find") || strings.Contains(r.Stderr, "Digest:") {
		t.Fatalf("run of a present image pulled it again: %v", r)
	}
	if r := d.Run(t, "create", "--pull", "never", ref, "true"); r.Code != 0 {
		t.Fatalf("create --pull never of a present image: %v", r)
	}

	// The registry gets a new image under the name: always pulls it, the
	// default does not.
	dir := writeContext(t, "FROM "+ref+"\nRUN echo v2 > /version\n")
	d.OK(t, "build", "-t", ref, dir)
	d.OK(t, "push", ref)
	d.OK(t, "image", "tag", "busybox", ref) // the local name back on the old image
	if r := d.Run(t, "run", "--rm", ref, "cat", "/version"); r.Code == 0 {
		t.Fatalf("the default pulled a present image: %v", r)
	}
	r = d.Run(t, "run", "--rm", "--pull", "always", ref, "cat", "/version")
	if r.Code != 0 || r.Stdout != "v2\n" || strings.Contains(r.Stderr, "Unable to find") {
		t.Fatalf("run --pull always: %v", r)
	}
}

// TestLocalNameForms runs and inspects one local image by the forms
// Docker and Podman accept for a local name.
func TestLocalNameForms(t *testing.T) {
	d := startDaemon(t)
	d.Busybox(t)
	id := imageID(t, d, "busybox")
	d.OK(t, "image", "tag", "busybox", "localhost/podlocal:v1")
	for _, ref := range []string{"busybox", "busybox:latest", "library/busybox", "docker.io/library/busybox",
		"docker.io/library/busybox:latest", "docker.io/busybox", "localhost/busybox", "podlocal:v1", "localhost/podlocal:v1"} {
		if got := imageID(t, d, ref); got != id {
			t.Errorf("image %s is %s, want %s", ref, got, id)
		}
		if r := d.Run(t, "run", "--rm", "--pull", "never", ref, "true"); r.Code != 0 {
			t.Errorf("run %s: %v", ref, r)
		}
	}
	for _, ref := range []string{"127.0.0.1:1/busybox", "library/podlocal:v1", "docker.io/library/podlocal:v1"} {
		if r := d.Run(t, "image", "inspect", ref); r.Code == 0 {
			t.Errorf("image inspect %s found an image: %v", ref, r)
		}
	}
}
