// Command probe runs inside test containers (built static, copied into a
// busybox rootfs) and reports what the container's process can do. Each
// subcommand prints one line and exits 0 when the probed call succeeded,
// or prints the errno name and exits 1.
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe keyctl|unshare-user|mount|write-exe PATH|fds|sleep")
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
		// List our own descriptors other than the one reading the dir.
		var ents []os.DirEntry
		ents, err = os.ReadDir("/proc/self/fd")
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		fmt.Println(strings.Join(names, " "))
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
