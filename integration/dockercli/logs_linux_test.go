package dockercli

import "testing"

// TestLogsLogDriverNone: docker logs of a container run with
// --log-driver none fails as Docker's does: 501, and the CLI prints the
// daemon's message.
func TestLogsLogDriverNone(t *testing.T) {
	c := newCLI(t)
	c.ok(t, "run", "--name", "nolog", "--log-driver", "none", "busybox", "echo", "not kept")
	r := c.run(nil, nil, "logs", "nolog")
	if r.code != 1 || r.stderr != "Error response from daemon: configured logging driver does not support reading\n" {
		t.Errorf("docker logs: %v", r)
	}
	code, _, body := newAPIClient(t, c.d.Socket).do("GET", "/v1.41/containers/nolog/logs?stdout=1", "")
	if code != 501 || message(t, body) != "configured logging driver does not support reading" {
		t.Errorf("GET /containers/nolog/logs: %d %s, want 501", code, body)
	}
	c.ok(t, "rm", "nolog")
}
