// Package testutil holds what every test of the module needs to say what
// it requires and to wait for something: RequireRoot, RequireTool,
// SkipShort, WaitFor and Eventually, and a buffer safe to read while a
// command writes to it.
//
// Outside CI a test whose requirement is missing skips with the reason.
// Under CI (CI=true or CI=1, as GitHub Actions and .ci/run set it) the
// same test fails and says what to install: CI runs as root with every
// tool installed, so a skip there would hide a test that never ran.
//
// Only tests import this package (internal/depcheck keeps product code
// from depending on it). The daemon under test lives in the subpackage
// daemon.
package testutil
