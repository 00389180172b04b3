// Package capabilities resolves the capability sets of an OCI process spec
// into the bit masks the kernel works with, and validates them. It changes
// no capability itself.
//
// Masks turns the five sets into Sets, one mask per set with bit n for
// capability n. The runtime writes them into the process plan
// (internal/nsenter.EncodePlan), and the C process stage
// (internal/nsenter/process.c) applies them right before execve of the
// container's program, the way runc does:
//
//	drop the bounding set             // still root, holding CAP_SETPCAP
//	prctl(PR_SET_KEEPCAPS, 1)         // keep the permitted set across setresuid
//	setgroups / setresgid / setresuid
//	prctl(PR_SET_KEEPCAPS, 0)
//	capset(effective, permitted, inheritable), then raise the ambient set
//	execve
//
// That is done in C because Linux keeps capabilities per thread, not per
// process, and execve makes the calling thread's credentials those of the
// new program: the sets must be set on the thread that calls execve, with
// nothing in between that could run on another one. Resolving the names
// stays here, in Go, where the errors can name the spec's field.
//
// Names are the kernel's upper-case names with the CAP_ prefix
// ("CAP_NET_BIND_SERVICE"). A name this build does not know is an error. A
// name this build knows but the running kernel does not (an older kernel
// than the one the spec was written for) is reported by Validate, and left
// out without a word by Masks, as runc does: a capability the kernel lacks
// can be neither granted nor dropped.
package capabilities
