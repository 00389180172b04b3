package distribution

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/container-runtime/container-runtime/errdefs"
)

// ErrUnauthorized tags a registry's refusal of our credentials (or of
// their absence). It is errdefs.ErrUnauthorized, so that the daemon
// answers 401, and comes wrapped together with errdefs.ErrInvalidArgument.
var ErrUnauthorized = errdefs.ErrUnauthorized

// ErrPlainHTTP tags a refused plain-HTTP request (see schemePolicy). It
// comes wrapped together with errdefs.ErrInvalidArgument.
var ErrPlainHTTP = errors.New("plain HTTP refused")

// schemePolicy refuses plain-HTTP requests except to loopback addresses
// (as Docker allows) and to the one registry the caller named as insecure.
// go-containerregistry would also fall back to HTTP for RFC 1918 and .local
// hosts, where a man in the middle could force the downgrade.
type schemePolicy struct {
	inner    http.RoundTripper
	insecure string // host[:port] allowed over HTTP, or ""
}

func (p schemePolicy) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !(p.insecure != "" && req.URL.Host == p.insecure) && !isLoopback(req.URL.Hostname()) {
		return nil, fmt.Errorf("%w: %w to %s (name the registry as insecure to allow it)", errdefs.ErrInvalidArgument, ErrPlainHTTP, req.URL.Host)
	}
	return p.inner.RoundTrip(req)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// registryClient returns an HTTP client for reg with credentials from
// keychain for the scopes (go-containerregistry's handshake: ping, then
// basic or token auth; a token is fetched now, so wrong credentials fail
// here).
func (d *Service) registryClient(ctx context.Context, reg name.Registry, insecure bool, keychain Keychain, scopes []string) (*http.Client, http.RoundTripper, error) {
	if keychain == nil {
		keychain = d.cfg.Auth
	}
	creds, err := resolve(ctx, keychain, reg.RegistryStr())
	if err != nil {
		return nil, nil, err
	}
	return d.clientWith(ctx, reg, insecure, creds.authenticator(), scopes)
}

func (d *Service) clientWith(ctx context.Context, reg name.Registry, insecure bool, auth authn.Authenticator, scopes []string) (*http.Client, http.RoundTripper, error) {
	policy := schemePolicy{inner: d.base}
	if insecure {
		policy.insecure = reg.RegistryStr()
	}
	// The result is a *transport.Wrapper, which tells the remote package
	// that it is authenticated already: it adds no second handshake.
	rt, err := transport.NewWithContext(ctx, reg, auth, policy, scopes)
	if err != nil {
		return nil, nil, registryError(reg.RegistryStr(), "connecting to registry", err)
	}
	return &http.Client{Transport: rt}, rt, nil
}

// registryError tags err (from a request to host) with the errdefs kind
// that fits, and says what was being done.
func registryError(host, doing string, err error) error {
	if err == nil {
		return nil
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch {
		case terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden || hasCode(terr, transport.UnauthorizedErrorCode, transport.DeniedErrorCode):
			return fmt.Errorf("%s %s: %w: %w: wrong or missing credentials (%w)", doing, host, errdefs.ErrInvalidArgument, ErrUnauthorized, err)
		case terr.StatusCode == http.StatusNotFound || hasCode(terr, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode):
			return fmt.Errorf("%s %s: %w: %w", doing, host, errdefs.ErrNotFound, err)
		case terr.StatusCode == http.StatusTooManyRequests || terr.StatusCode >= 500:
			return fmt.Errorf("%s %s: %w: %w", doing, host, errdefs.ErrUnavailable, err)
		}
		return fmt.Errorf("%s %s: %w", doing, host, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errdefs.ErrInvalidArgument) {
		return fmt.Errorf("%s %s: %w", doing, host, err)
	}
	var nerr net.Error
	var uerr *url.Error
	var operr *net.OpError
	if errors.As(err, &nerr) || errors.As(err, &uerr) || errors.As(err, &operr) || strings.Contains(err.Error(), "connection refused") {
		return fmt.Errorf("%s %s: %w: registry unreachable: %w", doing, host, errdefs.ErrUnavailable, err)
	}
	return fmt.Errorf("%s %s: %w", doing, host, err)
}

func hasCode(e *transport.Error, codes ...transport.ErrorCode) bool {
	for _, d := range e.Errors {
		for _, c := range codes {
			if d.Code == c {
				return true
			}
		}
	}
	return false
}
