package security

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// dockerCreator sends Docker Engine API creates to a daemon under test.
type dockerCreator struct {
	client *http.Client
	image  string
}

// dockerAPI returns a dockerCreator for d's socket and its busybox image.
func dockerAPI(t *testing.T, d *daemon.Daemon) dockerCreator {
	t.Helper()
	return dockerCreator{image: d.Busybox(t), client: &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", d.Socket)
		},
	}}}
}

// create posts a create of the busybox image running true with
// hostConfig, and returns the status and the body.
func (c dockerCreator) create(t *testing.T, hostConfig map[string]any) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"Image": c.image, "Cmd": []string{"true"}, "HostConfig": hostConfig})
	resp, err := c.client.Post("http://docker/v1.41/containers/create", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}
