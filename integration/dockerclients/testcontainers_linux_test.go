package dockerclients

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestTestcontainers starts a container with testcontainers-go's
// GenericContainer against the daemon (Ryuk disabled: there is no
// registry to pull it from), waits for a log line and for the exposed
// port, talks to the service through the mapped host port, and terminates
// it.
func TestTestcontainers(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	d.Busybox(t)
	t.Setenv("DOCKER_HOST", "unix://"+d.Socket)
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	t.Setenv("HOME", t.TempDir()) // no ~/.testcontainers.properties of the host

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        "busybox",
			Cmd:          []string{"sh", "-c", "echo service-ready; exec nc -ll -p 7000 -e echo pong"},
			ExposedPorts: []string{"7000/tcp"},
			WaitingFor: wait.ForAll(
				wait.ForLog("service-ready"),
				wait.ForListeningPort("7000/tcp"),
			).WithDeadline(time.Minute),
		},
		Started: true,
	})
	if err != nil {
		t.Fatalf("GenericContainer: %v\ndaemon log:\n%s", err, tail(d.Log(), 40))
	}
	defer func() {
		if err := c.Terminate(context.Background()); err != nil {
			t.Errorf("Terminate: %v", err)
		}
		if out := strings.TrimSpace(d.OK(t, "ps", "-aq")); out != "" {
			t.Errorf("after Terminate the daemon still lists %q", out)
		}
	}()
	host, err := c.Host(ctx)
	if err != nil {
		t.Fatal(err)
	}
	port, err := c.MappedPort(ctx, "7000/tcp")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, port.Port()), 5*time.Second)
	if err != nil {
		t.Fatalf("dialing the mapped port: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(conn)
	if err != nil || string(got) != "pong\n" {
		t.Errorf("the service answered %q (%v), want pong", got, err)
	}
	logs, err := c.Logs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(logs); !strings.Contains(string(b), "service-ready") {
		t.Errorf("Logs: %q", b)
	}
}
