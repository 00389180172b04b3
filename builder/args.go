package builder

import (
	"runtime"
	"slices"
	"strings"

	"github.com/container-runtime/container-runtime/image"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// defaultPath is the PATH entry of an image whose base does not set one,
// as Docker sets it.
const defaultPath = "PATH=" + image.DefaultPath

// argScope holds the ARGs declared so far in a stage (or before the first
// FROM) and their values. A declared ARG without a value is in scope but
// unset: it expands to nothing and is not in a RUN step's environment.
type argScope struct {
	names  []string
	values map[string]*string
}

// declare adds name to the scope with value (nil: unset).
func (a *argScope) declare(name string, value *string) {
	if a.values == nil {
		a.values = map[string]*string{}
	}
	if _, ok := a.values[name]; !ok {
		a.names = append(a.names, name)
	}
	a.values[name] = value
}

// lookup returns the value of a declared ARG.
func (a *argScope) lookup(name string) (string, bool) {
	v, ok := a.values[name]
	if !ok || v == nil {
		return "", false
	}
	return *v, true
}

// set returns the ARGs that have a value, as KEY=value in declaration
// order.
func (a *argScope) set() []string {
	var out []string
	for _, n := range a.names {
		if v := a.values[n]; v != nil {
			out = append(out, n+"="+*v)
		}
	}
	return out
}

// automaticArgs are the platform ARGs BuildKit defines in the global
// scope; a stage sees them after declaring them with ARG.
func automaticArgs() map[string]string {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	return map[string]string{
		"TARGETPLATFORM": platform,
		"TARGETOS":       runtime.GOOS,
		"TARGETARCH":     runtime.GOARCH,
		"BUILDPLATFORM":  platform,
		"BUILDOS":        runtime.GOOS,
		"BUILDARCH":      runtime.GOARCH,
	}
}

// resolveArg gives a declared ARG its value: the build arg when given,
// else the ARG's default expanded with expand, else the value of the
// global (meta) ARG of the same name, else unset.
func resolveArg(kv instructions.KeyValuePairOptional, buildArgs map[string]string, meta *argScope,
	expand func(string) (string, error)) (*string, error) {
	if v, ok := buildArgs[kv.Key]; ok {
		return &v, nil
	}
	if kv.Value != nil {
		v, err := expand(*kv.Value)
		if err != nil {
			return nil, err
		}
		return &v, nil
	}
	if meta != nil {
		if v, ok := meta.lookup(kv.Key); ok {
			return &v, nil
		}
	}
	return nil, nil
}

// envMap is the environment variable expansion sees: the image's ENV over
// the ARGs in scope.
type envMap struct {
	keys []string
	m    map[string]string
}

// newEnvMap builds the expansion environment from ARGs then ENV entries
// (KEY=value); later entries win.
func newEnvMap(lists ...[]string) *envMap {
	e := &envMap{m: map[string]string{}}
	for _, list := range lists {
		for _, kv := range list {
			k, v, _ := strings.Cut(kv, "=")
			if _, ok := e.m[k]; !ok {
				e.keys = append(e.keys, k)
			}
			e.m[k] = v
		}
	}
	return e
}

// Get implements shell.EnvGetter.
func (e *envMap) Get(key string) (string, bool) {
	v, ok := e.m[key]
	return v, ok
}

// Keys implements shell.EnvGetter.
func (e *envMap) Keys() []string { return slices.Clone(e.keys) }

// expander expands variables in Dockerfile words with lex and env.
type expander struct {
	lex *shell.Lex
	env *envMap
}

// word expands one word (quotes removed, as Docker does for paths).
func (x expander) word(w string) (string, error) {
	out, _, err := x.lex.ProcessWord(w, x.env)
	return out, err
}

// words expands w into several words (for EXPOSE).
func (x expander) words(w string) ([]string, error) {
	return x.lex.ProcessWords(w, x.env)
}

// setEnv returns env with key set to value, replacing an earlier entry.
func setEnv(env []string, key, value string) []string {
	out := slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == key
	})
	return append(out, key+"="+value)
}

// hasEnv reports whether env has an entry for key.
func hasEnv(env []string, key string) bool {
	return slices.ContainsFunc(env, func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == key
	})
}
