package host

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// BlockDevice returns a whole block device of the host with a size (the
// disk the machine boots from, not a loop, ram or zram device): its path
// /dev/NAME and its "MAJOR:MINOR", for tests of per-device limits.
func BlockDevice() (path, numbers string, err error) {
	entries, err := os.ReadDir("/sys/block")
	if err != nil {
		return "", "", err
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "loop") || strings.HasPrefix(name, "ram") || strings.HasPrefix(name, "zram") {
			continue
		}
		size, _ := os.ReadFile(filepath.Join("/sys/block", name, "size"))
		dev, _ := os.ReadFile(filepath.Join("/sys/block", name, "dev"))
		if n, _ := strconv.ParseInt(strings.TrimSpace(string(size)), 10, 64); n > 0 && len(dev) > 0 {
			if _, err := os.Stat("/dev/" + name); err == nil {
				return "/dev/" + name, strings.TrimSpace(string(dev)), nil
			}
		}
	}
	return "", "", errors.New("no block device with a size under /sys/block")
}
