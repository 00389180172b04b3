package main

import (
	"fmt"
	"io"
	"strings"
)

// parseBuildLabels parses --label KEY=VALUE (KEY alone: an empty value,
// as Docker).
func parseBuildLabels(vals []string) (map[string]string, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, v := range vals {
		k, val, _ := strings.Cut(v, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid --label %q: want KEY=VALUE", v)
		}
		m[k] = val
	}
	return m, nil
}

// buildView picks the progress display of build --progress: plain
// (BuildKit's "#N [STAGE N/M] INSTRUCTION" lines), tty (the live display;
// it needs a terminal) or auto (tty on a terminal, otherwise the
// builder's own "Step N/M : INSTRUCTION" lines as they come, which
// scripts of this engine read).
func (c *cli) buildView(progress string, quiet bool) (progressView, error) {
	if quiet {
		return &plainView{w: io.Discard}, nil
	}
	_, isTerm := terminal(c.out)
	switch progress {
	case "plain":
		return &buildkitView{w: c.out}, nil
	case "tty":
		if !isTerm {
			return nil, fmt.Errorf("--progress=tty: the output is not a terminal")
		}
		return newBuildBars(c.out), nil
	case "auto", "":
		if isTerm {
			return newBuildBars(c.out), nil
		}
		return &plainView{w: c.out}, nil
	}
	return nil, fmt.Errorf("invalid --progress %q: want auto, plain or tty", progress)
}
