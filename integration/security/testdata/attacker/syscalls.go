package main

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// syscallCase is one system call Docker's default seccomp profile
// refuses to a container without extra capabilities, with arguments that
// are harmless should it be allowed (a bad magic number, a path that
// does not exist, the calling process's own keyring).
type syscallCase struct {
	name string
	call func() error
}

func raw(nr uintptr, a ...uintptr) error {
	var args [6]uintptr
	copy(args[:], a)
	_, _, e := unix.Syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5])
	if e != 0 {
		return e
	}
	return nil
}

// fdcwd is AT_FDCWD as a system call argument.
func fdcwd() uintptr {
	fd := unix.AT_FDCWD
	return uintptr(fd)
}

func str(s string) uintptr {
	b, _ := unix.BytePtrFromString(s)
	return uintptr(unsafe.Pointer(b))
}

// syscallCases are those of every architecture; syscalls_amd64.go adds
// the x86 ones.
func syscallCases() []syscallCase {
	cases := []syscallCase{
		{"unshare(CLONE_NEWUSER)", func() error { return raw(unix.SYS_UNSHARE, unix.CLONE_NEWUSER) }},
		{"unshare(CLONE_NEWNS)", func() error { return raw(unix.SYS_UNSHARE, unix.CLONE_NEWNS) }},
		{"setns", func() error { return raw(unix.SYS_SETNS, ^uintptr(0), 0) }},
		{"mount", func() error { return raw(unix.SYS_MOUNT, str("none"), str("/no/such/mountpoint"), str("tmpfs"), 0, 0) }},
		{"umount2", func() error { return raw(unix.SYS_UMOUNT2, str("/no/such/mount"), 0) }},
		{"pivot_root", func() error { return raw(unix.SYS_PIVOT_ROOT, str("/no/such/new"), str("/no/such/old")) }},
		{"open_tree", func() error { return raw(unix.SYS_OPEN_TREE, fdcwd(), str("/no/such/tree"), 0) }},
		{"move_mount", func() error {
			return raw(unix.SYS_MOVE_MOUNT, fdcwd(), str("/no/such/a"), fdcwd(), str("/no/such/b"), 0)
		}},
		{"fsopen", func() error { return raw(unix.SYS_FSOPEN, str("no-such-fs"), 0) }},
		{"fspick", func() error { return raw(unix.SYS_FSPICK, fdcwd(), str("/no/such/fs"), 0) }},
		{"mount_setattr", func() error {
			return raw(unix.SYS_MOUNT_SETATTR, fdcwd(), str("/no/such/mount"), 0, 0, 0)
		}},
		{"keyctl", func() error { return raw(unix.SYS_KEYCTL, unix.KEYCTL_GET_KEYRING_ID, ^uintptr(1), 0) }}, // session keyring
		{"add_key", func() error {
			return raw(unix.SYS_ADD_KEY, str("user"), str("crt-attacker"), str("x"), 1, ^uintptr(1)) // process keyring
		}},
		{"request_key", func() error { return raw(unix.SYS_REQUEST_KEY, str("user"), str("crt-no-such-key"), 0, ^uintptr(1)) }},
		{"bpf", func() error { return raw(unix.SYS_BPF, unix.BPF_MAP_CREATE, 0, 0) }},
		{"perf_event_open", func() error { return raw(unix.SYS_PERF_EVENT_OPEN, 0, 0, ^uintptr(0), ^uintptr(0), 0) }},
		{"userfaultfd", func() error { return raw(unix.SYS_USERFAULTFD, 0) }},
		{"kexec_load", func() error { return raw(unix.SYS_KEXEC_LOAD, 0, 0, 0, 0) }},
		{"kexec_file_load", func() error { return raw(unix.SYS_KEXEC_FILE_LOAD, ^uintptr(0), ^uintptr(0), 0, 0, 0) }},
		{"init_module", func() error { return raw(unix.SYS_INIT_MODULE, 0, 0, str("")) }},
		{"finit_module", func() error { return raw(unix.SYS_FINIT_MODULE, ^uintptr(0), str(""), 0) }},
		{"delete_module", func() error { return raw(unix.SYS_DELETE_MODULE, str("crt_no_such_module"), 0) }},
		{"reboot", func() error { return raw(unix.SYS_REBOOT, 0, 0, 0, 0) }}, // bad magic numbers
		{"swapon", func() error { return raw(unix.SYS_SWAPON, str("/no/such/swap"), 0) }},
		{"swapoff", func() error { return raw(unix.SYS_SWAPOFF, str("/no/such/swap")) }},
		{"acct", func() error { return raw(unix.SYS_ACCT, str("/no/such/acct")) }},
		{"settimeofday", func() error { return raw(unix.SYS_SETTIMEOFDAY, 0, 0) }},
		{"clock_settime", func() error { return raw(unix.SYS_CLOCK_SETTIME, unix.CLOCK_MONOTONIC, 0) }},
		{"syslog", func() error { return raw(unix.SYS_SYSLOG, 10, 0, 0) }}, // SYSLOG_ACTION_SIZE_BUFFER
		{"quotactl", func() error { return raw(unix.SYS_QUOTACTL, 0, 0, 0, 0) }},
		{"lookup_dcookie", func() error { return raw(unix.SYS_LOOKUP_DCOOKIE, 0, 0, 0) }},
		{"open_by_handle_at", func() error { return raw(unix.SYS_OPEN_BY_HANDLE_AT, ^uintptr(0), 0, 0) }},
		{"vhangup", func() error { return raw(unix.SYS_VHANGUP) }},
		{"clone3", func() error { return raw(unix.SYS_CLONE3, 0, 0) }},
	}
	return append(cases, archSyscallCases()...)
}

// trySyscalls prints "sys NAME RESULT" for every case.
func trySyscalls() {
	for _, c := range syscallCases() {
		fmt.Printf("sys %s %s\n", c.name, result(c.call()))
	}
}
