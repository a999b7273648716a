# berth — build, test, install, measure.
#
#   make                 install the Debian packages berth needs (when missing) and build
#   make test            unit tests and, as root, integration tests on real bundles
#   make demo            make a busybox bundle in a temp dir and show berth working on it
#   make install         install the binary and man pages under $(PREFIX)
#   make conformance     run spec-conformance/ against RUNTIME (default: the built berth)
#   make bench           berth against crun and runc, as ratios of medians

PREFIX    ?= /usr/local
SWIFT     ?= $(shell command -v swift || echo /opt/swift/usr/bin/swift)
DESTDIR   ?=
COMMIT    := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
BERTH     := $(CURDIR)/.build/release/berth
RUNTIME   ?= $(BERTH)
# The Swift standard library is linked statically: a runtime is executed
# several times per container and dynamic Swift costs milliseconds each time.
RELEASE_FLAGS := -c release --static-swift-stdlib -Xcc -DBERTH_COMMIT=\"$(COMMIT)\"

# What building and testing need from Debian. busybox-static makes test
# rootfses; crun and runc are the peers of the benchmark and the conformance
# comparison; python3-jsonschema validates our JSON against the spec's schemas.
DEBIAN_PACKAGES := libseccomp-dev libcap-dev busybox-static python3 python3-jsonschema \
                   crun runc time man-db

.PHONY: all deps build test unit-test integration-test demo install conformance bench clean

all: deps build

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

build:
	$(SWIFT) build $(RELEASE_FLAGS)

test: build
	BERTH_BINARY=$(BERTH) $(SWIFT) test

demo: build
	@sh scripts/demo.sh $(BERTH)

install: build
	install -D -m 0755 $(BERTH) $(DESTDIR)$(PREFIX)/sbin/berth
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/

conformance: build
	/usr/bin/python3 spec-conformance/run.py --runtime $(RUNTIME)

bench: build
	/usr/bin/python3 bench/bench.py --berth $(BERTH)

clean:
	rm -rf .build

# --- cgroup v2 test guest (vm/, see vm/README.md) ------------------------------
# The host's cgroup layout is hybrid, so cgroup v2 is tested in a qemu guest.
#   make vm-assets   fetch and extract the guest kernel, build the initramfs
#                    (cached in vm-assets/; a no-op when up to date)
#   make test-vm     boot the guest and run vm/smoke.sh in it
# The smoke test's bundle is made here on the host (0.3 s; ~10 s in the
# emulated guest) and reaches the guest through the shared checkout.
.PHONY: vm-assets test-vm
vm-assets:
	vm/prepare-assets.sh

test-vm: vm-assets
	rm -rf vm-assets/smoke-bundle
	scripts/make-bundle.sh vm-assets/smoke-bundle true
	BERTH_SMOKE_BUNDLE=$(CURDIR)/vm-assets/smoke-bundle vm/run-in-guest.sh -- vm/smoke.sh
