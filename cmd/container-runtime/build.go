package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
)

// buildCommand is both the seed's build (NAME DOCKERFILE_PATH, the
// context being the Dockerfile's directory) and Docker's (-t NAME [-f
// FILE] [CONTEXT]).
func (c *cli) buildCommand() *cobra.Command {
	var (
		tags, buildArgs []string
		file            string
		noCache, quiet  bool
		target, network string
		labels          []string
		iidfile         string
		pull            bool
		progress        string
	)
	cmd := &cobra.Command{
		Use:   "build NAME DOCKERFILE_PATH | build -t NAME [-f FILE] [OPTIONS] [CONTEXT]",
		Short: "Build an image from a Dockerfile",
		Long: `Two forms:

  build NAME DOCKERFILE_PATH
      The seed's form: build the image NAME from the Dockerfile at
      DOCKERFILE_PATH; COPY sources are relative to the Dockerfile's directory.
      DOCKERFILE_PATH may also be a directory holding a Dockerfile.
      ENTRYPOINT has the seed's meaning: each line adds a startup command
      run before the target at every start.

  build -t NAME [-f FILE] [--build-arg K=V] [--no-cache] [--target STAGE] [CONTEXT]
      Docker's form: CONTEXT (default .) is the directory COPY sources are
      relative to; FILE defaults to CONTEXT/Dockerfile. A FILE outside
      CONTEXT is read here and sent to the daemon; -f - reads it from stdin.
      ENTRYPOINT has Docker's meaning: Entrypoint + Cmd is the process.

A parser directive at the top of the Dockerfile, "# entrypoint=seed" or
"# entrypoint=docker", gives ENTRYPOINT that meaning in either form;
"image inspect" shows an image's as entrypointMeaning.

The build runs on the daemon's machine, reading the paths given. It prints
each step ("Step N/M : INSTRUCTION"), whether it came from the cache (and
why not), the output of RUN steps, and finally the image's id.`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := api.BuildRequest{Tags: tags, NoCache: noCache, Target: target, Network: network}
			switch {
			case len(args) == 2 && len(tags) == 0 && file == "":
				req.Tags = []string{args[0]}
				req.EntrypointMeaning = "seed"
				df, dir, err := seedDockerfile(args[1])
				if err != nil {
					return err
				}
				// Its directory is the context, but a symlink may lead
				// out of it.
				req.ContextDir = dir
				if err := c.setDockerfile(&req, df); err != nil {
					return err
				}
			case len(args) == 2:
				return fmt.Errorf("build takes NAME DOCKERFILE_PATH, or -t NAME [-f FILE] [CONTEXT]")
			default:
				dir := "."
				if len(args) == 1 {
					dir = args[0]
				}
				if dir == "-" {
					if file == "-" {
						return fmt.Errorf("build - -f -: stdin cannot be both the context and the Dockerfile")
					}
					ctxDir, content, cleanup, err := stdinContext(c.in)
					if err != nil {
						return err
					}
					defer cleanup()
					dir = ctxDir
					if file != "" && !filepath.IsAbs(file) {
						// As Docker: -f names a file of the archive.
						file = filepath.Join(ctxDir, file)
					}
					if content != "" {
						req.ContextDir, req.EntrypointMeaning = dir, "docker"
						req.Dockerfile, req.DockerfileContent = stdinDockerfile, content
						break
					}
				}
				abs, err := filepath.Abs(dir)
				if err != nil {
					return err
				}
				req.ContextDir = abs
				req.Dockerfile = filepath.Join(abs, "Dockerfile")
				req.EntrypointMeaning = "docker"
				if file != "" {
					if err := c.setDockerfile(&req, file); err != nil {
						return err
					}
				}
			}
			var err error
			if req.BuildArgs, err = parseBuildArgs(buildArgs, c.getenv); err != nil {
				return err
			}
			if req.Labels, err = parseBuildLabels(labels); err != nil {
				return err
			}
			req.Pull = pull
			cl, err := c.client()
			if err != nil {
				return err
			}
			view, err := c.buildView(progress, quiet)
			if err != nil {
				return err
			}
			id, err := cl.Build(cmd.Context(), req, view.update)
			view.close(err == nil)
			if err != nil {
				return err
			}
			if iidfile != "" {
				if err := os.WriteFile(iidfile, []byte(id), 0o644); err != nil {
					return fmt.Errorf("writing --iidfile: %w", err)
				}
			}
			if quiet {
				fmt.Fprintln(c.out, id)
			} else {
				fmt.Fprintf(c.out, "Built image %s\n", id)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVarP(&tags, "tag", "t", nil, "name of the image (name or name:tag); repeatable")
	fs.StringVarP(&file, "file", "f", "", "path of the Dockerfile (default CONTEXT/Dockerfile; - reads stdin)")
	fs.StringArrayVar(&buildArgs, "build-arg", nil, "set a build argument (KEY=VALUE, or KEY to copy ours)")
	fs.BoolVar(&noCache, "no-cache", false, "run every step, ignoring the cache")
	fs.StringVar(&target, "target", "", "build this stage (default the last)")
	fs.StringVar(&network, "network", "", "network of RUN steps: host (default) or none")
	fs.BoolVarP(&quiet, "quiet", "q", false, "print only the image's id")
	fs.StringArrayVar(&labels, "label", nil, "set a label on the image (KEY=VALUE); repeatable")
	fs.StringVar(&iidfile, "iidfile", "", "write the image's id (sha256:...) to this file")
	fs.BoolVar(&pull, "pull", false, "always pull FROM images that name a registry")
	fs.StringVar(&progress, "progress", "auto", "progress output: auto, plain or tty")
	return cmd
}

// seedDockerfile resolves the seed's DOCKERFILE_PATH into an absolute
// Dockerfile and its directory, the build context.
func seedDockerfile(path string) (dockerfile, dir string, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", "", err
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return filepath.Join(abs, "Dockerfile"), abs, nil
	}
	return abs, filepath.Dir(abs), nil
}

// parseBuildArgs parses --build-arg KEY=VALUE (KEY alone: our value, left
// out when we have none).
func parseBuildArgs(vals []string, getenv func(string) string) (map[string]string, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, v := range vals {
		k, val, ok := strings.Cut(v, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid --build-arg %q: want KEY=VALUE", v)
		}
		if !ok {
			if val = getenv(k); val == "" {
				continue
			}
		}
		m[k] = val
	}
	return m, nil
}
