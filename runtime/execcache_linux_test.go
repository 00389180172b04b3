package runtime

import (
	"strings"
	"testing"
)

// TestExecAfterRecreate checks that the records Exec keeps per container
// follow its state: after a delete and a create under the same id, an
// exec runs in the new container (its own marker, its own cgroup), not in
// what the first one left.
func TestExecAfterRecreate(t *testing.T) {
	id := testID(t)
	var rt *Runtime
	for _, marker := range []string{"first", "second"} {
		b := newTestBundle(t, "/bin/sh", "-c", "echo "+marker+" > /tmp/marker; echo ready; exec sleep 60")
		b.spec.Root.Readonly = false
		if rt == nil {
			rt = b.rt
		}
		b.rt = rt // one runtime, whose cache saw the first container
		c := b.create(t, id, CreateOptions{})
		c.start(t)
		c.out.waitFor(t, "ready")
		out, st := c.execIn(t, processSpec("/bin/sh", "-c",
			`cat /tmp/marker; [ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] && echo same-cgroup`))
		if st.Code != 0 || !strings.Contains(out, marker+"\n") || !strings.Contains(out, "same-cgroup") {
			t.Errorf("exec in the %s container: code %d, output %q; want its marker, in its cgroup", marker, st.Code, out)
		}
		c.cleanup(t)
	}
}
