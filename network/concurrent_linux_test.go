package network

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

func TestConcurrentSetups(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	m := newManager(t, cfg)
	baseline := takeSnapshot(t, m)
	const n = 50
	atts := make([]*Attachment, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			atts[i], errs[i] = m.Setup(context.Background(), Request{ContainerID: fmt.Sprintf("many-%02d", i)})
		})
	}
	wg.Wait()
	seen := map[string]string{}
	for i, att := range atts {
		if errs[i] != nil {
			t.Fatalf("Setup %d: %v", i, errs[i])
		}
		if other, dup := seen[att.IP.String()]; dup {
			t.Errorf("%s and %s both got %s", other, att.ContainerID, att.IP)
		}
		seen[att.IP.String()] = att.ContainerID
		if !cfg.Subnet.Contains(att.IP) || att.IP == att.Gateway {
			t.Errorf("%s got %s, outside %s or the gateway", att.ContainerID, att.IP, cfg.Subnet)
		}
	}
	if len(seen) != n {
		t.Fatalf("%d distinct addresses for %d containers", len(seen), n)
	}
	links, err := m.nl.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	ports := 0
	for _, l := range links {
		if l.Attrs().MasterIndex == m.networks[Bridge].index {
			ports++
		}
	}
	if ports != n {
		t.Errorf("the bridge has %d ports, want %d", ports, n)
	}
	for i := range n {
		wg.Go(func() {
			errs[i] = m.Teardown(context.Background(), atts[i].ContainerID)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Teardown %d: %v", i, err)
		}
	}
	sameSnapshot(t, "after the teardowns", takeSnapshot(t, m), baseline)
}
