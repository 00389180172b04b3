// Package depcheck holds only tests: they enforce the map of the module
// (docs/ARCHITECTURE.md, "Package floors"), as go-containerregistry's
// internal/depcheck does with AssertOnlyDependencies.
//
// floors_test.go is an allowlist: every package of the module (every one
// `go list ./...` shows) has an entry that names the module packages it may
// import directly, from its own files and, separately, from its _test.go
// files. Any other import fails TestAllowlist, naming the package, the
// import and the rule of the package's floor; a package without an entry
// fails too. The floors order the table: an entry may only allow packages
// of lower floors, so that the direct rules also bound what a package
// reaches transitively. The test helpers (internal/testutil/...) may only
// be imported from _test.go files.
package depcheck
