package snapshot

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// mountClassic mounts the overlay with mount(2), whose option string must fit
// in one page. When the lower directories' own paths do not fit, each is
// opened and named by its /proc/self/fd/N path (17 bytes or so, resolved by
// the kernel at mount time), which fits about 220 layers.
func mountClassic(target string, lowers []string, upper, work, opts string) error {
	for _, p := range append([]string{upper, work}, lowers...) {
		if strings.ContainsAny(p, ":,") {
			return fmt.Errorf("mounting %s: %w: overlay layer path %q contains ':' or ','", target, errdefs.ErrInvalidArgument, p)
		}
	}
	data := classicOptions(lowers, upper, work, opts)
	if len(data) >= os.Getpagesize() {
		short := make([]string, len(lowers))
		for i, l := range lowers {
			fd, err := unix.Open(l, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			if err != nil {
				return fmt.Errorf("opening overlay layer: %w", &os.PathError{Op: "open", Path: l, Err: err})
			}
			defer unix.Close(fd)
			short[i] = "/proc/self/fd/" + strconv.Itoa(fd)
		}
		data = classicOptions(short, upper, work, opts)
		if len(data) >= os.Getpagesize() {
			return fmt.Errorf("mounting %s: %w: %d layers do not fit in the mount options of this kernel (no overlay lowerdir+)", target, errdefs.ErrInvalidArgument, len(lowers))
		}
	}
	if err := unix.Mount("overlay", target, "overlay", 0, data); err != nil {
		return &mountError{source: "overlay", target: target, fstype: "overlay", options: data, err: err}
	}
	return nil
}

func classicOptions(lowers []string, upper, work, opts string) string {
	data := "lowerdir=" + strings.Join(lowers, ":")
	if upper != "" {
		data += ",upperdir=" + upper + ",workdir=" + work
	}
	return data + "," + opts
}
