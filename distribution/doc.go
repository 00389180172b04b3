// Package distribution exchanges images between the image store and the
// rest of the container world: OCI distribution registries (pull, push,
// login), docker-archive and OCI-layout tarballs (save, load).
//
// Everything that comes from outside is treated as hostile until verified:
// manifests and configs are read with size caps, every blob is checked
// against its digest (and layers against the DiffIDs their config lists)
// before the image that uses them is registered, the uncompressed size of a
// layer is bounded (gzip bombs), and archive entries cannot name anything
// outside the archive. A failure registers no image; layers applied before
// it are left unreferenced for the store's GC.
//
// Layers are exchanged as the deterministic tar streams the archive
// package writes from the store's layer directories, so an image built
// here, pushed and pulled back (or saved and loaded) keeps its id. A layer
// that came from elsewhere was recorded under the digest of the stream as
// given, which a regenerated stream does not reproduce; such an image is
// pushed or saved with the regenerated DiffIDs in its config (see
// exportLayer).
//
// Registry access goes through go-containerregistry's transport (token and
// basic auth, which never sends credentials to a host other than the
// registry, e.g. on a redirect to blob storage) behind a policy transport
// that refuses plain HTTP except to loopback addresses and registries the
// caller marked insecure.
package distribution
