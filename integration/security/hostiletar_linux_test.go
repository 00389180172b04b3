package security

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// The tests of this file feed the daemon layers crafted to write outside
// the image: through `image import`, `load` of a docker-archive, `load`
// of an OCI layout and `pull` from a registry on 127.0.0.1, as an
// attacker who publishes an image would. Each aims at a victim directory
// of the host outside the data root (by absolute path, by ".." chains and
// through symlinks and hard links), and passes only if the victim is
// untouched, nothing named after the attack appears outside a layer
// directory, and the daemon either refused the layer with an error or
// made an image whose content is where the names say, inside it.

// outcome is what the engine may do with a hostile layer.
type outcome int

const (
	// refused: the operation must fail (the layer cannot be applied
	// without leaving the root).
	refused outcome = iota
	// contained: the operation must succeed, with the entries inside
	// the image (Docker and containerd accept such layers, cleaning the
	// names).
	contained
	// either: failing and containing are both safe.
	either
)

func (o outcome) String() string {
	return [...]string{"refused", "contained", "either"}[o]
}

// hostileCase is one hostile image: an optional lower layer, the hostile
// layer on top, what the engine may do with it and, when it made an
// image, what must be inside.
type hostileCase struct {
	name  string
	lower func(v *victim) []entry
	layer func(v *victim) []entry
	want  outcome
	// inside checks the flattened image (as `image export` writes it)
	// when the operation succeeded.
	inside func(t *testing.T, v *victim, files map[string]exported)
	// onHost checks the daemon's layer directories when the operation
	// succeeded.
	onHost func(t *testing.T, v *victim, d *daemon.Daemon)
}

// delivery is one way an image reaches the store through the CLI. It
// returns the name of the image made and the CLI's result.
type delivery struct {
	name string
	// single: only one-layer images can go this way (import takes a
	// root filesystem tar).
	single bool
	send   func(t *testing.T, d *daemon.Daemon, name string, img testImage) (string, daemon.Result)
}

var deliveries = []delivery{
	{name: "import", single: true, send: func(t *testing.T, d *daemon.Daemon, name string, img testImage) (string, daemon.Result) {
		f := writeTemp(t, "layer.tar", img.layers[len(img.layers)-1])
		return name, d.Run(t, "image", "import", f, name)
	}},
	{name: "load-docker", send: func(t *testing.T, d *daemon.Daemon, name string, img testImage) (string, daemon.Result) {
		f := writeTemp(t, "docker-archive.tar", dockerArchive(t, name, img))
		return name, d.Run(t, "load", "-i", f)
	}},
	{name: "load-oci", send: func(t *testing.T, d *daemon.Daemon, name string, img testImage) (string, daemon.Result) {
		f := writeTemp(t, "oci-layout.tar", ociArchive(t, name, img))
		return name, d.Run(t, "load", "-i", f)
	}},
	{name: "pull", send: func(t *testing.T, d *daemon.Daemon, name string, img testImage) (string, daemon.Result) {
		repo, tag, _ := strings.Cut(name, ":")
		ref := serveImage(t, repo, tag, img)
		return ref, d.Run(t, "pull", ref)
	}},
}

// runHostile tries every case through every delivery on one daemon.
func runHostile(t *testing.T, cases []hostileCase) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	n := 0
	for _, c := range cases {
		for _, dv := range deliveries {
			if dv.single && c.lower != nil {
				continue
			}
			n++
			name := fmt.Sprintf("hostile/case%d:%s", n, dv.name)
			t.Run(c.name+"/"+dv.name, func(t *testing.T) {
				v := newVictim(t)
				var img testImage
				if c.lower != nil {
					img.layers = append(img.layers, layerTar(t, c.lower(v)...))
				}
				img.layers = append(img.layers, layerTar(t, c.layer(v)...))
				ref, res := dv.send(t, d, name, img)

				v.checkUnchanged(t)
				v.checkNoStray(t, d.Root, d.Dir)
				switch {
				case res.Code == 0 && c.want == refused:
					t.Errorf("the hostile layer was accepted; want it refused\n%v", res)
				case res.Code != 0 && c.want == contained:
					t.Errorf("the layer was refused; want its entries kept inside the image\n%v", res)
				case res.Code != 0 && strings.TrimSpace(res.Stderr) == "":
					t.Errorf("the operation failed without saying why\n%v", res)
				case res.Code != 0:
					t.Logf("refused: %s", lastLine(res.Stderr))
				default:
					t.Logf("accepted as %s", ref)
				}
				if res.Code == 0 && c.inside != nil {
					c.inside(t, v, exportImage(t, d, ref))
				}
				if res.Code == 0 && c.onHost != nil {
					c.onHost(t, v, d)
				}
			})
		}
	}
}

// lastLine is the last non-empty line of s: the CLI's error, after any
// progress lines.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// exportImage returns the flattened root filesystem of the image ref.
func exportImage(t *testing.T, d *daemon.Daemon, ref string) map[string]exported {
	t.Helper()
	f := filepath.Join(t.TempDir(), "export.tar")
	d.OK(t, "image", "export", "-o", f, ref)
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return readTar(t, data)
}

// writeTemp writes data to a new file named name in a temporary
// directory and returns its path.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// fileInside returns an inside check: the image holds a regular file
// name (relative to its root) with content body.
func fileInside(name func(v *victim) string, body string) func(*testing.T, *victim, map[string]exported) {
	return func(t *testing.T, v *victim, files map[string]exported) {
		t.Helper()
		n := name(v)
		f, ok := files[n]
		switch {
		case !ok:
			t.Errorf("the image has no /%s", n)
		case f.hdr.Typeflag != tar.TypeReg:
			t.Errorf("/%s in the image is of type %q, want a regular file", n, f.hdr.Typeflag)
		case f.body != body:
			t.Errorf("/%s in the image holds %q, want %q", n, f.body, body)
		}
	}
}

// allOf combines inside checks.
func allOf(checks ...func(*testing.T, *victim, map[string]exported)) func(*testing.T, *victim, map[string]exported) {
	return func(t *testing.T, v *victim, files map[string]exported) {
		t.Helper()
		for _, c := range checks {
			c(t, v, files)
		}
	}
}

// TestTarBreakout_DotDot guards the oldest class of tar extraction bugs
// ("Zip Slip" in many libraries, Docker's CVE-2014-6407 and
// CVE-2014-9356): entries whose names climb out of the extraction root
// with "..". The names climb from any depth to "/" and
// into the host's victim directory, to create a file there, overwrite
// one, and create and chmod a directory; others climb exactly one to
// twelve levels, which from a layer directory reaches every directory
// above it up to "/". Every such entry must land inside the image, at
// its cleaned name.
func TestTarBreakout_DotDot(t *testing.T) {
	climb := func(v *victim) []entry {
		var es []entry
		for i := 1; i <= 12; i++ {
			es = append(es, fileEntry(strings.Repeat("../", i)+v.marker+"-up", "pwned", 0o644))
		}
		return es
	}
	runHostile(t, []hostileCase{
		{
			name: "CreateInVictim",
			layer: func(v *victim) []entry {
				return []entry{fileEntry(v.dotdot(v.marker), "pwned", 0o644)}
			},
			want:   contained,
			inside: fileInside(func(v *victim) string { return v.inRoot(v.marker) }, "pwned"),
		},
		{
			name: "OverwriteHostFile",
			layer: func(v *victim) []entry {
				return []entry{fileEntry(v.dotdot("hello"), "pwned", 0o777)}
			},
			want:   contained,
			inside: fileInside(func(v *victim) string { return v.inRoot("hello") }, "pwned"),
		},
		{
			name: "DirectoryMode",
			layer: func(v *victim) []entry {
				return []entry{dirEntry(v.dotdot("sub"), 0o777), fileEntry(v.dotdot("sub/"+v.marker), "pwned", 0o644)}
			},
			want:   contained,
			inside: fileInside(func(v *victim) string { return v.inRoot("sub/" + v.marker) }, "pwned"),
		},
		{
			name:  "EveryDepth",
			layer: climb,
			want:  contained,
			inside: func(t *testing.T, v *victim, files map[string]exported) {
				fileInside(func(v *victim) string { return v.marker + "-up" }, "pwned")(t, v, files)
			},
		},
		{
			name: "DotDotInTheMiddle",
			layer: func(v *victim) []entry {
				return []entry{dirEntry("a", 0o755), fileEntry("a/"+v.dotdot(v.marker), "pwned", 0o644)}
			},
			want:   contained,
			inside: fileInside(func(v *victim) string { return v.inRoot(v.marker) }, "pwned"),
		},
	})
}

// TestTarBreakout_AbsolutePath guards against entries with absolute
// names (GNU tar strips the "/", naive extractors join them to nothing
// and write the host's path): a file created in, and a file overwritten
// in, the host's victim directory, and a directory entry for the victim
// itself with mode 0777. All must land inside the image.
func TestTarBreakout_AbsolutePath(t *testing.T) {
	runHostile(t, []hostileCase{
		{
			name:   "CreateInVictim",
			layer:  func(v *victim) []entry { return []entry{fileEntry(v.path(v.marker), "pwned", 0o644)} },
			want:   contained,
			inside: fileInside(func(v *victim) string { return v.inRoot(v.marker) }, "pwned"),
		},
		{
			name: "OverwriteHostFile",
			layer: func(v *victim) []entry {
				return []entry{fileEntry(v.path("hello"), "pwned", 0o777).withOwner(4242, 4242)}
			},
			want:   contained,
			inside: fileInside(func(v *victim) string { return v.inRoot("hello") }, "pwned"),
		},
		{
			name: "VictimDirectoryMode",
			layer: func(v *victim) []entry {
				return []entry{dirEntry(v.dir, 0o777).withOwner(4242, 4242), fileEntry(v.path("sub/"+v.marker), "pwned", 0o644)}
			},
			want:   contained,
			inside: fileInside(func(v *victim) string { return v.inRoot("sub/" + v.marker) }, "pwned"),
		},
	})
}

// TestTarBreakout_SymlinkChain guards against a symlink planted by the
// archive and then written through (Docker's CVE-2014-6407 and
// CVE-2014-9356, and the static half of CVE-2018-15664's class): a
// symlink to the victim directory by absolute path, by a relative chain
// of several links, and to "/" itself, each followed by a file, a
// directory and a file under a new directory written through it; and the
// same with the symlink in a lower layer and the write in the next one.
// The symlinks are resolved inside the image, where their targets do not
// exist: the engine may refuse the entry, or create it inside.
func TestTarBreakout_SymlinkChain(t *testing.T) {
	through := func(link string, v *victim) []entry {
		return []entry{
			fileEntry(link+"/"+v.marker, "pwned", 0o644),
			fileEntry(link+"/hello", "pwned", 0o644),
			dirEntry(link+"/"+v.marker+"-dir", 0o777),
			fileEntry(link+"/sub/"+v.marker, "pwned", 0o644),
		}
	}
	runHostile(t, []hostileCase{
		{
			name: "AbsoluteToVictim",
			layer: func(v *victim) []entry {
				return append([]entry{symlinkEntry("esc", v.dir)}, through("esc", v)...)
			},
			want: either,
		},
		{
			name: "RelativeChain",
			layer: func(v *victim) []entry {
				return append([]entry{
					dirEntry("a", 0o755), dirEntry("a/b", 0o755),
					symlinkEntry("a/b/c", "../../d"),
					symlinkEntry("d", "e/f/../../g"),
					dirEntry("e", 0o755), dirEntry("e/f", 0o755),
					symlinkEntry("g", v.dotdot("")),
				}, through("a/b/c", v)...)
			},
			want: either,
		},
		{
			name: "ToHostRoot",
			layer: func(v *victim) []entry {
				return []entry{
					symlinkEntry("hostroot", "/"),
					symlinkEntry("up", strings.Repeat("../", 40)),
					fileEntry("hostroot/"+v.inRoot(v.marker), "pwned", 0o644),
					fileEntry("up/"+v.inRoot("hello"), "pwned", 0o644),
				}
			},
			want: either,
		},
		{
			name: "LinkThenReplace",
			layer: func(v *victim) []entry {
				// The second entry replaces the link: the file must be a
				// new regular file inside, not the host file rewritten.
				return []entry{symlinkEntry("h", v.path("hello")), fileEntry("h", "pwned", 0o644)}
			},
			want:   contained,
			inside: fileInside(func(*victim) string { return "h" }, "pwned"),
		},
		{
			name: "LinkInLowerLayer",
			lower: func(v *victim) []entry {
				return []entry{symlinkEntry("esc", v.dir), symlinkEntry("rel", v.dotdot(""))}
			},
			layer: func(v *victim) []entry {
				return append(through("esc", v), through("rel", v)...)
			},
			want: either,
		},
	})
}

// TestTarBreakout_HardlinkOut guards against hard links whose target is
// a host file (the hard link half of Docker's CVE-2014-6407 class): a
// link to the victim file by absolute path, by a ".." chain, through a
// symlinked directory, and through a symlink planted in a lower layer. Linking would give the image (and every container of
// it) the host file's inode. The target must be looked up inside the
// image, where it does not exist.
func TestTarBreakout_HardlinkOut(t *testing.T) {
	runHostile(t, []hostileCase{
		{
			name:  "Absolute",
			layer: func(v *victim) []entry { return []entry{hardlinkEntry("stolen", v.path("hello"))} },
			want:  refused,
		},
		{
			name:  "DotDot",
			layer: func(v *victim) []entry { return []entry{hardlinkEntry("stolen", v.dotdot("hello"))} },
			want:  refused,
		},
		{
			name: "ThroughSymlinkedDir",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("esc", v.dir), hardlinkEntry("stolen", "esc/hello")}
			},
			want: refused,
		},
		{
			name: "ToSymlinkThenWrite",
			layer: func(v *victim) []entry {
				// A hard link to a symlink pointing out, then content
				// written at the link's name.
				return []entry{symlinkEntry("s", v.path("hello")), hardlinkEntry("h", "s"), fileEntry("h", "pwned", 0o644)}
			},
			want:   contained,
			inside: fileInside(func(*victim) string { return "h" }, "pwned"),
		},
		{
			name:  "ThroughLowerLayerSymlink",
			lower: func(v *victim) []entry { return []entry{symlinkEntry("esc", v.dir)} },
			layer: func(v *victim) []entry { return []entry{hardlinkEntry("stolen", "esc/hello")} },
			want:  refused,
		},
	})
}

// TestCVE_2021_32760_ChmodThroughSymlink guards containerd's
// CVE-2021-32760: an archive plants a symlink to a host file, then an
// entry whose metadata is applied to that name (a hard link to the
// symlink, a directory or file of the same name, with mode 0777): an
// extractor that chmods by path follows the symlink and changes the host
// file's permissions. Also in two layers (the symlink below, the entry
// above), and with a chown and an xattr in place of the chmod. The host
// file must keep its mode 0400, owner and xattrs.
func TestCVE_2021_32760_ChmodThroughSymlink(t *testing.T) {
	runHostile(t, []hostileCase{
		{
			name: "HardlinkToSymlink",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("s", v.path("perm400")), hardlinkEntry("h", "s").withMode(0o7777)}
			},
			want: either,
		},
		{
			name: "HardlinkToDotDotSymlink",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("s", v.dotdot("perm400")), hardlinkEntry("h", "s").withMode(0o777).withOwner(4242, 4242)}
			},
			want: either,
		},
		{
			name: "DirectoryOverSymlink",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("s", v.dir), dirEntry("s", 0o777).withOwner(4242, 4242)}
			},
			want: either,
		},
		{
			name: "FileOverSymlink",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("s", v.path("perm400")), fileEntry("s", "x", 0o4777)}
			},
			want:   contained,
			inside: fileInside(func(*victim) string { return "s" }, "x"),
		},
		{
			name: "XattrOverSymlink",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("s", v.path("perm400")), hardlinkEntry("h", "s").withXattr("user.pwned", "1")}
			},
			want: either,
		},
		{
			// A hard link cannot name a lower layer's file: refused.
			name:  "HardlinkToLowerLayerSymlink",
			lower: func(v *victim) []entry { return []entry{symlinkEntry("s", v.path("perm400"))} },
			layer: func(v *victim) []entry { return []entry{hardlinkEntry("h", "s").withMode(0o777)} },
			want:  refused,
		},
		{
			name: "EntriesOverLowerLayerSymlinks",
			lower: func(v *victim) []entry {
				return []entry{symlinkEntry("s", v.path("perm400")), symlinkEntry("d", v.dir)}
			},
			layer: func(v *victim) []entry {
				return []entry{fileEntry("s", "x", 0o777).withOwner(4242, 4242), dirEntry("d", 0o777).withOwner(4242, 4242)}
			},
			want:   contained,
			inside: fileInside(func(*victim) string { return "s" }, "x"),
		},
	})
}

// TestTarBreakout_MetadataThroughSymlink guards the metadata half of the
// symlink class: a symlink entry pointing at a host file that itself
// carries an owner, a modification time and xattrs (user.* and
// security.capability). Applying them with the path-following calls
// (chown, utimes, setxattr) would change the host file; they must apply
// to the link (or be refused).
func TestTarBreakout_MetadataThroughSymlink(t *testing.T) {
	runHostile(t, []hostileCase{
		{
			name: "OwnerAndTime",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("s", v.path("hello")).withOwner(4242, 4242).withMtime(entryTime.AddDate(5, 0, 0))}
			},
			want: contained,
		},
		{
			name: "UserXattr",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("s", v.path("hello")).withXattr("user.pwned", "1")}
			},
			want: either,
		},
		{
			name: "CapabilityXattr",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("s", v.dotdot("hello")).withXattr("security.capability", capNetRaw)}
			},
			want: either,
		},
	})
}

// TestTarBreakout_Whiteouts guards the whiteout half of the breakout
// class (containerd's WhiteoutSymlink and WhiteoutRelativePath test
// cases, end to end): an OCI whiteout
// (".wh.name") deletes name when applied, and an opaque one
// (".wh..wh..opq") marks its directory with trusted.overlay.opaque. With
// ".." and absolute names, under a symlinked parent in the same layer or
// a lower one, they would delete host files or set an xattr on a host
// directory. Malformed whiteout names (".wh..", ".wh...") must be
// refused.
func TestTarBreakout_Whiteouts(t *testing.T) {
	runHostile(t, []hostileCase{
		{
			name:  "DotDot",
			layer: func(v *victim) []entry { return []entry{fileEntry(v.dotdot(".wh.hello"), "", 0o644)} },
			want:  contained,
		},
		{
			name:  "Absolute",
			layer: func(v *victim) []entry { return []entry{fileEntry(v.path(".wh.sub"), "", 0o644)} },
			want:  contained,
		},
		{
			name: "UnderSymlinkedParent",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("esc", v.dir), fileEntry("esc/.wh.hello", "", 0o644), fileEntry("esc/.wh.sub", "", 0o644)}
			},
			want: either,
		},
		{
			name:  "UnderSymlinkedParentInLowerLayer",
			lower: func(v *victim) []entry { return []entry{symlinkEntry("esc", v.dir), symlinkEntry("rel", v.dotdot(""))} },
			layer: func(v *victim) []entry {
				return []entry{fileEntry("esc/.wh.hello", "", 0o644), fileEntry("rel/.wh.sub", "", 0o644)}
			},
			want: either,
		},
		{
			name:  "OpaqueDotDot",
			layer: func(v *victim) []entry { return []entry{fileEntry(v.dotdot(".wh..wh..opq"), "", 0o644)} },
			want:  contained,
		},
		{
			name:  "OpaqueAbsolute",
			layer: func(v *victim) []entry { return []entry{fileEntry(v.path("sub/.wh..wh..opq"), "", 0o644)} },
			want:  contained,
		},
		{
			name: "OpaqueUnderSymlink",
			layer: func(v *victim) []entry {
				return []entry{symlinkEntry("esc", v.dir), fileEntry("esc/.wh..wh..opq", "", 0o644), symlinkEntry("rel", v.dotdot("sub")), fileEntry("rel/.wh..wh..opq", "", 0o644)}
			},
			want: either,
		},
		{
			name:  "OpaqueUnderSymlinkInLowerLayer",
			lower: func(v *victim) []entry { return []entry{symlinkEntry("esc", v.dir)} },
			layer: func(v *victim) []entry { return []entry{fileEntry("esc/.wh..wh..opq", "", 0o644)} },
			want:  either,
		},
		{
			name:  "ParentName",
			layer: func(*victim) []entry { return []entry{dirEntry("d", 0o755), fileEntry("d/.wh...", "", 0o644)} },
			want:  refused,
		},
		{
			name:  "SelfName",
			layer: func(*victim) []entry { return []entry{dirEntry("d", 0o755), fileEntry("d/.wh..", "", 0o644)} },
			want:  refused,
		},
	})
}

// TestTarBreakout_DeviceNodesAndFifos guards against device nodes and
// FIFOs created outside the root. Docker accepts device nodes in layers
// (a container's device cgroup, not the layer, decides what can be
// opened), so the engine may too, but only inside the image: a character
// device (1:1, /dev/mem), a block device (7:0, a loop device) and a FIFO
// by ".." chain, by absolute path and through a symlink to the victim.
// TestTarBreakout_DeviceNodesInert checks that those kept inside cannot
// be used.
func TestTarBreakout_DeviceNodesAndFifos(t *testing.T) {
	nodes := func(prefix string, v *victim) []entry {
		return []entry{
			charDevEntry(prefix+v.marker+"-mem", 1, 1),
			blockDevEntry(prefix+v.marker+"-loop", 7, 0),
			fifoEntry(prefix + v.marker + "-fifo"),
		}
	}
	runHostile(t, []hostileCase{
		{
			name:  "DotDot",
			layer: func(v *victim) []entry { return nodes(strings.TrimSuffix(v.dotdot(""), "/")+"/", v) },
			want:  either,
			inside: func(t *testing.T, v *victim, files map[string]exported) {
				checkNode(t, files, v.inRoot(v.marker+"-mem"), tar.TypeChar)
				checkNode(t, files, v.inRoot(v.marker+"-loop"), tar.TypeBlock)
				checkNode(t, files, v.inRoot(v.marker+"-fifo"), tar.TypeFifo)
			},
		},
		{
			name:  "Absolute",
			layer: func(v *victim) []entry { return nodes(v.dir+"/", v) },
			want:  either,
		},
		{
			name: "ThroughSymlink",
			layer: func(v *victim) []entry {
				return append([]entry{symlinkEntry("esc", v.dir)}, nodes("esc/", v)...)
			},
			want: either,
		},
		{
			name: "OverHostFileThroughSymlink",
			layer: func(v *victim) []entry {
				// A node entry named like a symlink to a host file
				// replaces the link; it must not replace the file.
				return []entry{symlinkEntry("n", v.path("hello")), charDevEntry("n", 1, 1)}
			},
			want: either,
		},
	})
}

func checkNode(t *testing.T, files map[string]exported, name string, typ byte) {
	t.Helper()
	f, ok := files[name]
	switch {
	case !ok:
		t.Errorf("the image has no /%s", name)
	case f.hdr.Typeflag != typ:
		t.Errorf("/%s in the image is of type %q, want %q", name, f.hdr.Typeflag, typ)
	}
}

// TestTarBreakout_DeviceNodesInert is the other half of the device node
// class: nodes a layer may legitimately carry (here /dev/mem 1:1 and a
// loop block device 7:0, placed at the image's root) must be inert in a
// container (the device cgroup refuses opening them), and on the host
// they must sit where no unprivileged user can reach them (a directory
// on the way from "/" is closed to others), or any host user could read
// host memory through an image (the CVE-2021-41091 class).
func TestTarBreakout_DeviceNodesInert(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	v := newVictim(t)
	img := testImage{layers: [][]byte{
		busyboxLayer(t),
		layerTar(t, charDevEntry("mem-"+v.marker, 1, 1), blockDevEntry("loop-"+v.marker, 7, 0)),
	}}
	name := "hostile/devices:1"
	d.OK(t, "load", "-i", writeTemp(t, "devices.tar", dockerArchive(t, name, img)))
	v.checkNoStray(t, d.Root, d.Dir)

	mem, loop := "/mem-"+v.marker, "/loop-"+v.marker
	// The nodes are there, so a failure to open them below is the
	// device cgroup's refusal, not a missing file.
	if out := d.OK(t, "run", "--rm", "--network", "none", name, "sh", "-c", "test -c "+mem+" && test -b "+loop+" && echo present"); strings.TrimSpace(out) != "present" {
		t.Fatalf("the image's device nodes are not in its containers: %q", out)
	}
	for _, node := range []string{mem, loop} {
		r := d.Run(t, "run", "--rm", "--network", "none", name, "head", "-c", "1", node)
		if r.Code == 0 {
			t.Errorf("a container read the device node %s of its image: %v", node, r)
		} else if !strings.Contains(r.Stderr, "not permitted") {
			t.Errorf("opening %s failed, but not with EPERM from the device cgroup: %v", node, r)
		}
	}
	// On the host: every node must be behind a directory others cannot
	// search.
	filepath.WalkDir(d.Root, func(p string, de os.DirEntry, err error) error {
		if err != nil || !strings.Contains(de.Name(), v.marker) {
			return nil
		}
		if open := searchableByOthers(p); open {
			t.Errorf("the image's device node %s is reachable by any host user: every directory from / to it is searchable by others", p)
		}
		return nil
	})
}

// searchableByOthers reports whether every directory above p lets any
// user through (o+x).
func searchableByOthers(p string) bool {
	for dir := filepath.Dir(p); ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if dir == "/" {
			return true
		}
	}
}

// capNetRaw is a security.capability xattr (VFS_CAP_REVISION_2 with the
// effective flag) granting CAP_NET_RAW.
const capNetRaw = "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// TestTarBreakout_SetuidAndCapabilities guards against privileged files
// landing on the host: a setuid-root file and a file with a
// security.capability xattr, placed by ".." chain, absolute path and
// through a symlink to the victim. Placed on the host they would be a
// root shell for any local user. They must stay inside the image, where
// they keep their bits (a setuid binary in an image is legitimate).
func TestTarBreakout_SetuidAndCapabilities(t *testing.T) {
	privileged := func(prefix string, v *victim) []entry {
		return []entry{
			fileEntry(prefix+v.marker+"-suid", "#!/bin/sh\nid\n", 0o4755),
			fileEntry(prefix+v.marker+"-cap", "#!/bin/sh\nid\n", 0o755).withXattr("security.capability", capNetRaw),
		}
	}
	runHostile(t, []hostileCase{
		{
			name:  "DotDot",
			layer: func(v *victim) []entry { return privileged(strings.TrimSuffix(v.dotdot(""), "/")+"/", v) },
			want:  contained,
			inside: func(t *testing.T, v *victim, files map[string]exported) {
				suid, cap := files[v.inRoot(v.marker+"-suid")], files[v.inRoot(v.marker+"-cap")]
				if suid.hdr.Mode&0o4000 == 0 {
					t.Errorf("the setuid file is not inside the image with its bit: %+v", suid.hdr)
				}
				if cap.hdr.PAXRecords["SCHILY.xattr.security.capability"] != capNetRaw {
					t.Errorf("the file with capabilities is not inside the image with its xattr: %+v", cap.hdr)
				}
			},
		},
		{
			name:  "Absolute",
			layer: func(v *victim) []entry { return privileged(v.dir+"/", v) },
			want:  contained,
		},
		{
			name: "ThroughSymlink",
			layer: func(v *victim) []entry {
				return append([]entry{symlinkEntry("esc", v.dir)}, privileged("esc/", v)...)
			},
			want: either,
		},
		{
			name:  "ThroughLowerLayerSymlink",
			lower: func(v *victim) []entry { return []entry{symlinkEntry("esc", v.dir)} },
			layer: func(v *victim) []entry { return privileged("esc/", v) },
			want:  either,
		},
		{
			name: "OverHostFile",
			layer: func(v *victim) []entry {
				// setuid bits and capabilities applied after replacing a
				// symlink to a host file.
				return []entry{symlinkEntry("s", v.path("hello")), fileEntry("s", "x", 0o4755).withXattr("security.capability", capNetRaw)}
			},
			want: contained,
		},
	})
}

// TestLoad_ArchiveNamesOutside guards the outer archive of `load`, before
// any layer: a docker-archive whose manifest names layer and config files
// by ".." and absolute paths (host files), whose entries have such names,
// or which holds a symlink to a host file in place of a layer.tar. The
// archive must be refused, and nothing read from or written to the host.
func TestLoad_ArchiveNamesOutside(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	manifest := func(config string, layers ...string) entry {
		return fileEntry("manifest.json", string(mustJSON(t, []map[string]any{{"Config": config, "RepoTags": []string{"hostile/outer:1"}, "Layers": layers}})), 0o644)
	}
	layer := layerTar(t, fileEntry("x", "x", 0o644))
	cases := []struct {
		name    string
		entries func(v *victim) []entry
	}{
		{"ManifestDotDotConfig", func(v *victim) []entry {
			return []entry{fileEntry("l/layer.tar", string(layer), 0o644), manifest(v.dotdot("passwd"), "l/layer.tar")}
		}},
		{"ManifestAbsoluteLayer", func(v *victim) []entry {
			return []entry{fileEntry("c.json", "{}", 0o644), manifest("c.json", v.path("hello"))}
		}},
		{"EntryDotDot", func(v *victim) []entry {
			return []entry{fileEntry(v.dotdot(v.marker+".json"), "{}", 0o644), fileEntry(v.dotdot(v.marker+"/layer.tar"), string(layer), 0o644)}
		}},
		{"EntryAbsolute", func(v *victim) []entry {
			return []entry{fileEntry(v.path(v.marker+"/layer.tar"), string(layer), 0o644)}
		}},
		{"SymlinkLayerToHost", func(v *victim) []entry {
			return []entry{fileEntry("c.json", "{}", 0o644), dirEntry("l", 0o755), symlinkEntry("l/layer.tar", v.path("hello")), manifest("c.json", "l/layer.tar")}
		}},
		{"SymlinkConfigDotDot", func(v *victim) []entry {
			return []entry{symlinkEntry("c.json", v.dotdot("passwd")), manifest("c.json")}
		}},
		{"HardlinkToHost", func(v *victim) []entry {
			return []entry{hardlinkEntry("c.json", v.path("passwd")), manifest("c.json")}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := newVictim(t)
			r := d.Run(t, "load", "-i", writeTemp(t, "outer.tar", layerTar(t, c.entries(v)...)))
			v.checkUnchanged(t)
			v.checkNoStray(t, d.Root, d.Dir)
			if r.Code == 0 {
				t.Errorf("load accepted an archive naming files outside it: %v", r)
			} else if strings.TrimSpace(r.Stderr) == "" {
				t.Errorf("load failed without saying why: %v", r)
			} else {
				t.Logf("refused: %s", strings.TrimSpace(r.Stderr))
			}
			if strings.Contains(r.Stdout+r.Stderr, "host-sentinel") || strings.Contains(r.Stdout+r.Stderr, "hostonly") {
				t.Errorf("load echoed a host file's content: %v", r)
			}
		})
	}
}

// TestTarBreakout_OverlayXattrs guards against layers that forge
// OverlayFS's own state: trusted.overlay.* (and user.overlay.*) xattrs
// carried as PAX records. A forged opaque marker hides the layers below,
// a forged redirect or origin makes overlayfs look up another path, a
// forged metacopy makes it take a file's data from elsewhere. Only the
// engine may set them (from .wh..wh..opq); the entries must reach the
// layer directory without them.
func TestTarBreakout_OverlayXattrs(t *testing.T) {
	forged := map[string]string{
		"trusted.overlay.opaque":   "y",
		"trusted.overlay.redirect": "/etc",
		"trusted.overlay.origin":   "\x00\xfb\x21\x00",
		"trusted.overlay.metacopy": "",
		"user.overlay.redirect":    "/etc",
	}
	forge := func(e entry) entry {
		for k, val := range forged {
			e = e.withXattr(k, val)
		}
		return e
	}
	runHostile(t, []hostileCase{{
		name: "Forged",
		layer: func(v *victim) []entry {
			return []entry{
				forge(dirEntry(v.marker+"-dir", 0o755)),
				forge(fileEntry(v.marker+"-file", "data", 0o644)),
				forge(fileEntry(v.dotdot(v.marker+"-far"), "data", 0o644)),
			}
		},
		want: either,
		onHost: func(t *testing.T, v *victim, d *daemon.Daemon) {
			found := 0
			filepath.WalkDir(filepath.Join(d.Root, "layers"), func(p string, de os.DirEntry, err error) error {
				if err != nil || !strings.Contains(de.Name(), v.marker) {
					return nil
				}
				found++
				if x := xattrs(p); strings.Contains(x, "overlay.") {
					t.Errorf("FORGED OVERLAY XATTR kept on %s: %s", p, x)
				}
				return nil
			})
			if found < 3 {
				t.Errorf("found %d of the layer's 3 entries in the store's layer directories", found)
			}
		},
	}})
}

// TestDigestPathTraversal_PullAndLoad guards against digests used as
// file names (the store keeps layers by DiffID, registries' blobs by
// digest): a manifest naming its config or a layer by a "digest" that is
// a ".." path to the victim, a config whose DiffIDs are such paths, and
// an OCI layout whose index does the same. Every one must be refused as
// an invalid digest before anything is fetched or written.
func TestDigestPathTraversal_PullAndLoad(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	evil := func(v *victim) digest.Digest { return digest.Digest("sha256:" + v.dotdot(v.marker)) }
	type parts struct {
		manifest ocispec.Manifest
		config   ocispec.Image
	}
	// good returns a valid one-layer image's manifest and config, and its
	// blobs by digest.
	good := func(t *testing.T) (parts, map[string]blob) {
		img := testImage{layers: [][]byte{layerTar(t, fileEntry("x", "x", 0o644))}}
		mb, cb, lbs := img.manifest(t, true)
		var p parts
		if err := json.Unmarshal(mb.data, &p.manifest); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(cb.data, &p.config); err != nil {
			t.Fatal(err)
		}
		blobs := map[string]blob{cb.digest().String(): cb}
		for _, l := range lbs {
			blobs[l.digest().String()] = l
		}
		return p, blobs
	}
	cases := []struct {
		name   string
		spoil  func(v *victim, p *parts)
		viaOCI bool // also as an OCI layout for load
	}{
		{"LayerDigest", func(v *victim, p *parts) { p.manifest.Layers[0].Digest = evil(v) }, true},
		{"ConfigDigest", func(v *victim, p *parts) { p.manifest.Config.Digest = evil(v) }, true},
		{"DiffID", func(v *victim, p *parts) { p.config.RootFS.DiffIDs[0] = evil(v) }, true},
		{"Algorithm", func(v *victim, p *parts) {
			p.manifest.Layers[0].Digest = digest.Digest(v.dotdot(v.marker) + ":" + strings.Repeat("a", 64))
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name+"/pull", func(t *testing.T) {
			v := newVictim(t)
			p, blobs := good(t)
			c.spoil(v, &p)
			cb := blob{mediaType: ocispec.MediaTypeImageConfig, data: mustJSON(t, p.config)}
			if p.manifest.Config.Digest.Validate() == nil {
				p.manifest.Config.Digest, p.manifest.Config.Size = cb.digest(), int64(len(cb.data))
			}
			blobs[p.manifest.Config.Digest.String()] = cb
			mb := blob{mediaType: ocispec.MediaTypeImageManifest, data: mustJSON(t, p.manifest)}
			host := serveRegistry(t, "hostile/digest", map[string]blob{"1": mb, mb.digest().String(): mb}, blobs)
			r := d.Run(t, "pull", host+"/hostile/digest:1")
			checkRefusedCleanly(t, d, v, r)
		})
		if !c.viaOCI {
			continue
		}
		t.Run(c.name+"/load-oci", func(t *testing.T) {
			v := newVictim(t)
			p, blobs := good(t)
			c.spoil(v, &p)
			cb := blob{mediaType: ocispec.MediaTypeImageConfig, data: mustJSON(t, p.config)}
			if p.manifest.Config.Digest.Validate() == nil {
				p.manifest.Config.Digest, p.manifest.Config.Size = cb.digest(), int64(len(cb.data))
			}
			blobs[p.manifest.Config.Digest.String()] = cb
			mb := blob{mediaType: ocispec.MediaTypeImageManifest, data: mustJSON(t, p.manifest)}
			files := []entry{fileEntry(ocispec.ImageLayoutFile, `{"imageLayoutVersion":"1.0.0"}`, 0o644)}
			for dg, b := range blobs {
				algo, hex, _ := strings.Cut(dg, ":")
				files = append(files, fileEntry("blobs/"+algo+"/"+hex, string(b.data), 0o644))
			}
			files = append(files, fileEntry("blobs/sha256/"+mb.digest().Encoded(), string(mb.data), 0o644))
			desc := mb.descriptor()
			desc.Annotations = map[string]string{"io.containerd.image.name": "hostile/digest:oci"}
			idx := ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{desc}}
			files = append(files, fileEntry("index.json", string(mustJSON(t, idx)), 0o644))
			r := d.Run(t, "load", "-i", writeTemp(t, "digest.tar", layerTar(t, files...)))
			checkRefusedCleanly(t, d, v, r)
		})
	}
	t.Run("IndexManifestDigest/load-oci", func(t *testing.T) {
		v := newVictim(t)
		desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: evil(v), Size: 2}
		idx := ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, Manifests: []ocispec.Descriptor{desc}}
		files := []entry{fileEntry(ocispec.ImageLayoutFile, `{"imageLayoutVersion":"1.0.0"}`, 0o644), fileEntry("index.json", string(mustJSON(t, idx)), 0o644)}
		r := d.Run(t, "load", "-i", writeTemp(t, "digest.tar", layerTar(t, files...)))
		checkRefusedCleanly(t, d, v, r)
	})
}

// checkRefusedCleanly fails the test unless r failed with an error, the
// victim is unchanged and nothing of the attack is outside a layer.
func checkRefusedCleanly(t *testing.T, d *daemon.Daemon, v *victim, r daemon.Result) {
	t.Helper()
	v.checkUnchanged(t)
	v.checkNoStray(t, d.Root, d.Dir)
	switch {
	case r.Code == 0:
		t.Errorf("accepted a path as a digest: %v", r)
	case strings.TrimSpace(r.Stderr) == "":
		t.Errorf("refused without saying why: %v", r)
	default:
		t.Logf("refused: %s", lastLine(r.Stderr))
	}
}
