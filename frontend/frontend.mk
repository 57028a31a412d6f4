# frontend.mk — the Svelte UI's targets, included by the top-level Makefile.
# Paths are relative to the repository root (where make runs).
#
#   make frontend-deps    npm ci (when package-lock.json changed) + Debian's chromium for e2e
#   make frontend-build   vite build into frontend/dist (embedded by the Go binary)
#   make frontend-test    vitest run (unit tests: keymap, stores, api transport)
#   make frontend-e2e     Playwright (playwright-core + /usr/bin/chromium) against `caseyos serve`
#
# frontend-e2e builds the UI and then the binary (the top-level `build`
# target) so the binary embeds the UI under test; CASEYOS_BIN=path tests
# another binary. CASEYOS_PERF=0 skips the 100,000-move performance run.

FRONTEND      := frontend
FRONTEND_MODS := $(FRONTEND)/node_modules/.caseyos-ci
CHROMIUM      ?= /usr/bin/chromium
CASEYOS_PERF  ?= 1

.PHONY: frontend-deps frontend-node frontend-chromium frontend-build frontend-test frontend-e2e frontend-check frontend-clean

frontend-deps: frontend-node frontend-chromium

frontend-node: $(FRONTEND_MODS)

# npm ci only when the lock file is newer than the last install.
$(FRONTEND_MODS): $(FRONTEND)/package-lock.json $(FRONTEND)/package.json
	@command -v node >/dev/null || { echo "Node.js ≥ 20.19 is needed (Debian: the machine's node, or https://nodejs.org; macOS: brew install node)"; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20 || (a===20 && b<19)) { console.error("Node.js " + process.versions.node + " is too old: Vite 7 needs ≥ 20.19"); process.exit(1) }'
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	@touch $@

frontend-chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(uname -s)" = "Darwin" ]; then \
	  echo "Browser tests need Chromium: brew install --cask chromium, then CHROMIUM=/Applications/Chromium.app/Contents/MacOS/Chromium"; exit 1; \
	elif command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	else \
	  echo "Install Chromium and set CHROMIUM=/path/to/chromium"; exit 1; \
	fi

frontend-build: frontend-node
	cd $(FRONTEND) && npm run --silent build

frontend-test: frontend-node
	cd $(FRONTEND) && npm run --silent test

# Type-check the Svelte and TypeScript sources.
frontend-check: frontend-node
	cd $(FRONTEND) && npm run --silent check

# CASEYOS_E2E_ONLY=perf runs only the performance file (make bench-ui).
E2E_FILES := $(if $(filter perf,$(CASEYOS_E2E_ONLY)),e2e/perf.test.mjs,e2e/)

frontend-e2e: frontend-deps frontend-build build
	cd $(FRONTEND) && CASEYOS_BIN="$${CASEYOS_BIN:-$(CURDIR)/build/bin/caseyos}" CHROMIUM="$(CHROMIUM)" CASEYOS_PERF="$(CASEYOS_PERF)" \
	  node --test --test-concurrency=1 $(E2E_FILES)

frontend-clean:
	find $(FRONTEND)/dist -mindepth 1 ! -name .gitkeep -delete
	rm -rf $(FRONTEND)/e2e/artifacts
