// Package capabilities turns the capability sets of an OCI process spec into
// the calling thread's capability state, the way runc does it right before
// execve of the container's program.
//
// Linux keeps capabilities per thread, not per process. Every function that
// changes them acts on the calling OS thread only, so the caller must hold
// runtime.LockOSThread from ApplyBounding through execve, and must execve
// from that same thread: execve makes the calling thread's credentials those
// of the new program.
//
// The order in the init stage is:
//
//	ApplyBounding(c)                  // still root, holding CAP_SETPCAP
//	prctl(PR_SET_KEEPCAPS, 1)         // keep the permitted set across setresuid
//	setresgid / setgroups / setresuid
//	prctl(PR_SET_KEEPCAPS, 0)
//	Apply(c)                          // effective, permitted, inheritable, then ambient
//	execve
//
// Names are the kernel's upper-case names with the CAP_ prefix
// ("CAP_NET_BIND_SERVICE"). A name this build does not know is an error. A
// name this build knows but the running kernel does not (an older kernel
// than the one the spec was written for) is reported by Validate, and is
// skipped without a word by ApplyBounding and Apply, as runc does: a
// capability the kernel lacks can be neither granted nor dropped.
package capabilities
