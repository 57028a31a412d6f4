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

.PHONY: all run serve build test test-unit test-e2e bench deps deps-go deps-system fmt-check vet clean help

all: build

help:
	@echo "make run    — install what is missing, build, and open CaseyOS (the demo workspace until you add your own data)"
	@echo "make test   — install what is missing and run every test tier"
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

## build: the caseyos binary
build: deps
	go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

## run: build and open CaseyOS
run: build
	@echo
	./$(BIN) today

## serve: the app in a browser (prints the URL to open)
serve: build
	./$(BIN) serve

## test: every tier
test: deps fmt-check vet test-unit

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...

# Unit, store, CLI and end-to-end (the built binary) tests, with the race detector.
test-unit:
	go test -race -count=1 ./...

## bench: the figures in docs/benchmarks.md
bench: deps
	go test -run '^$$' -bench . -benchmem -count 5 -timeout 30m ./store/ ./backend/ | tee build/bench.txt

clean:
	rm -rf build/bin

# The frontend and the desktop shell bring their own targets (included last
# so that `all` stays the default goal).
-include frontend/frontend.mk build/desktop.mk
