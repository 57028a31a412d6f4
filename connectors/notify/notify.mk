# The desktop notification tier: the freedesktop client, and the App's
# notifications end to end, against a fake org.freedesktop.Notifications
# server on a private session bus (dbus-daemon) each test starts itself.
# Included by the top-level Makefile; usable on its own too:
#   make -f connectors/notify/notify.mk test-notify
#
#   notify-deps   dbus-daemon (apt; only when missing)
#   test-notify   those tests with CI=1, so that a missing dbus-daemon
#                 fails them instead of skipping; each must run and pass

NOTIFY_TESTS := TestClient_Notify TestDial_NoBus TestNotifications_HotMoveOnce TestNotifications_Suppressed \
  TestNotifications_Actions TestNotifications_ExecutionFailed TestNotifications_KillSwitch \
  TestNotifications_NoServer TestNotifications_NoBus TestNotifications_TestButton

SHELL := /usr/bin/env bash
notify_empty :=
notify_space := $(notify_empty) $(notify_empty)
NOTIFY_RUN := ^($(subst $(notify_space),|,$(strip $(NOTIFY_TESTS))))$$

.PHONY: notify-deps test-notify

EXTRA_TEST_TIERS += test-notify

notify-deps:
	@if [ "$$(uname -s)" = "Darwin" ]; then \
	  echo "macOS: notifications go through osascript; no D-Bus tier."; \
	elif command -v dbus-daemon >/dev/null; then :; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "Installing: dbus"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends dbus; \
	else \
	  echo "Install dbus (dbus-daemon) for the notification tests"; \
	fi

test-notify: notify-deps
	@if [ "$$(uname -s)" = "Darwin" ]; then exit 0; fi; \
	  tmp=$$(mktemp); \
	  CI=1 go test -count=1 -v -run '$(NOTIFY_RUN)' ./connectors/notify/ ./app/ | tee "$$tmp"; \
	  status=$${PIPESTATUS[0]}; \
	  for want in $(NOTIFY_TESTS); do \
	    if [ $$status = 0 ] && ! grep -q "^--- PASS: $$want " "$$tmp"; then \
	      echo "test-notify: $$want did not run and pass (skipped, renamed, or moved?)"; status=1; fi; \
	  done; \
	  rm -f "$$tmp"; exit $$status
