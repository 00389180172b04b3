package api

// RegistryAuth are credentials for one registry, sent with a single pull or
// push (they are used for that request only, never stored nor logged).
// Either Username and Password, or IdentityToken (an OAuth2 refresh token,
// Docker's "identitytoken").
type RegistryAuth struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	IdentityToken string `json:"identityToken,omitempty"`
}

// PullRequest is the body of POST /v1/images/pull.
type PullRequest struct {
	// Ref is NAME[:TAG|@DIGEST]; a name without a registry is on Docker
	// Hub ("debian" is docker.io/library/debian:latest).
	Ref string `json:"ref"`
	// Platform picks the manifest of a multi-platform image ("linux/arm64");
	// empty: the daemon's machine's.
	Platform string `json:"platform,omitempty"`
	// Insecure allows plain HTTP to the registry Ref names (it must name
	// one). Loopback registries, and those the daemon was started with
	// --insecure-registry for, need no flag.
	Insecure bool `json:"insecure,omitempty"`
	// Auth overrides the credentials the daemon stored with login.
	Auth *RegistryAuth `json:"auth,omitempty"`
}

// PushRequest is the body of POST /v1/images/{ref}/push; {ref} is the
// name:tag to push, which also says where (tag the image first to push it
// elsewhere). An empty body is allowed.
type PushRequest struct {
	Insecure bool          `json:"insecure,omitempty"`
	Auth     *RegistryAuth `json:"auth,omitempty"`
}

// LoginRequest is the body of POST /v1/auth/login. The daemon checks the
// credentials with the registry and, when it accepts them, stores them for
// later pulls and pushes (in the daemon's auth file).
type LoginRequest struct {
	// Registry is host[:port]; empty: Docker Hub.
	Registry string `json:"registry,omitempty"`
	Username string `json:"username"`
	Password string `json:"password"`
	Insecure bool   `json:"insecure,omitempty"`
}

// LoginResult answers a successful POST /v1/auth/login.
type LoginResult struct {
	// Status is "Login Succeeded".
	Status string `json:"status"`
}

// LogoutRequest is the body of POST /v1/auth/logout.
type LogoutRequest struct {
	// Registry is host[:port]; empty: Docker Hub.
	Registry string `json:"registry,omitempty"`
}

// Archive formats of GET /v1/images/save.
const (
	// SaveFormatDocker is a docker-archive, as `docker save` writes it
	// (docker load and podman load read it).
	SaveFormatDocker = "docker"
	// SaveFormatOCI is an OCI image layout tar (podman's oci-archive).
	SaveFormatOCI = "oci"
)
