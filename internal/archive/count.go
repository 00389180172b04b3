package archive

import "io"

// CountingWriter passes what is written to W and counts it in N: the size
// of a layer's tar stream is counted as the stream is hashed, by the image
// store (committing a layer) and by distribution (exporting and pushing
// one).
type CountingWriter struct {
	W io.Writer
	N int64
}

// Write writes p to W and adds what W took to N.
func (c *CountingWriter) Write(p []byte) (int, error) {
	n, err := c.W.Write(p)
	c.N += int64(n)
	return n, err
}
