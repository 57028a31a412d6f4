# The desktop window: install its system packages, build it, smoke-test it.
# Included by the top-level Makefile (after frontend/frontend.mk, which
# defines frontend-build). Usable on its own too:
#   make -f build/desktop.mk desktop-deps
#
#   desktop-deps   GTK/WebKit headers and the smoke test's X tools (apt; only what is missing)
#   desktop-build  frontend → frontend/dist, then build/bin/caseyos with the window
#   desktop-smoke  the real window under Xvfb in a D-Bus session: key → CLI → screenshot,
#                  global shortcuts from another X client's focus, the X11 grabs and the portal,
#                  and the tray read over D-Bus as a tray host reads it (TestDesktop_TrayOverDBus)
#   desktop-tray   that tray test alone: no window, no binary, its own session bus
#   desktop-run    build and open the window
#   bench-desktop-idle  memory and CPU per process of the idle window on the demo

# webkit2gtk-4.1 (libsoup 3) is what Debian bookworm and Ubuntu ≥ 22.04
# ship going forward; the webkit2_41 tag makes Wails link it instead of 4.0.
DESKTOP_TAGS     ?= desktop,production,webkit2_41
# On Linux the binary links Debian's pocketsphinx statically for offline
# voice commands (connectors/sphinx, voice.mk installs it); elsewhere voice
# says it is not built in and the rest of the app works.
ifeq ($(shell uname -s),Linux)
DESKTOP_TAGS     := $(DESKTOP_TAGS),sphinx
DESKTOP_VOICE    := voice-deps
endif
DESKTOP_BIN      ?= build/bin/caseyos
DESKTOP_LDFLAGS  ?= -s -w -X github.com/caseyos/caseyos/app.Version=$(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# To build (cgo: a C compiler, pkg-config, GTK 3, WebKitGTK 4.1, and libX11
# for the global shortcuts' XGrabKey, connectors/hotkey).
DESKTOP_APT      := build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev libx11-dev
# To run the smoke test: a virtual screen, key presses, screenshots, a D-Bus
# session for the tray and the fake shortcuts portal. (x11-utils: xwininfo/
# xprop for looking around, and xmessage, the other app holding the focus.)
DESKTOP_TEST_APT := xvfb xdotool imagemagick x11-utils xauth dbus dbus-x11

.PHONY: desktop-deps desktop-build desktop-smoke desktop-tray desktop-run bench-desktop-idle

desktop-deps:
	@if [ "$$(uname -s)" = "Darwin" ]; then \
	  xcode-select -p >/dev/null 2>&1 || { echo "Install the Xcode command line tools: xcode-select --install"; exit 1; }; \
	  echo "macOS: WebKit comes with the system; nothing else to install. (The smoke test needs Xvfb and runs on Linux only.)"; \
	elif command -v dpkg >/dev/null && command -v apt-get >/dev/null; then \
	  missing=""; for p in $(DESKTOP_APT) $(DESKTOP_TEST_APT); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "Installing:$$missing"; \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	  fi; \
	else \
	  echo "Not Debian/Ubuntu or macOS: install a C compiler, pkg-config, GTK 3 and WebKitGTK 4.1 development files"; \
	  echo "(and Xvfb, xdotool, ImageMagick, dbus for the smoke test), then build with: go build -tags $(DESKTOP_TAGS) ."; \
	fi

# Wails needs `production` (else the binary only prints that it lacks build
# tags) and cgo. The frontend is embedded from frontend/dist, so build it first.
desktop-build: desktop-deps $(DESKTOP_VOICE) frontend-build
	@mkdir -p $(dir $(DESKTOP_BIN))
	CGO_ENABLED=1 go build -trimpath -tags '$(DESKTOP_TAGS)' -ldflags '$(DESKTOP_LDFLAGS)' -o $(DESKTOP_BIN) .

# The test starts Xvfb itself on a free display; dbus-run-session gives the
# window and the tray a private session bus that ends with the test.
desktop-smoke: desktop-build
	@mkdir -p build/artifacts
	dbus-run-session -- env CASEYOS_DESKTOP_SMOKE=1 CASEYOS_BIN="$(abspath $(DESKTOP_BIN))" CASEYOS_ARTIFACTS="$(abspath build/artifacts)" \
	  go test -tags '$(DESKTOP_TAGS)' -count=1 -run '^TestDesktop' -v ./app/
	CASEYOS_DESKTOP_SMOKE=1 go test -tags '$(DESKTOP_TAGS)' -count=1 -v ./connectors/hotkey/
	@echo "Screenshot: build/artifacts/desktop.png"

# The window on the demo under Xvfb, settled, then idle for IDLE_FOR: RSS,
# anonymous and file-backed memory, PSS, USS and CPU per process (the app,
# WebKitWebProcess, WebKitNetworkProcess), and the app with the voice models
# loaded and after they are released (docs/benchmarks.md). desktop-smoke
# runs the same test with a 20 s idle as the regression check.
IDLE_FOR ?= 60s
bench-desktop-idle: desktop-build
	@mkdir -p build/artifacts
	dbus-run-session -- env CASEYOS_DESKTOP_SMOKE=1 CASEYOS_BIN="$(abspath $(DESKTOP_BIN))" CASEYOS_IDLE_FOR=$(IDLE_FOR) \
	  CASEYOS_IDLE_REPORT="$(abspath build/artifacts/idle.txt)" \
	  go test -tags '$(DESKTOP_TAGS)' -count=1 -run '^TestDesktop_IdleMemory$$' ./app/
	@cat build/artifacts/idle.txt

# The tray in-process on a real App, read over D-Bus by a fake
# StatusNotifierWatcher and host (app/tray_dbus_test.go). The test starts
# its own dbus-daemon; without one it fails here (CASEYOS_DESKTOP_SMOKE=1).
desktop-tray: desktop-deps $(DESKTOP_VOICE)
	CASEYOS_DESKTOP_SMOKE=1 go test -tags '$(DESKTOP_TAGS)' -count=1 -run '^TestDesktop_TrayOverDBus$$' -v ./app/

desktop-run: desktop-build
	./$(DESKTOP_BIN)
