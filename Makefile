# container-runtime: build, test, benchmark and install.
#
#   make build            the three binaries into ./bin
#   sudo make test        every test, root tests included (CI runs exactly this)
#   sudo make bench       benchmarks side by side with runc/crun when installed
#   sudo make install     install under $(PREFIX) with links in $(BINDIR)
#   sudo make uninstall   remove what install put in place (not user data)

GO       ?= go
PREFIX   ?= /opt/container-runtime
BINDIR   ?= /usr/local/bin
GOFLAGS  ?= -buildvcs=false
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/container-runtime/container-runtime/internal/version.Version=$(VERSION)
BINARIES := container-runtime container-runtimed container-runtime-oci

export GOFLAGS

.PHONY: all build test check vet fmt bench install install_debian install_arch uninstall deps_debian deps_arch clean

all: build

build:
	@mkdir -p bin
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/ $(addprefix ./cmd/,$(BINARIES))

check: fmt vet

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The whole suite. Root tests skip themselves (with the reason) when not
# root; CI runs this as root so nothing is skipped there.
test: check build
	$(GO) test -count=1 -timeout 60m ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 20x ./runtime/ ./internal/...
	$(GO) run ./bench/ocicompare -n 200

deps_debian:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		gcc libc6-dev make git pkg-config libseccomp-dev busybox-static strace \
		iproute2 nftables debootstrap ca-certificates

deps_arch:
	pacman -S --needed --noconfirm gcc make git pkgconf libseccomp busybox strace \
		iproute2 nftables debootstrap

install: build
	install -d $(PREFIX)
	install -m 0755 bin/container-runtime $(PREFIX)/client
	install -m 0755 bin/container-runtimed $(PREFIX)/daemon
	install -m 0755 bin/container-runtime-oci $(PREFIX)/oci
	ln -sf $(PREFIX)/client $(BINDIR)/container-runtime
	ln -sf $(PREFIX)/daemon $(BINDIR)/container-runtimed
	ln -sf $(PREFIX)/oci $(BINDIR)/container-runtime-oci

install_debian: deps_debian install

install_arch: deps_arch install

uninstall:
	rm -f $(BINDIR)/container-runtime $(BINDIR)/container-runtimed $(BINDIR)/container-runtime-oci
	rm -rf $(PREFIX)

clean:
	rm -rf bin
