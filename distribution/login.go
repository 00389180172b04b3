package distribution

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/container-runtime/container-runtime/errdefs"
)

// LoginOptions tune Login.
type LoginOptions struct {
	// Insecure allows plain HTTP to the registry.
	Insecure bool
}

// Login checks user and password against registry (host[:port]; empty:
// Docker Hub) and, if the registry accepts them, stores them in
// Config.AuthFile. Wrong credentials fail with ErrUnauthorized (and
// errdefs.ErrInvalidArgument) and store nothing.
func (d *Service) Login(ctx context.Context, registry, user, password string, opts LoginOptions) error {
	reg, err := parseRegistry(registry, opts.Insecure)
	if err != nil {
		return fmt.Errorf("logging in: %w", err)
	}
	if d.cfg.AuthFile == nil {
		return fmt.Errorf("logging in to %s: %w: no credentials file configured", reg.RegistryStr(), errdefs.ErrInvalidArgument)
	}
	if user == "" || password == "" {
		return fmt.Errorf("logging in to %s: %w: user name and password are needed", reg.RegistryStr(), errdefs.ErrInvalidArgument)
	}
	creds := Credentials{Username: user, Password: password}
	// The handshake fetches a token with the credentials when the
	// registry uses token auth; with basic auth only a request tells.
	client, _, err := d.clientWith(ctx, reg, opts.Insecure, creds.authenticator(), nil)
	if err != nil {
		return fmt.Errorf("logging in: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+reg.RegistryStr()+"/v2/", nil)
	if err != nil {
		return fmt.Errorf("logging in: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("logging in: %w", registryError(reg.RegistryStr(), "checking credentials with", err))
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("logging in to %s: %w: %w: the registry answered %s", reg.RegistryStr(), errdefs.ErrInvalidArgument, ErrUnauthorized, resp.Status)
	}
	if err := d.cfg.AuthFile.Store(authHost(reg), creds); err != nil {
		return fmt.Errorf("logging in to %s: %w", reg.RegistryStr(), err)
	}
	return nil
}

// Logout erases the credentials stored for registry (empty: Docker Hub).
// It fails with ErrNotFound when there were none.
func (d *Service) Logout(ctx context.Context, registry string) error {
	reg, err := parseRegistry(registry, false)
	if err != nil {
		return fmt.Errorf("logging out: %w", err)
	}
	if d.cfg.AuthFile == nil {
		return fmt.Errorf("logging out of %s: %w: no credentials file configured", reg.RegistryStr(), errdefs.ErrInvalidArgument)
	}
	found, err := d.cfg.AuthFile.Erase(authHost(reg))
	if err != nil {
		return fmt.Errorf("logging out of %s: %w", reg.RegistryStr(), err)
	}
	if !found {
		return fmt.Errorf("logging out of %s: %w: not logged in", reg.RegistryStr(), errdefs.ErrNotFound)
	}
	return nil
}

// parseRegistry parses a registry host[:port], accepting the URL forms
// users paste ("https://index.docker.io/v1/").
func parseRegistry(s string, insecure bool) (name.Registry, error) {
	host := hostOf(s)
	if host == "" || isDockerHub(host) {
		host = dockerHub
	}
	opts := []name.Option{name.StrictValidation}
	if insecure {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(host, opts...)
	if err != nil {
		return reg, fmt.Errorf("registry %q: %w: %w", s, errdefs.ErrInvalidArgument, err)
	}
	return reg, nil
}

// authHost is the host a registry's credentials are filed under.
func authHost(reg name.Registry) string { return reg.RegistryStr() }
