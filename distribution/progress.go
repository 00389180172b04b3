package distribution

import (
	"io"
	"sync"

	"github.com/opencontainers/go-digest"
)

// Progress is one step of a transfer, in the words Docker prints.
type Progress struct {
	// ID is the short (12 hex digits) digest of the layer concerned, or
	// empty for a line about the whole image.
	ID string
	// Status says what happens: one of the Status constants, or a
	// free-form line about the whole image ("Digest: sha256:...").
	Status string
	// Current and Total count bytes for Downloading, Pushing, Preparing
	// and Loading (Total is 0 when unknown).
	Current, Total int64
}

// Statuses of layer progress.
const (
	StatusWaiting       = "Waiting"
	StatusAlreadyExists = "Already exists"
	StatusDownloading   = "Downloading"
	StatusPullComplete  = "Pull complete"
	StatusPreparing     = "Preparing"
	StatusLayerExists   = "Layer already exists"
	StatusPushing       = "Pushing"
	StatusPushed        = "Pushed"
	StatusLoading       = "Loading layer"
	StatusLoaded        = "Loaded"
	StatusRetrying      = "Retrying"
)

// progressEvery is how many bytes go by between two byte-count reports.
const progressEvery = 512 << 10

// shortID is the 12-hex-digit form Docker shows of a digest.
func shortID(d digest.Digest) string {
	if d.Validate() != nil {
		return ""
	}
	e := d.Encoded()
	if len(e) > 12 {
		e = e[:12]
	}
	return e
}

// reporter sends progress to an optional function; the zero value drops
// everything. It serializes calls, as layers report from several
// goroutines.
type reporter struct {
	mu sync.Mutex
	fn func(Progress)
}

func newReporter(fn func(Progress)) *reporter { return &reporter{fn: fn} }

func (r *reporter) send(p Progress) {
	if r == nil || r.fn == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fn(p)
}

// status reports a status without byte counts.
func (r *reporter) status(id, status string) { r.send(Progress{ID: id, Status: status}) }

// progressReader reports the bytes read through it every progressEvery
// bytes and at the end.
type progressReader struct {
	r      io.Reader
	report func(Progress)
	p      Progress
	last   int64
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	pr.p.Current += int64(n)
	if pr.report != nil && (pr.p.Current-pr.last >= progressEvery || (err == io.EOF && pr.p.Current != pr.last)) {
		pr.last = pr.p.Current
		pr.report(pr.p)
	}
	return n, err
}
