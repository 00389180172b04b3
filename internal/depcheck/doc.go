// Package depcheck holds only a test: it enforces the direction of imports
// between the project's packages (ARCHITECTURE.md: top may import bottom,
// never the reverse), as go-containerregistry's internal/depcheck does.
package depcheck
