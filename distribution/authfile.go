package distribution

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/atomicfile"
)

// AuthFile is a credentials file in the format of Docker's
// ~/.docker/config.json ("auths": {"host": {"auth": base64("user:pass")}}),
// so that Docker's files can be read and ours read by Docker's tools. Login
// writes to Path only; lookups read Path, then each Fallback (typically
// Docker's own file), and follow "credHelpers"/"credsStore" to a
// docker-credential-* helper when one is configured and installed.
type AuthFile struct {
	// Path is the file written by Store and Erase.
	Path string
	// Fallback are files only read, in order, for registries Path has
	// nothing for.
	Fallback []string
}

// DefaultAuthFile is $XDG_CONFIG_HOME/container-runtime/auth.json (or
// ~/.config/...), falling back to Docker's config.json ($DOCKER_CONFIG or
// ~/.docker).
func DefaultAuthFile() *AuthFile {
	home, _ := os.UserHomeDir()
	cfgDir := os.Getenv("XDG_CONFIG_HOME")
	if cfgDir == "" {
		cfgDir = filepath.Join(home, ".config")
	}
	dockerDir := os.Getenv("DOCKER_CONFIG")
	if dockerDir == "" {
		dockerDir = filepath.Join(home, ".docker")
	}
	return &AuthFile{
		Path:     filepath.Join(cfgDir, "container-runtime", "auth.json"),
		Fallback: []string{filepath.Join(dockerDir, "config.json")},
	}
}

// dockerConfig is the part of config.json that concerns credentials.
type dockerConfig struct {
	Auths       map[string]dockerAuth `json:"auths"`
	CredsStore  string                `json:"credsStore"`
	CredHelpers map[string]string     `json:"credHelpers"`
}

type dockerAuth struct {
	Auth          string `json:"auth,omitempty"`
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
	RegistryToken string `json:"registrytoken,omitempty"`
}

// Credentials implements Keychain.
func (f *AuthFile) Credentials(ctx context.Context, registry string) (Credentials, error) {
	for _, p := range append([]string{f.Path}, f.Fallback...) {
		if p == "" {
			continue
		}
		c, found, err := credentialsIn(ctx, p, registry)
		if err != nil || found {
			return c, err
		}
	}
	return Credentials{}, nil
}

// credentialsIn looks registry up in one config file.
func credentialsIn(ctx context.Context, path, registry string) (Credentials, bool, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Credentials{}, false, nil
	}
	if err != nil {
		return Credentials{}, false, fmt.Errorf("reading credentials: %w", err)
	}
	var cfg dockerConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return Credentials{}, false, fmt.Errorf("reading credentials %s: %w: %w", path, errdefs.ErrInvalidArgument, err)
	}
	want := canonicalHost(registry)
	if helper := cmp.Or(cfg.CredHelpers[registry], cfg.CredHelpers[authKey(registry)]); helper != "" {
		return helperCredentials(ctx, helper, authKey(registry))
	}
	for key, a := range cfg.Auths {
		if canonicalHost(hostOf(key)) != want {
			continue
		}
		c, err := a.credentials()
		if err != nil {
			return Credentials{}, false, fmt.Errorf("reading credentials for %s in %s: %w", registry, path, err)
		}
		if !c.IsZero() {
			return c, true, nil
		}
	}
	if cfg.CredsStore != "" {
		return helperCredentials(ctx, cfg.CredsStore, authKey(registry))
	}
	return Credentials{}, false, nil
}

func (a dockerAuth) credentials() (Credentials, error) {
	c := Credentials{Username: a.Username, Password: a.Password, IdentityToken: a.IdentityToken, RegistryToken: a.RegistryToken}
	if a.Auth != "" {
		raw, err := base64.StdEncoding.DecodeString(a.Auth)
		if err != nil {
			return Credentials{}, fmt.Errorf("%w: the auth field is not base64: %w", errdefs.ErrInvalidArgument, err)
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if !ok {
			return Credentials{}, fmt.Errorf("%w: the auth field is not user:password", errdefs.ErrInvalidArgument)
		}
		c.Username, c.Password = user, pass
	}
	return c, nil
}

// Store records c for registry in Path, keeping everything else the file
// holds. The file is replaced atomically, mode 0600.
func (f *AuthFile) Store(registry string, c Credentials) error {
	return f.update(func(auths map[string]json.RawMessage) error {
		for key := range auths {
			if canonicalHost(hostOf(key)) == canonicalHost(registry) {
				delete(auths, key)
			}
		}
		a := dockerAuth{IdentityToken: c.IdentityToken, RegistryToken: c.RegistryToken}
		if c.Username != "" || c.Password != "" {
			a.Auth = base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password))
		}
		v, err := json.Marshal(a)
		if err != nil {
			return err
		}
		auths[authKey(registry)] = v
		return nil
	})
}

// Erase removes registry's credentials from Path and reports whether there
// were any.
func (f *AuthFile) Erase(registry string) (bool, error) {
	found := false
	err := f.update(func(auths map[string]json.RawMessage) error {
		for key := range auths {
			if canonicalHost(hostOf(key)) == canonicalHost(registry) {
				delete(auths, key)
				found = true
			}
		}
		return nil
	})
	return found, err
}

// update rewrites Path's "auths" under an exclusive lock, preserving the
// other keys of the file and of each entry it does not touch.
func (f *AuthFile) update(change func(map[string]json.RawMessage) error) error {
	if f.Path == "" {
		return fmt.Errorf("storing credentials: %w: no credentials file configured", errdefs.ErrInvalidArgument)
	}
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("storing credentials: %w", err)
	}
	lock, err := os.OpenFile(f.Path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("storing credentials: %w", err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("storing credentials: %w", &os.PathError{Op: "flock", Path: lock.Name(), Err: err})
	}

	top := map[string]json.RawMessage{}
	raw, err := os.ReadFile(f.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("storing credentials: %w", err)
	case len(bytes.TrimSpace(raw)) > 0:
		if err := json.Unmarshal(raw, &top); err != nil {
			return fmt.Errorf("storing credentials: %s: %w: %w", f.Path, errdefs.ErrInvalidArgument, err)
		}
	}
	auths := map[string]json.RawMessage{}
	if v, ok := top["auths"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &auths); err != nil {
			return fmt.Errorf("storing credentials: %s: %w: %w", f.Path, errdefs.ErrInvalidArgument, err)
		}
	}
	if err := change(auths); err != nil {
		return fmt.Errorf("storing credentials: %w", err)
	}
	v, err := json.Marshal(auths)
	if err != nil {
		return fmt.Errorf("storing credentials: %w", err)
	}
	top["auths"] = v
	out, err := json.MarshalIndent(top, "", "\t")
	if err != nil {
		return fmt.Errorf("storing credentials: %w", err)
	}
	return atomicfile.Write(f.Path, append(out, '\n'), 0o600)
}
