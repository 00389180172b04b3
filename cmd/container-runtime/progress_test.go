package main

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/creack/pty"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestPlainView checks the plain-line fallback.
func TestPlainView(t *testing.T) {
	var b bytes.Buffer
	v := &plainView{w: &b}
	for _, p := range []api.Progress{{Stream: "Step 1/2 : FROM base\n", Step: 1, Steps: 2}, {Step: 2, Steps: 2}, {Cached: true}, {ID: "x"}} {
		v.update(p)
	}
	v.close(true)
	if want := "Step 1/2 : FROM base\nStep 2/2\n ---> CACHED\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// TestProgressBars renders the build and bootstrap bars on a
// pseudo-terminal: output scrolls above the bar, the bar ends, and close
// returns for success and for failure.
func TestProgressBars(t *testing.T) {
	cases := []struct {
		name    string
		view    func(w io.Writer) progressView
		updates []api.Progress
		ok      bool
		want    []string
	}{
		{"build", func(w io.Writer) progressView { return newBuildBars(w) },
			[]api.Progress{{Stream: "Step 1/2 : FROM base\n"}, {Stream: "Step 2/2 : RUN echo hi\nhi"}, {Stream: "\n"}, {ID: "sha256:x"}},
			true, []string{"Step 1/2 : FROM base", "Step 2/2 : RUN echo hi", "hi", "Step 2/2"}},
		{"build fails", func(w io.Writer) progressView { return newBuildBars(w) },
			[]api.Progress{{Stream: "Step 1/3 : RUN false\n"}}, false, []string{"Step 1/3 : RUN false"}},
		{"bootstrap", func(w io.Writer) progressView { return newBootstrapBars(w) },
			[]api.Progress{{Stream: "Running debootstrap\nI: Retrieving Release\nI: Retrieving Packages\n"}, {Stream: "Bootstrapped base: sha256:x\n"}},
			true, []string{"Running debootstrap", "Bootstrapped base: sha256:x", "Retrieving"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			master, tty, err := pty.Open()
			if err != nil {
				testutil.Missing(t, "no pseudo-terminal: %v", err)
			}
			defer master.Close()
			pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 120})
			var (
				mu  sync.Mutex
				out bytes.Buffer
			)
			done := make(chan struct{})
			go func() {
				defer close(done)
				buf := make([]byte, 4096)
				for {
					n, err := master.Read(buf)
					mu.Lock()
					out.Write(buf[:n])
					mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
			v := tc.view(tty)
			for _, p := range tc.updates {
				v.update(p)
			}
			v.close(tc.ok)
			// Closing the terminal end lets the reader drain what is left
			// and then see EIO; only then is the master closed.
			tty.Close()
			<-done
			master.Close()
			mu.Lock()
			defer mu.Unlock()
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("the terminal did not show %q:\n%q", w, out.String())
				}
			}
		})
	}
}
