package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestPortConflict(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	m := newManager(t, cfg)
	ctx := context.Background()
	// A program of the host listens on a port.
	l, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := uint16(l.Addr().(*net.TCPAddr).Port)
	// Another container publishes a port.
	published := freePort(t)
	owner := setup(t, m, Request{ContainerID: "owner-" + randHex(t, 4), Ports: []PortMapping{{HostPort: published, ContainerPort: 80}}})
	t.Logf("our table with one published port:\n%s", takeSnapshot(t, m).table)
	baseline := takeSnapshot(t, m)

	for _, tc := range []struct {
		name  string
		ports []PortMapping
		want  string
	}{
		{"in use by a program", []PortMapping{{HostPort: busy, ContainerPort: 80}}, fmt.Sprintf("host port 0.0.0.0:%d/tcp is already in use by another program", busy)},
		{"published by a container", []PortMapping{{HostPort: published, ContainerPort: 80}}, fmt.Sprintf("already published by container %s", owner.ContainerID)},
		{"published on one address", []PortMapping{{HostIP: mustAddr("127.0.0.1"), HostPort: published, ContainerPort: 80}}, fmt.Sprintf("already published by container %s", owner.ContainerID)},
		{"second of two", []PortMapping{{ContainerPort: 80}, {HostPort: busy, ContainerPort: 81}}, "already in use by another program"},
		{"twice in one request", []PortMapping{{HostPort: 7000, ContainerPort: 80}, {HostPort: 7000, ContainerPort: 81}}, "is requested twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Setup(ctx, Request{ContainerID: "conflict-" + randHex(t, 4), Ports: tc.ports})
			if !errors.Is(err, errdefs.ErrConflict) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Setup: %v; want a conflict saying %q", err, tc.want)
			}
			sameSnapshot(t, "after the failed Setup", takeSnapshot(t, m), baseline)
		})
	}
	// UDP and TCP of one number are different ports.
	udp := setup(t, m, Request{ContainerID: "udp-" + randHex(t, 4), Ports: []PortMapping{{HostPort: published, ContainerPort: 80, Proto: UDP}}})
	if err := m.Teardown(ctx, udp.ContainerID); err != nil {
		t.Fatal(err)
	}
	// Once the owner is gone, its port is free again.
	if err := m.Teardown(ctx, owner.ContainerID); err != nil {
		t.Fatal(err)
	}
	again := setup(t, m, Request{ContainerID: "again-" + randHex(t, 4), Ports: []PortMapping{{HostPort: published, ContainerPort: 80}}})
	if err := m.Teardown(ctx, again.ContainerID); err != nil {
		t.Fatal(err)
	}
}

// TestSetupFailsHalfway stops Setup after each of its steps (as a
// failure there would) and checks that nothing is left.
func TestSetupFailsHalfway(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	var stopAt, stopID string
	var cancel context.CancelFunc
	cfg.hooks = &testHooks{afterStep: func(id, step string) {
		if id == stopID && step == stopAt {
			cancel()
		}
	}}
	m := newManager(t, cfg)
	baseline := takeSnapshot(t, m)
	for _, step := range []string{"record", "netns", "veth", "address", "ports", "files"} {
		t.Run(step, func(t *testing.T) {
			var ctx context.Context
			ctx, cancel = context.WithCancel(context.Background())
			defer cancel()
			stopAt, stopID = step, "halfway-"+randHex(t, 4)
			_, err := m.Setup(ctx, Request{ContainerID: stopID, Ports: []PortMapping{{ContainerPort: 80}}, FilesDir: t.TempDir()})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Setup stopped after %s: %v, want context.Canceled", step, err)
			}
			sameSnapshot(t, "after the failed Setup", takeSnapshot(t, m), baseline)
		})
	}
}
