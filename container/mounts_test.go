package container

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestMountOptions checks the daemon's own check of mount options: what
// a bind mount or tmpfs becomes, and that an option it would not apply
// (or would apply otherwise than asked) is refused, naming it, rather
// than dropped.
func TestMountOptions(t *testing.T) {
	src := t.TempDir()
	for _, tc := range []struct {
		name string
		m    api.Mount
		want []string // OCI options; nil: refused
		err  string
	}{
		{"bind default", api.Mount{Type: "bind"}, []string{"rbind", "rprivate"}, ""},
		{"bind read-only", api.Mount{Type: "bind", ReadOnly: true}, []string{"rbind", "rprivate", "ro"}, ""},
		{"bind propagation and label", api.Mount{Type: "bind", Options: []string{"rshared", "z"}}, []string{"rbind", "rshared"}, ""},
		{"bind ro option", api.Mount{Type: "bind", Options: []string{"ro,slave"}}, []string{"rbind", "slave", "ro"}, ""},
		{"bind unknown option", api.Mount{Type: "bind", Options: []string{"nosuid"}}, nil, `option "nosuid" is not valid`},
		{"bind non-recursive", api.Mount{Type: "bind", Options: []string{"bind"}}, nil, `option "bind" is not valid`},
		{"bind nocopy", api.Mount{Type: "bind", Options: []string{"nocopy"}}, nil, `option "nocopy" is not valid`},
		{"bind two propagations", api.Mount{Type: "bind", Options: []string{"shared", "private"}}, nil, `options "shared" and "private" conflict`},
		{"bind ro and rw", api.Mount{Type: "bind", Options: []string{"ro,rw"}}, nil, `options "ro" and "rw" conflict`},
		{"bind z and Z", api.Mount{Type: "bind", Options: []string{"z,Z"}}, nil, `options "z" and "Z" conflict`},
		{"bind ro twice", api.Mount{Type: "bind", Options: []string{"ro", "ro"}}, nil, `option "ro" given twice`},
		{"bind read-only and rw", api.Mount{Type: "bind", ReadOnly: true, Options: []string{"rw"}}, nil, `read-only, and option "rw"`},
		{"tmpfs default", api.Mount{Type: "tmpfs"}, []string{"noexec", "nosuid", "nodev"}, ""},
		{"tmpfs settings", api.Mount{Type: "tmpfs", ReadOnly: true, Options: []string{"size=64k,mode=1777,noexec"}}, []string{"size=64k", "mode=1777", "noexec", "ro"}, ""},
		{"tmpfs unknown flag", api.Mount{Type: "tmpfs", Options: []string{"bogus"}}, nil, `option "bogus" is not valid`},
		{"tmpfs unknown setting", api.Mount{Type: "tmpfs", Options: []string{"huge=always"}}, nil, `option "huge=always" is not valid`},
		{"tmpfs empty setting", api.Mount{Type: "tmpfs", Options: []string{"size="}}, nil, `option "size=" is not valid`},
		{"tmpfs exec and noexec", api.Mount{Type: "tmpfs", Options: []string{"exec,noexec"}}, nil, `options "exec" and "noexec" conflict`},
		{"tmpfs size twice", api.Mount{Type: "tmpfs", Options: []string{"size=1k,size=2k"}}, nil, `options "size=1k" and "size=2k" conflict`},
		{"tmpfs read-only and rw", api.Mount{Type: "tmpfs", ReadOnly: true, Options: []string{"rw"}}, nil, `read-only, and option "rw"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			m.Destination = "/x"
			if m.Type == "bind" {
				m.Source = src + "/" + strings.ReplaceAll(tc.name, " ", "-")
			}
			out, err := userMounts([]api.Mount{m})
			if tc.want == nil {
				if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want an invalid argument saying %q", err, tc.err)
				}
				if m.Type == "bind" {
					if dirExists(m.Source) {
						t.Errorf("a refused bind mount created its source %s", m.Source)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out[0].Options, tc.want) {
				t.Errorf("options %q, want %q", out[0].Options, tc.want)
			}
		})
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
