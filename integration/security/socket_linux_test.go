package security

import (
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestCVE_2021_41091_SocketOnlyForItsGroup guards the socket side of the
// same class: the daemon's socket is root-equivalent (whoever talks to it
// runs containers as root), so a host user outside its group must not
// connect, while a member must (its directory, the exec root, stays
// searchable for that purpose, never listable). The attack: nobody:nogroup
// connects to the socket and lists the exec root.
func TestCVE_2021_41091_SocketOnlyForItsGroup(t *testing.T) {
	d := exposedDaemon(t)
	var st unix.Stat_t
	if err := unix.Stat(d.Socket, &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&0o777 != 0o660 || st.Uid != 0 {
		t.Errorf("socket %s: owner %d mode %04o; want root's, 0660", d.Socket, st.Uid, st.Mode&0o7777)
	}
	if st.Gid == nobody {
		t.Fatalf("the socket's group is nogroup: the test cannot tell a member from a stranger")
	}

	outsider := []probe{
		{op: opConnect, path: d.Socket},
		{op: opList, path: d.ExecRoot},
		{op: opList, path: filepath.Dir(d.Socket)},
	}
	runAs(t, nobody, nobody, nil, outsider)
	requireDenied(t, "nobody", outsider)

	// A member of the socket's group (nobody, given that group) reaches
	// the daemon, but still cannot list the directory.
	member := []probe{{op: opConnect, path: d.Socket}, {op: opList, path: filepath.Dir(d.Socket)}}
	runAs(t, nobody, nobody, []uint32{st.Gid}, member)
	if member[0].result != "ok" {
		t.Errorf("a member of the socket's group (gid %d): connect %s: %s; want ok", st.Gid, d.Socket, member[0].result)
	}
	requireDenied(t, "a member of the socket's group", member[1:])
}
