# container-runtime: build, test, benchmark and install.
#
#   make build            the four binaries into ./bin
#   sudo make test        every test, root tests included (CI runs exactly this)
#   sudo make bench       benchmarks side by side with runc, crun, docker and buildah
#   sudo make install     install under $(PREFIX) with links in $(BINDIR)
#   sudo make uninstall   remove what install put in place (not user data)

GO       ?= go
PREFIX   ?= /opt/container-runtime
BINDIR   ?= /usr/local/bin
GOFLAGS  ?= -buildvcs=false
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null)
# -buildvcs=false above: the commit comes from here, and go's own VCS stamping
# fails when root builds a checkout owned by another user ("dubious ownership").
LDFLAGS  := -s -w -X github.com/container-runtime/container-runtime/internal/version.Version=$(VERSION) \
            -X github.com/container-runtime/container-runtime/internal/version.Commit=$(COMMIT)
BINARIES := container-runtime container-runtimed container-runtime-oci container-runtime-init

export GOFLAGS

.PHONY: all build test check vet fmt bench fuzz conformance install install_debian install_arch uninstall deps_debian deps_arch deps_test clean

all: build

# The client is built without cgo: pure Go name resolution and user
# lookups (archive/tar's) make it a static binary, which starts without
# the dynamic loader and libc's initialisation (bench/clicompare).
# container-runtime-init, which every container process and health check
# starts from, is linked statically (libseccomp.a, libc.a) for the same
# reason, about 1 ms of CPU per start; where the static libraries are
# missing it is built like the others.
INIT_STATIC := -tags osusergo,netgo -ldflags '$(LDFLAGS) -linkmode external -extldflags -static'
build:
	@mkdir -p bin
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/container-runtime
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/ $(addprefix ./cmd/,$(filter-out container-runtime container-runtime-init,$(BINARIES)))
	$(GO) build $(INIT_STATIC) -o bin/ ./cmd/container-runtime-init 2>/dev/null || \
		{ echo "container-runtime-init: no static libseccomp/libc here, linked dynamically"; \
		  $(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/container-runtime-init; }

check: fmt vet

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The whole suite: unit, integration and the adversarial suite
# (integration/security), the reference registry's module, the OCI
# runtime-tools conformance run, then every fuzz target for FUZZTIME.
# Root tests skip themselves (with the reason) when not root; under CI
# (CI=true) a skip fails the run instead (scripts/test).
test: check build
	GO='$(GO)' bash scripts/test ./...
	cd integration/distribution/registry && GO='$(GO)' bash ../../../scripts/test ./...
	$(MAKE) conformance
	$(MAKE) fuzz

bench: build
	@# Benchmarks only (no test is timed): the packages' Go benchmarks, then
	@# side by side with the peers installed here (bench/README.md).
	@# Counts: BENCH_TIME (go test -benchtime), BENCH_RUNS, BENCH_BUILDS.
	@echo "== Go benchmarks; load average $$(cut -d' ' -f1-3 /proc/loadavg)"
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(or $(BENCH_TIME),30x) \
		./runtime/ ./builder/ ./image/ ./internal/...
	@echo
	$(GO) run ./bench/ocicompare -n $(or $(BENCH_RUNS),200) -warmup 5
	@echo
	$(GO) run ./bench/buildcompare -n $(or $(BENCH_BUILDS),10) -warmup 1
	@# Daemon and network benchmarks (their issues) go here, each a
	@# bench/<name>compare command printing the same tables.
	@echo; $(GO) run ./bench/daemoncompare -n $(or $(BENCH_DAEMON_RUNS),30) -seq $(or $(BENCH_SEQ),100) -mem 20
	@echo; $(GO) run ./bench/pullcompare -n $(or $(BENCH_PULLS),5) -warmup 1
	@echo; $(GO) run ./bench/clicompare -n $(or $(BENCH_CLI_RUNS),200) -warmup 5

# The OCI runtime-tools validation suite (pinned in
# integration/conformance/tools/go.mod) against container-runtime-oci, as
# root; fails on any failure docs/CONFORMANCE.md does not explain.
conformance:
	$(GO) test -count=1 -v -tags conformance -timeout 30m ./integration/conformance/

# The cgroup tests on real cgroup v2: a QEMU guest (Debian's kernel, an
# initramfs cached under /var/cache/container-runtime-test/cgroupv2) with
# cgroup2 alone mounted runs integration/cgroupv2/guest through
# container-runtime-oci. As root; needs qemu-system-x86 and
# linux-image-amd64. About 20-45 s under TCG emulation, bounded at 8 min.
.PHONY: cgroupv2
cgroupv2:
	$(GO) test -count=1 -v -timeout 15m ./integration/cgroupv2/

# Every native Go fuzz target (func FuzzX in a *_test.go file) for FUZZTIME
# each, starting from its seed corpus in the package's testdata/fuzz/FuzzX;
# a crasher is written there and fails the run. Not part of test.
FUZZTIME ?= 15s
fuzz:
	GO='$(GO)' FUZZTIME='$(FUZZTIME)' sh scripts/fuzz

# What building and running the engine need (install_debian uses it).
deps_debian:
	sh scripts/deps-debian

# The peers and tools the tests and benchmarks compare with (containerd,
# docker.io, runc, crun, buildah, skopeo, podman): for developers and CI,
# never part of an install.
deps_test:
	sh scripts/deps-test-debian

deps_arch:
	pacman -S --needed --noconfirm gcc make git pkgconf libseccomp busybox strace \
		iproute2 nftables debootstrap

install: build
	sh scripts/install

install_debian: deps_debian install

install_arch: deps_arch install

uninstall:
	sh scripts/uninstall

clean:
	rm -rf bin
