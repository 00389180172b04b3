package network

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	goruntime "runtime"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// createNetns makes a network namespace, bind-mounts it on path (a new
// file) so that it outlives every process, brings its lo up and returns
// a netlink handle whose socket lives in it: the rest of the
// namespace's configuration goes through that handle from any thread.
//
// unshare(CLONE_NEWNET) moves only the calling thread, so it runs on a
// goroutine locked to its thread, which returns to the host's namespace
// before it is unlocked. If it cannot return, the goroutine ends locked
// and Go discards the thread rather than run other goroutines in the
// wrong namespace.
func createNetns(path string) (*netlink.Handle, error) {
	// A leftover of a crash that Reconcile did not see yet: no record
	// claims it (Setup checked), so it goes.
	if err := removeNetns(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return nil, fmt.Errorf("creating the namespace mount point: %w", err)
	}
	f.Close()
	type result struct {
		h   *netlink.Handle
		err error
	}
	ch := make(chan result, 1)
	go func() {
		goruntime.LockOSThread()
		h, err := inNewNetns(path)
		if err != nil && errors.Is(err, errStuck) {
			ch <- result{err: err} // the thread stays locked and dies
			return
		}
		goruntime.UnlockOSThread()
		ch <- result{h, err}
	}()
	r := <-ch
	if r.err != nil {
		removeNetns(path)
		return nil, r.err
	}
	return r.h, nil
}

// errStuck marks a thread that could not return to the host's namespace.
var errStuck = errors.New("thread left in the new network namespace")

// inNewNetns is createNetns's part on the locked thread.
func inNewNetns(path string) (*netlink.Handle, error) {
	origin, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening the host's network namespace: %w", err)
	}
	defer unix.Close(origin)
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return nil, fmt.Errorf("unshare(CLONE_NEWNET): %w", err)
	}
	h, err := configureNewNetns(path)
	if serr := unix.Setns(origin, unix.CLONE_NEWNET); serr != nil {
		if h != nil {
			h.Close()
		}
		return nil, fmt.Errorf("%w: setns back: %w", errStuck, serr)
	}
	return h, err
}

// configureNewNetns runs inside the new namespace: the mount, the
// handle, lo.
func configureNewNetns(path string) (*netlink.Handle, error) {
	if err := unix.Mount("/proc/thread-self/ns/net", path, "", unix.MS_BIND, ""); err != nil {
		return nil, fmt.Errorf("bind-mounting the network namespace on %s: %w", path, err)
	}
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("opening netlink in the new namespace: %w", err)
	}
	// lo is always index 1 in a new namespace.
	if err := h.LinkSetUp(&netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: 1, Name: "lo"}}); err != nil {
		h.Close()
		return nil, fmt.Errorf("bringing lo up: %w", err)
	}
	return h, nil
}

// joinNetns returns a netlink handle in the existing namespace at path,
// with its lo brought up (the runtime does it too for a namespace it
// creates; doing it twice is harmless).
func joinNetns(path string) (*netlink.Handle, error) {
	ns, err := netns.GetFromPath(path)
	if err != nil {
		return nil, fmt.Errorf("opening network namespace %s: %w", path, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("opening netlink in %s: %w", path, err)
	}
	if err := h.LinkSetUp(&netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: 1, Name: "lo"}}); err != nil {
		h.Close()
		return nil, fmt.Errorf("bringing lo up in %s: %w", path, err)
	}
	return h, nil
}

// removeNetns unmounts and removes the namespace mount at path. The
// namespace itself goes when its last process and mount are gone. A
// missing mount or file is fine.
func removeNetns(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && err != unix.EINVAL && err != unix.ENOENT {
		return fmt.Errorf("unmounting the network namespace %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}
