package runtime

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestStartupCommands: the seed's ENTRYPOINT meaning. Each command runs to
// completion, in order, in the container, before the program; each one's
// result is reported; a failing one stops the start and names itself.
func TestStartupCommands(t *testing.T) {
	tests := []struct {
		name     string
		cmds     [][]string
		wantErr  string
		wantOut  string
		wantRuns int
	}{
		{
			name:     "in order before the program",
			cmds:     [][]string{{"/bin/sh", "-c", "echo one > /dev/shm/log"}, {"/bin/sh", "-c", "echo two >> /dev/shm/log"}},
			wantOut:  "one\ntwo\nprogram",
			wantRuns: 2,
		},
		{
			name:     "a failing one stops the start",
			cmds:     [][]string{{"/bin/true"}, {"/bin/sh", "-c", "exit 3"}, {"/bin/sh", "-c", "echo never > /dev/shm/log"}},
			wantErr:  `startup command #2 ["/bin/sh" "-c" "exit 3"] exited with code 3`,
			wantRuns: 2,
		},
		{
			name:    "a missing one stops the start",
			cmds:    [][]string{{"/no/such/command"}},
			wantErr: `startup command #1 ["/no/such/command"]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBundle(t, "/bin/sh", "-c", "cat /dev/shm/log 2>/dev/null; echo program")
			id := testID(t)
			watchLeaks(t, b, id)
			rr, rw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			var results []StartupResult
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				sc := bufio.NewScanner(rr)
				for sc.Scan() {
					var r StartupResult
					if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
						t.Errorf("report line %q: %v", sc.Text(), err)
					}
					results = append(results, r)
				}
			}()
			c := b.create(t, id, CreateOptions{StartupCommands: tt.cmds, StartupReport: rw})
			rw.Close()
			err = b.rt.Start(context.Background(), id)
			st := c.wait(t)
			wg.Wait()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Start: %v, want an error containing %q", err, tt.wantErr)
				}
				if st.Code == 0 {
					t.Errorf("init exited 0 after a failed startup command")
				}
			} else {
				if err != nil {
					t.Fatalf("Start: %v", err)
				}
				if out := c.out.all(t); out != tt.wantOut {
					t.Errorf("output %q, want %q", out, tt.wantOut)
				}
			}
			if len(results) != tt.wantRuns {
				t.Fatalf("%d results reported, want %d: %+v", len(results), tt.wantRuns, results)
			}
			for i, r := range results {
				if strings.Join(r.Args, " ") != strings.Join(tt.cmds[i], " ") || r.Duration <= 0 {
					t.Errorf("result %d: %+v", i, r)
				}
			}
		})
	}
}

// TestBadUserFailsCreate: the process's identity is set before create
// reports ready, so a uid the kernel refuses fails Create itself.
func TestBadUserFailsCreate(t *testing.T) {
	b := newTestBundle(t, "/bin/true")
	b.withUserNamespace(t, 100000, 65536)
	b.spec.Process.User = specs.User{UID: 70000, GID: 0} // outside the mapping
	id := testID(t)
	watchLeaks(t, b, id)
	_, err := b.tryCreate(id, CreateOptions{})
	if err == nil || !strings.Contains(err.Error(), "process.user.uid 70000") {
		t.Fatalf("Create: %v, want the uid named", err)
	}
}

// TestFailingStartContainerHookFailsStart: the init reports the hook's
// failure through the exec fifo.
func TestFailingStartContainerHookFailsStart(t *testing.T) {
	b := newTestBundle(t, "/bin/true")
	b.spec.Hooks = &specs.Hooks{StartContainer: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "echo nope; exit 4"}}}}
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	err := b.rt.Start(context.Background(), id)
	c.wait(t)
	if err == nil || !strings.Contains(err.Error(), "startContainer hook") || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("Start: %v, want the hook and its output named", err)
	}
}

// testLauncher starts the stage as our child like exec.Cmd would, through
// the Launcher hook, and reaps it.
type testLauncher struct {
	launched int
	mu       sync.Mutex
}

func (l *testLauncher) Launch(exe *os.File, args, env []string, files []*os.File, dir string) (int, error) {
	cmd := &exec.Cmd{Path: "/proc/self/fd/" + strconv.Itoa(int(exe.Fd())), Args: args, Env: env, ExtraFiles: files, Dir: dir}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	go cmd.Wait()
	l.mu.Lock()
	l.launched++
	l.mu.Unlock()
	return cmd.Process.Pid, nil
}

func TestLauncher(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "exit 6")
	id := testID(t)
	watchLeaks(t, b, id)
	l := &testLauncher{}
	c := b.create(t, id, CreateOptions{Launcher: l})
	c.start(t)
	if st := c.wait(t); st.Code != 6 {
		t.Fatalf("exit %+v, want 6", st)
	}
	if l.launched != 1 {
		t.Fatalf("launcher used %d times, want 1", l.launched)
	}
}
