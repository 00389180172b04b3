package archive

import "strings"

// Names and attributes of the two whiteout conventions this package converts
// between: the OCI image layer one (marker files in the tar) and the
// OverlayFS one (a 0:0 character device and an xattr in the upper directory).
const (
	// WhiteoutPrefix marks, in an OCI layer, a file that deletes the entry
	// named by the rest of its name from the layers below.
	WhiteoutPrefix = ".wh."
	// WhiteoutMetaPrefix starts names reserved for whiteout metadata (AUFS
	// used .wh..wh.plnk and others); only WhiteoutOpaque is meaningful.
	WhiteoutMetaPrefix = WhiteoutPrefix + WhiteoutPrefix
	// WhiteoutOpaque in a directory of an OCI layer hides everything the
	// layers below have in that directory.
	WhiteoutOpaque = WhiteoutMetaPrefix + ".opq"
	// OverlayOpaqueXattr set to "y" on a directory of an overlay upper or
	// lower directory makes it opaque.
	OverlayOpaqueXattr = "trusted.overlay.opaque"
)

// isOverlayXattr reports whether name is in a namespace OverlayFS keeps its
// own state in (opaque, redirect, origin, metacopy, ...). Such xattrs are
// never copied from a tar stream, where they could forge whiteouts or
// redirects, and never written into one.
func isOverlayXattr(name string) bool {
	return strings.HasPrefix(name, "trusted.overlay.") || strings.HasPrefix(name, "user.overlay.")
}

// whiteoutTarget returns the name a whiteout entry base name deletes, and
// whether that name is acceptable. Names that would address the directory
// itself or its parent (".wh..", ".wh...") or nothing (".wh.") are refused.
func whiteoutTarget(base string) (string, bool) {
	name := strings.TrimPrefix(base, WhiteoutPrefix)
	switch name {
	case "", ".", "..":
		return "", false
	}
	if strings.ContainsRune(name, '/') {
		return "", false
	}
	return name, true
}
