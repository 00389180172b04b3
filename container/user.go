package container

import (
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/internal/passwd"
)

// execUser is a resolved "user[:group]".
type execUser struct {
	specs.User
	// Home is the user's home directory from /etc/passwd ("/" if unknown).
	Home string
}

// containerUser is the user a container runs as, as Docker chooses it:
// the request's (-u) if given, else the image's USER. It is checked here,
// at create, so that a malformed or out-of-range value is refused before
// anything exists; the names in it are resolved at each start, against
// the container's own /etc/passwd and /etc/group (resolveUser).
func containerUser(requested, image string) (string, error) {
	if requested != "" {
		if _, err := passwd.ParseSpec(requested); err != nil {
			return "", err
		}
		return requested, nil
	}
	if _, err := passwd.ParseSpec(image); err != nil {
		return "", fmt.Errorf("the image's USER: %w", err)
	}
	return image, nil
}

// resolveUser resolves spec against the /etc/passwd and /etc/group of
// the mounted root file system rootfs by Docker's rules (package
// passwd). The files are read inside the root, must be regular files and
// are bounded in size, so that an image cannot block or inflate the
// daemon with them or point them at the host's.
func resolveUser(rootfs, spec string) (execUser, error) {
	u, err := passwd.Resolve(rootfs, spec)
	if err != nil {
		return execUser{}, err
	}
	return execUser{
		User: specs.User{UID: u.UID, GID: u.GID, AdditionalGids: u.AdditionalGIDs},
		Home: u.Home,
	}, nil
}

// applyUser makes p run as u: its ids, HOME from /etc/passwd unless the
// environment sets one, and, for a user other than root, no effective or
// permitted capabilities. The last is what Docker does (moby's
// SetCapabilities) and what execve would do anyway for a non-root
// program without file capabilities; dropping them before the exec
// means the user never holds, say, CAP_DAC_OVERRIDE while the program
// is looked up and opened. The bounding set stays, so setuid and
// file-capability programs work as under Docker.
func applyUser(p *specs.Process, u execUser) {
	p.User.UID, p.User.GID, p.User.AdditionalGids = u.UID, u.GID, u.AdditionalGids
	if !envHas(p.Env, "HOME") {
		p.Env = append(slices.Clip(p.Env), "HOME="+u.Home)
	}
	if u.UID != 0 && p.Capabilities != nil {
		c := *p.Capabilities
		c.Effective, c.Permitted = nil, nil
		p.Capabilities = &c
	}
}
