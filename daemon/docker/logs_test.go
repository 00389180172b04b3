package docker

import (
	"context"
	"testing"

	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
)

// noLogContainers is c1 run with --log-driver none: its log cannot be
// read, as the container service answers.
type noLogContainers struct{ fakeContainers }

func (*noLogContainers) Logs(context.Context, string, daemon.LogsOptions, daemon.FrameWriter) error {
	return errdefs.Kindf(errdefs.ErrNotImplemented, "configured logging driver does not support reading")
}

// TestLogsNotSupported: the logs of a container whose driver keeps none
// are Docker's 501 with its message, which the docker CLI prints as is.
func TestLogsNotSupported(t *testing.T) {
	h := New(Config{Containers: &noLogContainers{}})
	rec := serve(h, "GET", "/v1.41/containers/c1/logs?stdout=1&stderr=1", "")
	if rec.Code != 501 || errorMessage(rec.Body.Bytes()) != "configured logging driver does not support reading" {
		t.Errorf("logs: %d %s, want 501 with Docker's message", rec.Code, rec.Body)
	}
}
