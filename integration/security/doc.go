// Package security is the adversarial suite: attacks on the isolation of
// containers, run as root through the real daemon and CLI (the harness in
// internal/testutil/daemon) on busybox and Debian base images.
//
// One file per class of attack. Each test is named after the CVE or the
// class it guards against (TestCVE_2019_5736_ProcSelfExeOverwrite), says
// in its doc comment what the attack is, and fails if the attack
// succeeds: a host file changed, a host path reached, a privilege held
// that Docker's defaults do not give. Most of these attacks fail today;
// the tests keep it so.
//
// The tests need root and build the binaries once, as the end-to-end
// tests do ($CRT_E2E_BIN names prebuilt ones). Under CI a missing tool or
// privilege fails the test instead of skipping it.
package security
