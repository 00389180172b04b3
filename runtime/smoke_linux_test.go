package runtime

import "testing"

// TestRunEcho is the smallest end-to-end check: run a container that
// prints a word, get the word and exit code 0, leave nothing behind.
func TestRunEcho(t *testing.T) {
	b := newTestBundle(t, "/bin/echo", "hello")
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	if out != "hello" || st.Code != 0 {
		t.Fatalf("got %q, %+v", out, st)
	}
}
