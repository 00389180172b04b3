package distribution

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// helperCredentials asks a Docker credential helper (docker-credential-NAME
// get, the server URL on stdin) for credentials. A helper that is not
// installed, or knows nothing of the server, gives none.
func helperCredentials(ctx context.Context, helper, serverURL string) (Credentials, bool, error) {
	bin, err := exec.LookPath("docker-credential-" + helper)
	if err != nil {
		return Credentials{}, false, nil
	}
	cmd := exec.CommandContext(ctx, bin, "get")
	cmd.Stdin = strings.NewReader(serverURL)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stdout.String() + stderr.String())
		var exit *exec.ExitError
		if errors.As(err, &exit) && strings.Contains(msg, "credentials not found") {
			return Credentials{}, false, nil
		}
		return Credentials{}, false, fmt.Errorf("credential helper %s: %w: %s", helper, err, msg)
	}
	var out struct{ Username, Secret string }
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return Credentials{}, false, fmt.Errorf("credential helper %s: decoding its answer: %w", helper, err)
	}
	if out.Username == "<token>" {
		return Credentials{IdentityToken: out.Secret}, true, nil
	}
	return Credentials{Username: out.Username, Password: out.Secret}, out.Username != "" || out.Secret != "", nil
}
