package rootfs

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestParseMountOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []string
		flags   uintptr
		prop    []uintptr
		attrSet uint64
		attrClr uint64
		data    string
	}{
		{name: "empty"},
		{name: "defaults", opts: []string{"defaults"}},
		{name: "ro", opts: []string{"ro"}, flags: unix.MS_RDONLY},
		{name: "rw after ro wins", opts: []string{"ro", "rw"}},
		{name: "ro after rw wins", opts: []string{"rw", "ro"}, flags: unix.MS_RDONLY},
		{name: "nosuid nodev noexec", opts: []string{"nosuid", "nodev", "noexec"}, flags: unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC},
		{name: "suid dev exec clear", opts: []string{"nosuid", "nodev", "noexec", "suid", "dev", "exec"}},
		{name: "sync async", opts: []string{"sync"}, flags: unix.MS_SYNCHRONOUS},
		{name: "async clears sync", opts: []string{"sync", "async"}},
		{name: "dirsync remount mand", opts: []string{"dirsync", "remount", "mand"}, flags: unix.MS_DIRSYNC | unix.MS_REMOUNT | unix.MS_MANDLOCK},
		{name: "nomand", opts: []string{"mand", "nomand"}},
		{name: "noatime", opts: []string{"noatime"}, flags: unix.MS_NOATIME},
		{name: "atime", opts: []string{"noatime", "atime"}},
		{name: "nodiratime", opts: []string{"nodiratime"}, flags: unix.MS_NODIRATIME},
		{name: "diratime", opts: []string{"nodiratime", "diratime"}},
		{name: "relatime", opts: []string{"relatime"}, flags: unix.MS_RELATIME},
		{name: "norelatime", opts: []string{"relatime", "norelatime"}},
		{name: "strictatime", opts: []string{"strictatime"}, flags: unix.MS_STRICTATIME},
		{name: "nostrictatime", opts: []string{"strictatime", "nostrictatime"}},
		{name: "bind", opts: []string{"bind"}, flags: unix.MS_BIND},
		{name: "rbind", opts: []string{"rbind"}, flags: unix.MS_BIND | unix.MS_REC},
		{name: "private", opts: []string{"private"}, prop: []uintptr{unix.MS_PRIVATE}},
		{name: "rprivate", opts: []string{"rprivate"}, prop: []uintptr{unix.MS_PRIVATE | unix.MS_REC}},
		{name: "shared", opts: []string{"shared"}, prop: []uintptr{unix.MS_SHARED}},
		{name: "rshared", opts: []string{"rshared"}, prop: []uintptr{unix.MS_SHARED | unix.MS_REC}},
		{name: "slave", opts: []string{"slave"}, prop: []uintptr{unix.MS_SLAVE}},
		{name: "rslave", opts: []string{"rslave"}, prop: []uintptr{unix.MS_SLAVE | unix.MS_REC}},
		{name: "unbindable", opts: []string{"unbindable"}, prop: []uintptr{unix.MS_UNBINDABLE}},
		{name: "runbindable", opts: []string{"runbindable"}, prop: []uintptr{unix.MS_UNBINDABLE | unix.MS_REC}},
		{name: "two propagations in order", opts: []string{"rshared", "private"}, prop: []uintptr{unix.MS_SHARED | unix.MS_REC, unix.MS_PRIVATE}},
		{
			name:  "bind with ro and propagation",
			opts:  []string{"rbind", "ro", "nosuid", "rslave"},
			flags: unix.MS_BIND | unix.MS_REC | unix.MS_RDONLY | unix.MS_NOSUID,
			prop:  []uintptr{unix.MS_SLAVE | unix.MS_REC},
		},
		{
			name:  "tmpfs /dev",
			opts:  []string{"nosuid", "strictatime", "mode=755", "size=65536k"},
			flags: unix.MS_NOSUID | unix.MS_STRICTATIME,
			data:  "mode=755,size=65536k",
		},
		{
			name:  "devpts",
			opts:  []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"},
			flags: unix.MS_NOSUID | unix.MS_NOEXEC,
			data:  "newinstance,ptmxmode=0666,mode=0620,gid=5",
		},
		{name: "overlay data", opts: []string{"lowerdir=/a:/b", "upperdir=/u", "workdir=/w"}, data: "lowerdir=/a:/b,upperdir=/u,workdir=/w"},
		{name: "rro", opts: []string{"rbind", "rro"}, flags: unix.MS_BIND | unix.MS_REC, attrSet: unix.MOUNT_ATTR_RDONLY},
		{name: "rro then rrw", opts: []string{"rro", "rrw"}, attrClr: unix.MOUNT_ATTR_RDONLY},
		{name: "rnosuid rnodev rnoexec", opts: []string{"rnosuid", "rnodev", "rnoexec"}, attrSet: unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOEXEC},
		{name: "rnoatime", opts: []string{"rnoatime"}, attrSet: unix.MOUNT_ATTR_NOATIME, attrClr: unix.MOUNT_ATTR__ATIME},
		{name: "rrelatime after rnoatime", opts: []string{"rnoatime", "rrelatime"}, attrSet: unix.MOUNT_ATTR_RELATIME, attrClr: unix.MOUNT_ATTR__ATIME},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseMountOptions(tt.opts)
			if got.flags != tt.flags {
				t.Errorf("flags = %s, want %s", mountFlags(got.flags), mountFlags(tt.flags))
			}
			if !slices.Equal(got.propagation, tt.prop) {
				t.Errorf("propagation = %v, want %v", got.propagation, tt.prop)
			}
			if got.attrSet != tt.attrSet || got.attrClr != tt.attrClr {
				t.Errorf("attr set/clr = %#x/%#x, want %#x/%#x", got.attrSet, got.attrClr, tt.attrSet, tt.attrClr)
			}
			if got.data != tt.data {
				t.Errorf("data = %q, want %q", got.data, tt.data)
			}
		})
	}
}

func TestParsePropagation(t *testing.T) {
	tests := []struct {
		in      string
		want    uintptr
		wantErr bool
	}{
		{in: "rslave", want: unix.MS_SLAVE | unix.MS_REC},
		{in: "slave", want: unix.MS_SLAVE},
		{in: "rprivate", want: unix.MS_PRIVATE | unix.MS_REC},
		{in: "shared", want: unix.MS_SHARED},
		{in: "runbindable", want: unix.MS_UNBINDABLE | unix.MS_REC},
		{in: "ro", wantErr: true},
		{in: "sideways", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parsePropagation(tt.in)
			if tt.wantErr {
				if !errors.Is(err, errdefs.ErrInvalidArgument) {
					t.Fatalf("parsePropagation(%q) error = %v, want ErrInvalidArgument", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parsePropagation(%q) = %s, %v; want %s", tt.in, mountFlags(got), err, mountFlags(tt.want))
			}
		})
	}
}

func TestMountFlagsString(t *testing.T) {
	tests := []struct {
		flags uintptr
		want  string
	}{
		{0, "0"},
		{unix.MS_BIND | unix.MS_REC, "MS_BIND|MS_REC"},
		{unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, "MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC"},
		{unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY, "MS_RDONLY|MS_REMOUNT|MS_BIND"},
		{unix.MS_SLAVE | unix.MS_REC, "MS_REC|MS_SLAVE"},
		{unix.MS_STRICTATIME | 1<<40, "MS_STRICTATIME|0x10000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := mountFlags(tt.flags).String(); got != tt.want {
				t.Fatalf("mountFlags(%#x) = %q, want %q", tt.flags, got, tt.want)
			}
		})
	}
}

func TestMountErrorText(t *testing.T) {
	err := mount("mount", "tmpfs", "/nonexistent/rootfs-test/target", "/rootfs/dev", "tmpfs",
		unix.MS_NOSUID|unix.MS_STRICTATIME, "mode=755,size=65536k")
	if err == nil {
		t.Fatal("mount on a missing target succeeded")
	}
	var me *mountError
	if !errors.As(err, &me) {
		t.Fatalf("error %T is not a *mountError", err)
	}
	if !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EPERM) {
		t.Fatalf("error %v does not unwrap to the errno", err)
	}
	text := err.Error()
	for _, want := range []string{`source="tmpfs"`, `target="/rootfs/dev"`, `fstype="tmpfs"`, "flags=MS_NOSUID|MS_STRICTATIME", `data="mode=755,size=65536k"`} {
		if !strings.Contains(text, want) {
			t.Errorf("error %q lacks %q", text, want)
		}
	}
	if strings.Contains(text, "/nonexistent") {
		t.Errorf("error %q shows the call path instead of the shown target", text)
	}
}
