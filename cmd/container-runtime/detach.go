package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// defaultDetachKeys is Docker's detach sequence.
const defaultDetachKeys = "ctrl-p,ctrl-q"

// errDetached is returned by a detachReader that read the detach keys.
var errDetached = errors.New("detached")

// parseDetachKeys parses a sequence such as "ctrl-p,ctrl-q" or "ctrl-a,d":
// comma-separated keys, each a single character or ctrl-<char> where char
// is a letter or one of @ [ \ ] ^ _.
func parseDetachKeys(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("empty detach key sequence")
	}
	var keys []byte
	for k := range strings.SplitSeq(s, ",") {
		if len(k) == 1 {
			keys = append(keys, k[0])
			continue
		}
		c, ok := strings.CutPrefix(strings.ToLower(k), "ctrl-")
		if !ok || len(c) != 1 {
			return nil, fmt.Errorf("invalid detach key %q: want a character or ctrl-<char>", k)
		}
		switch b := c[0]; {
		case b >= 'a' && b <= 'z':
			keys = append(keys, b-'a'+1)
		case strings.IndexByte(`@[\]^_`, b) >= 0:
			keys = append(keys, b-'@')
		default:
			return nil, fmt.Errorf("invalid detach key %q: want ctrl- with a letter or one of @[\\]^_", k)
		}
	}
	return keys, nil
}

// detachReader passes bytes through until it reads the detach sequence,
// then returns errDetached. Bytes that start the sequence are held back
// until the sequence breaks, then sent.
type detachReader struct {
	r       io.Reader
	keys    []byte
	matched int
	buf     []byte
	out     []byte
	err     error
}

func newDetachReader(r io.Reader, keys []byte) *detachReader {
	return &detachReader{r: r, keys: keys, buf: make([]byte, 4096)}
}

func (d *detachReader) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		n, err := d.r.Read(d.buf)
		d.scan(d.buf[:n])
		if err != nil && d.err == nil {
			// The sequence was not completed: its start is input.
			d.out = append(d.out, d.keys[:d.matched]...)
			d.matched = 0
			d.err = err
		}
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// scan moves b to d.out, watching for the detach sequence.
func (d *detachReader) scan(b []byte) {
	for _, c := range b {
		if d.err != nil {
			return // bytes after the sequence are dropped
		}
		if c == d.keys[d.matched] {
			d.matched++
			if d.matched == len(d.keys) {
				d.err = errDetached
			}
			continue
		}
		if d.matched > 0 {
			d.out = append(d.out, d.keys[:d.matched]...)
			d.matched = 0
			if c == d.keys[0] {
				d.matched = 1
				if len(d.keys) == 1 {
					d.err = errDetached
				}
				continue
			}
		}
		d.out = append(d.out, c)
	}
}
