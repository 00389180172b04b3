package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
	"github.com/container-runtime/container-runtime/internal/testutil/dockerd"
)

// The Docker Engine API row (issue 12): the docker CLI (Debian's, as the
// peer's) pointed at our daemon's socket runs `docker run --rm`, next to
// our own CLI's run --rm and docker on its private dockerd. The docker
// client's sequence is create, attach (hijacked), wait, start, then the
// end of the attach stream and of the wait; what it costs beyond our CLI
// is that sequence and its translation in daemon/docker.

// The rows' labels: Debian's client (the one CI installs, 20.10, API
// 1.41) and, when installed, a newer one at newestDockerClient.
const (
	dockerOnOursLabel  = "ours: docker run --rm (docker CLI on our socket)"
	newestOnOursLabel  = "ours: docker run --rm (newest docker CLI on our socket)"
	newestDockerClient = "/usr/local/bin/docker"
)

// dockerOnOursRunners are `docker run --rm --network none base /bin/true`
// with DOCKER_HOST at our socket, with Debian's client and the newest;
// skipped says why a row is missing.
func (d *ourDaemon) dockerOnOursRunners(out *os.File) (rs []runner, skipped []skip) {
	config := filepath.Join(d.dir, "docker-config")
	if err := os.MkdirAll(config, 0o700); err != nil {
		return nil, []skip{{dockerOnOursLabel, oneLine(err)}}
	}
	row := func(label, bin string) runner {
		return &cmdRunner{
			label: label,
			argv:  []string{bin, "run", "--rm", "--network", "none", "base", "/bin/true"},
			env:   []string{"DOCKER_HOST=unix://" + d.socket, "DOCKER_CONFIG=" + config, "DOCKER_CLI_HINTS=false"},
			dir:   d.dir, groups: []group{d.group}, out: out, settle: d.waitVeths,
		}
	}
	bin, err := dockerd.ClientPath()
	if err != nil {
		skipped = append(skipped, skip{dockerOnOursLabel, oneLine(err)})
	} else {
		rs = append(rs, row(dockerOnOursLabel, bin))
	}
	if _, err := os.Stat(newestDockerClient); err != nil {
		skipped = append(skipped, skip{newestOnOursLabel, oneLine(err)})
	} else if newestDockerClient != bin {
		rs = append(rs, row(newestOnOursLabel, newestDockerClient))
	}
	return rs, skipped
}

// printDockerAPIRatios prints the docker CLI on our socket against our
// CLI and against docker on dockerd (median wall and CPU), when the rows
// were measured.
func printDockerAPIRatios(series []*measure.Series) {
	find := func(prefix string) (measure.Summary, bool) {
		for _, s := range series {
			if strings.HasPrefix(s.Name, prefix) {
				return s.Summarize(), true
			}
		}
		return measure.Summary{}, false
	}
	ours, hasOurs := find("ours: container-runtime run --rm")
	peer, hasPeer := find("docker run --rm")
	for _, row := range []struct{ label, client string }{
		{dockerOnOursLabel, "Debian's docker CLI"}, {newestOnOursLabel, "the newest docker CLI"},
	} {
		d, ok := find(row.label)
		if !ok {
			continue
		}
		if hasOurs {
			fmt.Printf("  %s on our socket / our CLI: %s× wall, %s× CPU (median)\n", row.client,
				ratioOf(d.WallMedian, ours.WallMedian), ratioOf(d.CPUMedian, ours.CPUMedian))
		}
		if hasPeer {
			fmt.Printf("  %s on our socket / docker on dockerd: %s× wall, %s× CPU (median)\n", row.client,
				ratioOf(d.WallMedian, peer.WallMedian), ratioOf(d.CPUMedian, peer.CPUMedian))
		}
	}
}

// clientStartup times the clients alone (`--version`: no request to any
// daemon), to tell how much of the docker rows' excess over our CLI is
// the docker client starting (its package initialisation: Debian's 20.10
// client initialises 381 packages, the vendored Kubernetes client among
// them) rather than our daemon answering.
func (s *setup) clientStartup(ctx context.Context) error {
	rs := []runner{&cmdRunner{label: "ours: container-runtime --version", argv: []string{s.ours.bin.cli, "--version"}, dir: s.ours.dir, out: s.out}}
	if bin, err := dockerd.ClientPath(); err == nil {
		rs = append(rs, &cmdRunner{label: "docker --version (Debian's)", argv: []string{bin, "--version"}, dir: s.ours.dir, out: s.out})
		if _, err := os.Stat(newestDockerClient); err == nil && newestDockerClient != bin {
			rs = append(rs, &cmdRunner{label: "docker --version (newest)", argv: []string{newestDockerClient, "--version"}, dir: s.ours.dir, out: s.out})
		}
	}
	if len(rs) == 1 {
		return nil
	}
	rs, skipped, err := warmUp(ctx, rs, 1)
	if err != nil {
		return err
	}
	series, err := alternate(ctx, rs, s.cfg.n)
	if err != nil {
		return err
	}
	fmt.Println()
	printTable(os.Stdout, fmt.Sprintf("== the clients' start-up alone (--version, no daemon), %d runs each, alternating", s.cfg.n), series, skipped)
	return nil
}
