package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// maxHookOutput bounds how much of a failing hook's output is kept for the
// error message.
const maxHookOutput = 4096

// runHooks runs hooks of one kind in order, each with the state JSON on its
// stdin, and stops at the first failure. The error names the kind, the
// hook's path and what it printed.
//
// Poststop hooks are the exception: the runtime spec (lifecycle step 13)
// has a failing one logged as a warning, "but the remaining hooks and
// lifecycle continue as if the hook had succeeded", so every poststop hook
// runs and the error joins all their failures for the caller to log.
func runHooks(ctx context.Context, kind string, hooks []specs.Hook, st specs.State) error {
	if len(hooks) == 0 {
		return nil
	}
	in, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encoding state for %s hooks: %w", kind, err)
	}
	var failed []error
	for i, h := range hooks {
		if err := runHook(ctx, h, in); err != nil {
			failed = append(failed, fmt.Errorf("%s hook #%d (%s): %w", kind, i, h.Path, err))
			if kind != "poststop" {
				break
			}
		}
	}
	return errors.Join(failed...)
}

func runHook(ctx context.Context, h specs.Hook, stdin []byte) error {
	if h.Timeout != nil {
		if *h.Timeout <= 0 {
			return fmt.Errorf("timeout %d is not positive", *h.Timeout)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.Timeout)*time.Second)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, h.Path)
	if len(h.Args) > 0 {
		cmd.Args = h.Args
	}
	cmd.Env = h.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Stdin = bytes.NewReader(stdin)
	var out limitedBuffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("timed out after %ds%s", *h.Timeout, out.suffix())
	}
	if err != nil {
		return fmt.Errorf("%w%s", err, out.suffix())
	}
	return nil
}

// limitedBuffer keeps the first maxHookOutput bytes written to it.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxHookOutput - b.Len(); room > 0 {
		if len(p) > room {
			b.Buffer.Write(p[:room])
		} else {
			b.Buffer.Write(p)
		}
	}
	return len(p), nil
}

func (b *limitedBuffer) suffix() string {
	s := strings.TrimSpace(b.String())
	if s == "" {
		return ""
	}
	return ": " + s
}
