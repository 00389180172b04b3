package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// writeContext writes files (path → content) into a new context
// directory and returns it.
func writeContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBuildHeredocs builds, through the real daemon, every heredoc form
// of RUN and COPY and reads the files they made in the image.
func TestBuildHeredocs(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)
	df := "FROM busybox\n" +
		"ARG WHO=world\n" +
		"RUN <<EOF\nmkdir -p /out\necho one > /out/script\necho two >> /out/script\nEOF\n" +
		"RUN <<-EOF\n\techo tabs > /out/chomped\n\tEOF\n" +
		"RUN cat <<'EOF' > /out/quoted\n$WHO\nEOF\n" +
		"RUN cat <<EOF > /out/expanded\n$WHO\nEOF\n" +
		"RUN sh <<EOF\necho from-stdin > /out/stdin\nEOF\n" +
		"RUN cat <<A > /out/a && cat <<B > /out/b\nfirst\nA\nsecond\nB\n" +
		"RUN <<EOF\n#!/bin/sh\necho \"shebang $0\" > /out/shebang\nEOF\n" +
		"COPY <<EOF /etc/greeting\nhello $WHO\nEOF\n" +
		"COPY <<x <<\"y\" /docs/\nx-file\nx\ny-file $WHO\ny\n"
	ctx := writeContext(t, map[string]string{"Dockerfile": df})
	if r := d.Exec(buildTimeout, nil, "build", "-t", "heredocs", ctx); r.Code != 0 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
	}
	for file, want := range map[string]string{
		"/out/script":   "one\ntwo\n",
		"/out/chomped":  "tabs\n",
		"/out/quoted":   "$WHO\n",
		"/out/expanded": "world\n",
		"/out/stdin":    "from-stdin\n",
		"/out/a":        "first\n",
		"/out/b":        "second\n",
		"/out/shebang":  "shebang /dev/pipes/EOF\n",
		"/etc/greeting": "hello world\n",
		"/docs/x":       "x-file\n",
		"/docs/y":       "y-file $WHO\n",
	} {
		if got := d.OK(t, "run", "--rm", "heredocs", "cat", file); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
	// The script's mount point is not in the image.
	if r := d.Run(t, "run", "--rm", "heredocs", "ls", "/dev/pipes"); r.Code == 0 {
		t.Errorf("/dev/pipes is in the image: %v", r)
	}

	t.Run("unterminated heredoc names file and line", func(t *testing.T) {
		bad := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN true\nRUN <<EOF\necho never ends\n"})
		r := d.Exec(buildTimeout, nil, "build", "-t", "bad", bad)
		if r.Code != 125 || !strings.Contains(r.Stderr, "Dockerfile:3:") || !strings.Contains(r.Stderr, "unterminated heredoc") {
			t.Errorf("%v, want exit 125 and unterminated heredoc at Dockerfile:3", r)
		}
	})
}

// TestBuildRunMounts builds, through the real daemon, with every RUN
// --mount type: a cache that persists across builds and stays out of the
// image, binds of the context and of a stage (read-only by default,
// writes of rw discarded), a tmpfs; a failing step leaves no mount
// (the harness's leak check at cleanup).
func TestBuildRunMounts(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)

	t.Run("cache", func(t *testing.T) {
		df := "FROM busybox\nRUN --mount=type=cache,target=/var/cache/app,id=app sh -c 'echo run >> /var/cache/app/log; wc -l < /var/cache/app/log > /runs'\n"
		ctx := writeContext(t, map[string]string{"Dockerfile": df})
		for i, want := range []string{"1", "2"} {
			if r := d.Exec(buildTimeout, nil, "build", "--no-cache", "-t", "cached", ctx); r.Code != 0 {
				t.Fatalf("build %d: %v\ndaemon log:\n%s", i+1, r, d.Log())
			}
			if got := strings.TrimSpace(d.OK(t, "run", "--rm", "cached", "cat", "/runs")); got != want {
				t.Errorf("build %d saw %s runs in the cache, want %s", i+1, got, want)
			}
		}
		if r := d.Run(t, "run", "--rm", "cached", "ls", "/var/cache/app"); r.Code == 0 {
			t.Errorf("the cache's mount point is in the image: %v", r)
		}
		entries, err := os.ReadDir(filepath.Join(d.Root, "buildcache"))
		if err != nil || len(entries) != 1 {
			t.Errorf("buildcache holds %v (%v), want one cache directory", entries, err)
		}
	})

	t.Run("bind from the context and a stage", func(t *testing.T) {
		df := "FROM busybox AS tools\nRUN mkdir /tools && echo tool > /tools/t\n" +
			"FROM busybox\n" +
			"RUN --mount=target=/src cat /src/data > /copied && ! touch /src/new 2>/dev/null\n" +
			"RUN --mount=type=bind,source=sub,target=/sub,rw sh -c 'echo changed > /sub/f && cat /sub/f > /rw-seen'\n" +
			"RUN --mount=type=bind,from=tools,source=/tools,target=/t cat /t/t > /from-stage && ! touch /t/x 2>/dev/null\n" +
			"RUN --mount=type=tmpfs,target=/scratch sh -c 'echo x > /scratch/f && grep -q \" /scratch tmpfs\" /proc/mounts && echo ok > /tmpfs-ok'\n"
		ctx := writeContext(t, map[string]string{"Dockerfile": df, "data": "context data\n", "sub/f": "original\n"})
		if r := d.Exec(buildTimeout, nil, "build", "-t", "binds", ctx); r.Code != 0 {
			t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
		}
		for file, want := range map[string]string{
			"/copied": "context data\n", "/rw-seen": "changed\n", "/from-stage": "tool\n", "/tmpfs-ok": "ok\n",
		} {
			if got := d.OK(t, "run", "--rm", "binds", "cat", file); got != want {
				t.Errorf("%s = %q, want %q", file, got, want)
			}
		}
		if b, _ := os.ReadFile(filepath.Join(ctx, "sub/f")); string(b) != "original\n" {
			t.Errorf("a rw bind changed the context: sub/f = %q", b)
		}
		for _, p := range []string{"/src", "/sub", "/t", "/scratch"} {
			if r := d.Run(t, "run", "--rm", "binds", "ls", "-d", p); r.Code == 0 {
				t.Errorf("the mount point %s is in the image", p)
			}
		}
	})

	t.Run("bind of a context with a .dockerignore", func(t *testing.T) {
		df := "FROM busybox\nRUN --mount=target=/src sh -c 'ls -a /src > /listing; cat /src/keep/kept >> /listing'\n"
		ctx := writeContext(t, map[string]string{"Dockerfile": df, ".dockerignore": ".env\nsecrets/\n",
			".env": "TOKEN=1\n", "secrets/key": "k\n", "keep/kept": "kept\n"})
		if r := d.Exec(buildTimeout, nil, "build", "-t", "ignored", ctx); r.Code != 0 {
			t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
		}
		got := d.OK(t, "run", "--rm", "ignored", "cat", "/listing")
		if strings.Contains(got, ".env") || strings.Contains(got, "secrets") || !strings.Contains(got, "keep") || !strings.Contains(got, "kept\n") {
			t.Errorf("the step saw the context as:\n%s\nwant keep/ without .env and secrets/ (.dockerignore)", got)
		}
	})

	t.Run("a failing step leaves no mount", func(t *testing.T) {
		df := "FROM busybox\nRUN --mount=target=/src --mount=type=cache,target=/c --mount=type=tmpfs,target=/t false\n"
		ctx := writeContext(t, map[string]string{"Dockerfile": df})
		if r := d.Exec(buildTimeout, nil, "build", "-t", "fails", ctx); r.Code == 0 {
			t.Fatalf("a failing RUN built: %v", r)
		}
		mounts, _ := os.ReadFile("/proc/self/mountinfo")
		if strings.Contains(string(mounts), filepath.Join(d.Root, "builder")) {
			t.Errorf("mounts left under %s after a failed step", filepath.Join(d.Root, "builder"))
		}
	})

	t.Run("secret refused", func(t *testing.T) {
		ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN --mount=type=secret,id=x true\n"})
		r := d.Exec(buildTimeout, nil, "build", "-t", "secret", ctx)
		if r.Code != 125 || !strings.Contains(r.Stderr, "Dockerfile:2:") || !strings.Contains(r.Stderr, "type=secret is not supported") {
			t.Errorf("%v, want a clear refusal at Dockerfile:2", r)
		}
	})
}
