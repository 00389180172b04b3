package registry

import (
	"strings"
	"testing"

	testregistry "github.com/container-runtime/container-runtime/internal/testutil/registry"
)

// TestRunQuiet: run -q and create -q of an image that is only in the
// registry pull it and print nothing of the pull (no "Unable to find
// image" notice, no progress), as Docker's; run's own output and create's
// id are all there is.
func TestRunQuiet(t *testing.T) {
	reg := testregistry.Start(t, testregistry.Credentials{})
	d := startDaemon(t)
	d.Busybox(t)
	ref := reg + "/quiet/box"
	d.OK(t, "image", "tag", "busybox", ref)
	d.OK(t, "push", ref)
	d.OK(t, "rmi", ref)

	r := d.Run(t, "run", "--rm", "-q", ref, "echo", "ran")
	if r.Code != 0 || r.Stdout != "ran\n" || r.Stderr != "" {
		t.Fatalf("run -q of a missing image: want only its output, got %v", r)
	}
	d.OK(t, "rmi", ref)
	r = d.Run(t, "create", "--quiet", ref, "true")
	if r.Code != 0 || len(strings.TrimSpace(r.Stdout)) != 64 || r.Stderr != "" {
		t.Fatalf("create --quiet of a missing image: want only the id, got %v", r)
	}
	d.OK(t, "rm", strings.TrimSpace(r.Stdout))
	// Without -q the same run says what it pulls: the check can tell.
	d.OK(t, "rmi", ref)
	if r := d.Run(t, "run", "--rm", ref, "true"); !strings.Contains(r.Stderr, "Unable to find image") {
		t.Fatalf("run without -q printed no pull notice: %v", r)
	}
}
