package volume

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/container-runtime/container-runtime/errdefs"
)

// CheckName validates a volume name as Docker does: a letter or digit,
// then at least one letter, digit, '_', '.' or '-'. Such a name is one
// path element that is neither "." nor "..", so it cannot leave the
// volumes directory.
func CheckName(name string) error {
	ok := len(name) >= 2 && len(name) <= 255 && alnum(name[0])
	for i := 1; ok && i < len(name); i++ {
		c := name[i]
		ok = alnum(c) || c == '_' || c == '.' || c == '-'
	}
	if !ok {
		return fmt.Errorf("volume name %q includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed: %w",
			name, errdefs.ErrInvalidArgument)
	}
	return nil
}

func alnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// randomName is the name of an anonymous volume: 64 hex digits, as
// Docker's.
func randomName() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("naming a volume: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
