package passwd

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

const (
	testPasswd = "root:x:0:0:root:/root:/bin/sh\n# comment\n\nweb:x:33:34:web:/var/www:/bin/sh\n" +
		"bad:x:notanumber:0::/bad:/bin/sh\nnohome:x:40:40::\nshort:x:41\n"
	testGroup = "root:x:0:\nwww:x:34:web\nstaff:x:50:web,other\nlog:x:60: web \nstaff2:x:50:web\nnobody:x:65534:\n"
)

func testRoot(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte(testPasswd), 0o644)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte(testGroup), 0o644)
	return root
}

func TestResolve(t *testing.T) {
	root := testRoot(t)
	tests := []struct {
		spec     string
		uid, gid uint32
		groups   []uint32
		home     string
	}{
		{"", 0, 0, nil, "/root"},
		{"root", 0, 0, nil, "/root"},
		{"0", 0, 0, nil, "/root"},
		{"web", 33, 34, []uint32{50, 60}, "/var/www"},
		{"33", 33, 34, []uint32{50, 60}, "/var/www"},
		{"web:staff", 33, 50, nil, "/var/www"},
		{"web:60", 33, 60, nil, "/var/www"},
		{"33:nobody", 33, 65534, nil, "/var/www"},
		{"1234", 1234, 0, nil, "/"},
		{"1234:77", 1234, 77, nil, "/"},
		{"1234:log", 1234, 60, nil, "/"},
		{"nohome", 40, 40, nil, "/"},
		{"2147483647:2147483647", MaxSpecID, MaxSpecID, nil, "/"},
		{"0001000", 1000, 0, nil, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			u, err := Resolve(root, tt.spec)
			if err != nil || u.UID != tt.uid || u.GID != tt.gid || !slices.Equal(u.AdditionalGIDs, tt.groups) || u.Home != tt.home {
				t.Errorf("Resolve(%q) = %+v, %v; want uid %d gid %d groups %v home %s", tt.spec, u, err, tt.uid, tt.gid, tt.groups, tt.home)
			}
		})
	}
}

func TestResolveRefuses(t *testing.T) {
	root := testRoot(t)
	tests := []struct{ spec, want string }{
		{"nobody", "unable to find user nobody"},
		{"bad", "unable to find user bad"},
		{"short", "unable to find user short"},
		{"web:nogroup", "unable to find group nogroup"},
		{"2147483648", "uid 2147483648 is out of range"},
		{"4294967296:0", "uid 4294967296 is out of range"},
		{"4294967295", "out of range"},
		{"18446744073709551616", "out of range"},
		{"99999999999999999999", "out of range"},
		{"-1", "uid -1 is not valid"},
		{"1000:-1", "gid -1 is not valid"},
		{"+1000", "uid +1000 is not valid"},
		{"1000:2147483648", "gid 2147483648 is out of range"},
		{":0", "the user part is empty"},
		{":", "the user part is empty"},
		{"web:", "the group part after ':' is empty"},
		{"web:staff:extra", "more than one ':'"},
		{"a:b:c:d:e:f:g", "more than one ':'"},
		{"we b", "contains ' '"},
		{"web\n", `contains '\n'`},
		{"web\x00", `contains '\x00'`},
		{"web,staff", "contains ','"},
		{"-web", "must not begin with '-'"},
		{strings.Repeat("a", 256), "more than 255"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			u, err := Resolve(root, tt.spec)
			if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Resolve(%q) = %+v, %v; want ErrInvalidArgument saying %q", tt.spec, u, err, tt.want)
			}
			if _, perr := ParseSpec(tt.spec); perr == nil && !strings.HasPrefix(tt.want, "unable") {
				t.Errorf("ParseSpec(%q) accepted what Resolve refused", tt.spec)
			}
			// The error quotes the value; a lookup names what it missed.
			if !strings.HasPrefix(tt.want, "unable") && !strings.Contains(err.Error(), strconv.Quote(tt.spec)) {
				t.Errorf("the error %q does not quote %q", err, tt.spec)
			}
		})
	}
}

func TestResolveFiles(t *testing.T) {
	t.Run("missing files", func(t *testing.T) {
		root := t.TempDir()
		u, err := Resolve(root, "1000:1000")
		if err != nil || u.UID != 1000 || u.GID != 1000 || u.Home != "/" {
			t.Errorf("no /etc: %+v, %v", u, err)
		}
		if _, err := Resolve(root, "web"); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("a name without /etc/passwd: %v", err)
		}
	})
	for _, name := range []string{"passwd", "group"} {
		t.Run("FIFO at /etc/"+name, func(t *testing.T) {
			root := testRoot(t)
			p := filepath.Join(root, "etc", name)
			os.Remove(p)
			if err := unix.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, spec := range []string{"", "0", "1000:1000", "web"} {
				_, err := Resolve(root, spec)
				if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "/etc/"+name+" is a FIFO") {
					t.Errorf("Resolve(%q): %v; want an error saying /etc/%s is a FIFO", spec, err, name)
				}
			}
		})
		t.Run("huge /etc/"+name, func(t *testing.T) {
			root := testRoot(t)
			p := filepath.Join(root, "etc", name)
			line := "root:x:0:0:root:/root:/bin/sh\n"
			if err := os.WriteFile(p, []byte(strings.Repeat(line, MaxFileSize/len(line)+1)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Resolve(root, "0")
			if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "/etc/"+name+" is larger than") {
				t.Errorf("Resolve: %v; want an error saying /etc/%s is too large", err, name)
			}
		})
	}
	t.Run("symlink out of the root", func(t *testing.T) {
		host := filepath.Join(t.TempDir(), "passwd")
		os.WriteFile(host, []byte("hostonly:x:4242:4242::/host:/bin/sh\n"), 0o644)
		root := testRoot(t)
		os.Remove(filepath.Join(root, "etc/passwd"))
		os.Symlink(host, filepath.Join(root, "etc/passwd"))
		if u, err := Resolve(root, "hostonly"); err == nil {
			t.Errorf("resolved a user from the host's file: %+v", u)
		}
	})
}

func TestManyGroups(t *testing.T) {
	groups := make([]Group, 0, maxGroups+1)
	for i := range maxGroups + 1 {
		groups = append(groups, Group{Name: "g", GID: uint32(100 + i), Members: []string{"web"}})
	}
	users := []User{{Name: "web", UID: 33, GID: 34}}
	if _, err := Lookup(Spec{User: "web"}, users, groups); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("more than NGROUPS_MAX groups: %v", err)
	}
	u, err := Lookup(Spec{User: "web"}, users, groups[:maxGroups])
	if err != nil || len(u.AdditionalGIDs) != maxGroups {
		t.Errorf("NGROUPS_MAX groups: %d, %v", len(u.AdditionalGIDs), err)
	}
}
