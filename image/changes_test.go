package image

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestApplyChanges(t *testing.T) {
	base := func() ocispec.ImageConfig {
		return ocispec.ImageConfig{
			Env: []string{"PATH=/bin", "KEEP=1"}, WorkingDir: "/srv", Cmd: []string{"old"},
			Labels: map[string]string{"a": "1"},
		}
	}
	for _, c := range []struct {
		name    string
		changes []string
		check   func(t *testing.T, cfg ocispec.ImageConfig)
	}{
		{"cmd exec form", []string{`CMD ["echo", "hi there"]`}, func(t *testing.T, c ocispec.ImageConfig) {
			if !slices.Equal(c.Cmd, []string{"echo", "hi there"}) {
				t.Errorf("Cmd %q", c.Cmd)
			}
		}},
		{"cmd shell form", []string{`cmd echo $HOME`}, func(t *testing.T, c ocispec.ImageConfig) {
			if !slices.Equal(c.Cmd, []string{"/bin/sh", "-c", "echo $HOME"}) {
				t.Errorf("Cmd %q", c.Cmd)
			}
		}},
		{"broken json is shell form", []string{`ENTRYPOINT [nope`}, func(t *testing.T, c ocispec.ImageConfig) {
			if !slices.Equal(c.Entrypoint, []string{"/bin/sh", "-c", "[nope"}) {
				t.Errorf("Entrypoint %q", c.Entrypoint)
			}
		}},
		{"env pairs, quotes, replace", []string{`ENV A=1 B="two words" PATH=/usr/bin`, `ENV LEGACY some value`}, func(t *testing.T, c ocispec.ImageConfig) {
			want := []string{"PATH=/usr/bin", "KEEP=1", "A=1", "B=two words", "LEGACY=some value"}
			if !slices.Equal(c.Env, want) {
				t.Errorf("Env %q, want %q", c.Env, want)
			}
		}},
		{"label", []string{`LABEL b=2 "c d"='e f'`}, func(t *testing.T, c ocispec.ImageConfig) {
			if !reflect.DeepEqual(c.Labels, map[string]string{"a": "1", "b": "2", "c d": "e f"}) {
				t.Errorf("Labels %v", c.Labels)
			}
		}},
		{"expose and ranges", []string{`EXPOSE 80 53/udp 8000-8002/TCP`}, func(t *testing.T, c ocispec.ImageConfig) {
			want := map[string]struct{}{"80/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {}, "8002/tcp": {}}
			if !reflect.DeepEqual(c.ExposedPorts, want) {
				t.Errorf("ExposedPorts %v", c.ExposedPorts)
			}
		}},
		{"volume both forms", []string{`VOLUME ["/a", "/b c"]`, `VOLUME /d /e`}, func(t *testing.T, c ocispec.ImageConfig) {
			want := map[string]struct{}{"/a": {}, "/b c": {}, "/d": {}, "/e": {}}
			if !reflect.DeepEqual(c.Volumes, want) {
				t.Errorf("Volumes %v", c.Volumes)
			}
		}},
		{"user, relative workdir, stopsignal", []string{"USER 1000:1000", "WORKDIR app", "STOPSIGNAL SIGINT"}, func(t *testing.T, c ocispec.ImageConfig) {
			if c.User != "1000:1000" || c.WorkingDir != "/srv/app" || c.StopSignal != "SIGINT" {
				t.Errorf("User %q WorkingDir %q StopSignal %q", c.User, c.WorkingDir, c.StopSignal)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := base()
			if err := ApplyChanges(&cfg, c.changes); err != nil {
				t.Fatal(err)
			}
			c.check(t, cfg)
		})
	}
}

// TestApplyChangesWithShell checks that the shell form of CMD and
// ENTRYPOINT is run by the config's Docker Shell, as Docker's commit does,
// and by /bin/sh -c without one; the exec form ignores it.
func TestApplyChangesWithShell(t *testing.T) {
	shell := []string{"/bin/bash", "-o", "pipefail", "-c"}
	cfg := ocispec.ImageConfig{}
	if err := ApplyChangesWithShell(&cfg, shell, []string{"CMD echo hi | cat", `ENTRYPOINT ["/init"]`}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"/bin/bash", "-o", "pipefail", "-c", "echo hi | cat"}; !slices.Equal(cfg.Cmd, want) {
		t.Errorf("Cmd %q, want %q", cfg.Cmd, want)
	}
	if !slices.Equal(cfg.Entrypoint, []string{"/init"}) {
		t.Errorf("Entrypoint %q", cfg.Entrypoint)
	}
	if len(shell) != 4 || shell[3] != "-c" {
		t.Errorf("the shell given was changed: %q", shell)
	}
	cfg = ocispec.ImageConfig{}
	if err := ApplyChangesWithShell(&cfg, nil, []string{"ENTRYPOINT run me"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"/bin/sh", "-c", "run me"}; !slices.Equal(cfg.Entrypoint, want) {
		t.Errorf("without a shell: Entrypoint %q, want %q", cfg.Entrypoint, want)
	}
}

func TestApplyChangesRefused(t *testing.T) {
	for _, c := range []struct{ change, want string }{
		{"FROM busybox", "FROM is not an instruction"},
		{"RUN true", "RUN is not an instruction"},
		{`SHELL ["/bin/bash", "-c"]`, "SHELL is not an instruction"},
		{"", "empty instruction"},
		{"CMD", "a command is required"},
		{"ENV", "KEY=VALUE pair is required"},
		{"ENV =x", "is not KEY=VALUE"},
		{"ENV NOVALUE", "has no value"},
		{"EXPOSE", "at least one port"},
		{"EXPOSE 0", "not a port"},
		{"EXPOSE 70000", "not a port"},
		{"EXPOSE 90-80", "not a port"},
		{"EXPOSE 80/icmp", "protocol must be"},
		{"USER a b", "exactly one argument"},
		{`LABEL a="unterminated`, "unterminated"},
		{`VOLUME [""]`, "empty path"},
	} {
		t.Run(c.change, func(t *testing.T) {
			cfg := ocispec.ImageConfig{Env: []string{"A=1"}}
			err := ApplyChanges(&cfg, []string{"ENV B=2", c.change})
			if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want ErrInvalidArgument with %q", err, c.want)
			}
			// Nothing applied, not even the good change before it.
			if !slices.Equal(cfg.Env, []string{"A=1"}) {
				t.Errorf("a refused change list changed the config: %q", cfg.Env)
			}
		})
	}
}

// FuzzApplyChanges feeds arbitrary instructions (untrusted: they come
// from the API) to ApplyChanges: it must not panic, must fail only with
// ErrInvalidArgument, and must leave the config alone when it fails.
func FuzzApplyChanges(f *testing.F) {
	for _, s := range []string{`CMD ["a"]`, `ENV A=1 B="x y"`, `LABEL "a b"='c'`, "EXPOSE 1-3/udp", `VOLUME ["/v"]`,
		"WORKDIR rel", "USER 0", `ENV X \"`, "EXPOSE 65535-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, change string) {
		cfg := ocispec.ImageConfig{Env: []string{"A=1"}, Labels: map[string]string{"l": "v"}}
		err := ApplyChanges(&cfg, []string{change})
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("%q: error of the wrong kind: %v", change, err)
			}
			if !slices.Equal(cfg.Env, []string{"A=1"}) || len(cfg.Labels) != 1 {
				t.Fatalf("%q: a failed change altered the config", change)
			}
		}
	})
}
