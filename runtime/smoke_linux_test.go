package runtime

import "testing"

func TestRunEcho(t *testing.T) {
	b := newTestBundle(t, "/bin/echo", "hello")
	out, st := b.run(t, "echo")
	if out != "hello" || st.Code != 0 {
		t.Fatalf("got %q, %+v", out, st)
	}
}
