// Package seccomp turns the seccomp section of an OCI spec into a BPF
// filter and installs it, the last step of the init stage before execve.
//
// libseccomp (through libseccomp-golang, cgo) compiles the rules; this
// package loads the result itself with seccomp(2), after prepending a short
// stub that makes syscalls newer than libseccomp fail with ENOSYS instead
// of the profile's default errno (see enosys_linux.go). Compile and
// Filter.Load are the two halves, so a caller can compile a profile once and
// install it in many processes (Filter.MarshalBinary carries it between
// processes); Load does both at once.
//
// Behaviour, and where it follows runc:
//   - Syscall names unknown to the linked libseccomp are skipped (Docker's
//     profile names syscalls newer than Debian's libseccomp 2.5.4: mseal,
//     statmount, listmount, the *xattrat family, uretprobe). When the default
//     action is not permissive, every syscall numbered above the last one
//     libseccomp knows gets ENOSYS from the stub, so those answer ENOSYS
//     (they are not allowed, for want of their numbers) and callers fall
//     back. Known syscalls the profile does not allow keep the default
//     action (EPERM for Docker's profile).
//   - x32 is the exception: libseccomp's x32 table ends with the compat
//     syscalls at 512-547, above where new syscalls land, so new x32
//     syscalls keep the default action.
//   - Several conditions on different arguments of one rule are ANDed. Several
//     conditions on the same argument cannot be expressed in one libseccomp
//     rule; as runc does (and as Docker's profile expects), each becomes a
//     rule of its own, so they are ORed.
//   - A rule whose action equals the default action is dropped (libseccomp
//     refuses it, and it changes nothing).
//   - TSYNC is always requested, so every thread of the calling process gets
//     the filter (and the calling thread's no_new_privs).
//   - SCMP_ACT_NOTIFY, listenerPath and SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
//     are refused as not supported: there is no notify listener.
package seccomp
