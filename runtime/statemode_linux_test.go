package runtime

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestStateIsPrivate: the runtime's root and each container's state
// directory are root's alone (0700, as runc's root), even when an older
// version left the root 0711: what they hold (state.json names the
// rootfs and the bundle, the exec fifo) is no other host user's business,
// and the OCI runtime has no start-up step that could repair them later.
func TestStateIsPrivate(t *testing.T) {
	b := newTestBundle(t, "/bin/true")
	id := testID(t)
	watchLeaks(t, b, id)
	if err := unix.Mkdir(b.rt.Root, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Chmod(b.rt.Root, 0o711); err != nil {
		t.Fatal(err)
	}
	c := b.create(t, id, CreateOptions{})
	for _, p := range []string{b.rt.Root, b.rt.dir(id)} {
		var st unix.Stat_t
		if err := unix.Stat(p, &st); err != nil {
			t.Fatal(err)
		}
		if m := st.Mode & 0o7777; m != 0o700 {
			t.Errorf("%s: mode %04o, want 0700", p, m)
		}
	}
	c.start(t)
	if st := c.wait(t); st != (ExitStatus{}) {
		t.Errorf("exit %+v, want 0", st)
	}
}
