package runtime

import (
	"context"
	"testing"

	"golang.org/x/sys/unix"
)

// The benchmarks time the runtime on the busybox bundle with the default
// spec (all namespaces but user, cgroup, Docker's capabilities, masked
// paths), output to /dev/null.

// BenchmarkRunTrue times Run of /bin/true: create, start, wait, delete.
func BenchmarkRunTrue(b *testing.B) {
	tb := newTestBundle(b, "/bin/true")
	ctx := context.Background()
	id := testID(b)
	for b.Loop() {
		st, err := tb.rt.Run(ctx, id, CreateOptions{Bundle: tb.dir, Spec: tb.spec})
		if err != nil || st.Code != 0 {
			b.Fatalf("run: %+v, %v", st, err)
		}
	}
}

// BenchmarkCreateStartDelete times the lifecycle step by step, as
// containerd's shim drives it: Create, Start, Wait, Delete.
func BenchmarkCreateStartDelete(b *testing.B) {
	tb := newTestBundle(b, "/bin/true")
	ctx := context.Background()
	id := testID(b)
	for b.Loop() {
		p, err := tb.rt.Create(ctx, id, CreateOptions{Bundle: tb.dir, Spec: tb.spec})
		if err != nil {
			b.Fatal(err)
		}
		if err := tb.rt.Start(ctx, id); err != nil {
			b.Fatal(err)
		}
		if st, err := p.Wait(); err != nil || st.Code != 0 {
			b.Fatalf("wait: %+v, %v", st, err)
		}
		if err := tb.rt.Delete(ctx, id, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExec times Exec of /bin/true into a running container, and
// waiting for it.
func BenchmarkExec(b *testing.B) {
	tb := newTestBundle(b, "/bin/sleep", "3600")
	ctx := context.Background()
	id := testID(b)
	c := tb.create(b, id, CreateOptions{})
	c.start(b)
	p := processSpec("/bin/true")
	for b.Loop() {
		ep, err := tb.rt.Exec(ctx, id, p, ExecOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if st, err := ep.Wait(); err != nil || st.Code != 0 {
			b.Fatalf("exec: %+v, %v", st, err)
		}
	}
	b.StopTimer()
	if err := tb.rt.Kill(ctx, id, unix.SIGKILL, false); err != nil {
		b.Fatal(err)
	}
	c.wait(b)
}
