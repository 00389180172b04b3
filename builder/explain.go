package builder

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The reasons a step missed the cache that do not come from comparing
// inputs.
const (
	reasonNoCache       = "--no-cache"
	reasonNoEarlier     = "no earlier build"
	reasonParentRebuilt = "parent step was rebuilt"
)

// explainMiss says why the step with inputs in, after the step with key
// parent, has no cache entry: it compares in with the inputs of the
// entries earlier builds made after the same parent.
func (r *buildRun) explainMiss(ctx context.Context, parent string, in stepInputs) (string, error) {
	children, err := r.b.Store.CacheChildren(ctx, parent)
	if err != nil {
		return "", fmt.Errorf("listing cache entries after %s: %w", parent, err)
	}
	// Only the instructions are decoded first: the inputs of a big COPY
	// carry its file list, which only the entry compared with needs.
	type earlier struct {
		in      stepInputs
		value   []byte
		created int64
	}
	var all []earlier
	for _, c := range children {
		var v struct {
			Inputs struct {
				Instruction string `json:"instruction"`
			} `json:"inputs"`
		}
		if json.Unmarshal(c.Value, &v) == nil {
			all = append(all, earlier{in: stepInputs{Instruction: v.Inputs.Instruction}, value: c.Value, created: c.Created.UnixNano()})
		}
	}
	if len(all) == 0 {
		return reasonNoEarlier, nil
	}
	// Most recent first: the build a user compares with is the last one.
	slices.SortStableFunc(all, func(a, b earlier) int { return int(sign(b.created - a.created)) })
	for _, e := range all {
		if e.in.Instruction == in.Instruction {
			var v cacheValue
			if err := json.Unmarshal(e.value, &v); err != nil {
				return "", fmt.Errorf("decoding an earlier cache entry after %s: %w", parent, err)
			}
			return explainSameInstruction(v.Inputs, in), nil
		}
	}
	was := all[0].in.Instruction
	for _, e := range all {
		if commandWord(e.in.Instruction) == commandWord(in.Instruction) {
			was = e.in.Instruction
			break
		}
	}
	return fmt.Sprintf("instruction changed (was: %s)", was), nil
}

// explainSameInstruction says which input of the same instruction changed.
func explainSameInstruction(was, now stepInputs) string {
	if was.FilesDigest != now.FilesDigest {
		// Without both lists (one too long to keep, or an entry from before
		// file lists) the files cannot be named.
		if was.FileList != nil && now.FileList != nil {
			if s, err := diffFileLists(was.FileList, now.FileList); err == nil && s != "" {
				return s
			}
		}
		return "source files changed"
	}
	for _, k := range sortedKeys(unionKeys(was.Args, now.Args)) {
		a, inWas := was.Args[k]
		b, inNow := now.Args[k]
		if a != b || inWas != inNow {
			return fmt.Sprintf("build arg %s changed", k)
		}
	}
	if was.Source != now.Source {
		name := now.SourceName
		if name == "" {
			name = "source"
		}
		if strings.HasPrefix(name, "stage ") {
			return name + " was rebuilt"
		}
		return name + " changed"
	}
	if was.Detail != now.Detail {
		if commandWord(now.Instruction) == "ENTRYPOINT" {
			return "ENTRYPOINT's meaning changed (seed or docker)"
		}
		return "command line changed"
	}
	return "inputs changed"
}

// commandWord returns the instruction's name ("RUN" of "RUN make").
func commandWord(instruction string) string {
	w, _, _ := strings.Cut(instruction, " ")
	return w
}

// unionKeys returns a map with the keys of a and b.
func unionKeys(a, b map[string]string) map[string]struct{} {
	u := map[string]struct{}{}
	for k := range a {
		u[k] = struct{}{}
	}
	for k := range b {
		u[k] = struct{}{}
	}
	return u
}

// sign returns -1, 0 or 1.
func sign(x int64) int64 {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}
