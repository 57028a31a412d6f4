# CaseyOS — `make run` and `make test` are the two commands a newcomer needs.
# Both install whatever is missing first (Debian/Ubuntu via apt; on macOS they
# say what to install with brew).

SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
# Go ≥ 1.21 fetches the toolchain go.mod asks for (1.26) from the module proxy.
export GOTOOLCHAIN ?= auto

BIN      := build/bin/caseyos
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/caseyos/caseyos/app.Version=$(VERSION)
# System packages the build and the tests need (Debian names). Later tiers
# (desktop, browser, keychain, voice) add theirs here.
APT_PKGS := ca-certificates git gcc make

.PHONY: all run serve build build-cli test test-unit test-e2e bench bench-go bench-ui deps deps-go deps-system fmt-check vet clean help

all: build

# The frontend, the desktop shell and the tiers that need a system service
# (keychain, voice) bring their own targets; fragments add their test
# target to EXTRA_TEST_TIERS. Included after `all` so that it stays the
# default goal, and before `test` so that its prerequisites are complete.
EXTRA_TEST_TIERS :=
-include frontend/frontend.mk build/desktop.mk connectors/keychain/keychain.mk connectors/sphinx/voice.mk build/package.mk connectors/notify/notify.mk

help:
	@echo "make run    — install what is missing, build, and open CaseyOS (the demo workspace until you add your own data)"
	@echo "make test   — install what is missing and run every test tier"
	@echo "make serve  — the same UI in your browser (prints the URL to open)"
	@echo "make bench  — run the benchmarks recorded in docs/benchmarks.md"

## deps: install what is missing
deps: deps-system deps-go

deps-system:
	@if [ "$$(uname -s)" = "Darwin" ]; then \
	  command -v go >/dev/null || { echo "Install Go 1.26: brew install go"; exit 1; }; \
	elif command -v apt-get >/dev/null; then \
	  missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing:$$missing"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	  fi; \
	else \
	  echo "Not Debian/Ubuntu or macOS: install $(APT_PKGS) and Go 1.26 yourself."; \
	fi

deps-go:
	@command -v go >/dev/null || { echo "Go is missing: install Go 1.26 from https://go.dev/dl (Debian's golang-go is too old)"; exit 1; }
	@v=$$(go env GOVERSION | sed 's/^go//'); major=$${v%%.*}; minor=$$(echo $$v | cut -d. -f2); \
	  if [ "$$major" -lt 1 ] || { [ "$$major" -eq 1 ] && [ "$$minor" -lt 21 ]; }; then \
	    echo "Go $$v is too old: install Go 1.26 from https://go.dev/dl"; exit 1; fi
	@go mod download

## build: the one caseyos binary — the desktop window, `serve` and the CLI,
## with the frontend embedded (build/desktop.mk: desktop-build).
build: deps desktop-build

## build-cli: the same binary without the window (no cgo, no GTK/WebKit):
## `serve` and the CLI only.
build-cli: deps frontend-build
	go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

## run: build and open CaseyOS — the window, or the browser UI when there is
## no display to open a window on.
run: build
	@if [ "$$(uname -s)" = "Linux" ] && [ -z "$${DISPLAY:-}" ] && [ -z "$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "No display: opening the browser UI instead (caseyos serve)."; \
	  exec ./$(BIN) serve; \
	fi; \
	exec ./$(BIN)

## serve: the app in a browser (prints the URL to open)
serve: build
	./$(BIN) serve

## test: every tier — format, vet, unit (race), frontend unit and types,
## browser end-to-end, desktop smoke, real keychain, voice corpus.
test: deps fmt-check vet test-unit frontend-test frontend-check test-e2e desktop-smoke $(EXTRA_TEST_TIERS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...

# Unit, store, connector-against-fake, CLI and end-to-end (the built
# binary) tests, with the race detector.
test-unit:
	go test -race -count=1 ./...

# The browser tier, without the timed 100,000-move run (that is bench-ui).
# Settings → Voice stores a key in a private gnome-keyring: keychain-deps.
test-e2e: keychain-deps
	$(MAKE) --no-print-directory frontend-e2e CASEYOS_PERF=0

## bench: the figures in docs/benchmarks.md
bench: bench-go bench-ui

bench-go: deps
	@mkdir -p build
	go test -run '^$$' -bench . -benchmem -count 5 -timeout 30m ./store/ ./backend/ | tee build/bench.txt

# The UI figures: first rows drawn and key-to-update with 100,000 moves, in
# Chromium against `caseyos serve` (frontend/e2e/perf.test.mjs).
bench-ui:
	$(MAKE) --no-print-directory frontend-e2e CASEYOS_E2E_ONLY=perf

clean:
	rm -rf build/bin

