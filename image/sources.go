package image

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// FallbackMirror is the Debian mirror used when the host's apt sources name
// none.
const FallbackMirror = "http://deb.debian.org/debian"

// aptSource is one "deb" source of the host's apt configuration.
type aptSource struct {
	uri    string
	suites []string
}

// hostMirror picks the Debian mirror from the apt configuration under
// etcApt (normally /etc/apt): the first "deb" source that serves suite, else
// the first whose path ends in /debian, else FallbackMirror. Both the
// one-line format (sources.list, sources.list.d/*.list) and deb822
// (sources.list.d/*.sources) are read; disabled entries are skipped.
func hostMirror(etcApt, suite string) string {
	var sources []aptSource
	sources = append(sources, readOneLine(filepath.Join(etcApt, "sources.list"))...)
	lists, _ := filepath.Glob(filepath.Join(etcApt, "sources.list.d", "*"))
	slices.Sort(lists)
	for _, f := range lists {
		switch {
		case strings.HasSuffix(f, ".list"):
			sources = append(sources, readOneLine(f)...)
		case strings.HasSuffix(f, ".sources"):
			sources = append(sources, readDeb822(f)...)
		}
	}
	for _, s := range sources {
		if slices.Contains(s.suites, suite) {
			return s.uri
		}
	}
	for _, s := range sources {
		if strings.HasSuffix(strings.TrimSuffix(s.uri, "/"), "/debian") {
			return s.uri
		}
	}
	return FallbackMirror
}

// readOneLine parses "deb [options] uri suite components..." lines.
func readOneLine(path string) []aptSource {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []aptSource
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if i := strings.IndexByte(line, '['); i >= 0 {
			if j := strings.IndexByte(line[i:], ']'); j >= 0 {
				line = line[:i] + line[i+j+1:]
			}
		}
		fields := strings.Fields(line)
		if len(fields) < 3 || fields[0] != "deb" {
			continue
		}
		out = append(out, aptSource{uri: fields[1], suites: []string{fields[2]}})
	}
	return out
}

// readDeb822 parses the stanzas of a .sources file.
func readDeb822(path string) []aptSource {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []aptSource
	for _, stanza := range strings.Split(string(data), "\n\n") {
		fields := map[string]string{}
		var last string
		for _, line := range strings.Split(stanza, "\n") {
			if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
				continue
			}
			if (line[0] == ' ' || line[0] == '\t') && last != "" {
				fields[last] += " " + strings.TrimSpace(line)
				continue
			}
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			last = strings.ToLower(strings.TrimSpace(k))
			fields[last] = strings.TrimSpace(v)
		}
		if !slices.Contains(strings.Fields(fields["types"]), "deb") || strings.EqualFold(fields["enabled"], "no") {
			continue
		}
		suites := strings.Fields(fields["suites"])
		for _, uri := range strings.Fields(fields["uris"]) {
			out = append(out, aptSource{uri: uri, suites: suites})
		}
	}
	return out
}
