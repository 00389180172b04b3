// Command probe runs inside test containers (built static, copied into a
// busybox rootfs) and reports what the container's process can do. Each
// subcommand prints one line and exits 0 when the probed call succeeded,
// or prints the errno name and exits 1. "fds" prints its descriptors
// first; "alloc" touches the given number of MiB.

// The Go runtime would otherwise keep the cgroup's cpu.cfs_* files open
// to follow the CPU limit, and "fds" would list them.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe keyctl|unshare-user|mount|write-exe PATH|fds|cwd-escape|ptrace PID|alloc MIB")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "keyctl":
		_, err = unix.KeyctlInt(unix.KEYCTL_GET_KEYRING_ID, unix.KEY_SPEC_SESSION_KEYRING, 0, 0, 0)
	case "unshare-user":
		err = unix.Unshare(unix.CLONE_NEWUSER)
	case "mount":
		err = unix.Mount("none", "/tmp", "tmpfs", 0, "")
	case "write-exe":
		var f *os.File
		f, err = os.OpenFile(os.Args[2], os.O_WRONLY, 0)
		if err == nil {
			_, err = f.Write([]byte("#!/bin/sh\necho pwned\n"))
			f.Close()
		}
	case "fds":
		// List our descriptors, the one reading the directory included.
		// Raw syscalls: os.ReadDir would start the Go netpoller, whose
		// epoll and eventfd descriptors are not the container's.
		var names []string
		names, err = fds()
		fmt.Println(strings.Join(names, " "))
	case "cwd-escape":
		// CVE-2024-21626: print where our cwd is, then try to reach the
		// host's procfs from it. The file is opened for writing, never
		// written.
		var cwd string
		cwd, err = os.Readlink("/proc/self/cwd")
		fmt.Println(cwd)
		if err == nil {
			var f *os.File
			f, err = os.OpenFile("../../sys/kernel/core_pattern", os.O_WRONLY, 0)
			if err == nil {
				f.Close()
			}
		}
	case "ptrace":
		// Attach to a process (and detach at once if that worked).
		var pid int
		if pid, err = strconv.Atoi(os.Args[2]); err == nil {
			if err = unix.PtraceAttach(pid); err == nil {
				unix.PtraceDetach(pid)
			}
		}
	case "alloc":
		// Allocate and touch MIB mebibytes, one page at a time, so that
		// every page is charged to the memory cgroup.
		err = alloc(os.Args[2])
	default:
		fmt.Fprintf(os.Stderr, "unknown probe %q\n", os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		if errno, ok := err.(unix.Errno); ok {
			fmt.Println(unix.ErrnoName(errno))
		} else if pe, ok := err.(*os.PathError); ok {
			if errno, ok := pe.Err.(unix.Errno); ok {
				fmt.Println(unix.ErrnoName(errno))
			} else {
				fmt.Println(err)
			}
		} else {
			fmt.Println(err)
		}
		os.Exit(1)
	}
	fmt.Println("ok")
}

// alloc keeps mib MiB of touched memory alive until it returns.
func alloc(mib string) error {
	n, err := strconv.Atoi(mib)
	if err != nil {
		return err
	}
	chunks := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		c := make([]byte, 1<<20)
		for j := 0; j < len(c); j += 4096 {
			c[j] = 1
		}
		chunks = append(chunks, c)
	}
	fmt.Fprintf(os.Stderr, "allocated %d MiB\n", len(chunks))
	return nil
}

// fds lists the names in /proc/self/fd.
func fds() ([]string, error) {
	fd, err := unix.Open("/proc/self/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var names []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.ReadDirent(fd, buf)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}
