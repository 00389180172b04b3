package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/opencontainers/go-digest"
)

// stepInputs are what a step's result depends on besides its parent. They
// make the step's cache key and are stored with the result so that a later
// miss can say which of them changed.
type stepInputs struct {
	// Instruction is the instruction after variable expansion, as shown in
	// "instruction changed (was: ...)".
	Instruction string `json:"instruction"`
	// Args are the build args the step sees (KEY -> value); for an ARG
	// step, the values it declares ("" when unset).
	Args map[string]string `json:"args,omitempty"`
	// FilesDigest is a digest of every COPY/ADD source file of the context:
	// its path and a hash of its content, type, mode and ownership
	// (filelist.go). "" when the step reads no context files.
	FilesDigest string `json:"filesDigest,omitempty"`
	// FileList is the compressed list of those files with a prefix of
	// their hashes, for naming a changed file when a later build misses;
	// nil when there were too many to keep.
	FileList []byte `json:"fileList,omitempty"`
	// Source identifies what the step reads besides the context: the base
	// image id of a FROM, the key of a stage or the id of an image a
	// COPY --from reads.
	Source string `json:"source,omitempty"`
	// SourceName names Source in messages ("image busybox", "stage builder").
	SourceName string `json:"sourceName,omitempty"`
	// Detail holds inputs that count in the key but need no explanation of
	// their own (the argv of a RUN, which follows from the instruction and
	// the SHELL).
	Detail string `json:"detail,omitempty"`
}

// key returns the cache key of a step with these inputs after the step
// with key parent.
func (in *stepInputs) key(parent string) string {
	h := sha256.New()
	field := func(s string) {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	field(parent)
	field(in.Instruction)
	field(in.Source)
	field(in.Detail)
	for _, k := range sortedKeys(in.Args) {
		field("arg " + k)
		field(in.Args[k])
	}
	if in.FilesDigest != "" {
		field("files")
		field(in.FilesDigest)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// cacheValue is the JSON stored in a cache entry's Value.
type cacheValue struct {
	Inputs stepInputs `json:"inputs"`
	State  imageState `json:"state"`
}

// cachedResult is the part of a cacheValue a cache hit needs: the inputs
// (a large file list for a big COPY) are left undecoded.
type cachedResult struct {
	Inputs json.RawMessage `json:"inputs"`
	State  imageState      `json:"state"`
}

// cachedStep is a cache entry decoded for a hit.
type cachedStep struct {
	entry image.CacheEntry
	value cachedResult
}

// reasonUnusable is why a step whose entry exists runs again.
const reasonUnusable = "the cached result is unusable (its layers are gone)"

// lookupStep returns the cached result of the step with key. ok is false
// when there is none; unusable is true when there is one the step cannot
// use (unreadable, or its layers are gone).
func (r *buildRun) lookupStep(ctx context.Context, key string) (c cachedStep, ok, unusable bool, err error) {
	e, err := r.b.Store.Cache(ctx, key)
	if errors.Is(err, errdefs.ErrNotFound) {
		return cachedStep{}, false, false, nil
	}
	if err != nil {
		return cachedStep{}, false, false, fmt.Errorf("looking up cache entry %s: %w", key, err)
	}
	var v cachedResult
	if err := json.Unmarshal(e.Value, &v); err != nil {
		// The step runs again and its new entry replaces this one.
		return cachedStep{}, false, true, nil
	}
	for _, l := range v.State.Layers {
		if _, err := os.Stat(r.b.Store.LayerDir(l)); err != nil {
			return cachedStep{}, false, true, nil
		}
	}
	return cachedStep{entry: e, value: v}, true, false, nil
}

// storeStep records the result of a step in the cache.
func (r *buildRun) storeStep(ctx context.Context, key, parent string, in stepInputs, st imageState) error {
	v, err := json.Marshal(cacheValue{Inputs: in, State: st})
	if err != nil {
		return fmt.Errorf("encoding cache entry: %w", err)
	}
	e := image.CacheEntry{
		Key:     key,
		Parent:  parent,
		Layers:  slices.Clone(st.Layers),
		Value:   v,
		Created: time.Now().UTC(),
	}
	if err := r.b.Store.PutCache(ctx, e); err != nil {
		return fmt.Errorf("storing cache entry %s: %w", key, err)
	}
	return nil
}

// shortID returns the first 12 hex digits of a digest or key.
func shortID(id string) string {
	if d, err := digest.Parse(id); err == nil {
		id = d.Encoded()
	}
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// printf writes progress; a progress writer that fails does not fail the
// build.
func printf(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format, args...)
}
