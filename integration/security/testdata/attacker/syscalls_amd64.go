package main

import "golang.org/x/sys/unix"

// archSyscallCases are the x86 system calls of syscallCases.
func archSyscallCases() []syscallCase {
	return []syscallCase{
		{"iopl", func() error { return raw(unix.SYS_IOPL, 3) }},
		{"ioperm", func() error { return raw(unix.SYS_IOPERM, 0x80, 1, 1) }},
		{"uselib", func() error { return raw(unix.SYS_USELIB, str("/no/such/lib")) }},
		{"ustat", func() error { return raw(unix.SYS_USTAT, 0, 0) }},
		{"sysfs", func() error { return raw(unix.SYS_SYSFS, 3) }},
		{"_sysctl", func() error { return raw(unix.SYS__SYSCTL, 0) }},
		{"create_module", func() error { return raw(unix.SYS_CREATE_MODULE, 0, 0) }},
		{"get_kernel_syms", func() error { return raw(unix.SYS_GET_KERNEL_SYMS, 0) }},
		{"query_module", func() error { return raw(unix.SYS_QUERY_MODULE, 0, 0, 0, 0, 0) }},
		{"nfsservctl", func() error { return raw(unix.SYS_NFSSERVCTL, 0, 0, 0) }},
	}
}
