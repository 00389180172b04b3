package distribution

import (
	"net/http"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/image"
)

// Defaults of Limits and Config.
const (
	// DefaultMaxManifestSize caps a manifest or index read from a registry
	// or an archive, and every other JSON file of an archive.
	DefaultMaxManifestSize = 4 << 20
	// DefaultMaxConfigSize caps an image config.
	DefaultMaxConfigSize = 4 << 20
	// DefaultMaxLayerRatio and DefaultMinLayerLimit bound a layer's
	// uncompressed size: at most DefaultMaxLayerRatio times its compressed
	// size, and never less than DefaultMinLayerLimit. Real layers compress
	// 2-10 times; gzip reaches 1000 on zeros.
	DefaultMaxLayerRatio = 100
	DefaultMinLayerLimit = 1 << 30
	// DefaultMaxLayerSize caps a layer's uncompressed size whatever its
	// compressed size (an uncompressed layer in an archive included).
	DefaultMaxLayerSize = 64 << 30
	// DefaultJobs is how many layers a pull or push moves at once (as
	// Docker's max-concurrent-downloads).
	DefaultJobs = 3
	// DefaultResumes is how many times a blob download interrupted by the
	// network is resumed (HTTP Range) before the pull fails.
	DefaultResumes = 3
)

// Limits bound what a registry or an archive can make us read, keep in
// memory and write to disk. Zero fields take the defaults above.
type Limits struct {
	MaxManifestSize int64
	MaxConfigSize   int64
	MaxLayerRatio   int64
	MinLayerLimit   int64
	MaxLayerSize    int64
}

func (l Limits) withDefaults() Limits {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxManifestSize, DefaultMaxManifestSize)
	def(&l.MaxConfigSize, DefaultMaxConfigSize)
	def(&l.MaxLayerRatio, DefaultMaxLayerRatio)
	def(&l.MinLayerLimit, DefaultMinLayerLimit)
	def(&l.MaxLayerSize, DefaultMaxLayerSize)
	return l
}

// layerLimit is the largest uncompressed size accepted for a layer whose
// compressed size is compressed (unknown: -1).
func (l Limits) layerLimit(compressed int64) int64 {
	limit := l.MaxLayerSize
	if compressed >= 0 {
		limit = min(limit, max(l.MinLayerLimit, satMul(compressed, l.MaxLayerRatio)))
	}
	return limit
}

// satMul multiplies without overflowing.
func satMul(a, b int64) int64 {
	if a != 0 && b > (1<<63-1)/a {
		return 1<<63 - 1
	}
	return a * b
}

// Config configures a Service. The zero value works: anonymous access,
// Go's default transport, default limits.
type Config struct {
	// Auth gives credentials for pulls and pushes whose options bring
	// none; usually the AuthFile Login writes to.
	Auth Keychain
	// AuthFile is where Login stores and Logout erases credentials.
	AuthFile *AuthFile
	// Transport carries the HTTP requests (tests, proxies, custom CAs);
	// nil: a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Limits bound downloads and archives.
	Limits Limits
	// Jobs is how many layers move at once (DefaultJobs when zero).
	Jobs int
	// Resumes is how many times an interrupted blob download is resumed
	// (DefaultResumes when zero; negative: never).
	Resumes int
	// ResumeDelay is the pause before the first resume, doubled for each
	// next one (100ms when zero).
	ResumeDelay time.Duration
}

// Service pulls, pushes, saves and loads images of one store. Its methods
// are safe for concurrent use; concurrent pulls of the same image, and
// concurrent downloads of the same layer, share one transfer.
type Service struct {
	store  *image.Store
	cfg    Config
	limits Limits
	base   http.RoundTripper

	pulls  group // image pulls, by reference and platform
	layers group // layer downloads, by DiffID

	// pushed remembers, per DiffID, the blob a push made of the layer, so
	// that the next push can ask the registry for it before compressing.
	pushedMu sync.Mutex
	pushed   map[digest.Digest]pushedBlob

	hooks testHooks
}

// testHooks let tests observe points that have no other visible effect.
type testHooks struct {
	joined func(key string) // a call joined a transfer already running
}

// New returns a Service for store s.
func New(s *image.Store, cfg Config) *Service {
	base := cfg.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16
		t.ResponseHeaderTimeout = 2 * time.Minute
		base = t
	}
	if cfg.Jobs <= 0 {
		cfg.Jobs = DefaultJobs
	}
	if cfg.Resumes == 0 {
		cfg.Resumes = DefaultResumes
	}
	if cfg.ResumeDelay <= 0 {
		cfg.ResumeDelay = 100 * time.Millisecond
	}
	return &Service{
		store:  s,
		cfg:    cfg,
		limits: cfg.Limits.withDefaults(),
		base:   base,
		pushed: map[digest.Digest]pushedBlob{},
	}
}
