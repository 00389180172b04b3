package container

import (
	"fmt"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
)

// defaultDetachKeys is Docker's detach sequence.
const defaultDetachKeys = "ctrl-p,ctrl-q"

// parseDetachKeys turns Docker's notation ("ctrl-p,ctrl-q", "a,ctrl-@")
// into bytes.
func parseDetachKeys(s string) ([]byte, error) {
	if s == "" {
		s = defaultDetachKeys
	}
	var out []byte
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		switch {
		case len(k) == 1:
			out = append(out, k[0])
		case strings.HasPrefix(strings.ToLower(k), "ctrl-") && len(k) == 6:
			c := k[5]
			switch {
			case c >= 'a' && c <= 'z':
				out = append(out, c-'a'+1)
			case c >= 'A' && c <= 'Z':
				out = append(out, c-'A'+1)
			case c == '@' || c == '[' || c == '\\' || c == ']' || c == '^' || c == '_':
				out = append(out, c-'@')
			default:
				return nil, fmt.Errorf("detach keys %q: unknown key %q: %w", s, k, errdefs.ErrInvalidArgument)
			}
		default:
			return nil, fmt.Errorf("detach keys %q: unknown key %q: %w", s, k, errdefs.ErrInvalidArgument)
		}
	}
	return out, nil
}

// detacher finds the detach sequence in a stream of input. Bytes that
// could begin the sequence are held back until it is clear whether they
// do.
type detacher struct {
	keys []byte
	held int // bytes of keys matched so far
}

// feed returns the bytes to pass on, and whether the sequence completed
// (the bytes before it are still returned).
func (d *detacher) feed(p []byte) ([]byte, bool) {
	if len(d.keys) == 0 {
		return p, false
	}
	var out []byte
	for _, c := range p {
		if c == d.keys[d.held] {
			d.held++
			if d.held == len(d.keys) {
				return out, true
			}
			continue
		}
		// Mismatch: what was held was input after all.
		out = append(out, d.keys[:d.held]...)
		d.held = 0
		if c == d.keys[0] {
			d.held = 1
			continue
		}
		out = append(out, c)
	}
	return out, false
}
