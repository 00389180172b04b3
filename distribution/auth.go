package distribution

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Credentials authenticate to one registry. The zero value is anonymous.
type Credentials struct {
	Username string
	Password string
	// IdentityToken is an OAuth2 refresh token (Docker's "identitytoken"),
	// exchanged at the registry's token server.
	IdentityToken string
	// RegistryToken is a bearer token sent to the registry as is.
	RegistryToken string
}

// IsZero reports whether c holds nothing (anonymous access).
func (c Credentials) IsZero() bool { return c == Credentials{} }

// authenticator adapts c to go-containerregistry.
func (c Credentials) authenticator() authn.Authenticator {
	if c.IsZero() {
		return authn.Anonymous
	}
	return authn.FromConfig(authn.AuthConfig{
		Username: c.Username, Password: c.Password,
		IdentityToken: c.IdentityToken, RegistryToken: c.RegistryToken,
	})
}

// Keychain finds the credentials for a registry host ("docker.io",
// "registry.example.com:5000"); zero Credentials and no error mean
// anonymous access.
type Keychain interface {
	Credentials(ctx context.Context, registry string) (Credentials, error)
}

// StaticKeychain is a Keychain holding credentials in memory, by registry
// host (for example those a client sent with one request).
type StaticKeychain map[string]Credentials

// Credentials implements Keychain.
func (k StaticKeychain) Credentials(_ context.Context, registry string) (Credentials, error) {
	want := canonicalHost(registry)
	for host, c := range k {
		if canonicalHost(hostOf(host)) == want {
			return c, nil
		}
	}
	return Credentials{}, nil
}

// resolve asks k (nil: anonymous) for registry's credentials.
func resolve(ctx context.Context, k Keychain, registry string) (Credentials, error) {
	if k == nil {
		return Credentials{}, nil
	}
	c, err := k.Credentials(ctx, registry)
	if err != nil {
		return Credentials{}, fmt.Errorf("looking up credentials for %s: %w", registry, err)
	}
	return c, nil
}

// dockerHubAuthKey is the key Docker's config.json files Docker Hub's
// credentials under.
const dockerHubAuthKey = "https://index.docker.io/v1/"

// canonicalHost folds the names of Docker Hub into one, for comparing
// registry hosts.
func canonicalHost(host string) string {
	host = strings.ToLower(host)
	if host == "" || isDockerHub(host) {
		return "docker.io"
	}
	return host
}

// hostOf extracts host[:port] from a config.json key, which may be a URL
// ("https://index.docker.io/v1/", "http://localhost:5000").
func hostOf(key string) string {
	key = strings.TrimPrefix(key, "https://")
	key = strings.TrimPrefix(key, "http://")
	host, _, _ := strings.Cut(key, "/")
	return host
}

// authKey is the key Docker would store a registry's credentials under.
func authKey(registry string) string {
	if canonicalHost(registry) == "docker.io" {
		return dockerHubAuthKey
	}
	return strings.ToLower(registry)
}
