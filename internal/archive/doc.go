// Package archive reads and writes the tar streams of image layers.
//
// Extract unpacks a tar stream into a directory without ever writing
// outside it: names are cleaned and resolved inside the directory with
// openat2(RESOLVE_IN_ROOT), so "..", absolute paths and symlinks planted by
// earlier entries all stay inside, and the final component of a path is never
// followed. OCI whiteouts can be converted on the way in to the form OverlayFS
// reads in an upper directory (character device 0:0 for a deleted file, the
// trusted.overlay.opaque xattr for a directory that hides what is below).
//
// WriteDiff is the reverse for one layer (overlay whiteouts become OCI .wh.
// entries) and writes a deterministic stream, so the same content always has
// the same digest. WriteMerged streams the flattened view of a stack of
// layers, as OverlayFS would show it, without mounting anything.
//
// WriteTree writes a file or directory of a root the caller does not
// trust (a container's, for cp) from descriptors only, never following a
// symlink and refusing an entry swapped while it is read; Rewrite copies a
// tar stream while changing or dropping entries (owners, names).
package archive
