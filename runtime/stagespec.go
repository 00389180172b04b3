package runtime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The spec reaches the container process's stage in this binary form, not
// as JSON: in the stage, a fresh process, encoding/json spent about
// 0.65 ms on the spec of a plain `run` (measured: 32 µs of it decoding,
// the rest building its per-type caches), a third of what the stage did
// between its start and its mounts. This form has no types to discover.
//
// It holds what the stage may read: every field of specs.Spec except the
// ones the parent alone applies (stageSpecOmits; a test walks the spec's
// types so that a field added to the spec must be placed on one side or
// the other). Encoding then decoding gives back the spec as it was, nil
// and empty slices and maps kept apart.
//
// Layout: fields in the order of encodeStageSpec, each as
//   - string: uvarint length, then the bytes;
//   - bool: one byte, 0 or 1;
//   - unsigned and signed integers: uvarint and (zigzag) varint;
//   - pointer: one byte, 0 for nil, else 1 and the value;
//   - slice or map: uvarint 0 for nil, else 1 + the count, then the
//     items (a map's sorted by key, each key then value).
//
// It starts with stageSpecMagic, so that a stage of another version fails
// clearly instead of misreading.

// stageSpecMagic starts every encoded spec; change it with the layout.
const stageSpecMagic = "crspec1\x00"

// stageSpecOmits are the fields of specs.Spec (by path) that do not go to
// the stage: other platforms, and what the parent applies before the
// stage runs (cgroup resources, the seccomp profile, which travels
// compiled as filterProgram; Intel RDT, memory policy and network devices,
// which the runtime does not implement).
var stageSpecOmits = []string{
	"Spec.Solaris", "Spec.Windows", "Spec.VM", "Spec.ZOS", "Spec.FreeBSD",
	"Spec.Linux.Resources", "Spec.Linux.Seccomp", "Spec.Linux.NetDevices",
	"Spec.Linux.IntelRdt", "Spec.Linux.MemoryPolicy",
}

// encodeStageSpec appends the stage's form of s to b.
func encodeStageSpec(b []byte, s *specs.Spec) []byte {
	w := &specWriter{b: append(b, stageSpecMagic...)}
	w.str(s.Version)
	w.ptr(s.Process != nil, func() { w.process(s.Process) })
	w.ptr(s.Root != nil, func() {
		w.str(s.Root.Path)
		w.boolean(s.Root.Readonly)
	})
	w.str(s.Hostname)
	w.str(s.Domainname)
	writeSlice(w, s.Mounts, func(m specs.Mount) {
		w.str(m.Destination)
		w.str(m.Type)
		w.str(m.Source)
		w.strs(m.Options)
		w.idMaps(m.UIDMappings)
		w.idMaps(m.GIDMappings)
	})
	w.ptr(s.Hooks != nil, func() {
		h := s.Hooks
		for _, hs := range [][]specs.Hook{h.Prestart, h.CreateRuntime, h.CreateContainer, h.StartContainer, h.Poststart, h.Poststop} { //nolint:staticcheck // Prestart is still part of the spec
			writeSlice(w, hs, func(h specs.Hook) {
				w.str(h.Path)
				w.strs(h.Args)
				w.strs(h.Env)
				w.intPtr(h.Timeout)
			})
		}
	})
	w.strMap(s.Annotations)
	w.ptr(s.Linux != nil, func() {
		l := s.Linux
		w.idMaps(l.UIDMappings)
		w.idMaps(l.GIDMappings)
		w.strMap(l.Sysctl)
		w.str(l.CgroupsPath)
		writeSlice(w, l.Namespaces, func(n specs.LinuxNamespace) {
			w.str(string(n.Type))
			w.str(n.Path)
		})
		writeSlice(w, l.Devices, func(d specs.LinuxDevice) {
			w.str(d.Path)
			w.str(d.Type)
			w.varint(d.Major)
			w.varint(d.Minor)
			w.ptr(d.FileMode != nil, func() { w.uvarint(uint64(*d.FileMode)) })
			w.u32Ptr(d.UID)
			w.u32Ptr(d.GID)
		})
		w.str(l.RootfsPropagation)
		w.strs(l.MaskedPaths)
		w.strs(l.ReadonlyPaths)
		w.str(l.MountLabel)
		w.ptr(l.Personality != nil, func() {
			w.str(string(l.Personality.Domain))
			writeSlice(w, l.Personality.Flags, func(f specs.LinuxPersonalityFlag) { w.str(string(f)) })
		})
		writeMap(w, l.TimeOffsets, func(o specs.LinuxTimeOffset) {
			w.varint(o.Secs)
			w.uvarint(uint64(o.Nanosecs))
		})
	})
	return w.b
}

func (w *specWriter) process(p *specs.Process) {
	w.boolean(p.Terminal)
	w.ptr(p.ConsoleSize != nil, func() {
		w.uvarint(uint64(p.ConsoleSize.Height))
		w.uvarint(uint64(p.ConsoleSize.Width))
	})
	w.uvarint(uint64(p.User.UID))
	w.uvarint(uint64(p.User.GID))
	w.u32Ptr(p.User.Umask)
	writeSlice(w, p.User.AdditionalGids, func(g uint32) { w.uvarint(uint64(g)) })
	w.str(p.User.Username)
	w.strs(p.Args)
	w.str(p.CommandLine)
	w.strs(p.Env)
	w.str(p.Cwd)
	w.ptr(p.Capabilities != nil, func() {
		c := p.Capabilities
		for _, set := range [][]string{c.Bounding, c.Effective, c.Inheritable, c.Permitted, c.Ambient} {
			w.strs(set)
		}
	})
	writeSlice(w, p.Rlimits, func(r specs.POSIXRlimit) {
		w.str(r.Type)
		w.uvarint(r.Hard)
		w.uvarint(r.Soft)
	})
	w.boolean(p.NoNewPrivileges)
	w.str(p.ApparmorProfile)
	w.intPtr(p.OOMScoreAdj)
	w.ptr(p.Scheduler != nil, func() {
		s := p.Scheduler
		w.str(string(s.Policy))
		w.varint(int64(s.Nice))
		w.varint(int64(s.Priority))
		writeSlice(w, s.Flags, func(f specs.LinuxSchedulerFlag) { w.str(string(f)) })
		w.uvarint(s.Runtime)
		w.uvarint(s.Deadline)
		w.uvarint(s.Period)
	})
	w.str(p.SelinuxLabel)
	w.ptr(p.IOPriority != nil, func() {
		w.str(string(p.IOPriority.Class))
		w.varint(int64(p.IOPriority.Priority))
	})
	w.ptr(p.ExecCPUAffinity != nil, func() {
		w.str(p.ExecCPUAffinity.Initial)
		w.str(p.ExecCPUAffinity.Final)
	})
}

// decodeStageSpec decodes what encodeStageSpec wrote, and fails on
// anything else: trailing bytes included.
func decodeStageSpec(b []byte) (*specs.Spec, error) {
	if len(b) < len(stageSpecMagic) || string(b[:len(stageSpecMagic)]) != stageSpecMagic {
		return nil, errors.New("decoding the spec: not in the stage's form (another version of the runtime?)")
	}
	r := &specReader{b: b[len(stageSpecMagic):]}
	s := &specs.Spec{}
	s.Version = r.str()
	if r.present() {
		s.Process = r.process()
	}
	if r.present() {
		s.Root = &specs.Root{Path: r.str(), Readonly: r.boolean()}
	}
	s.Hostname = r.str()
	s.Domainname = r.str()
	s.Mounts = readSlice(r, func() specs.Mount {
		return specs.Mount{Destination: r.str(), Type: r.str(), Source: r.str(), Options: r.strs(),
			UIDMappings: r.idMaps(), GIDMappings: r.idMaps()}
	})
	if r.present() {
		h := &specs.Hooks{}
		for _, hs := range []*[]specs.Hook{&h.Prestart, &h.CreateRuntime, &h.CreateContainer, &h.StartContainer, &h.Poststart, &h.Poststop} { //nolint:staticcheck // Prestart is still part of the spec
			*hs = readSlice(r, func() specs.Hook {
				return specs.Hook{Path: r.str(), Args: r.strs(), Env: r.strs(), Timeout: r.intPtr()}
			})
		}
		s.Hooks = h
	}
	s.Annotations = r.strMap()
	if r.present() {
		l := &specs.Linux{}
		l.UIDMappings = r.idMaps()
		l.GIDMappings = r.idMaps()
		l.Sysctl = r.strMap()
		l.CgroupsPath = r.str()
		l.Namespaces = readSlice(r, func() specs.LinuxNamespace {
			return specs.LinuxNamespace{Type: specs.LinuxNamespaceType(r.str()), Path: r.str()}
		})
		l.Devices = readSlice(r, func() specs.LinuxDevice {
			d := specs.LinuxDevice{Path: r.str(), Type: r.str(), Major: r.varint(), Minor: r.varint()}
			if r.present() {
				m := os.FileMode(r.u32())
				d.FileMode = &m
			}
			d.UID = r.u32Ptr()
			d.GID = r.u32Ptr()
			return d
		})
		l.RootfsPropagation = r.str()
		l.MaskedPaths = r.strs()
		l.ReadonlyPaths = r.strs()
		l.MountLabel = r.str()
		if r.present() {
			l.Personality = &specs.LinuxPersonality{Domain: specs.LinuxPersonalityDomain(r.str()),
				Flags: readSlice(r, func() specs.LinuxPersonalityFlag { return specs.LinuxPersonalityFlag(r.str()) })}
		}
		l.TimeOffsets = readMap(r, func() specs.LinuxTimeOffset {
			return specs.LinuxTimeOffset{Secs: r.varint(), Nanosecs: r.u32()}
		})
		s.Linux = l
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("%d bytes after the end", len(r.b))
	}
	if r.err != nil {
		return nil, fmt.Errorf("decoding the spec: %w", r.err)
	}
	return s, nil
}

func (r *specReader) process() *specs.Process {
	p := &specs.Process{Terminal: r.boolean()}
	if r.present() {
		p.ConsoleSize = &specs.Box{Height: uint(r.uvarint()), Width: uint(r.uvarint())}
	}
	p.User.UID = r.u32()
	p.User.GID = r.u32()
	p.User.Umask = r.u32Ptr()
	p.User.AdditionalGids = readSlice(r, r.u32)
	p.User.Username = r.str()
	p.Args = r.strs()
	p.CommandLine = r.str()
	p.Env = r.strs()
	p.Cwd = r.str()
	if r.present() {
		p.Capabilities = &specs.LinuxCapabilities{Bounding: r.strs(), Effective: r.strs(),
			Inheritable: r.strs(), Permitted: r.strs(), Ambient: r.strs()}
	}
	p.Rlimits = readSlice(r, func() specs.POSIXRlimit {
		return specs.POSIXRlimit{Type: r.str(), Hard: r.uvarint(), Soft: r.uvarint()}
	})
	p.NoNewPrivileges = r.boolean()
	p.ApparmorProfile = r.str()
	p.OOMScoreAdj = r.intPtr()
	if r.present() {
		p.Scheduler = &specs.Scheduler{Policy: specs.LinuxSchedulerPolicy(r.str()), Nice: r.i32(), Priority: r.i32(),
			Flags:   readSlice(r, func() specs.LinuxSchedulerFlag { return specs.LinuxSchedulerFlag(r.str()) }),
			Runtime: r.uvarint(), Deadline: r.uvarint(), Period: r.uvarint()}
	}
	p.SelinuxLabel = r.str()
	if r.present() {
		p.IOPriority = &specs.LinuxIOPriority{Class: specs.IOPriorityClass(r.str()), Priority: int(r.varint())}
	}
	if r.present() {
		p.ExecCPUAffinity = &specs.CPUAffinity{Initial: r.str(), Final: r.str()}
	}
	return p
}

type specWriter struct{ b []byte }

func (w *specWriter) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *specWriter) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }

func (w *specWriter) str(s string) {
	w.uvarint(uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *specWriter) boolean(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

func (w *specWriter) ptr(present bool, value func()) {
	w.boolean(present)
	if present {
		value()
	}
}

func (w *specWriter) intPtr(v *int) { w.ptr(v != nil, func() { w.varint(int64(*v)) }) }
func (w *specWriter) u32Ptr(v *uint32) {
	w.ptr(v != nil, func() { w.uvarint(uint64(*v)) })
}
func (w *specWriter) strs(ss []string) { writeSlice(w, ss, w.str) }

func (w *specWriter) idMaps(ms []specs.LinuxIDMapping) {
	writeSlice(w, ms, func(m specs.LinuxIDMapping) {
		w.uvarint(uint64(m.ContainerID))
		w.uvarint(uint64(m.HostID))
		w.uvarint(uint64(m.Size))
	})
}

func (w *specWriter) strMap(m map[string]string) { writeMap(w, m, w.str) }

func writeSlice[T any](w *specWriter, s []T, item func(T)) {
	if s == nil {
		w.uvarint(0)
		return
	}
	w.uvarint(uint64(len(s)) + 1)
	for _, v := range s {
		item(v)
	}
}

func writeMap[T any](w *specWriter, m map[string]T, value func(T)) {
	if m == nil {
		w.uvarint(0)
		return
	}
	w.uvarint(uint64(len(m)) + 1)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w.str(k)
		value(m[k])
	}
}

// specReader reads the stage's form; the first error sticks, and every
// read after it returns a zero value.
type specReader struct {
	b   []byte
	err error
}

func (r *specReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

func (r *specReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(errors.New("bad or missing unsigned integer"))
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *specReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(errors.New("bad or missing integer"))
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *specReader) u32() uint32 {
	v := r.uvarint()
	if v > math.MaxUint32 {
		r.fail(fmt.Errorf("%d does not fit in 32 bits", v))
		return 0
	}
	return uint32(v)
}

func (r *specReader) i32() int32 {
	v := r.varint()
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.fail(fmt.Errorf("%d does not fit in 32 bits", v))
		return 0
	}
	return int32(v)
}

func (r *specReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail(fmt.Errorf("string of %d bytes, %d left", n, len(r.b)))
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *specReader) boolean() bool {
	if len(r.b) == 0 || r.b[0] > 1 {
		r.fail(errors.New("bad or missing boolean"))
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

func (r *specReader) present() bool { return r.boolean() }

func (r *specReader) intPtr() *int {
	if !r.present() {
		return nil
	}
	v := int(r.varint())
	return &v
}

func (r *specReader) u32Ptr() *uint32 {
	if !r.present() {
		return nil
	}
	v := r.u32()
	return &v
}

func (r *specReader) strs() []string { return readSlice(r, r.str) }

func (r *specReader) idMaps() []specs.LinuxIDMapping {
	return readSlice(r, func() specs.LinuxIDMapping {
		return specs.LinuxIDMapping{ContainerID: r.u32(), HostID: r.u32(), Size: r.u32()}
	})
}

func (r *specReader) strMap() map[string]string { return readMap(r, r.str) }

// count reads the count of a slice or map: -1 for nil. Every item takes
// at least one byte, which bounds what a bad count can make us allocate.
func (r *specReader) count() int {
	n := r.uvarint()
	if n == 0 || r.err != nil {
		return -1
	}
	if n-1 > uint64(len(r.b)) {
		r.fail(fmt.Errorf("%d items, %d bytes left", n-1, len(r.b)))
		return -1
	}
	return int(n - 1)
}

func readSlice[T any](r *specReader, item func() T) []T {
	n := r.count()
	if n < 0 {
		return nil
	}
	s := make([]T, 0, n)
	for range n {
		s = append(s, item())
	}
	if r.err != nil {
		return nil
	}
	return s
}

func readMap[T any](r *specReader, value func() T) map[string]T {
	n := r.count()
	if n < 0 {
		return nil
	}
	m := make(map[string]T, n)
	for range n {
		k := r.str()
		if _, dup := m[k]; dup && r.err == nil {
			r.fail(fmt.Errorf("key %q twice", k))
		}
		m[k] = value()
	}
	if r.err != nil {
		return nil
	}
	return m
}
