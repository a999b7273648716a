# berth — build, test, install, measure.
#
#   make                 install the Debian packages berth needs (when missing) and build
#   make unit-test       the unit tests only (OCITests, CgroupsTests, RuntimeTests): no root,
#                        no qemu, no release build; run them after every change
#   make integration-test  as root: the IntegrationTests on this host against the release
#                        binary (real containers); before a commit that changes behaviour
#   make check           shellcheck on every shell script, `swift format lint` (.swift-format)
#   make test            everything, as CI runs it (.ci/run): unit and root integration
#                        tests, the cgroup v2 tests in a qemu guest, the conformance suite
#   make demo            make a busybox bundle in a temp dir and show berth working on it
#   make install         install the binary and man pages under $(PREFIX)
#   make conformance     run spec-conformance/ against RUNTIME (default: the built berth)
#   make bench           berth against crun and runc, as ratios of medians
#   make order-file      remake the linker's function order (build-support/berth.order)

PREFIX    ?= /usr/local
SWIFT     ?= $(shell command -v swift || echo /opt/swift/usr/bin/swift)
DESTDIR   ?=
COMMIT    := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
BERTH     := $(CURDIR)/.build/release/berth
RUNTIME   ?= $(BERTH)
# A fully static executable (Swift runtime, glibc, libseccomp): a
# runtime is executed several times per container, and dynamic loading costs
# time and memory on every call (measured: 5.5 MB peak RSS for --version
# against 8.1 MB with only the Swift runtime static).
#
# Linked by lld with every function in a section of its own, in the order of
# build-support/berth.order: the functions and data the common commands use
# sit side by side, so a command maps less of the binary (the kernel maps
# 64 KiB around every fault). build-support/berth.ld gathers the helpers the
# order file cannot name. `make order-file` remakes the list; see
# build-support/order-file.sh.
ORDER_FILE    := $(CURDIR)/build-support/berth.order
LINKER_SCRIPT := $(CURDIR)/build-support/berth.ld
RELEASE_FLAGS := -c release -Xswiftc -static-executable -Xcc -DBERTH_COMMIT=\"$(COMMIT)\" \
                 -Xswiftc -use-ld=lld -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
                 -Xlinker --symbol-ordering-file=$(ORDER_FILE) -Xlinker --no-warn-symbol-ordering \
                 -Xlinker -T -Xlinker $(LINKER_SCRIPT)

# What building and testing need from Debian. busybox-static makes test
# rootfses; crun and runc are the peers of the benchmark and the conformance
# comparison; python3-jsonschema validates our JSON against the spec's schemas.
DEBIAN_PACKAGES := gcc libc6-dev libseccomp-dev busybox-static python3 python3-jsonschema iproute2 \
                   crun runc time man-db strace

.PHONY: all deps build order-file test unit-test integration-test check demo stress install conformance bench clean

all: deps build

# Installs the Debian packages named in $(1) that are missing.
define install-missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi
endef

deps:
	$(call install-missing,$(DEBIAN_PACKAGES))

build:
	@# SwiftPM does not know these two files: a newer one must still relink.
	@for input in $(ORDER_FILE) $(LINKER_SCRIPT); do \
	  if [ -e $(BERTH) ] && [ $$input -nt $(BERTH) ]; then rm -f $(BERTH); fi; \
	done
	$(SWIFT) build $(RELEASE_FLAGS)
	@# Only now: see exec-helper below.
	@$(MAKE) --no-print-directory exec-helper

# Remakes the order file from the current build (root and busybox-static
# needed: it runs containers), then relinks with it.
order-file: build
	sh build-support/order-file.sh $(BERTH) $(ORDER_FILE)
	$(MAKE) build

# The exec helper (helpers/exec-helper.c) is placed next to both the release
# and the debug berth: berth finds it beside its own binary. It goes into
# the directories SwiftPM really builds in, .build/<triple>/release and
# .build/<triple>/debug, found after the swift build: SwiftPM makes
# .build/release and .build/debug symlinks to them, replacing a directory of
# that name — a helper made there before the first build would vanish.
HELPER_FLAGS := -Os -static -nostdlib -no-pie -fno-stack-protector -fno-builtin \
                -fno-asynchronous-unwind-tables -Wl,--build-id=none -Wl,-z,noexecstack \
                -Wl,-z,max-page-size=4096 -Wl,-s
TRIPLE_DIR     = $(dir $(realpath .build/release))
HELPER_TARGETS = $(if $(TRIPLE_DIR),$(TRIPLE_DIR)release/berth-exec-helper $(TRIPLE_DIR)debug/berth-exec-helper)
.PHONY: exec-helper
exec-helper: $(HELPER_TARGETS)
	@test -n "$(TRIPLE_DIR)" || { echo "exec-helper: .build/release does not exist yet: run make build" >&2; exit 1; }
%/berth-exec-helper: helpers/exec-helper.c
	mkdir -p $(dir $@)
	$(CC) $(HELPER_FLAGS) -o $@ $<

# Unit and root integration tests on the host, the cgroup v2 tests in the
# qemu guest, then berth's part of the conformance suite.
test: build
	BERTH_BINARY=$(BERTH) $(SWIFT) test
	$(MAKE) test-vm
	/usr/bin/python3 spec-conformance/run.py --runtime $(BERTH)

# The unit test targets only: they need neither root nor the release binary
# (the test bundle holds every target, so the integration tests are built
# too, but not run). The filter is matched against "<Target>.<Suite>/<test>".
unit-test:
	$(SWIFT) test --filter '^(OCITests|CgroupsTests|RuntimeTests)\.'

# The root integration tests on this host against the release binary (the
# cgroup v2 ones skip themselves here: make test-vm runs them in the guest).
integration-test: build
	BERTH_BINARY=$(BERTH) $(SWIFT) test --filter '^IntegrationTests\.'

# Static checks: shellcheck (Debian's package, installed when missing) on
# every shell script, and `swift format lint` with .swift-format
# (build-support/swift-lint.sh says what it leaves out and why).
SHELL_SCRIPTS := $(wildcard scripts/*.sh vm/*.sh build-support/*.sh) .ci/run
check:
	$(call install-missing,shellcheck)
	shellcheck $(SHELL_SCRIPTS)
	@$(SWIFT) format --version >/dev/null 2>&1 || { echo "check: $(SWIFT) has no 'swift format' (Swift 6 toolchains ship it)" >&2; exit 1; }
	sh build-support/swift-lint.sh $(SWIFT) Sources Tests Package.swift

# Hold STRESS_HOLD containers at once, then STRESS_CYCLES create/start/kill/
# delete cycles; fails if any process, mount, cgroup or state entry is left.
STRESS_HOLD ?= 1000
STRESS_CYCLES ?= 1000
stress: build
	BERTH=$(BERTH) sh scripts/stress.sh $(STRESS_HOLD) $(STRESS_CYCLES)

demo: build
	@sh scripts/demo.sh $(BERTH)

install: build
	install -D -m 0755 $(BERTH) $(DESTDIR)$(PREFIX)/sbin/berth
	install -D -m 0755 .build/release/berth-exec-helper $(DESTDIR)$(PREFIX)/libexec/berth/exec-helper
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
#   make test-vm     boot the guest and run in it vm/smoke.sh, then the
#                    CgroupV2Tests of the test bundle against $(BERTH);
#                    ends with "N passed, N failed"
# test-vm builds nothing: `make test` (or `make build` and `swift build
# --build-tests`) first. The smoke test's bundle is made here on the host
# (0.3 s; ~10 s in the emulated guest) and reaches the guest through the
# shared checkout. CI and BERTH_* are passed into the guest.
TEST_BUNDLE := $(CURDIR)/.build/debug/berthPackageTests.xctest

# The runtime spec beside the checkout (../shared), which the conformance
# suite reads: shared into the guest too, where the host's /tmp is not seen.
SHARED_DIR := $(realpath $(CURDIR)/../shared)

.PHONY: vm-assets test-vm
vm-assets:
	vm/prepare-assets.sh

test-vm: vm-assets
	@test -x $(BERTH) || { echo "test-vm: $(BERTH) is missing: run make first" >&2; exit 1; }
	@test -x $(TEST_BUNDLE) || { echo "test-vm: $(TEST_BUNDLE) is missing: run make test first" >&2; exit 1; }
	rm -rf vm-assets/smoke-bundle
	scripts/make-bundle.sh vm-assets/smoke-bundle true
	BERTH_SMOKE_BUNDLE=$(CURDIR)/vm-assets/smoke-bundle BERTH_BINARY=$(BERTH) BERTH_TEST_BUNDLE=$(TEST_BUNDLE) \
	  vm/run-in-guest.sh --timeout 420 $(if $(SHARED_DIR),--share $(SHARED_DIR)) -- vm/test-in-guest.sh

# The bench inside the cgroup v2 guest, where all three runtimes make real
# v2 cgroups and apply the manager config's resources. The guest is
# emulated (TCG): its ratios mean something, its milliseconds do not. The
# runtimes (and crun's shared libraries) are copied into the guest's tmpfs
# first: read over the guest's 9p shares, whose caching differs between the
# checkout and the host's root, start-up would measure 9p instead.
.PHONY: bench-vm
bench-vm: build vm-assets
	vm/run-in-guest.sh --timeout 3000 -- /usr/bin/python3 -u bench/bench.py --berth $(BERTH) \
	  --copy-to /tmp/berth-bench-runtimes --iterations 10 --rss-samples 2 --budget 150

# --- conformance comparison ---------------------------------------------------
# The conformance suite against berth, runc and crun; writes
# spec-conformance/results/ and the comparison table in spec-conformance/README.md.
RUNC ?= /usr/sbin/runc
CRUN ?= /usr/bin/crun
.PHONY: conformance-compare
conformance-compare: build
	/usr/bin/python3 spec-conformance/run.py --compare berth=$(BERTH) runc=$(RUNC) crun=$(CRUN) --readme

# The same comparison inside the cgroup v2 guest, where the cgroup
# requirements apply; its table goes to a block of its own in the README.
.PHONY: conformance-compare-vm
conformance-compare-vm: build vm-assets
	vm/run-in-guest.sh --timeout 1200 $(if $(SHARED_DIR),--share $(SHARED_DIR)) -- \
	  /usr/bin/python3 spec-conformance/run.py --compare berth=$(BERTH) runc=$(RUNC) crun=$(CRUN) --place guest --readme
