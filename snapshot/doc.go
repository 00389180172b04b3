// Package snapshot stacks image layers into a root filesystem with OverlayFS.
//
// Layers are plain directories in overlay upper-directory form (see
// internal/archive); Mount stacks them read-only or with a writable upper
// directory, and Unmount undoes it. Deep stacks mount through the new mount
// API, which takes the lower directories one by one ("lowerdir+", Linux 6.8),
// so the one-page limit of mount(2) options does not apply; older kernels get
// mount(2) with the lower directories named through short /proc/self/fd
// paths.
package snapshot
