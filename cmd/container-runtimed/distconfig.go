package main

import (
	"flag"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/container-runtime/container-runtime/distribution"
	"github.com/container-runtime/container-runtime/image"
)

// authFileName is the daemon's credentials file under INSTALL_PATH:
// login stores there, pulls and pushes read it.
const authFileName = "auth.json"

// distConfig are the distribution service's settings.
type distConfig struct {
	// authFile is where login stores credentials (empty:
	// INSTALL_PATH/auth.json).
	authFile string
	// insecure are the registries plain HTTP is allowed to.
	insecure []string
}

func (d *distConfig) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&d.authFile, "auth-file", "", "where login stores registry credentials, in Docker's config.json format (env CONTAINER_RUNTIME_AUTH_FILE; default <root>/"+authFileName+"); root's ~/.docker/config.json is read too")
	fs.Func("insecure-registry", "allow plain HTTP to this registry (host[:port]) when a reference names it; repeatable (loopback registries are always allowed)", func(s string) error {
		host := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "http://"), "https://"), "/"))
		if host == "" || strings.ContainsAny(host, "/ ") {
			return fmt.Errorf("want host[:port], got %q", s)
		}
		d.insecure = append(d.insecure, host)
		return nil
	})
}

// auth returns the credentials file of a daemon whose INSTALL_PATH is
// root: ours (written by login; mode 0600 in a directory only root
// reads), then Docker's of the daemon's user ($DOCKER_CONFIG or
// ~/.docker/config.json), read only.
func (d *distConfig) auth(root string, getenv func(string) string) *distribution.AuthFile {
	path := firstOf(d.authFile, getenv("CONTAINER_RUNTIME_AUTH_FILE"), filepath.Join(root, authFileName))
	dockerDir := getenv("DOCKER_CONFIG")
	if dockerDir == "" {
		home := getenv("HOME")
		if home == "" {
			// Under an init system HOME may be unset.
			if u, err := user.Current(); err == nil {
				home = u.HomeDir
			}
		}
		if home != "" {
			dockerDir = filepath.Join(home, ".docker")
		}
	}
	f := &distribution.AuthFile{Path: path}
	if dockerDir != "" {
		f.Fallback = []string{filepath.Join(dockerDir, "config.json")}
	}
	return f
}

// newDistribution returns the distribution service of store.
func newDistribution(cfg config, store *image.Store) *distribution.Service {
	auth := cfg.dist.auth(cfg.root, os.Getenv)
	return distribution.New(store, distribution.Config{Auth: auth, AuthFile: auth})
}
