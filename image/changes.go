package image

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
)

// ApplyChanges applies Dockerfile instructions to an image config, as
// `commit --change` and `import --change` do: CMD, ENTRYPOINT, ENV,
// EXPOSE, LABEL, USER, WORKDIR, VOLUME and STOPSIGNAL, each in the form a
// Dockerfile takes (JSON or shell form for CMD and ENTRYPOINT; KEY=VALUE
// pairs, or the legacy "KEY VALUE", for ENV and LABEL). An instruction
// that is not one of these, or is malformed, fails with
// ErrInvalidArgument and changes nothing.
func ApplyChanges(cfg *ocispec.ImageConfig, changes []string) error {
	return ApplyChangesWithShell(cfg, nil, changes)
}

// ApplyChangesWithShell is ApplyChanges with shell (the config's Docker
// Shell, nil for /bin/sh -c) running the shell form of CMD and ENTRYPOINT,
// as Docker's commit dispatches the changes with the container's config.
func ApplyChangesWithShell(cfg *ocispec.ImageConfig, shell []string, changes []string) error {
	next := cloneConfig(*cfg)
	for _, c := range changes {
		if err := applyChange(&next, shell, c); err != nil {
			return errdefs.Kindf(errdefs.ErrInvalidArgument, "change %q: %w", c, err)
		}
	}
	*cfg = next
	return nil
}

// cloneConfig copies the maps and slices of c, so that a failed
// ApplyChanges leaves the caller's config as it was.
func cloneConfig(c ocispec.ImageConfig) ocispec.ImageConfig {
	c.Env = append([]string(nil), c.Env...)
	c.Labels = maps.Clone(c.Labels)
	c.ExposedPorts = maps.Clone(c.ExposedPorts)
	c.Volumes = maps.Clone(c.Volumes)
	return c
}

func applyChange(cfg *ocispec.ImageConfig, shell []string, change string) error {
	change = strings.TrimSpace(change)
	keyword, rest, _ := strings.Cut(change, " ")
	rest = strings.TrimSpace(rest)
	if strings.ContainsAny(keyword, "\t\n") {
		keyword, rest, _ = strings.Cut(strings.ReplaceAll(change, "\t", " "), " ")
		rest = strings.TrimSpace(rest)
	}
	switch kw := strings.ToUpper(keyword); kw {
	case "CMD", "ENTRYPOINT":
		argv, err := commandForm(rest, shell)
		if err != nil {
			return err
		}
		if kw == "CMD" {
			cfg.Cmd = argv
		} else {
			cfg.Entrypoint = argv
		}
	case "ENV":
		pairs, err := keyValues(rest)
		if err != nil {
			return err
		}
		for _, kv := range pairs {
			cfg.Env = setEnv(cfg.Env, kv[0], kv[1])
		}
	case "LABEL":
		pairs, err := keyValues(rest)
		if err != nil {
			return err
		}
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		for _, kv := range pairs {
			cfg.Labels[kv[0]] = kv[1]
		}
	case "EXPOSE":
		ports, err := words(rest)
		if err != nil {
			return err
		}
		if len(ports) == 0 {
			return fmt.Errorf("EXPOSE needs at least one port")
		}
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range ports {
			ports, err := exposedPorts(p)
			if err != nil {
				return err
			}
			for _, port := range ports {
				cfg.ExposedPorts[port] = struct{}{}
			}
		}
	case "VOLUME":
		vols, err := listForm(rest)
		if err != nil {
			return err
		}
		if len(vols) == 0 {
			return fmt.Errorf("VOLUME needs at least one path")
		}
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		for _, v := range vols {
			if v == "" {
				return fmt.Errorf("VOLUME with an empty path")
			}
			cfg.Volumes[v] = struct{}{}
		}
	case "USER", "WORKDIR", "STOPSIGNAL":
		w, err := words(rest)
		if err != nil {
			return err
		}
		if len(w) != 1 {
			return fmt.Errorf("%s takes exactly one argument", kw)
		}
		switch kw {
		case "USER":
			cfg.User = w[0]
		case "WORKDIR":
			if !strings.HasPrefix(w[0], "/") {
				// Docker joins a relative WORKDIR to the current one.
				base := cfg.WorkingDir
				if base == "" {
					base = "/"
				}
				w[0] = strings.TrimSuffix(base, "/") + "/" + w[0]
			}
			cfg.WorkingDir = w[0]
		default:
			cfg.StopSignal = w[0]
		}
	case "":
		return fmt.Errorf("empty instruction")
	default:
		return fmt.Errorf("%s is not an instruction --change accepts (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL)", keyword)
	}
	return nil
}

// commandForm parses CMD or ENTRYPOINT's argument: a JSON array of strings
// (exec form), else a command for shell, or /bin/sh -c when it is empty
// (shell form).
func commandForm(s string, shell []string) ([]string, error) {
	if strings.HasPrefix(s, "[") {
		var argv []string
		if err := json.Unmarshal([]byte(s), &argv); err == nil {
			return argv, nil
		}
		// Docker treats a line that is not a valid JSON array as shell form.
	}
	if s == "" {
		return nil, fmt.Errorf("a command is required")
	}
	if len(shell) == 0 {
		shell = []string{"/bin/sh", "-c"}
	}
	return append(slices.Clone(shell), s), nil
}

// listForm parses VOLUME's argument: a JSON array, else words.
func listForm(s string) ([]string, error) {
	if strings.HasPrefix(s, "[") {
		var list []string
		if err := json.Unmarshal([]byte(s), &list); err == nil {
			return list, nil
		}
	}
	return words(s)
}

// keyValues parses ENV and LABEL: KEY=VALUE words (values may be quoted),
// or the legacy single pair "KEY VALUE...".
func keyValues(s string) ([][2]string, error) {
	w, err := words(s)
	if err != nil {
		return nil, err
	}
	if len(w) == 0 {
		return nil, fmt.Errorf("a KEY=VALUE pair is required")
	}
	if !strings.Contains(w[0], "=") {
		// Legacy form: the first word is the key, the rest of the line
		// the value.
		key, value, _ := strings.Cut(s, " ")
		value = strings.TrimSpace(value)
		if value == "" {
			return nil, fmt.Errorf("%q has no value", key)
		}
		if v, err := words(value); err == nil && len(v) == 1 {
			value = v[0]
		}
		return [][2]string{{key, value}}, nil
	}
	var out [][2]string
	for _, kv := range w {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not KEY=VALUE", kv)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// words splits s into words as a Dockerfile does: blanks separate words,
// double and single quotes group, a backslash escapes the next character
// (outside single quotes).
func words(s string) ([]string, error) {
	var (
		out   []string
		cur   strings.Builder
		in    bool // inside a word
		quote rune
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote == '\'':
			cur.WriteRune(r)
		case r == '\\' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
			in = true
		case quote == 0 && (r == '"' || r == '\''):
			quote, in = r, true
		case quote == 0 && (r == ' ' || r == '\t'):
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

// exposedPorts normalizes an EXPOSE word, PORT[-PORT][/PROTO] with tcp by
// default, into the ports it names (a range is expanded, as Docker does).
func exposedPorts(p string) ([]string, error) {
	port, proto, ok := strings.Cut(p, "/")
	if !ok {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return nil, fmt.Errorf("EXPOSE %s: protocol must be tcp, udp or sctp", p)
	}
	lo, hi, isRange := strings.Cut(port, "-")
	if !isRange {
		hi = lo
	}
	first, err1 := strconv.ParseUint(lo, 10, 16)
	last, err2 := strconv.ParseUint(hi, 10, 16)
	if err1 != nil || err2 != nil || first == 0 || last < first {
		return nil, fmt.Errorf("EXPOSE %s: %q is not a port or a range of ports", p, port)
	}
	var out []string
	for n := first; n <= last; n++ {
		out = append(out, strconv.FormatUint(n, 10)+"/"+proto)
	}
	return out, nil
}

// setEnv sets key in env (KEY=VALUE entries), replacing an earlier value.
func setEnv(env []string, key, value string) []string {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			env[i] = key + "=" + value
			return env
		}
	}
	return append(env, key+"="+value)
}
