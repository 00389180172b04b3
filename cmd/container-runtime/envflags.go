package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// parseEnv returns the environment set by --env-file files then -e
// values. An entry without "=" takes its value from our environment, and
// is left out when we do not have it (as Docker does).
func parseEnv(vals, files []string, getenv func(string) string) ([]string, error) {
	var all []string
	for _, f := range files {
		lines, err := readEnvFile(f)
		if err != nil {
			return nil, err
		}
		all = append(all, lines...)
	}
	all = append(all, vals...)
	var env []string
	for _, v := range all {
		k, _, hasValue := strings.Cut(v, "=")
		if k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("invalid environment variable %q", v)
		}
		if !hasValue {
			val := getenv(k)
			if val == "" {
				continue
			}
			v = k + "=" + val
		}
		env = append(env, v)
	}
	return env, nil
}

// readEnvFile reads KEY=VALUE lines, skipping blank lines and # comments.
func readEnvFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading env file: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimLeft(sc.Text(), " \t")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading env file %s: %w", path, err)
	}
	return out, nil
}
