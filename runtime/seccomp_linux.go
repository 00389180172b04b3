package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/atomicfile"
	"github.com/container-runtime/container-runtime/internal/seccomp"
)

// seccompCache keeps compiled filters: compiling Docker's default profile
// with libseccomp costs about 18 ms, loading a compiled one a syscall. The
// parent compiles once per distinct profile (in memory for a long-lived
// caller such as the daemon, and under Root/.seccomp for the one-shot CLI)
// and hands the program to the init stage.
type seccompCache struct {
	mu     sync.Mutex
	byHash map[string][]byte
}

// seccompProgram returns the compiled program for cfg, nil for no filter.
func (r *Runtime) seccompProgram(cfg *specs.LinuxSeccomp) ([]byte, error) {
	if cfg == nil {
		return nil, nil
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding linux.seccomp: %w", err)
	}
	sum := sha256.Sum256(js)
	key := hex.EncodeToString(sum[:])
	c := &r.seccomp
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.byHash[key]; ok {
		return b, nil
	}
	path := filepath.Join(r.Root, ".seccomp", key)
	if b, err := os.ReadFile(path); err == nil {
		var f seccomp.Filter
		if f.UnmarshalBinary(b) == nil {
			c.remember(key, b)
			return b, nil
		}
	}
	f, err := seccomp.Compile(cfg)
	if err != nil {
		return nil, fmt.Errorf("linux.seccomp: %w: %w", errdefs.ErrInvalidArgument, err)
	}
	b, err := f.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encoding the seccomp program: %w", err)
	}
	c.remember(key, b)
	// The on-disk copy only saves time; failing to write it is harmless.
	if os.MkdirAll(filepath.Dir(path), 0o700) == nil {
		atomicfile.Write(path, b, 0o600)
	}
	return b, nil
}

func (c *seccompCache) remember(key string, b []byte) {
	if c.byHash == nil {
		c.byHash = map[string][]byte{}
	}
	c.byHash[key] = b
}

// loadSeccompProgram installs a program compiled by the parent.
func loadSeccompProgram(b []byte) error {
	var f seccomp.Filter
	if err := f.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("decoding the seccomp program: %w", err)
	}
	return f.Load()
}
