// Package passwd turns a Docker user spec ("user", "uid", "user:group",
// "uid:gid", ...) into the ids a container process runs with, from the
// /etc/passwd and /etc/group of the container's root file system, by the
// rules of Docker and runc (libcontainer/user.GetExecUser):
//
//   - A numeric user is a uid; it need not be in /etc/passwd (then its
//     primary group is 0 and its home "/"). A name must be there.
//   - Without a group, the primary group comes from /etc/passwd and the
//     supplementary groups are those of /etc/group that list the user's
//     name. With a group (a name, or a gid that need not exist) there are
//     no supplementary groups.
//   - An empty spec is root.
//
// The spec is checked before any file is read, so a hostile value
// (a negative or out-of-range id, an empty part, extra ':' fields,
// control characters) is refused with a clear error at create. The files
// belong to the container and are hostile input too: they are read
// through package rootread (inside the root, regular files only, at most
// MaxFileSize bytes), and lines that do not parse are skipped, as libc
// does.
package passwd
