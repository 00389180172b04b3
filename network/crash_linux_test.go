package network

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashPlan is what TestCrashRecovery hands its child process.
type crashPlan struct {
	Config  Config
	Network string
}

// The containers of the crash child; halfID's Setup stops after the
// veth step and waits to be killed.
const (
	portsID = "crash-ports"
	userID  = "crash-user"
	noneID  = "crash-none"
	halfID  = "crash-half"
)

// crashChild runs in the child process: Setups of every kind, then one
// that stops halfway, and the parent kills it with SIGKILL.
func crashChild(planJSON string) {
	var plan crashPlan
	if err := json.Unmarshal([]byte(planJSON), &plan); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	cfg := plan.Config
	cfg.hooks = &testHooks{afterStep: func(id, step string) {
		if id == halfID && step == "veth" {
			fmt.Println("halfway")
			time.Sleep(time.Hour)
		}
	}}
	ctx := context.Background()
	m, err := New(ctx, cfg)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	for _, req := range []Request{
		{ContainerID: portsID, Ports: []PortMapping{{ContainerPort: 80}, {ContainerPort: 53, Proto: UDP}}},
		{ContainerID: userID, Name: "user", Network: plan.Network},
		{ContainerID: noneID, Network: None},
	} {
		if _, err := m.Setup(ctx, req); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
	}
	// Further networks (network connect), of a container that survives
	// and of one that does not.
	for _, req := range []ConnectRequest{{ContainerID: portsID, Network: plan.Network}, {ContainerID: userID, Network: Bridge}} {
		if _, err := m.Connect(ctx, req); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
	}
	if _, err := m.Setup(ctx, Request{ContainerID: halfID, Ports: []PortMapping{{ContainerPort: 80}}}); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("error: the last Setup did not stop")
	os.Exit(1)
}

// TestCrashRecovery kills a process with SIGKILL in the middle of its
// Setups and Connects, then checks that New and Reconcile bring the machine back to
// where it was: links, namespaces, our table, allocations.
func TestCrashRecovery(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	ctx := context.Background()
	m := newManager(t, cfg)
	if _, err := m.CreateNetwork(ctx, NetworkOptions{Name: "crashnet"}); err != nil {
		t.Fatal(err)
	}
	baseline := takeSnapshot(t, m)
	m.Close()

	plan, err := json.Marshal(crashPlan{Config: cfg, Network: "crashnet"})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(plan))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case l := <-lines:
		if l != "halfway" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the child said %q", l)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the child did not get halfway in 30s")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	m = newManager(t, cfg)
	leaked := takeSnapshot(t, m)
	if leaked.endpoints != 6 || leaked.links == baseline.links || !strings.Contains(leaked.table, "container "+portsID) {
		t.Fatalf("the crash left no trace to clean (the test proves nothing): %+v", leaked)
	}
	kept, err := m.Attachment(ctx, portsID)
	if err != nil {
		t.Fatal(err)
	}
	// The daemon restarts with one container still running.
	if err := m.Reconcile(ctx, []string{portsID}); err != nil {
		t.Fatal(err)
	}
	after := takeSnapshot(t, m)
	if extras := m.Extras(ctx, portsID); len(extras) != 1 || extras[0].Network != "crashnet" {
		t.Errorf("the kept container's further network: %+v", extras)
	}
	if after.endpoints != 2 || !strings.Contains(after.table, "container "+portsID) || strings.Contains(after.table, "container "+halfID) {
		t.Errorf("after Reconcile keeping %s: %d endpoints, table:\n%s", portsID, after.endpoints, after.table)
	}
	m.mu.RLock()
	veth := m.endpoints[portsID].rec.HostVeth
	m.mu.RUnlock()
	if l, err := m.nl.LinkByName(veth); err != nil || l.Attrs().MasterIndex != m.networks[Bridge].index {
		t.Errorf("the veth %s of the kept container is gone or off the bridge: %v", veth, err)
	}
	fresh := setup(t, m, Request{ContainerID: "crash-fresh", Ports: []PortMapping{{ContainerPort: 80}}})
	if fresh.IP == kept.IP {
		t.Errorf("a new container got %s, the address of %s that survived the crash", fresh.IP, portsID)
	}
	for _, id := range []string{fresh.ContainerID, portsID} {
		if err := m.Teardown(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	sameSnapshot(t, "after the crash, Reconcile and the teardowns", takeSnapshot(t, m), baseline)
}
