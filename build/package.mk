# package.mk — the installable app. Included by the top-level Makefile.
#
#   make package       Linux: build/caseyos_VERSION_ARCH.deb (binary, menu entry,
#                      icons, voice models; Depends pulled by apt)
#                      macOS: build/CaseyOS.app (Info.plist from build/darwin,
#                      icns icon, models in Contents/Resources)
#
# The packer, build/package, is a Go module of its own (nfpm and what it
# needs stay out of the app's go.mod and binary). The version is git
# describe mapped to a Debian version (build/package/version.go).

PACKAGE_DESCRIBE := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
PACKAGE_COMMITS  := $(shell git rev-list --count HEAD 2>/dev/null || echo 0)
PACKAGE_MTIME    := $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: package

package: desktop-build voice-models
	@rm -f build/caseyos_*.deb
	go -C build/package run . -bin '$(abspath $(DESKTOP_BIN))' -models '$(abspath $(KWS_MODELS_DIR))' \
	  -icon '$(abspath build/appicon.png)' -plist '$(abspath build/darwin/Info.plist)' \
	  -describe '$(PACKAGE_DESCRIBE)' -commits $(PACKAGE_COMMITS) -mtime $(PACKAGE_MTIME) -out '$(abspath build)'
