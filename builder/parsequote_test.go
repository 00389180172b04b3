package builder

import (
	"strings"
	"testing"
)

// TestParseErrorsDoNotQuoteOtherFiles parses files that are not
// Dockerfiles: the error names the line but quotes none of the content.
func TestParseErrorsDoNotQuoteOtherFiles(t *testing.T) {
	const secret = "s3cr3tH4sh"
	for _, text := range []string{
		"root:$y$j9T$" + secret + ":19700:0:99999:7:::\n",
		"API_KEY=" + secret + "\n",
		"-----BEGIN OPENSSH PRIVATE KEY-----\n" + secret + "\n",
		"\x00\x01" + secret + "\n",
		`{"auths":{"r":{"auth":"` + secret + `"}}}` + "\n",
	} {
		_, err := parseDockerfile("Dockerfile", strings.NewReader(text))
		if err == nil {
			t.Errorf("%q parsed", text)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(strings.ToLower(err.Error()), strings.ToLower(secret)) {
			t.Errorf("the error quotes the file: %v", err)
		}
		if !strings.HasPrefix(err.Error(), "Dockerfile:1: ") {
			t.Errorf("the error %q does not name Dockerfile:1", err)
		}
	}
	// A misspelt instruction is still named.
	if _, err := parseDockerfile("Dockerfile", strings.NewReader("FROM busybox\nRUNN true\n")); err == nil || !strings.Contains(err.Error(), "unknown instruction RUNN") {
		t.Errorf("a misspelt instruction: got %v", err)
	}
}
