package atomicfile

import (
	"os"
	"syscall"
)

// Magic numbers of statfs(2)'s f_type (linux/magic.h).
const (
	tmpfsMagic = 0x01021994
	ramfsMagic = 0x858458f6
)

// inMemory reports whether f lives on a file system held in memory,
// whose content no sync can make outlive a reboot. When that cannot be
// told, it answers false: a sync too many costs time, one too few data.
func inMemory(f *os.File) bool {
	var st syscall.Statfs_t
	if err := syscall.Fstatfs(int(f.Fd()), &st); err != nil {
		return false
	}
	return st.Type == tmpfsMagic || st.Type == ramfsMagic
}
