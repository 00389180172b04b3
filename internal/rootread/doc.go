// Package rootread reads small files that a container or image controls
// (its /etc/passwd, /etc/group and the like) from the daemon, which runs
// as root on the host.
//
// Such a file is hostile input. A symlink in it can point at the host's
// files, a FIFO in its place blocks the reader forever, a device node can
// have side effects on open, and a huge file exhausts the daemon's memory.
// Every read here therefore resolves the name inside the root directory
// with openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV), so
// that "..", absolute symlinks and /proc magic links never leave it; it
// opens only an O_PATH handle first and refuses anything but a regular
// file before opening it for reading (O_NONBLOCK, so that not even a race
// can block); and it reads at most a given number of bytes.
package rootread
