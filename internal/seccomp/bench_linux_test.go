package seccomp

import (
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
)

// The cost of a container start's seccomp work, piece by piece. Loading
// itself is one seccomp(2) call and cannot be repeated in one process
// (filters stack); TestLoadInChild logs its duration.

// BenchmarkLoadDefault is everything Load(Default(spec)) does except the
// final syscall: build Docker's profile for the capabilities, compile it
// with libseccomp, export the BPF and add the ENOSYS stub.
func BenchmarkLoadDefault(b *testing.B) {
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: dockerDefaultCaps()}}}
	for b.Loop() {
		cfg, err := Default(spec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDefaultProfile is only the profile: moby's rules filtered by
// capabilities and architecture.
func BenchmarkDefaultProfile(b *testing.B) {
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: dockerDefaultCaps()}}}
	for b.Loop() {
		if _, err := Default(spec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileDefault is Compile alone.
func BenchmarkCompileDefault(b *testing.B) {
	cfg := dockerDefault(b)
	for b.Loop() {
		if _, err := Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildDefault is the libseccomp rule building inside Compile,
// without the export and the stub.
func BenchmarkBuildDefault(b *testing.B) {
	cfg := dockerDefault(b)
	for b.Loop() {
		f, _, err := build(cfg)
		if err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
}

// BenchmarkExportDefault is libseccomp's code generation and export alone.
func BenchmarkExportDefault(b *testing.B) {
	cfg := dockerDefault(b)
	for b.Loop() {
		b.StopTimer()
		f, _, err := build(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := exportBPF(f); err != nil {
			b.Fatal(err)
		}
		f.Release()
	}
}

// BenchmarkEnosysStubDefault is the stub: the search for libseccomp's last
// syscall on each architecture and the assembly.
func BenchmarkEnosysStubDefault(b *testing.B) {
	cfg := dockerDefault(b)
	f, arches, err := build(cfg)
	if err != nil {
		b.Fatal(err)
	}
	f.Release()
	for b.Loop() {
		if _, err := enosysStub(enosysBounds(cfg, arches)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshalDefault is the reuse path: decoding a filter compiled
// elsewhere, which is all a container start pays besides the syscall.
func BenchmarkUnmarshalDefault(b *testing.B) {
	f, err := Compile(dockerDefault(b))
	if err != nil {
		b.Fatal(err)
	}
	data, err := f.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var g Filter
		if err := g.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
	}
}
