//go:build !amd64

package main

// archSyscallCases: none beyond those of every architecture.
func archSyscallCases() []syscallCase { return nil }
