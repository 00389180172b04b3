package api

import (
	"bytes"
	"slices"
	"testing"
)

// TestControlPayloads round-trips the Resize and Exit payloads through
// their encoders and decoders, with the byte layout the protocol fixes
// (the C monitor and other clients read the same bytes).
func TestControlPayloads(t *testing.T) {
	p := ResizePayload(24, 80)
	if want := []byte{0, 24, 0, 80}; !bytes.Equal(p, want) {
		t.Errorf("ResizePayload(24, 80) = %v, want %v", p, want)
	}
	if rows, cols, ok := ParseResize(p); !ok || rows != 24 || cols != 80 {
		t.Errorf("ParseResize(%v) = %d, %d, %v; want 24, 80, true", p, rows, cols, ok)
	}
	if _, _, ok := ParseResize([]byte{0, 24, 0}); ok {
		t.Error("ParseResize accepted a 3-byte payload")
	}
	for _, code := range []int{0, 1, 137, 255, -1} {
		p := ExitPayload(code)
		got, err := ParseExit(p)
		if err != nil || got != code {
			t.Errorf("ParseExit(ExitPayload(%d)) = %d, %v", code, got, err)
		}
	}
	if p := ExitPayload(-1); !bytes.Equal(p, []byte{0xff, 0xff, 0xff, 0xff}) {
		t.Errorf("ExitPayload(-1) = %v, want a big-endian int32", p)
	}
	if _, err := ParseExit([]byte{1}); err == nil {
		t.Error("ParseExit accepted a 1-byte payload")
	}
}

// TestWriteStdinFrames checks that stdin is cut into frames no larger
// than MaxFrame, in order, and that empty input sends no frame.
func TestWriteStdinFrames(t *testing.T) {
	tests := []struct {
		size  int
		sizes []int
	}{
		{0, nil},
		{5, []int{5}},
		{MaxFrame, []int{MaxFrame}},
		{2*MaxFrame + 3, []int{MaxFrame, MaxFrame, 3}},
	}
	for _, tt := range tests {
		in := make([]byte, tt.size)
		for i := range in {
			in[i] = byte(i % 251)
		}
		var got []int
		var joined []byte
		err := WriteStdin(func(stream byte, p []byte) error {
			if stream != Stdin {
				t.Errorf("frame on stream %d, want Stdin", stream)
			}
			got = append(got, len(p))
			joined = append(joined, p...)
			return nil
		}, in)
		if err != nil || !slices.Equal(got, tt.sizes) || !bytes.Equal(joined, in) {
			t.Errorf("WriteStdin of %d bytes: frames %v, err %v, content equal %v; want frames %v",
				tt.size, got, err, bytes.Equal(joined, in), tt.sizes)
		}
	}
}
