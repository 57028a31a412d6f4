# package.mk — the installable app. Included by the top-level Makefile.
#
#   make package       Linux: build/caseyos_VERSION_ARCH.deb (binary, menu entry,
#                      icons, voice models; Depends pulled by apt)
#                      macOS: build/CaseyOS.app (Info.plist from build/darwin,
#                      icns icon, models in Contents/Resources)
#   make package-test  the .deb installed in a clean Debian made by debootstrap
#                      (as root: sudo when not), then as a user with a fresh
#                      HOME: `caseyos today`, the window under Xvfb :93 and
#                      `caseyos voice recognize` from the install
#                      (build/package/install-test.sh)
#
# The packer, build/package, is a Go module of its own (nfpm and what it
# needs stay out of the app's go.mod and binary). The version is git
# describe mapped to a Debian version (build/package/version.go).

PACKAGE_DESCRIBE := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
PACKAGE_COMMITS  := $(shell git rev-list --count HEAD 2>/dev/null || echo 0)
PACKAGE_MTIME    := $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
PACKAGE_TEST_APT := debootstrap desktop-file-utils

.PHONY: package package-test package-test-deps

package: desktop-build voice-models
	@rm -f build/caseyos_*.deb
	go -C build/package run . -bin '$(abspath $(DESKTOP_BIN))' -models '$(abspath $(KWS_MODELS_DIR))' \
	  -icon '$(abspath build/appicon.png)' -plist '$(abspath build/darwin/Info.plist)' \
	  -describe '$(PACKAGE_DESCRIBE)' -commits $(PACKAGE_COMMITS) -mtime $(PACKAGE_MTIME) -out '$(abspath build)'

package-test-deps:
	@if [ "$$(uname -s)" = Linux ] && command -v apt-get >/dev/null; then \
	  missing=""; for p in $(PACKAGE_TEST_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing:$$missing"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	  fi; \
	fi

package-test: package package-test-deps
	go -C build/package vet ./...
	go -C build/package test -count=1 ./...
	@if [ "$$(uname -s)" != Linux ]; then echo "package-test: the install test needs Debian (debootstrap); the .app was checked by go test above"; exit 0; fi; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  mkdir -p build/artifacts; \
	  $$SUDO env PACKAGE_TEST_ARTIFACTS='$(abspath build/artifacts)' build/package/install-test.sh build/caseyos_*.deb

EXTRA_TEST_TIERS += package-test
