package builder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/rootread"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// buildRun is one call of Build.
type buildRun struct {
	b    *Builder
	opts Options
	df   *dockerfile
	// ctxDir is the absolute context directory, symlinks resolved.
	ctxDir string
	// ignore holds the .dockerignore patterns (nil without the file).
	ignore *patternmatcher.PatternMatcher
	out    *syncWriter
	lex    *shell.Lex
	// entrypoint is the meaning of ENTRYPOINT in this build
	// (image.EntrypointSeed or image.EntrypointDocker).
	entrypoint string
	// meta are the ARGs before the first FROM with their values.
	meta argScope
	// target is the index of the stage to build.
	target int
	// step counts the steps printed; total is the number of steps of the
	// needed stages.
	step, total int
	// results holds the stages built so far, by index.
	results map[int]*stageResult
	// building marks the stages being built, to refuse cycles.
	building map[int]bool
	// declared are the names of the ARGs met, to warn about build args
	// nothing uses.
	declared map[string]bool
}

// stageResult is a built stage.
type stageResult struct {
	state imageState
	// key is the cache key of the stage's last step.
	key string
}

// newBuildRun prepares the build of df with opts.
func newBuildRun(b *Builder, opts Options, df *dockerfile) (*buildRun, error) {
	ctxDir, err := filepath.Abs(opts.ContextDir)
	if err == nil {
		ctxDir, err = filepath.EvalSymlinks(ctxDir)
	}
	if err != nil {
		return nil, withKind(fmt.Errorf("build context %s: %w", opts.ContextDir, err), errdefs.ErrInvalidArgument)
	}
	if fi, err := os.Stat(ctxDir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("build context %s is not a directory: %w", opts.ContextDir, errdefs.ErrInvalidArgument)
	}
	r := &buildRun{
		b:        b,
		opts:     opts,
		df:       df,
		ctxDir:   ctxDir,
		out:      &syncWriter{w: opts.Progress},
		lex:      shell.NewLex(df.escape),
		results:  map[int]*stageResult{},
		building: map[int]bool{},
		declared: map[string]bool{},
	}
	if r.entrypoint, err = entrypointMeaning(df.entrypoint, opts.EntrypointMeaning); err != nil {
		return nil, err
	}
	if r.ignore, err = readDockerignore(ctxDir); err != nil {
		return nil, err
	}
	if err := r.resolveMetaArgs(); err != nil {
		return nil, err
	}
	if r.target, err = r.targetStage(); err != nil {
		return nil, err
	}
	needed := r.neededStages()
	for i, s := range df.stages {
		if needed[i] {
			r.total += 1 + len(s.Commands)
		}
	}
	return r, nil
}

// maxDockerignoreBytes bounds the .dockerignore read. Real ones hold a
// few lines; Docker's CLI sets no bound, but it reads the file as the
// user, and the daemon must not hold an arbitrary file in memory.
const maxDockerignoreBytes = 1 << 20

// readDockerignore reads the context's .dockerignore, if any. The client
// controls the context and the daemon reads it as root, so it is read
// like a container's file (package rootread): symlinks resolved inside
// the context, so that one cannot have a host file parsed; a regular file
// only, so that a FIFO cannot block the build; and bounded in size.
func readDockerignore(ctxDir string) (*patternmatcher.PatternMatcher, error) {
	b, err := rootread.ReadFile(ctxDir, ".dockerignore", maxDockerignoreBytes)
	if errors.Is(err, os.ErrNotExist) {
		// A symlink that leads nowhere inside the context is refused:
		// building without the rules it meant could copy the very files
		// they exclude (keys, .env) into the image.
		if _, lerr := os.Lstat(filepath.Join(ctxDir, ".dockerignore")); lerr == nil {
			return nil, withKind(fmt.Errorf("reading .dockerignore of the build context %s: it is a symlink to nothing inside the context (symlinks are resolved inside it): %w", ctxDir, err), errdefs.ErrInvalidArgument)
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading .dockerignore of the build context %s: %w", ctxDir, err)
	}
	patterns, err := ignorefile.ReadAll(bytes.NewReader(b))
	if err != nil {
		return nil, withKind(fmt.Errorf("reading .dockerignore: %w", err), errdefs.ErrInvalidArgument)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, withKind(fmt.Errorf("parsing .dockerignore: %w", err), errdefs.ErrInvalidArgument)
	}
	return pm, nil
}

// resolveMetaArgs gives the ARGs before the first FROM their values.
func (r *buildRun) resolveMetaArgs() error {
	for k, v := range automaticArgs() {
		r.meta.declare(k, &v)
	}
	for _, cmd := range r.df.metaArgs {
		for _, kv := range cmd.Args {
			x := expander{lex: r.lex, env: newEnvMap(r.meta.set())}
			v, err := resolveArg(kv, r.opts.BuildArgs, nil, x.word)
			if err != nil {
				return errorAt(r.df.path, commandLine(&cmd), errdefs.ErrInvalidArgument, "ARG %s: %v", kv.Key, err)
			}
			r.meta.declare(kv.Key, v)
			r.declared[kv.Key] = true
		}
	}
	return nil
}

// metaExpand expands a word with the global ARGs (as FROM is expanded).
func (r *buildRun) metaExpand(w string) (string, error) {
	return expander{lex: r.lex, env: newEnvMap(r.meta.set())}.word(w)
}

// targetStage returns the index of the stage to build.
func (r *buildRun) targetStage() (int, error) {
	if r.opts.Target == "" {
		return len(r.df.stages) - 1, nil
	}
	if i := r.df.stageIndex(r.opts.Target, len(r.df.stages)); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("target stage %q is not in %s: %w", r.opts.Target, r.df.path, errdefs.ErrNotFound)
}

// neededStages marks the stages the target depends on: through FROM and
// COPY --from, transitively. References that only resolve once the stage's
// own ARGs are known are built on demand when met.
func (r *buildRun) neededStages() []bool {
	needed := make([]bool, len(r.df.stages))
	var visit func(i int)
	visit = func(i int) {
		if needed[i] {
			return
		}
		needed[i] = true
		for _, dep := range r.stageDeps(i) {
			visit(dep)
		}
	}
	visit(r.target)
	return needed
}

// stageDeps returns the earlier stages stage i reads.
func (r *buildRun) stageDeps(i int) []int {
	s := &r.df.stages[i]
	var deps []int
	if base, err := r.metaExpand(s.BaseName); err == nil {
		if j := r.df.stageIndex(base, i); j >= 0 {
			deps = append(deps, j)
		}
	}
	for _, cmd := range s.Commands {
		for _, from := range runMountFroms(cmd) {
			if f, err := r.metaExpand(from); err == nil {
				if j, ok := r.stageRef(f, i); ok {
					deps = append(deps, j)
				}
			}
		}
		c, ok := cmd.(*instructions.CopyCommand)
		if !ok || c.From == "" {
			continue
		}
		from, err := r.metaExpand(c.From)
		if err != nil {
			continue
		}
		if j, ok := r.stageRef(from, i); ok {
			deps = append(deps, j)
		}
	}
	return deps
}

// stageRef resolves a COPY --from value in stage i to an earlier stage, by
// name or index.
func (r *buildRun) stageRef(from string, i int) (int, bool) {
	if j := r.df.stageIndex(from, i); j >= 0 {
		return j, true
	}
	if n, err := strconv.Atoi(from); err == nil && n >= 0 && n < i {
		return n, true
	}
	return 0, false
}

// run builds the target and registers the image.
func (r *buildRun) run(ctx context.Context) (image.Image, error) {
	// Build the needed stages in file order, so that the progress reads
	// top to bottom; a stage referenced in a way only known once its
	// user runs is built on demand.
	needed := r.neededStages()
	for i := range r.target {
		if needed[i] {
			if _, err := r.stageResult(ctx, i); err != nil {
				return image.Image{}, err
			}
		}
	}
	res, err := r.stageResult(ctx, r.target)
	if err != nil {
		return image.Image{}, err
	}
	st := res.state
	created := time.Now().UTC()
	if st.Config.Created != nil {
		created = *st.Config.Created
	}
	// A non-nil list tells the store these are all the startup commands,
	// replacing the ones the config's label inherited from the base.
	startup := st.StartupCommands
	if startup == nil {
		startup = [][]string{}
	}
	// The meaning is recorded even without ENTRYPOINT lines, so that
	// inspect tells which rule the build applied; a build FROM this image
	// records its own. (st is the stage's result: change a copy.)
	cfg := st.Config
	cfg.Config.Labels = maps.Clone(cfg.Config.Labels)
	if cfg.Config.Labels == nil {
		cfg.Config.Labels = map[string]string{}
	}
	for k, v := range r.opts.Labels {
		cfg.Config.Labels[k] = v
	}
	cfg.Config.Labels[image.EntrypointMeaningLabel] = r.entrypoint
	img, err := r.b.Store.CreateImage(ctx, image.Image{
		Layers:          st.Layers,
		Config:          cfg,
		StartupCommands: startup,
		Healthcheck:     st.Healthcheck,
		Shell:           st.Shell,
		Created:         created,
	}, r.opts.Tags...)
	if err != nil {
		return image.Image{}, fmt.Errorf("registering the image: %w", err)
	}
	var unused []string
	for _, k := range sortedKeys(r.opts.BuildArgs) {
		if !r.declared[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		printf(r.out, "[Warning] build args not consumed by any ARG: %s\n", strings.Join(unused, ", "))
	}
	printf(r.out, "Successfully built %s\n", shortID(img.ID.String()))
	for _, t := range r.opts.Tags {
		if n, err := image.NormalizeName(t); err == nil {
			t = n
		}
		printf(r.out, "Successfully tagged %s\n", t)
	}
	return img, nil
}

// stageResult builds stage i unless it is built already.
func (r *buildRun) stageResult(ctx context.Context, i int) (*stageResult, error) {
	if res, ok := r.results[i]; ok {
		return res, nil
	}
	if r.building[i] {
		s := &r.df.stages[i]
		return nil, errorAt(r.df.path, stageLine(s), errdefs.ErrInvalidArgument, "stage %d depends on itself", i)
	}
	r.building[i] = true
	defer delete(r.building, i)
	s := newStageRun(r, i)
	if err := s.build(ctx); err != nil {
		return nil, err
	}
	res := &stageResult{state: s.state, key: s.key}
	r.results[i] = res
	return res, nil
}

// stageName returns how messages name stage i.
func (r *buildRun) stageName(i int) string {
	if n := r.df.stages[i].Name; n != "" {
		return "stage " + n
	}
	return "stage " + strconv.Itoa(i)
}

// isURL reports whether an ADD or COPY source is a URL rather than a path
// in the context.
func isURL(src string) bool {
	for _, p := range []string{"http://", "https://", "git@", "git://"} {
		if strings.HasPrefix(src, p) {
			return true
		}
	}
	return false
}
