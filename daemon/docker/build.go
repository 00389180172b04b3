package docker

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// maxDockerfile bounds the Dockerfile read from a build context.
const maxDockerfile = 1 << 20

// buildOptions are the query of POST /build that we honour.
type buildOptions struct {
	req    api.BuildRequest
	labels map[string]string
}

// parseBuild reads the query of POST /build (the classic builder's).
func parseBuild(r *http.Request) (buildOptions, error) {
	q := newQuery(r)
	v := r.URL.Query()
	var o buildOptions
	if ver := q.string("version"); ver != "" && ver != "1" {
		return o, unsupported("query parameter version", fmt.Sprintf("builder version %q (BuildKit; set DOCKER_BUILDKIT=0 to use the classic builder)", ver))
	}
	if q.string("remote") != "" {
		return o, unsupported("query parameter remote", "a remote build context")
	}
	o.req = api.BuildRequest{Tags: v["t"], Target: q.string("target"), NoCache: q.bool("nocache"), EntrypointMeaning: "docker"}
	df := q.string("dockerfile")
	if df == "" {
		df = "Dockerfile"
	}
	clean := path.Clean("/" + df)[1:]
	if clean == "" || strings.HasPrefix(df, "..") || strings.Contains(df, "/../") {
		return o, errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter dockerfile=%q: the Dockerfile must be inside the build context", df)
	}
	o.req.Dockerfile = clean
	switch nm := q.string("networkmode"); nm {
	case "", "default":
	default:
		o.req.Network = nm
	}
	if s := q.string("buildargs"); s != "" {
		var args map[string]*string
		if err := json.Unmarshal([]byte(s), &args); err != nil {
			return o, errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter buildargs: want a JSON object of strings: %v", err)
		}
		o.req.BuildArgs = map[string]string{}
		for k, val := range args {
			if val != nil {
				o.req.BuildArgs[k] = *val
			}
		}
	}
	if s := q.string("labels"); s != "" {
		if err := json.Unmarshal([]byte(s), &o.labels); err != nil {
			return o, errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter labels: want a JSON object of strings: %v", err)
		}
	}
	if len(o.labels) > 0 && o.req.Target != "" {
		return o, unsupported("query parameter labels", "labels together with a target")
	}
	// Options that would change what the build may do or see are refused;
	// the rest (rm, forcerm, pull, memory limits of the classic builder's
	// intermediate containers) change nothing here.
	for _, k := range []string{"extrahosts", "cgroupparent", "isolation", "squash", "outputs", "cachefrom", "securityopt"} {
		if s := q.string(k); s != "" && s != "[]" && s != "null" && s != "false" {
			return o, unsupported("query parameter "+k, "this build option")
		}
	}
	if s := q.string("ulimits"); s != "" && s != "null" && s != "[]" {
		return o, unsupported("query parameter ulimits", "ulimits in a build")
	}
	return o, q.err
}

// build is the classic builder's POST /build: the body is the context
// (a tar, maybe compressed); the answer streams {"stream": ...} lines
// (the builder's own, Docker's "Step N/M" and "Successfully" lines among
// them) and an {"aux": {"ID": ...}} line.
func (h *Handler) build(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.UnpackContext == nil {
		return errdefs.Kindf(errdefs.ErrUnavailable, "this daemon does not build images")
	}
	o, err := parseBuild(r)
	if err != nil {
		return err
	}
	dir, remove, err := h.cfg.UnpackContext(r.Context(), r.Body)
	if err != nil {
		return fmt.Errorf("reading the build context: %w", err)
	}
	defer remove()
	content, err := readDockerfile(dir, o.req.Dockerfile)
	if err != nil {
		return err
	}
	o.req.DockerfileContent = content + labelLines(o.labels)
	o.req.ContextDir = dir

	jw := jsonWriter{w: newFlushWriter(w, "application/json")}
	id, err := h.cfg.Images.Build(r.Context(), o.req, jw)
	if err != nil {
		return jw.fail(err)
	}
	aux, _ := json.Marshal(map[string]string{"ID": id})
	raw := json.RawMessage(aux)
	// The builder wrote "Successfully built" and "tagged" itself.
	return jw.send(jsonstream.Message{Aux: &raw})
}

// readDockerfile reads name inside dir, never following a path out of it.
func readDockerfile(dir, name string) (string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("opening the build context: %w", err)
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		return "", errdefs.Kindf(errdefs.ErrInvalidArgument, "Cannot locate specified Dockerfile: %s", name)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxDockerfile+1))
	if err != nil {
		return "", fmt.Errorf("reading the Dockerfile %s: %w", name, err)
	}
	if len(b) > maxDockerfile {
		return "", errdefs.Kindf(errdefs.ErrInvalidArgument, "the Dockerfile %s is larger than %d bytes", name, maxDockerfile)
	}
	return string(b), nil
}

// labelLines are the build's labels as a last LABEL instruction (the
// classic builder applies them to the final image the same way).
func labelLines(labels map[string]string) string {
	if len(labels) == 0 {
		return ""
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("\nLABEL")
	for _, k := range keys {
		kq, _ := json.Marshal(k)
		vq, _ := json.Marshal(labels[k])
		// A Dockerfile expands $ in LABEL; a label's value is literal.
		fmt.Fprintf(&b, " %s=%s", strings.ReplaceAll(string(kq), "$", `\$`), strings.ReplaceAll(string(vq), "$", `\$`))
	}
	b.WriteString("\n")
	return b.String()
}
