package main

import (
	"os"
	"path/filepath"
)

// dockerfile is the benchmark build: the five steps of the issue. The
// ENTRYPOINT is shell form, which every builder accepts.
const dockerfile = `FROM base
COPY app /app
RUN echo built > /app/built.txt
RUN mkdir -p /data && cp /app/server.js /data/
ENTRYPOINT echo starting
`

// contextFiles is the small directory the COPY step copies.
var contextFiles = map[string]string{
	"app/server.js":     "const http = require('http');\nhttp.createServer((q, s) => s.end('hi')).listen(8080);\n",
	"app/package.json":  "{\"name\": \"bench\", \"version\": \"1.0.0\"}\n",
	"app/lib/util.js":   "module.exports = { add: (a, b) => a + b };\n",
	"app/static/a.css":  "body { margin: 0; }\n",
	"app/static/i.html": "<!doctype html><title>bench</title>\n",
}

// writeContext writes the Dockerfile and its context under work and
// returns the context directory.
func writeContext(work string) (string, error) {
	dir := filepath.Join(work, "context")
	files := map[string]string{"Dockerfile": dockerfile}
	for name, content := range contextFiles {
		files[name] = content
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}
