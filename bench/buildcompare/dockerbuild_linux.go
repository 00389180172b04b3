package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// builders are the two builders of the private dockerd.
func (d *peerDocker) builders() []contender {
	return []contender{&dockerBuild{d: d, buildkit: true}, &dockerBuild{d: d}}
}

// dockerBuild is `docker build` with BuildKit or with the legacy builder.
type dockerBuild struct {
	d        *peerDocker
	buildkit bool
}

func (b *dockerBuild) name() string {
	if b.buildkit {
		return "docker build (BuildKit)"
	}
	return "docker build (legacy)"
}

// reused: the legacy builder prints "---> Using cache" for each of its
// four steps after FROM; BuildKit prints "#n CACHED" for each reused
// vertex, FROM included, whose name it printed before as "#n [i/k] FROM
// ...".
func (b *dockerBuild) reused(out string) int {
	if !b.buildkit {
		return strings.Count(out, " ---> Using cache\n")
	}
	names := map[string]string{}
	n := 0
	for line := range strings.SplitSeq(out, "\n") {
		id, rest, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(id, "#") {
			continue
		}
		switch {
		case rest == "CACHED":
			if !strings.Contains(names[id], "] FROM ") {
				n++
			}
		case strings.HasPrefix(rest, "["):
			names[id] = rest
		}
	}
	return n
}

// steps: BuildKit has no vertex for ENTRYPOINT.
func (b *dockerBuild) steps() int {
	if b.buildkit {
		return 3
	}
	return 4
}

// build runs the client; its CPU time is the client's plus what dockerd's
// cgroup used meanwhile (dockerd, containerd, shims, build containers).
func (b *dockerBuild) build(ctx context.Context, ctxDir string, cold bool) (measure.Sample, string, error) {
	args := b.d.Args("build", "--network", "host", "--tag", "bench")
	env := "DOCKER_BUILDKIT=0"
	if b.buildkit {
		env = "DOCKER_BUILDKIT=1"
		args = append(args, "--progress", "plain")
	}
	if cold {
		args = append(args, "--no-cache")
	}
	args = append(args, ctxDir)
	cmd := exec.CommandContext(ctx, b.d.Client, args...)
	cmd.Env = append(os.Environ(), env)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	daemonCPU, err := b.d.cg.usage()
	if err != nil {
		return measure.Sample{}, "", err
	}
	start := time.Now()
	err = cmd.Run()
	s := measure.Sample{Wall: time.Since(start)}
	if err != nil {
		return s, out.String(), fmt.Errorf("%v: %s", err, out.String())
	}
	after, err := b.d.cg.usage()
	if err != nil {
		return s, out.String(), err
	}
	s.CPU = measure.ProcessCPU(cmd.ProcessState) + after - daemonCPU
	return s, out.String(), nil
}
