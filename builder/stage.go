package builder

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// defaultShell returns the shell that runs the shell form of RUN, CMD and
// ENTRYPOINT when neither the stage nor its base image has a SHELL.
func defaultShell() []string { return []string{"/bin/sh", "-c"} }

// stageRun builds one stage of the Dockerfile, step by step.
type stageRun struct {
	r     *buildRun
	index int
	stage *instructions.Stage
	// state is the image so far and key the cache key of the last step.
	state imageState
	key   string
	// prevHit tells whether the last step was a cache hit; prevFrom
	// whether it was the FROM; prevReason why it missed.
	prevHit    bool
	prevFrom   bool
	prevReason string
	// cmdSet tells whether the stage has a CMD line so far: a Docker
	// ENTRYPOINT drops only an inherited CMD (Docker's rule).
	cmdSet bool
	// args are the ARGs declared in the stage.
	args argScope
}

// newStageRun prepares the build of stage i.
func newStageRun(r *buildRun, i int) *stageRun {
	return &stageRun{r: r, index: i, stage: &r.df.stages[i]}
}

// step is one instruction ready to run: its inputs decide its cache key,
// and exec changes s.state when the cache has no result.
type step struct {
	// text is the instruction as written, for the progress.
	text string
	in   stepInputs
	exec func(ctx context.Context) error
}

// build runs the stage's FROM and instructions.
func (s *stageRun) build(ctx context.Context) error {
	if err := s.from(ctx); err != nil {
		return wrapAt(s.r.df.path, stageLine(s.stage), err)
	}
	for _, cmd := range s.stage.Commands {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.dispatch(ctx, cmd); err != nil {
			return wrapAt(s.r.df.path, commandLine(cmd), err)
		}
	}
	return nil
}

// from starts the stage from a stage, an image of the store or scratch.
func (s *stageRun) from(ctx context.Context) error {
	r := s.r
	base, err := r.metaExpand(s.stage.BaseName)
	if err != nil {
		return withKind(fmt.Errorf("FROM %s: %w", s.stage.BaseName, err), errdefs.ErrInvalidArgument)
	}
	if base == "" {
		return withKind(fmt.Errorf("FROM %s: empty image name", s.stage.BaseName), errdefs.ErrInvalidArgument)
	}
	in := stepInputs{Instruction: "FROM " + base}
	switch j := r.df.stageIndex(base, s.index); {
	case j >= 0:
		res, err := r.stageResult(ctx, j)
		if err != nil {
			return err
		}
		s.state = res.state.clone()
		in.Source, in.SourceName = res.key, r.stageName(j)
	case strings.EqualFold(base, "scratch"):
		s.state = scratchState()
		in.Source = "scratch"
	default:
		img, err := r.b.Store.Image(ctx, base)
		if r.opts.Pull && r.b.Pull != nil && fromRegistry(base) {
			// build --pull: the registry's image, even over the store's.
			printf(r.out, "Pulling %s (--pull)\n", base)
			if img, err = r.b.Pull(ctx, base); err != nil {
				return fmt.Errorf("FROM %s: pulling it (--pull): %w", base, err)
			}
		} else if errors.Is(err, errdefs.ErrNotFound) && r.b.Pull != nil {
			printf(r.out, "Pulling %s (not in the store)\n", base)
			if img, err = r.b.Pull(ctx, base); err != nil {
				return fmt.Errorf("FROM %s: no image %q in the store, and pulling it failed: %w", base, base, err)
			}
		}
		if err != nil {
			if errors.Is(err, errdefs.ErrNotFound) {
				return withKind(fmt.Errorf("FROM %s: no image %q in the store", base, base), errdefs.ErrNotFound)
			}
			return fmt.Errorf("FROM %s: %w", base, err)
		}
		s.state = stateOf(img)
		in.Source, in.SourceName = img.ID.String(), "base image "+base
	}
	r.b.Store.Lease(ctx, s.state.Layers...)
	if !hasEnv(s.state.Config.Config.Env, "PATH") {
		s.state.Config.Config.Env = append(s.state.Config.Config.Env, defaultPath)
	}

	r.step++
	printf(r.out, "Step %d/%d : %s\n", r.step, r.total, s.stage.SourceCode)
	key := in.key("")
	s.prevFrom, s.prevHit = true, false
	switch {
	case r.opts.NoCache:
		s.prevReason = reasonNoCache
	default:
		_, hit, unusable, err := r.lookupStep(ctx, key)
		if err != nil {
			return err
		}
		switch {
		case hit:
			s.prevHit = true
		case unusable:
			s.prevReason = reasonUnusable
		default:
			if s.prevReason, err = r.explainMiss(ctx, "", in); err != nil {
				return err
			}
		}
	}
	if !s.prevHit {
		if err := r.storeStep(ctx, key, "", in, s.state); err != nil {
			return err
		}
	}
	s.key = key
	printf(r.out, " ---> %s\n", shortID(in.Source))
	return nil
}

// runStep runs st unless the cache has its result.
func (s *stageRun) runStep(ctx context.Context, st step) error {
	r := s.r
	r.step++
	printf(r.out, "Step %d/%d : %s\n", r.step, r.total, st.text)
	key := st.in.key(s.key)
	var unusable bool
	if !r.opts.NoCache {
		cached, hit, bad, err := r.lookupStep(ctx, key)
		if err != nil {
			return err
		}
		unusable = bad
		if hit {
			s.state = cached.value.State
			r.b.Store.Lease(ctx, s.state.Layers...)
			s.key, s.prevHit, s.prevFrom = key, true, false
			printf(r.out, " ---> CACHED\n")
			return nil
		}
	}
	reason := reasonUnusable
	if !unusable {
		var err error
		if reason, err = s.missReason(ctx, st.in); err != nil {
			return err
		}
	}
	printf(r.out, " ---> cache miss: %s\n", reason)
	s.state = s.state.clone()
	if st.exec != nil {
		if err := st.exec(ctx); err != nil {
			return err
		}
	}
	if err := r.storeStep(ctx, key, s.key, st.in, s.state); err != nil {
		return err
	}
	s.key, s.prevHit, s.prevFrom, s.prevReason = key, false, false, reason
	printf(r.out, " ---> %s\n", shortID(key))
	return nil
}

// missReason says why a step with inputs in missed the cache.
func (s *stageRun) missReason(ctx context.Context, in stepInputs) (string, error) {
	switch {
	case s.r.opts.NoCache:
		return reasonNoCache, nil
	case s.prevFrom && !s.prevHit:
		// The stage's base is new to the cache: say why.
		return s.prevReason, nil
	case !s.prevHit:
		return reasonParentRebuilt, nil
	}
	return s.r.explainMiss(ctx, s.key, in)
}

// expander returns the variable expander of the stage's next instruction:
// the image's ENV over the stage's ARGs.
func (s *stageRun) expander() expander {
	return expander{lex: s.r.lex, env: newEnvMap(s.args.set(), s.state.Config.Config.Env)}
}

// runEnv returns the environment of a RUN step: the image's ENV plus the
// ARGs in scope that ENV does not override, and a PATH.
func (s *stageRun) runEnv() []string {
	env := slices.Clone(s.state.Config.Config.Env)
	for _, kv := range s.args.set() {
		k, _, _ := strings.Cut(kv, "=")
		if !hasEnv(env, k) {
			env = append(env, kv)
		}
	}
	if !hasEnv(env, "PATH") {
		env = append(env, defaultPath)
	}
	return env
}

// argValues returns the ARGs in scope that have a value.
func (s *stageRun) argValues() map[string]string {
	set := s.args.set()
	if len(set) == 0 {
		return nil
	}
	m := make(map[string]string, len(set))
	for _, kv := range set {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// lowerDirs returns the directories of the stage's layers, top first, as
// OverlayFS wants its lowerdir list.
func (s *stageRun) lowerDirs() []string {
	return s.r.b.Store.LowerDirs(s.state.Layers)
}
