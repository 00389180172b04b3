package privdir

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"
)

// Containers in private user namespaces each have their own host id range,
// so a directory that all of their roots must pass through (the data root
// and containers/) cannot let them in by its one group. A POSIX ACL entry
// per user does it: "user:<uid>:--x" lets that uid search the directory,
// nobody else gains anything, and the mode still reads 0710 (the group
// bits of a directory with an ACL show its mask, here search).
//
// The ACL lives in the system.posix_acl_access extended attribute, in the
// kernel's format (include/uapi/linux/posix_acl_xattr.h): a 4-byte
// version (2), then 8-byte entries {tag u16, perm u16, id u32}, little
// endian, sorted by tag and, within USER and GROUP, by id.

const (
	aclXattr   = "system.posix_acl_access"
	aclVersion = 2

	aclUserObj  = 0x01
	aclUser     = 0x02
	aclGroupObj = 0x04
	aclGroup    = 0x08
	aclMask     = 0x10
	aclOther    = 0x20

	aclSearch  = 1 // the x bit
	aclUndefID = 0xffffffff
)

type aclEntry struct {
	tag, perm uint16
	id        uint32
}

// AllowUserSearch lets uid search the directory path (reach a known name
// below it, never list it) through an ACL entry, whatever the directory's
// owner and group.
func AllowUserSearch(path string, uid int) error {
	return editACL(path, func(acl []aclEntry) []aclEntry {
		i := slices.IndexFunc(acl, func(e aclEntry) bool { return e.tag == aclUser && e.id == uint32(uid) })
		if i >= 0 {
			acl[i].perm |= aclSearch
			return acl
		}
		return append(acl, aclEntry{tag: aclUser, perm: aclSearch, id: uint32(uid)})
	})
}

// RevokeUserSearch removes what AllowUserSearch gave uid on path. A path
// that does not exist has nothing to revoke.
func RevokeUserSearch(path string, uid int) error {
	err := editACL(path, func(acl []aclEntry) []aclEntry {
		return slices.DeleteFunc(acl, func(e aclEntry) bool { return e.tag == aclUser && e.id == uint32(uid) })
	})
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	return err
}

// editACL reads path's access ACL (made from its mode when it has none),
// lets change edit the entries, and writes it back with the mask made
// the union of the group class, so that no entry grants more than it
// says and the group bits of the mode do not change.
func editACL(path string, change func([]aclEntry) []aclEntry) error {
	acl, err := readACL(path)
	if err != nil {
		return fmt.Errorf("reading the ACL of %s: %w", path, err)
	}
	acl = change(acl)
	var mask uint16
	named := false
	for _, e := range acl {
		switch e.tag {
		case aclUser, aclGroup:
			named = true
			mask |= e.perm
		case aclGroupObj:
			mask |= e.perm
		}
	}
	acl = slices.DeleteFunc(acl, func(e aclEntry) bool { return e.tag == aclMask })
	if named {
		acl = append(acl, aclEntry{tag: aclMask, perm: mask, id: aclUndefID})
	}
	slices.SortFunc(acl, func(a, b aclEntry) int {
		if a.tag != b.tag {
			return int(a.tag) - int(b.tag)
		}
		return int(int64(a.id) - int64(b.id))
	})
	b := make([]byte, 4, 4+8*len(acl))
	binary.LittleEndian.PutUint32(b, aclVersion)
	for _, e := range acl {
		b = binary.LittleEndian.AppendUint16(b, e.tag)
		b = binary.LittleEndian.AppendUint16(b, e.perm)
		b = binary.LittleEndian.AppendUint32(b, e.id)
	}
	if err := unix.Lsetxattr(path, aclXattr, b, 0); err != nil {
		return fmt.Errorf("writing the ACL of %s: %w", path, err)
	}
	return nil
}

// readACL returns path's access ACL, or the three entries its mode
// implies when it has none.
func readACL(path string) ([]aclEntry, error) {
	buf := make([]byte, 4096)
	n, err := unix.Lgetxattr(path, aclXattr, buf)
	if errors.Is(err, unix.ENODATA) {
		var st unix.Stat_t
		if err := unix.Lstat(path, &st); err != nil {
			return nil, err
		}
		return []aclEntry{
			{tag: aclUserObj, perm: uint16(st.Mode>>6) & 7, id: aclUndefID},
			{tag: aclGroupObj, perm: uint16(st.Mode>>3) & 7, id: aclUndefID},
			{tag: aclOther, perm: uint16(st.Mode) & 7, id: aclUndefID},
		}, nil
	}
	if err != nil {
		return nil, err
	}
	b := buf[:n]
	if len(b) < 4 || binary.LittleEndian.Uint32(b) != aclVersion || (len(b)-4)%8 != 0 {
		return nil, fmt.Errorf("%s: unknown format", aclXattr)
	}
	var acl []aclEntry
	for b = b[4:]; len(b) > 0; b = b[8:] {
		acl = append(acl, aclEntry{
			tag:  binary.LittleEndian.Uint16(b),
			perm: binary.LittleEndian.Uint16(b[2:]),
			id:   binary.LittleEndian.Uint32(b[4:]),
		})
	}
	return acl, nil
}
