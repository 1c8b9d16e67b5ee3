# rbdtui: build, test and run against a local two-site Ceph lab.
#   make run    install what is missing, build, start the lab, open the console
#   make test   install, build, start the lab, vet, run every test, stop the lab
SHELL      := /bin/bash
.SHELLFLAGS := -o pipefail -ec
export PATH := /usr/local/go/bin:$(PATH)

GO        ?= go
# --- Ceph release (h13): what the installed librbd is decides go-ceph's
# build tags and what `rbdtui version` says it was built against; see
# scripts/ceph-release, which a plain `go build` can use too.
CEPH_RELEASE_SH := $(CURDIR)/scripts/ceph-release
CEPH_VERSION := $(shell $(CEPH_RELEASE_SH) version)
TAGS      ?= $(shell $(CEPH_RELEASE_SH) tags)
CEPH_LDFLAGS := $(shell $(CEPH_RELEASE_SH) ldflags)
# --- end Ceph release
LAB_DIR   ?= $(CURDIR)/.lab
BIN       := bin/rbdtui
# The release tag (v0.2.0, or v0.2.0-3-gabc1234 after it), else the commit.
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
RESULTS   := test-results
# Debian packages: the Ceph daemons of the lab, the rbd CLI, and the
# headers go-ceph builds against (the same names in bookworm, trixie, sid).
DEB_PKGS  := $(shell $(CEPH_RELEASE_SH) debs)
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PKGS      := ./...
# The packages that need no lab also run under the race detector in make
# test (their lab tests, named here, are skipped there).
RACE_PKGS := ./model/... ./ui/... ./themes/... ./internal/grammar/... ./internal/config/... ./internal/termsafe/...
RACE_SKIP := OnLab

.PHONY: all deps build run test vet fmt lab-up lab-down lab-status bench drill clean print-tags test-releases test-release-here conformance soak

all: build

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v $(GO) >/dev/null || { echo "Go is missing: install Go 1.26 (https://go.dev/dl) into /usr/local/go"; exit 1; }

build: deps
	$(GO) build -tags $(TAGS) -ldflags "-X main.version=$(VERSION) $(CEPH_LDFLAGS)" -o $(BIN) ./cmd/rbdtui

lab-up: build
	./$(BIN) lab up --dir $(LAB_DIR)

lab-down:
	@if [ -x $(BIN) ]; then ./$(BIN) lab down --dir $(LAB_DIR); else echo "no $(BIN); nothing to stop"; fi

lab-status: build
	./$(BIN) lab status --dir $(LAB_DIR)

run: lab-up
	./$(BIN) --config $(LAB_DIR)/rbdtui.yaml

fmt:
	@out=$$(gofmt -l cmd ui model internal themes); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet: deps
	$(GO) vet -tags $(TAGS) ./...

# The lab is stopped whatever the tests do. The end of the output repeats
# the output of every failed test, then a line counts every test and subtest.
test: build fmt vet
	@mkdir -p $(RESULTS)
	@trap './$(BIN) lab down --dir $(LAB_DIR)' EXIT; \
	./$(BIN) lab up --dir $(LAB_DIR); \
	rc=0; \
	RBDTUI_LAB_DIR=$(LAB_DIR) $(GO) test -tags $(TAGS) -count=1 -p 1 -timeout 20m -v $(PKGS) 2>&1 | tee $(RESULTS)/test.log || rc=$$?; \
	$(GO) test -race -tags $(TAGS) -count=1 -p 1 -timeout 10m -v -skip '$(RACE_SKIP)' $(RACE_PKGS) 2>&1 | tee -a $(RESULTS)/test.log || rc=$$?; \
	conformance/run.sh --lab $(LAB_DIR) --bin $(BIN) 2>&1 | tee $(RESULTS)/conformance.log || rc=$$?; \
	grep -E '^(ok|FAIL|---|panic)' $(RESULTS)/test.log | grep -vE '^--- (PASS|SKIP)' || true; \
	awk -f .ci/failures.awk $(RESULTS)/test.log; \
	pass=$$(grep -cE '^\s*--- PASS' $(RESULTS)/test.log || true); \
	fail=$$(grep -cE '^\s*--- FAIL' $(RESULTS)/test.log || true); \
	skip=$$(grep -cE '^\s*--- SKIP' $(RESULTS)/test.log || true); \
	echo "$$pass passed, $$fail failed, $$skip skipped"; \
	exit $$rc

# Conformance: Ceph's rbd qa workunits (mirroring, journal, groups) with
# rbdtui in place of rbd, and rbd's JSON side by side, on a lab of its own;
# prints "N/M checks pass" and each failure with its workunit file and line.
conformance: build
	@mkdir -p $(RESULTS)
	@trap './$(BIN) lab down --dir $(LAB_DIR)' EXIT; \
	./$(BIN) lab up --dir $(LAB_DIR); \
	conformance/run.sh --lab $(LAB_DIR) --bin $(BIN) 2>&1 | tee $(RESULTS)/conformance.log

# Drills: the consistency-group crash-consistency trials (a site frozen
# mid-workload, forced group failover with rollback), three longer trials;
# make test runs two short ones.
drill: build
	@trap './$(BIN) lab down --dir $(LAB_DIR)' EXIT; \
	./$(BIN) lab up --dir $(LAB_DIR); \
	RBDTUI_DRILL=1 RBDTUI_LAB_DIR=$(LAB_DIR) $(GO) test -tags $(TAGS) -count=1 -timeout 60m -v -run 'TestForcedFailoverIsCrashConsistent' ./internal/cgroup/

# Soak: planned failovers of freshly imported, freshly synced 48 MiB images,
# journal and snapshot mode, with and without a writer running until the
# demotion, failed over and back RBDTUI_SOAK times each (default 20); every
# byte compared after each failover; prints counts and times. make test runs
# a short form (one round, 16 MiB: journal with a writer, snapshot without).
soak: build
	@trap './$(BIN) lab down --dir $(LAB_DIR)' EXIT; \
	./$(BIN) lab up --dir $(LAB_DIR); \
	RBDTUI_SOAK=$${RBDTUI_SOAK:-20} RBDTUI_LAB_DIR=$(LAB_DIR) $(GO) test -tags $(TAGS) -count=1 -timeout 240m -parallel 4 -v -run 'TestPlannedFailoverSoak' ./internal/mirror/

# Benchmarks run side by side with the rbd CLI on the lab and print ratios.
bench: build
	@trap './$(BIN) lab down --dir $(LAB_DIR)' EXIT; \
	./$(BIN) lab up --dir $(LAB_DIR); \
	RBDTUI_LAB_DIR=$(LAB_DIR) $(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 1x -count 1 $(PKGS)

clean:
	rm -rf bin $(RESULTS) $(BUILD_DIR)

# --- Shell, man page and packaging (issue 14) --------------------------------
# The man page and the completion scripts are generated from the command
# registry by the binary itself (`rbdtui __man`, `rbdtui completion SHELL`).
BUILD_DIR := build
MAN_PAGE  := $(BUILD_DIR)/rbdtui.1

PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      := $(PREFIX)/bin
MANDIR      := $(PREFIX)/share/man/man1
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  := $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR := $(PREFIX)/share/fish/vendor_completions.d

.PHONY: man completions install uninstall deb

man: build
	@mkdir -p $(BUILD_DIR)
	./$(BIN) __man > $(MAN_PAGE)
	@echo "man page: $(MAN_PAGE) (read it with: man -l $(MAN_PAGE))"

completions: build
	@mkdir -p $(BUILD_DIR)/completions
	./$(BIN) completion bash > $(BUILD_DIR)/completions/rbdtui
	./$(BIN) completion zsh > $(BUILD_DIR)/completions/_rbdtui
	./$(BIN) completion fish > $(BUILD_DIR)/completions/rbdtui.fish

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the man page and
# the bash, zsh and fish completions.
install: build man completions
	install -Dm755 $(BIN) $(DESTDIR)$(BINDIR)/rbdtui
	install -Dm644 $(MAN_PAGE) $(DESTDIR)$(MANDIR)/rbdtui.1
	install -Dm644 $(BUILD_DIR)/completions/rbdtui $(DESTDIR)$(BASHCOMPDIR)/rbdtui
	install -Dm644 $(BUILD_DIR)/completions/_rbdtui $(DESTDIR)$(ZSHCOMPDIR)/_rbdtui
	install -Dm644 $(BUILD_DIR)/completions/rbdtui.fish $(DESTDIR)$(FISHCOMPDIR)/rbdtui.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/rbdtui $(DESTDIR)$(MANDIR)/rbdtui.1 $(DESTDIR)$(BASHCOMPDIR)/rbdtui \
	  $(DESTDIR)$(ZSHCOMPDIR)/_rbdtui $(DESTDIR)$(FISHCOMPDIR)/rbdtui.fish

# make deb: build/rbdtui_<version>_<arch>.deb, with dpkg-deb, depending on
# the librados/librbd packages the binary was built against.
deb: build man completions
	packaging/deb.sh $(BIN) $(MAN_PAGE) $(BUILD_DIR)/completions $(VERSION) $(BUILD_DIR)

# --- Ceph releases (h13) ----------------------------------------------------
# print-tags: what this machine builds against (scripts/ceph-release).
# test-releases: for each of RELEASES, inside that release's Debian root
# (built once into $$XDG_CACHE_HOME/rbdtui/roots, see README), build rbdtui
# against that release's librbd and run the compatibility tests on a lab of
# that release. Needs root (chroot, mount namespaces).
RELEASES ?= reef tentacle
RELEASE_TESTS := ^(TestJSONParity|TestConsistencyGroupCommands|TestExportMatchesRBDSmoke|TestPlannedFailoverAndFailbackKeepEveryByte|TestConsoleResyncEndToEnd|TestStatusJSON|TestMirrorDaemonHealthAsConsoleUser|TestImageReplaysToSiteB|TestClsStatusListingIsLibrbds|TestReadNamesFollowsTheDirectory)$$
RELEASE_PKGS  := ./internal/cli/ ./internal/journal/ ./internal/cgroup/ ./cmd/rbdtui/ ./internal/lab/ ./internal/mirror/

print-tags:
	@echo "ceph $(CEPH_VERSION) ($$($(CEPH_RELEASE_SH) name)): go build -tags $(TAGS) -ldflags \"$(CEPH_LDFLAGS)\""

test-releases: build
	@for r in $(RELEASES); do \
	  echo "== Ceph $$r: build and compatibility tests in its root"; t0=$$(date +%s); \
	  $(SUDO) ./$(BIN) lab exec --release $$r --dir $(LAB_DIR)-$$r -- \
	    $(MAKE) --no-print-directory test-release-here LAB_DIR=$(LAB_DIR)-$$r BIN=bin/rbdtui-$$r RESULTS=$(RESULTS)/$$r \
	    || { echo "== Ceph $$r: FAILED after $$(( $$(date +%s) - t0 ))s (log: $(RESULTS)/$$r/test.log)"; exit 1; }; \
	  echo "== Ceph $$r: passed in $$(( $$(date +%s) - t0 ))s"; \
	done

# Run by test-releases inside a release's root, where the installed Ceph is
# that release: build, lab up, the compatibility tests, lab down.
test-release-here: build
	@mkdir -p $(RESULTS)
	@trap './$(BIN) lab down --dir $(LAB_DIR)' EXIT; \
	./$(BIN) lab up --dir $(LAB_DIR); \
	./$(BIN) --config $(LAB_DIR)/rbdtui.yaml version; \
	rc=0; \
	RBDTUI_LAB_DIR=$(LAB_DIR) $(GO) test -tags $(TAGS) -count=1 -p 1 -timeout 30m -v -run '$(RELEASE_TESTS)' $(RELEASE_PKGS) 2>&1 | tee $(RESULTS)/test.log || rc=$$?; \
	awk -f .ci/failures.awk $(RESULTS)/test.log; \
	echo "Ceph $(CEPH_VERSION): $$(grep -cE '^\s*--- PASS' $(RESULTS)/test.log || true) passed, $$(grep -cE '^\s*--- FAIL' $(RESULTS)/test.log || true) failed"; \
	exit $$rc
# --- end Ceph releases
