# rbdtui: build, test and run against a local two-site Ceph lab.
#   make run    install what is missing, build, start the lab, open the console
#   make test   install, build, start the lab, vet, run every test, stop the lab
SHELL      := /bin/bash
.SHELLFLAGS := -o pipefail -ec
export PATH := /usr/local/go/bin:$(PATH)

GO        ?= go
TAGS      := pacific
LAB_DIR   ?= $(CURDIR)/.lab
BIN       := bin/rbdtui
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo dev)
RESULTS   := test-results
# Debian 12 packages: the Ceph daemons of the lab, the rbd CLI, and the
# headers go-ceph builds against.
DEB_PKGS  := ceph-mon ceph-mgr ceph-osd rbd-mirror ceph-common librados-dev librbd-dev gcc
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PKGS      := ./...

.PHONY: all deps build run test vet fmt lab-up lab-down lab-status bench drill soak clean

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
	$(GO) build -tags $(TAGS) -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/rbdtui

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
	grep -E '^(ok|FAIL|---|panic)' $(RESULTS)/test.log | grep -vE '^--- (PASS|SKIP)' || true; \
	awk -f .ci/failures.awk $(RESULTS)/test.log; \
	pass=$$(grep -cE '^\s*--- PASS' $(RESULTS)/test.log || true); \
	fail=$$(grep -cE '^\s*--- FAIL' $(RESULTS)/test.log || true); \
	skip=$$(grep -cE '^\s*--- SKIP' $(RESULTS)/test.log || true); \
	echo "$$pass passed, $$fail failed, $$skip skipped"; \
	exit $$rc

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
	rm -rf bin $(RESULTS)
